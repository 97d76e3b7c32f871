from tensorflow import keras
from tensorflow.keras import layers


class ResidualLSTM(layers.Layer):
    """LSTM with a skip connection around it."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.lstm = layers.LSTM(units, return_sequences=True)

    def call(self, x):
        return x + self.lstm(x)


class NormLSTM(layers.Layer):
    """LSTM followed by layer norm; output is the normalised sequence."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.lstm = layers.LSTM(units, return_sequences=True)
        self.norm = layers.LayerNormalization()

    def call(self, x):
        return self.norm(self.lstm(x))


def build(timesteps=20, features=16):
    inp = keras.Input(shape=(timesteps, features))
    x = ResidualLSTM(features)(inp)
    x = layers.Dropout(0.2)(x)
    x = NormLSTM(16)(x)
    x = layers.Dropout(0.2)(x)
    x = layers.LSTM(8)(x)
    x = layers.Dropout(0.2)(x)
    return keras.Model(inp, layers.Dense(1)(x))
