import keras
from keras import layers


def build(units=(64, 32)):
    model = keras.Sequential(
        [keras.Input(shape=(40, 3))]
        + [
            layer
            for u in units
            for layer in (
                layers.LSTM(u, return_sequences=True),
                layers.Dropout(0.2),
            )
        ]
        + [
            layers.LSTM(8),
            layers.Dropout(0.5),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    return model
