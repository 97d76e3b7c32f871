from tensorflow import keras
from tensorflow.keras import layers

T, F = 26, 6


def pretrained_encoder():
    inp = keras.Input(shape=(T, F))
    x = layers.GRU(32, return_sequences=True)(inp)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(F)(x)
    return keras.Model(inp, x)


def build():
    base = pretrained_encoder()
    inp = keras.Input(shape=(T, F))
    x = inp
    for layer in base.layers[1:2]:
        layer.trainable = False
        x = layer(x)
    x = layers.Dropout(0.2)(x)
    x = layers.GRU(16)(x)
    return keras.Model(inp, layers.Dense(1)(x))
