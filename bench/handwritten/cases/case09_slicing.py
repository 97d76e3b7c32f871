"""Pretrained-style layer bank; models are assembled from slices of it."""

from tensorflow import keras
from tensorflow.keras import layers

T, F = 16, 8


def layer_bank():
    return [
        layers.LSTM(32, return_sequences=True),
        layers.Dropout(0.2),
        layers.LSTM(32, return_sequences=True),
        layers.Dropout(0.2),
        layers.LSTM(16),
        layers.Dropout(0.5),
    ]


def build():
    bank = layer_bank()
    body = bank[:4]
    return keras.Sequential([keras.Input(shape=(T, F)), *body, layers.GRU(8), layers.Dense(1)])


def build_tail():
    bank = layer_bank()
    return keras.Sequential([keras.Input(shape=(T, 32)), *bank[4:], layers.Dense(1)])
