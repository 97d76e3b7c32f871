import keras
from keras import layers


def feature_net(timesteps, channels):
    return keras.Sequential(
        [
            keras.Input(shape=(timesteps, channels)),
            layers.Conv1D(16, 3, padding="same", activation="relu"),
            layers.Dropout(0.1),
        ]
    )


def head(units):
    return keras.Sequential(
        [
            keras.Input(shape=(units,)),
            layers.Dropout(0.5),
            layers.Dense(1),
        ]
    )


def build(timesteps=64, channels=3):
    return keras.Sequential(
        [
            keras.Input(shape=(timesteps, channels)),
            feature_net(timesteps, channels),
            layers.LSTM(32),
            head(32),
        ]
    )
