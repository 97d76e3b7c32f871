import numpy as np
from tensorflow import keras
from tensorflow.keras import layers


class Stack(keras.Model):
    def __init__(self, units=(32, 16), rate=0.2, **kwargs):
        super().__init__(**kwargs)
        self.blocks = []
        for i, u in enumerate(units):
            self.blocks.append(self.make_block(u, last=i == len(units) - 1))
            if i < len(units) - 1:
                self.blocks.append(layers.Dropout(rate))
        self.head = layers.Dense(1)

    def make_block(self, units, last):
        return layers.LSTM(units, return_sequences=not last)

    def call(self, x):
        for block in self.blocks:
            x = block(x)
        return self.head(x)


class ConvStack(Stack):
    def make_block(self, units, last):
        if last:
            return layers.GlobalAveragePooling1D()
        return layers.Conv1D(units, 3, padding="same", activation="relu")


def build():
    model = ConvStack()
    model(np.zeros((1, 20, 3), dtype="float32"))
    return model


def build_rnn():
    model = Stack()
    model(np.zeros((1, 20, 3), dtype="float32"))
    return model
