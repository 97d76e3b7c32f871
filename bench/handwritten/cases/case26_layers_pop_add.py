"""Fine-tune a pretrained forecaster: drop its head, add a new recurrent head."""

from tensorflow import keras
from tensorflow.keras import layers


def pretrained(timesteps=30, features=4):
    return keras.Sequential(
        [
            keras.Input(shape=(timesteps, features)),
            layers.LSTM(32, return_sequences=True),
            layers.Dropout(0.2),
            layers.LSTM(16, return_sequences=True),
            layers.Dropout(0.4),
            layers.TimeDistributed(layers.Dense(1)),
        ]
    )


def build():
    base = pretrained()
    base.pop()
    base.pop()
    for layer in base.layers:
        layer.trainable = False
    base.add(layers.Dropout(0.1))
    base.add(layers.GRU(8))
    base.add(layers.Dense(1))
    return base


def build_transfer():
    base = pretrained()
    model = keras.Sequential([keras.Input(shape=(30, 4)), *base.layers[:1]])
    model.add(layers.Dropout(0.3, noise_shape=(None, 1, 32)))
    model.add(layers.GRU(8))
    model.add(layers.Dense(1))
    return model
