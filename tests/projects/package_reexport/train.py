"""Uses the block only through the package: train.py names pkg.layers, never blocks."""

from tensorflow import keras

from pkg import layers as L


def build(sizes=(32, 16)):
    inputs = keras.Input(shape=(50, 8))
    x = inputs
    for units in sizes:
        x = L.blocks.lstm_block(x, units)
    return keras.Model(inputs, keras.layers.GRU(8)(x))
