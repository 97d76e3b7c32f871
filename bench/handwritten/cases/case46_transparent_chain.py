from tensorflow import keras
from tensorflow.keras import layers


def build(timesteps=40, features=6):
    inp = keras.Input(shape=(timesteps, features))
    x = layers.GRU(32, return_sequences=True)(inp)
    x = layers.Dropout(0.2)(x)
    x = layers.BatchNormalization()(x)
    x = layers.GaussianNoise(0.05)(x)
    x = layers.LeakyReLU()(x)
    x = layers.GRU(32, return_sequences=True)(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(16, activation="relu")(x)
    x = layers.GRU(16)(x)
    return keras.Model(inp, layers.Dense(1)(x))
