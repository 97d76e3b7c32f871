from tensorflow import keras

import pkg
from pkg import RATE


def stacked():
    model = keras.Sequential(pkg.stacked_pair(32))
    model.add(keras.layers.Dropout(RATE))  # RDL001
    model.add(keras.layers.GRU(8))
    return model


def through_the_submodule():
    model = keras.Sequential()
    model.add(keras.layers.LSTM(16, return_sequences=pkg.blocks.SEQUENCES))
    model.add(keras.layers.Dropout(pkg.RATE))  # RDL001
    model.add(keras.layers.LSTM(8))
    return model


def summary_then_dense():
    model = keras.Sequential()
    model.add(pkg.blocks.summary(16))
    model.add(keras.layers.Dropout(RATE))
    model.add(keras.layers.Dense(1))
    return model
