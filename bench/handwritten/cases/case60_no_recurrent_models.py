"""Baselines without recurrent layers (the LSTM model lives in another module)."""

import keras
from keras import layers
from keras.layers import LSTM  # noqa: F401  (re-exported for the notebook)


def mlp(n_in=64):
    return keras.Sequential(
        [
            keras.Input(shape=(n_in,)),
            layers.Dense(128, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(64, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )


def cnn2d(h=28, w=28):
    inp = keras.Input(shape=(h, w, 1))
    x = layers.Conv2D(16, 3, activation="relu")(inp)
    x = layers.SpatialDropout2D(0.2)(x)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Dropout(0.25)(x)
    x = layers.Flatten()(x)
    return keras.Model(inp, layers.Dense(10, activation="softmax")(x))


def cnn1d(timesteps=100, channels=3):
    inp = keras.Input(shape=(timesteps, channels))
    x = layers.Conv1D(32, 5, activation="relu")(inp)
    x = layers.Dropout(0.2)(x)
    x = layers.Conv1D(32, 5, activation="relu")(x)
    x = layers.GlobalAveragePooling1D()(x)
    return keras.Model(inp, layers.Dense(1)(x))


def build():
    return cnn1d()
