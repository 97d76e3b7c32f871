from tensorflow import keras
from tensorflow.keras import layers

T, F = 20, 8


def make_encoder():
    return keras.Sequential(
        [keras.Input(shape=(T, F)), layers.LSTM(32, return_sequences=True)],
        name="encoder",
    )


def make_decoder():
    return keras.Sequential(
        [
            keras.Input(shape=(T, 16)),
            layers.Dropout(0.2),
            layers.GRU(16),
        ],
        name="decoder",
    )


def build():
    encoder = make_encoder()
    decoder = make_decoder()
    inp = keras.Input(shape=(T, F))
    seq = encoder(inp)
    x = layers.Dropout(0.3)(seq)
    x = layers.LSTM(16, return_sequences=True)(x)
    x = layers.TimeDistributed(layers.Dense(16))(x)
    x = decoder(x)
    return keras.Model(inp, layers.Dense(1)(x))
