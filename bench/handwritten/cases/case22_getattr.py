from tensorflow import keras
from tensorflow.keras import layers

CELL = "SimpleRNN"


def build(timesteps=16, features=5):
    inp = keras.Input(shape=(timesteps, features))
    x = layers.Masking(mask_value=0.0)(inp)
    x = layers.Dropout(0.1)(x)
    x = getattr(layers, "GRU")(32, return_sequences=True)(x)  # noqa: B009
    x = getattr(layers, "Dropout")(0.2)(x)  # noqa: B009
    x = getattr(layers, CELL)(16)(x)
    x = getattr(layers, "Dropout")(0.2)(x)  # noqa: B009
    return keras.Model(inp, layers.Dense(1)(x))
