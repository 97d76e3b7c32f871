import keras
import numpy as np
from keras import layers


class SequenceEncoder(keras.Model):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.rnn1 = layers.LSTM(units, return_sequences=True)
        self.drop1 = layers.Dropout(0.2)

    def call(self, x, training=None):
        return self.drop1(self.rnn1(x), training=training)


class Classifier(SequenceEncoder):
    def __init__(self, n_classes=4, **kwargs):
        super().__init__(**kwargs)
        self.rnn2 = layers.GRU(16)
        self.drop2 = layers.Dropout(0.5)
        self.out = layers.Dense(n_classes, activation="softmax")

    def call(self, x, training=None):
        x = super().call(x, training=training)
        x = self.rnn2(x)
        x = self.drop2(x, training=training)
        return self.out(x)


def build():
    model = Classifier()
    model(np.zeros((2, 25, 6), dtype="float32"))
    return model
