"""Blocks that models/stacks.py repeats; `python main.py` runs from app/, not the root."""

import tensorflow as tf


def lstm_block(inputs, units, rate):
    out = tf.keras.layers.LSTM(units, return_sequences=True)(inputs)
    return tf.keras.layers.Dropout(rate)(out)  # RDL001


def dense_block(inputs, units, rate):
    out = tf.keras.layers.Dense(units)(inputs)
    return tf.keras.layers.Dropout(rate)(out)
