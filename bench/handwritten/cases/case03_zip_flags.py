from tensorflow import keras
from tensorflow.keras.layers import LSTM, Dense, Dropout, Input

UNITS = [48, 32, 16]
RETURN_SEQ = [True, True, False]


def build():
    inp = Input(shape=(15, 4))
    x = inp
    for units, seq in zip(UNITS, RETURN_SEQ, strict=True):
        x = LSTM(units, return_sequences=seq)(x)
        x = Dropout(0.25)(x)
    out = Dense(1)(x)
    return keras.Model(inp, out)


def build_variational(depth=3):
    inp = Input(shape=(15, 4))
    x = inp
    for i in range(depth):
        seq = True if i < depth - 1 else False  # noqa: SIM210
        x = LSTM(32, return_sequences=seq)(x)
        if seq:
            x = Dropout(0.25, noise_shape=(None, 1, None))(x)
    return keras.Model(inp, Dense(1)(x))
