import numpy as np
from tensorflow import keras
from tensorflow.keras import layers


class Tagger(keras.Model):
    """BiLSTM sequence tagger."""

    def __init__(self, vocab=5000, n_tags=9, units=32, **kwargs):
        super().__init__(**kwargs)
        self.embed = layers.Embedding(vocab, 64, mask_zero=True)
        self.drop = layers.Dropout(0.3)
        self.bilstm = layers.Bidirectional(layers.LSTM(units, return_sequences=True))
        self.drop2 = layers.Dropout(0.3)
        self.out = layers.TimeDistributed(layers.Dense(n_tags, activation="softmax"))

    def call(self, tokens, training=False):
        x = self.embed(tokens)
        x = self.drop(x, training=training)
        x = self.bilstm(x)
        x = self.drop2(x, training=training)
        return self.out(x)


def build():
    model = Tagger()
    model(np.zeros((1, 40), dtype="int32"))
    return model
