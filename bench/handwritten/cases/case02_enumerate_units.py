import keras
from keras import layers

SEQ_LEN = 20
N_FEATURES = 6


def build(units=(64, 32, 16), input_drop=0.1, rnn_drop=0.3):
    inputs = keras.Input(shape=(SEQ_LEN, N_FEATURES))
    x = layers.Dropout(input_drop)(inputs)
    for i, u in enumerate(units):
        x = layers.GRU(u, return_sequences=i != len(units) - 1)(x)
        x = layers.Dropout(rnn_drop)(x)
    outputs = layers.Dense(3, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def build_small(units=(32,)):
    """Single-layer variant used for the quick baseline."""
    inputs = keras.Input(shape=(SEQ_LEN, N_FEATURES))
    x = inputs
    for i, u in enumerate(units):
        x = layers.GRU(u, return_sequences=i != len(units) - 1)(x)
        x = layers.Dropout(0.5)(x)
    return keras.Model(inputs, layers.Dense(3, activation="softmax")(x))
