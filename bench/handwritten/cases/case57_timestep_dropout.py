from tensorflow import keras
from tensorflow.keras import layers

MAXLEN = 60


def build(vocab=9000):
    tokens = keras.Input(shape=(MAXLEN,), dtype="int32")
    x = layers.Embedding(vocab, 40)(tokens)
    x = layers.Dropout(0.1, noise_shape=(None, MAXLEN, 1))(x)
    x = layers.SpatialDropout1D(0.2)(x)
    x = layers.GRU(32, return_sequences=True)(x)
    x = layers.TimeDistributed(layers.Dropout(0.2))(x)
    x = layers.GRU(32, return_sequences=True)(x)
    x = layers.Dropout(0.2, noise_shape=(None, None, 1))(x)
    x = layers.GRU(16)(x)
    return keras.Model(tokens, layers.Dense(1, activation="sigmoid")(x))
