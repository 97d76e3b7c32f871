from tensorflow import keras
from tensorflow.keras import layers

VOCAB, MAXLEN = 6000, 70


def build():
    """Two heads trained in turn; they share one dropout layer object."""
    drop = layers.Dropout(0.4)

    a_in = keras.Input(shape=(MAXLEN,), dtype="int32")
    a = layers.Embedding(VOCAB, 32)(a_in)
    a = layers.LSTM(32)(a)
    a = drop(a)
    model_a = keras.Model(a_in, layers.Dense(1)(a))

    b_in = keras.Input(shape=(MAXLEN,), dtype="int32")
    b = layers.Embedding(VOCAB, 32)(b_in)
    b = drop(b)
    b = layers.LSTM(32)(b)
    model_b = keras.Model(b_in, layers.Dense(1)(b))
    model_a.compile(optimizer="adam", loss="mse")
    return model_b
