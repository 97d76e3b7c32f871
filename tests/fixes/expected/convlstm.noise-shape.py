import keras
from keras import layers


def build():
    inp = keras.Input(shape=(5, 8, 8, 2))
    x = layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True)(inp)
    x = layers.BatchNormalization()(x)
    x = layers.Dropout(0.3, noise_shape=(None, 1, None, None, None))(x)
    x = layers.ConvLSTM2D(4, 3, padding="same")(x)
    return keras.Model(inp, x)
