from tensorflow import keras
from tensorflow.keras import layers

DEFAULTS = {"rnn_layers": 2, "units": 32, "dropout": 0.3, "spatial": False, "timesteps": 40, "features": 5}


def build(**overrides):
    p = {**DEFAULTS, **overrides}
    n = p["rnn_layers"]
    inp = keras.Input(shape=(p["timesteps"], p["features"]))
    x = None
    for i in range(n):
        x = layers.LSTM(p["units"], return_sequences=i < n - 1)(inp if i == 0 else x)
        if p["spatial"] and i < n - 1:
            x = layers.SpatialDropout1D(p["dropout"])(x)
        elif i < n - 1:
            x = layers.Dropout(p["dropout"])(x)
    x = layers.Dropout(p["dropout"])(x)
    return keras.Model(inp, layers.Dense(1)(x))
