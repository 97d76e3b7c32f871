from tensorflow.keras import layers

from .settings import NO_SEQUENCES, SEQUENCES


def stacked_pair(units):
    return [layers.LSTM(units, return_sequences=SEQUENCES), layers.LSTM(units, return_sequences=SEQUENCES)]


def summary(units):
    return layers.LSTM(units, return_sequences=NO_SEQUENCES)
