"""IMDB sentiment classifier, functional API (buggy)."""

import tensorflow as tf
from tensorflow.keras import layers

MAX_FEATURES = 20000


def build_model() -> tf.keras.Model:
    inputs = tf.keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(MAX_FEATURES, 128)(inputs)
    x = layers.Dropout(0.3)(x)
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(64))(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return tf.keras.Model(inputs, outputs)
