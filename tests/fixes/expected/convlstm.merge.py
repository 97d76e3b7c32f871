import keras
from keras import layers


def build():
    inp = keras.Input(shape=(5, 8, 8, 2))
    x = layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True)(inp)
    x = layers.BatchNormalization()(x)
    x = layers.ConvLSTM2D(4, 3, padding="same", dropout=0.3)(x)
    return keras.Model(inp, x)
