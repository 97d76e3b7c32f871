"""Frame encoder ending in dropout, applied per frame, then an LSTM over frames."""

import keras
from keras import layers

FRAMES, H, W = 6, 12, 12


def frame_encoder():
    return keras.Sequential(
        [
            keras.Input(shape=(H, W, 1)),
            layers.Conv2D(8, 3, activation="relu"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(32, activation="relu"),
            layers.Dropout(0.3),
        ]
    )


def build():
    clips = keras.Input(shape=(FRAMES, H, W, 1))
    x = layers.TimeDistributed(frame_encoder())(clips)
    x = layers.LSTM(16)(x)
    return keras.Model(clips, layers.Dense(3, activation="softmax")(x))
