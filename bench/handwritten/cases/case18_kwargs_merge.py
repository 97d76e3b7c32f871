from tensorflow import keras
from tensorflow.keras import layers

BASE_RNN = dict(return_sequences=True, recurrent_activation="sigmoid")
LAST_RNN = dict(BASE_RNN, return_sequences=False)


def rnn(units, **kwargs):
    return layers.LSTM(units, **kwargs)


def drop(rate, **kwargs):
    return layers.Dropout(rate, **kwargs)


def build():
    inp = keras.Input(shape=(18, 9))
    x = rnn(32, **BASE_RNN)(inp)
    x = drop(0.3)(x)
    x = rnn(16, **BASE_RNN)(x)
    x = drop(0.3, noise_shape=(None, 1, 16))(x)
    x = rnn(8, **LAST_RNN)(x)
    x = layers.Dropout(0.3)(x)
    return keras.Model(inp, layers.Dense(1)(x))
