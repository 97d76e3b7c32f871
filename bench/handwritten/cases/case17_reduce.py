from functools import reduce

from tensorflow import keras
from tensorflow.keras import layers


def apply_all(stack, x):
    return reduce(lambda t, layer: layer(t), stack, x)


def build(vocab=3000, maxlen=40):
    tokens = keras.Input(shape=(maxlen,), dtype="int32")
    stack = [
        layers.Embedding(vocab, 48),
        layers.Dropout(0.25),
        layers.LSTM(48, return_sequences=True),
        layers.Dropout(0.25),
        layers.LSTM(24),
        layers.Dense(4, activation="softmax"),
    ]
    return keras.Model(tokens, apply_all(stack, tokens))


def build_mlp(n_in=20):
    inp = keras.Input(shape=(n_in,))
    stack = [layers.Dense(64, activation="relu"), layers.Dropout(0.5), layers.Dense(1)]
    return keras.Model(inp, apply_all(stack, inp))
