from tensorflow import keras
from tensorflow.keras import layers


def build(depth=2, max_depth=10):
    model = keras.Sequential([keras.Input(shape=(30, 5))])
    for i in range(max_depth):
        if i >= depth:
            break
        model.add(layers.LSTM(24, return_sequences=(i < depth - 1)))
        model.add(layers.Dropout(0.2))
    model.add(layers.Dense(1))
    return model


def build_while(n=3):
    model = keras.Sequential([keras.Input(shape=(30, 5))])
    i = 0
    while i < n:
        model.add(layers.GRU(16, return_sequences=i < n - 1))
        if i < n - 1:
            model.add(layers.Dropout(0.3))
        i += 1
    model.add(layers.Dropout(0.3))
    model.add(layers.Dense(1))
    return model
