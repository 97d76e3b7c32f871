from tensorflow import keras
from tensorflow.keras import layers


def rnn_block(units, last=False):
    return [
        layers.Bidirectional(layers.LSTM(units, return_sequences=not last)),
        layers.Dropout(0.25),
    ]


def build():
    model = keras.Sequential(
        [
            keras.Input(shape=(30, 16)),
            *rnn_block(32),
            *rnn_block(16, last=True),
            layers.Dense(5, activation="softmax"),
        ]
    )
    return model
