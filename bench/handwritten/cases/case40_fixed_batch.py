from tensorflow import keras
from tensorflow.keras import layers

BATCH, T, F = 16, 12, 8


def build():
    inp = keras.Input(batch_shape=(BATCH, T, F))
    x = layers.LSTM(16, return_sequences=True)(inp)
    x = layers.Dropout(0.2, noise_shape=(BATCH, 1, 16))(x)
    x = layers.LSTM(16)(x)
    return keras.Model(inp, layers.Dense(1)(x))


def build_stateful():
    model = keras.Sequential(
        [
            keras.Input(batch_shape=(BATCH, T, F)),
            layers.LSTM(16, return_sequences=True, stateful=True),
            layers.Dropout(0.2, noise_shape=(BATCH, 1, 16)),
            layers.LSTM(16, stateful=True),
            layers.Dense(1),
        ]
    )
    return model


def build_unbatched():
    inp = keras.Input(shape=(T, F))
    x = layers.LSTM(16, return_sequences=True)(inp)
    x = layers.Dropout(0.2, noise_shape=(BATCH, 1, 16))(x)
    x = layers.TimeDistributed(layers.Dense(1))(x)
    return keras.Model(inp, x)
