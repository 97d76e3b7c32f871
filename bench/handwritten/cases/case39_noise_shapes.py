from tensorflow import keras
from tensorflow.keras import layers

TIMESTEPS = 24
FEATURES = 16
BATCH = 32
FULL_SHAPE = (None, TIMESTEPS, FEATURES)


def build():
    inp = keras.Input(shape=(TIMESTEPS, FEATURES))
    x = layers.Dropout(0.1, noise_shape=(None, TIMESTEPS, 1))(inp)
    x = layers.LSTM(FEATURES, return_sequences=True)(x)
    x = layers.Dropout(0.2, noise_shape=(None, None, FEATURES))(x)
    x = layers.LSTM(FEATURES, return_sequences=True)(x)
    x = layers.Dropout(0.2, noise_shape=FULL_SHAPE)(x)
    x = layers.LSTM(FEATURES, return_sequences=True)(x)
    x = layers.Dropout(0.2, noise_shape=(None, 1, FEATURES))(x)
    x = layers.LSTM(FEATURES, return_sequences=True)(x)
    x = layers.Dropout(0.2, noise_shape=(BATCH, 1, FEATURES))(x)
    x = layers.LSTM(8)(x)
    return keras.Model(inp, layers.Dense(1)(x))
