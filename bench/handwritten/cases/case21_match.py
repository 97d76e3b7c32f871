"""Architectures compared in the report: 'stacked' (default), 'single', 'conv'."""

from tensorflow import keras
from tensorflow.keras import layers


def build(arch="stacked", vocab=8000, maxlen=120):
    tokens = keras.Input(shape=(maxlen,), dtype="int32")
    x = layers.Embedding(vocab, 64, mask_zero=arch != "conv")(tokens)
    match arch:
        case "stacked":
            x = layers.LSTM(64, return_sequences=True)(x)
            x = layers.Dropout(0.3)(x)
            x = layers.LSTM(32)(x)
        case "single":
            x = layers.Dropout(0.3)(x)
            x = layers.LSTM(32)(x)
        case "conv":
            x = layers.Conv1D(64, 5, activation="relu")(x)
            x = layers.Dropout(0.3)(x)
            x = layers.GlobalMaxPooling1D()(x)
        case _:
            raise ValueError(arch)
    x = layers.Dropout(0.5)(x)
    return keras.Model(tokens, layers.Dense(1, activation="sigmoid")(x))
