"""Stacked LSTM regressor; depth comes from a module constant."""

from tensorflow import keras
from tensorflow.keras import layers

N_LAYERS = 3
UNITS = 32
TIMESTEPS, FEATURES = 12, 8


def build(n_layers=N_LAYERS, units=UNITS):
    model = keras.Sequential(name="stacked_lstm")
    model.add(keras.Input(shape=(TIMESTEPS, FEATURES)))
    model.add(layers.SpatialDropout1D(0.1))
    for i in range(n_layers):
        model.add(layers.LSTM(units, return_sequences=i < n_layers - 1))
        model.add(layers.Dropout(0.2))
    model.add(layers.Dense(16, activation="relu"))
    model.add(layers.Dropout(0.3))
    model.add(layers.Dense(1))
    return model
