import keras

from mylib.models.base import Encoder


class Tagger(Encoder):
    def __init__(self):
        super().__init__()
        self.drop = keras.layers.Dropout(0.25)  # RDL001
        self.second = keras.layers.GRU(16, return_sequences=True)

    def call(self, x):
        return self.second(self.drop(self.encode(x)))
