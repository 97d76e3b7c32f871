"""A sequence tagger written as a subclassed model (buggy)."""

import keras
from keras import layers


class Tagger(keras.Model):
    def __init__(self, vocab_size: int, num_tags: int, rate: float = 0.5) -> None:
        super().__init__()
        self.embed = layers.Embedding(vocab_size, 100, mask_zero=True)
        self.encoder = layers.Bidirectional(layers.LSTM(128, return_sequences=True))
        self.dropout = layers.Dropout(rate)
        self.decoder = layers.LSTM(64, return_sequences=True)
        self.classify = layers.TimeDistributed(layers.Dense(num_tags, activation="softmax"))

    def call(self, tokens, training=False):
        h = self.embed(tokens)
        h = self.encoder(h)
        h = self.dropout(h, training=training)
        h = self.decoder(h)
        return self.classify(h)
