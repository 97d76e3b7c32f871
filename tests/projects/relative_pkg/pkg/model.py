from tensorflow import keras
from tensorflow.keras.layers import Dense, Dropout, Embedding

from . import blocks as b
from .blocks import cell_class, sequence_block, summary_block


def stacked():
    model = keras.Sequential()
    model.add(sequence_block(64))
    model.add(Dropout(0.2))  # RDL001
    model.add(cell_class("gru")(32))
    model.add(Dense(1))
    return model


def summary_then_dense():
    model = keras.Sequential()
    model.add(summary_block(64))
    model.add(Dropout(0.2))
    model.add(Dense(1))
    return model


def functional():
    inputs = keras.Input((None,))
    x = Embedding(1000, 64)(inputs)
    x = b.embed_dropout(x, 0.3)
    x = b.sequence_block(32)(x)
    x = b.summary_block(16)(x)
    x = b.head_dropout(x)
    return keras.Model(inputs, Dense(1)(x))
