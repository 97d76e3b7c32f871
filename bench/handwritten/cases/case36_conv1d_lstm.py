from tensorflow import keras
from tensorflow.keras import layers


def build(timesteps=128, channels=9, n_classes=6):
    """HAR classifier: conv feature extractor, then an LSTM."""
    inp = keras.Input(shape=(timesteps, channels))
    x = layers.Conv1D(32, 5, activation="relu")(inp)
    x = layers.Dropout(0.1)(x)
    x = layers.Conv1D(32, 5, activation="relu")(x)
    x = layers.MaxPooling1D(2)(x)
    x = layers.Dropout(0.25)(x)
    x = layers.LSTM(64)(x)
    x = layers.Dropout(0.5)(x)
    return keras.Model(inp, layers.Dense(n_classes, activation="softmax")(x))


def build_shared_mask(timesteps=128, channels=9, n_classes=6):
    inp = keras.Input(shape=(timesteps, channels))
    x = layers.Conv1D(32, 5, activation="relu")(inp)
    x = layers.Dropout(0.25, noise_shape=(None, 1, 32))(x)
    x = layers.LSTM(64)(x)
    return keras.Model(inp, layers.Dense(n_classes, activation="softmax")(x))
