from tensorflow import keras
from tensorflow.keras import layers

BLOCKS = {
    "gru": lambda units, seq: layers.GRU(units, return_sequences=seq),
    "lstm": lambda units, seq: layers.LSTM(units, return_sequences=seq),
    "conv": lambda units, seq: layers.Conv1D(units, 3, padding="same"),
}


def stack(x, kinds, units, make_dropout):
    for i, kind in enumerate(kinds):
        last = i == len(kinds) - 1
        x = BLOCKS[kind](units, not last)(x)
        if not last:
            x = make_dropout()(x)
    return x


def build():
    inp = keras.Input(shape=(20, 6))
    x = stack(inp, ["conv", "gru", "lstm"], 32, lambda: layers.Dropout(0.3))
    return keras.Model(inp, layers.Dense(1)(x))


def build_conv():
    inp = keras.Input(shape=(20, 6))
    x = stack(inp, ["conv", "conv"], 32, lambda: layers.Dropout(0.3))
    x = layers.GlobalMaxPooling1D()(x)
    return keras.Model(inp, layers.Dense(1)(x))
