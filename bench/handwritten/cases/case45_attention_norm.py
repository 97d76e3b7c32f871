from tensorflow import keras
from tensorflow.keras import layers


def build(timesteps=32, features=16):
    inp = keras.Input(shape=(timesteps, features))
    x = layers.LSTM(32, return_sequences=True)(inp)
    x = layers.Dropout(0.1)(x)
    x = layers.MultiHeadAttention(num_heads=2, key_dim=16)(x, x)
    x = layers.LSTM(32, return_sequences=True)(x)
    x = layers.Dropout(0.1)(x)
    x = layers.LayerNormalization()(x)
    x = layers.Activation("tanh")(x)
    x = layers.LSTM(16)(x)
    return keras.Model(inp, layers.Dense(1)(x))
