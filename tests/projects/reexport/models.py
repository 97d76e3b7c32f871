from common.imports import *


def build():
    return keras.Sequential(
        [
            keras.layers.Bidirectional(keras.layers.LSTM(32, return_sequences=True)),
            keras.layers.Dropout(0.5),  # RDL001
            keras.layers.LSTM(16),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(1),
        ]
    )
