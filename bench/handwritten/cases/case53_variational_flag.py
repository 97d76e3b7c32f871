from tensorflow import keras
from tensorflow.keras import layers


def build_model(variational=True, rate=0.3, timesteps=25, features=8):
    """variational=False reproduces the per-step dropout of the original paper's baseline."""
    if variational:
        def seq_drop(r):
            return layers.SpatialDropout1D(r)
    else:
        def seq_drop(r):
            return layers.Dropout(r)

    inp = keras.Input(shape=(timesteps, features))
    x = layers.LSTM(32, return_sequences=True)(inp)
    x = seq_drop(rate)(x)
    x = layers.LSTM(32)(x)
    return keras.Model(inp, layers.Dense(1)(x))


def build():
    return build_model(variational=False)
