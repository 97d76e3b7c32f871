import keras


class Encoder(keras.Model):
    """A recurrent encoder whose subclasses add a second layer."""

    def __init__(self):
        super().__init__()
        self.first = keras.layers.GRU(32, return_sequences=True)

    def encode(self, x):
        return self.first(x)
