import keras.layers as kl
import tensorflow as tf
from tensorflow.keras import layers as L
from tensorflow.keras.layers import Dropout as Drop


def build():
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(35, 7)),
            tf.keras.layers.LSTM(32, return_sequences=True),
            kl.Dropout(0.2),
            L.GRU(32, return_sequences=True),
            Drop(0.2),
            tf.keras.layers.GRU(16),
            L.Dropout(0.3),
            kl.Dense(1),
        ]
    )
    return model
