import keras
import numpy as np
from keras import layers


class DeepGRU(keras.Model):
    def __init__(self, units=32, depth=3, rate=0.2, **kwargs):
        super().__init__(**kwargs)
        self.blocks = []
        for _ in range(depth - 1):
            self.blocks.append(layers.GRU(units, return_sequences=True))
            self.blocks.append(layers.Dropout(rate))
        self.final = layers.GRU(units)
        self.head_drop = layers.Dropout(0.5)
        self.head = layers.Dense(1)

    def call(self, x, training=False):
        for block in self.blocks:
            x = block(x, training=training) if isinstance(block, layers.Dropout) else block(x)
        x = self.final(x)
        return self.head(self.head_drop(x, training=training))


def build():
    model = DeepGRU()
    model(np.zeros((2, 12, 4), dtype="float32"))
    return model
