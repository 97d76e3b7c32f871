import functools

import keras
from keras import layers


def with_regression_head(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        inp, x = fn(*args, **kwargs)
        x = layers.Dropout(0.4)(x)
        return keras.Model(inp, layers.Dense(1)(x))

    return wrapper


def with_recurrent_head(units=16):
    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            inp, x = fn(*args, **kwargs)
            x = layers.Dropout(0.3)(x)
            x = layers.GRU(units)(x)
            return keras.Model(inp, layers.Dense(1, activation="sigmoid")(x))

        return wrapper

    return deco


@with_regression_head
def encoder(timesteps=20, features=8):
    inp = keras.Input(shape=(timesteps, features))
    x = layers.LSTM(32, return_sequences=True)(inp)
    x = layers.Dropout(0.2)(x)
    x = layers.LSTM(16)(x)
    return inp, x


@with_regression_head
def conv_encoder(timesteps=20, features=8):
    inp = keras.Input(shape=(timesteps, features))
    x = layers.Conv1D(16, 3, activation="relu")(inp)
    x = layers.GlobalMaxPooling1D()(x)
    return inp, x


@with_recurrent_head(units=32)
def text_encoder(vocab=2000, maxlen=60):
    inp = keras.Input(shape=(maxlen,), dtype="int32")
    return inp, layers.Embedding(vocab, 32)(inp)


def build():
    return text_encoder()


def build_regressor():
    return encoder()
