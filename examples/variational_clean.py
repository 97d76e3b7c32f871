"""The same kind of model with one dropout mask per sequence (clean)."""

import keras
from keras import layers


def build_model(timesteps: int, features: int) -> keras.Model:
    return keras.Sequential(
        [
            keras.Input(shape=(timesteps, features)),
            layers.GRU(64, return_sequences=True),
            layers.SpatialDropout1D(0.2),
            layers.GRU(64, return_sequences=True),
            layers.Dropout(0.2, noise_shape=(None, 1, None)),
            layers.GRU(32, dropout=0.2),
            layers.Dropout(0.5),
            layers.Dense(1),
        ]
    )
