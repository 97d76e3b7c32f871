"""Video classifier: a small CNN per frame, then a GRU over frames."""

from tensorflow import keras
from tensorflow.keras import layers

FRAMES, H, W = 8, 16, 16


def frame_cnn():
    return keras.Sequential(
        [
            keras.Input(shape=(H, W, 1)),
            layers.Conv2D(8, 3, activation="relu"),
            layers.SpatialDropout2D(0.1),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dropout(0.3),
            layers.Dense(32, activation="relu"),
        ],
        name="frame_cnn",
    )


def build():
    clips = keras.Input(shape=(FRAMES, H, W, 1))
    x = layers.TimeDistributed(frame_cnn())(clips)
    x = layers.TimeDistributed(layers.Dropout(0.2))(x)
    x = layers.GRU(32)(x)
    x = layers.Dropout(0.5)(x)
    return keras.Model(clips, layers.Dense(5, activation="softmax")(x))
