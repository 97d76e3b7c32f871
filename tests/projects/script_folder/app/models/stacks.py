import tensorflow as tf

from models.blocks import dense_block, lstm_block


def lstm_stack(units, n_blocks, rate, input_shape=(128, 6)):
    inputs = tf.keras.Input(shape=input_shape)
    x = inputs
    for _ in range(n_blocks - 1):
        x = lstm_block(x, units, rate)
    x = tf.keras.layers.LSTM(units)(x)
    x = dense_block(x, units, rate)
    return tf.keras.Model(inputs, x)
