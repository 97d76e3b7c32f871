import keras
from keras import layers


def build(timesteps=30, features=32):
    inp = keras.Input(shape=(timesteps, features))
    h = layers.LSTM(features, return_sequences=True)(inp)
    y = layers.Dropout(0.2)(h)
    y = layers.LSTM(features, return_sequences=True)(y)
    h = layers.Add()([h, y])
    h = layers.Dropout(0.2)(h)
    h = layers.LSTM(16)(h)
    return keras.Model(inp, layers.Dense(1)(h))
