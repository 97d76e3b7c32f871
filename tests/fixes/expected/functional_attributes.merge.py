import tensorflow as tf
from tensorflow.keras import layers


def build():
    inp = tf.keras.Input((12, 8), dtype="int32")
    x = layers.Embedding(100, 8)(inp[:, :, 0])
    x = layers.GRU(8, return_sequences=True, dropout=0.1)(x)
    x = layers.Dropout(0.2, noise_shape=(None, 12, 1))(x)
    x = tf.keras.layers.Bidirectional(tf.keras.layers.GRU(4, return_sequences=True))(x)
    out = layers.LSTM(4, dropout=0.25)(x)
    return tf.keras.Model(inp, out)
