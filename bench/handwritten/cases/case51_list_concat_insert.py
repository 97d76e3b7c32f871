import keras
from keras import layers


def encoder_layers(n=2, units=32):
    out = []
    for _ in range(n):
        out += [layers.GRU(units, return_sequences=True), layers.Dropout(0.2)]
    return out


def build():
    body = encoder_layers()
    body.insert(-1, layers.LayerNormalization())
    head = [layers.GRU(16), layers.Dense(1)]
    head.insert(1, layers.Dropout(0.3))
    return keras.Sequential([keras.Input(shape=(14, 3)), *body, *head])
