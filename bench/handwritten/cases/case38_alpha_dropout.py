from tensorflow import keras
from tensorflow.keras import layers


def build(timesteps=40, features=10):
    """Self-normalising per-step features, then a GRU."""
    inp = keras.Input(shape=(timesteps, features))
    x = layers.TimeDistributed(layers.Dense(32, activation="selu", kernel_initializer="lecun_normal"))(inp)
    x = layers.AlphaDropout(0.1)(x)
    x = layers.GRU(32, return_sequences=True)(x)
    x = layers.AlphaDropout(0.1)(x)
    x = layers.GRU(16)(x)
    return keras.Model(inp, layers.Dense(1)(x))


def build_snn(n_in=30):
    inp = keras.Input(shape=(n_in,))
    x = inp
    for _ in range(3):
        x = layers.Dense(64, activation="selu", kernel_initializer="lecun_normal")(x)
        x = layers.AlphaDropout(0.05)(x)
    return keras.Model(inp, layers.Dense(1)(x))
