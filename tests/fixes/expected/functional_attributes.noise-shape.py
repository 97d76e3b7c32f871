import tensorflow as tf
from tensorflow.keras import layers


def build():
    inp = tf.keras.Input((12, 8), dtype="int32")
    x = layers.Embedding(100, 8)(inp[:, :, 0])
    x = layers.Dropout(
        0.1,
        seed=3, noise_shape=(None, 1, None),
    )(x)
    x = layers.GRU(8, return_sequences=True)(x)
    x = layers.Dropout(0.2, noise_shape=(None, 12, 1))(x)
    x = tf.keras.layers.Bidirectional(tf.keras.layers.GRU(4, return_sequences=True))(x)
    x = tf.keras.layers.Dropout(rate=0.25, noise_shape=(None, 1, None))(x)
    out = layers.LSTM(4)(x)
    return tf.keras.Model(inp, out)
