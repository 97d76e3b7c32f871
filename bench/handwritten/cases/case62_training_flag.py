import numpy as np
from tensorflow import keras
from tensorflow.keras import layers


class Forecaster(keras.Model):
    def __init__(self, units=32, horizon=6, mc_dropout=False):
        super().__init__()
        self.mc_dropout = mc_dropout
        self.gru1 = layers.GRU(units, return_sequences=True)
        self.drop = layers.Dropout(0.25)
        self.gru2 = layers.GRU(units)
        self.out = layers.Dense(horizon)

    def call(self, x, training=False):
        x = self.gru1(x)
        if training or self.mc_dropout:
            x = self.drop(x, training=True)
        x = self.gru2(x)
        return self.out(x)


def build():
    model = Forecaster()
    model(np.zeros((1, 48, 3), dtype="float32"))
    return model
