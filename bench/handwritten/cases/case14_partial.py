from functools import partial

from tensorflow import keras
from tensorflow.keras import layers

SeqLSTM = partial(layers.LSTM, return_sequences=True, kernel_initializer="glorot_uniform")
TimeSharedDropout = partial(layers.Dropout, noise_shape=(None, 1, None))


def build():
    inp = keras.Input(shape=(32, 10))
    x = SeqLSTM(64)(inp)
    x = layers.Dropout(0.2)(x)
    x = SeqLSTM(32)(x)
    x = TimeSharedDropout(0.2)(x)
    x = SeqLSTM(16)(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.5)(x)
    return keras.Model(inp, layers.Dense(2, activation="softmax")(x))
