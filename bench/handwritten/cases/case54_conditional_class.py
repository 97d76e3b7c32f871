from tensorflow import keras
from tensorflow.keras import layers


def build(units=(48, 32, 24, 16), timesteps=30, features=4):
    n = len(units)
    inp = keras.Input(shape=(timesteps, features))
    x = inp
    for i, u in enumerate(units):
        Rnn = layers.GRU if i % 2 else layers.LSTM
        seq = True if i != n - 1 else False  # noqa: SIM210
        x = Rnn(u, return_sequences=seq)(x)
        if i < n - 1:
            x = layers.Dropout(0.2)(x)
    x = layers.Dropout(0.4)(x)
    return keras.Model(inp, layers.Dense(1)(x))
