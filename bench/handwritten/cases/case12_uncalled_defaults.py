"""Two text classifiers. Only the baseline is used in the notebook; build_model is kept for later."""

import keras
from keras.layers import LSTM, Dense, Dropout, Embedding, GlobalAveragePooling1D, Input


def build_model(vocab=10000, units=64, stacked=True, drop=0.3):
    inp = Input(shape=(100,), dtype="int32")
    x = Embedding(vocab, 128)(inp)
    if stacked:
        x = LSTM(units, return_sequences=True)(x)
        x = Dropout(drop)(x)
    x = LSTM(units // 2)(x)
    x = Dropout(drop)(x)
    return keras.Model(inp, Dense(1, activation="sigmoid")(x))


def build_baseline(vocab=10000):
    inp = Input(shape=(100,), dtype="int32")
    x = Embedding(vocab, 64)(inp)
    x = GlobalAveragePooling1D()(x)
    x = Dropout(0.5)(x)
    x = Dense(32, activation="relu")(x)
    x = Dropout(0.5)(x)
    return keras.Model(inp, Dense(1, activation="sigmoid")(x))


def build():
    return build_baseline()
