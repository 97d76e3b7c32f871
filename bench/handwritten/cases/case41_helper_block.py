from tensorflow import keras
from tensorflow.keras import layers


def rnn_block(x, units, return_sequences=True, drop=0.2):
    x = layers.LSTM(units, return_sequences=return_sequences)(x)
    if drop:
        x = layers.Dropout(drop)(x)
    return x


def dense_block(x, units, drop=0.3):
    x = layers.Dense(units, activation="relu")(x)
    return layers.Dropout(drop)(x)


def build(timesteps=36, features=5):
    inp = keras.Input(shape=(timesteps, features))
    x = rnn_block(inp, 64)
    x = rnn_block(x, 32)
    x = rnn_block(x, 16, return_sequences=False, drop=0.5)
    x = dense_block(x, 32)
    return keras.Model(inp, layers.Dense(1)(x))
