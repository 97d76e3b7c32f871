"""Spatio-temporal model on (time, sensors, channels) grids."""

from tensorflow import keras
from tensorflow.keras import layers

T, SENSORS, CH = 10, 16, 2


def build():
    inp = keras.Input(shape=(T, SENSORS, CH))
    x = layers.ConvLSTM1D(8, 3, padding="same", return_sequences=True)(inp)
    x = layers.Dropout(0.2)(x)
    x = layers.ConvLSTM1D(8, 3, padding="same", return_sequences=True)(x)
    x = layers.BatchNormalization()(x)
    x = layers.Dropout(0.2, noise_shape=(None, 1, None, None))(x)
    x = layers.ConvLSTM1D(4, 3, padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.4)(x)
    return keras.Model(inp, layers.Dense(1)(x))
