from tensorflow import keras
from tensorflow.keras import layers


def build(vocab=4000, maxlen=50, n_numeric=12):
    text = keras.Input(shape=(maxlen,), dtype="int32", name="text")
    numeric = keras.Input(shape=(n_numeric,), name="numeric")
    drop = layers.Dropout(0.3)

    t = layers.Embedding(vocab, 32)(text)
    t = drop(t)
    t = layers.LSTM(32)(t)

    n = layers.Dense(32, activation="relu")(numeric)
    n = drop(n)

    x = layers.Concatenate()([t, n])
    x = layers.Dropout(0.5)(x)
    out = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model([text, numeric], out)
