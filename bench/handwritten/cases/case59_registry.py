from tensorflow import keras
from tensorflow.keras import layers

BLOCKS = {}


def register(name):
    def deco(fn):
        BLOCKS[name] = fn
        return fn

    return deco


@register("conv")
def conv_block(units):
    return [layers.Conv1D(units, 3, padding="same", activation="relu"), layers.Dropout(0.1)]


@register("bilstm")
def bilstm_block(units):
    return [
        layers.Bidirectional(layers.LSTM(units, return_sequences=True)),
        layers.Dropout(0.3),
    ]


@register("pool")
def pool_block(units):
    return [layers.GlobalMaxPooling1D(), layers.Dropout(0.5)]


def build(arch=("conv", "bilstm", "bilstm"), units=16):
    stack = [keras.Input(shape=(50, 4))]
    for name in arch:
        stack += BLOCKS[name](units)
    stack += [layers.LSTM(8), layers.Dense(1)]
    return keras.Sequential(stack)
