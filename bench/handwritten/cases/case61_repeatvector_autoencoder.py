from tensorflow import keras
from tensorflow.keras import layers


def build(timesteps=24, features=3, latent=16):
    """LSTM autoencoder for anomaly detection."""
    inp = keras.Input(shape=(timesteps, features))
    x = layers.LSTM(32, return_sequences=True)(inp)
    x = layers.Dropout(0.2)(x)
    z = layers.LSTM(latent)(x)
    z = layers.Dropout(0.2)(z)
    x = layers.RepeatVector(timesteps)(z)
    x = layers.LSTM(latent, return_sequences=True)(x)
    x = layers.Dropout(0.2)(x)
    x = layers.LSTM(32, return_sequences=True)(x)
    x = layers.Dropout(0.2)(x)
    out = layers.TimeDistributed(layers.Dense(features))(x)
    return keras.Model(inp, out)
