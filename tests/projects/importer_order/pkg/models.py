"""Models built from the encoders."""

from tensorflow import keras
from tensorflow.keras import layers

from .encoders import encode


def build(vocab=1000):
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = encode(layers.Embedding(vocab, 32)(inputs))
    return keras.Model(inputs, layers.LSTM(16)(x))
