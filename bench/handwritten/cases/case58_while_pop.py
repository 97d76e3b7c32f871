from tensorflow import keras
from tensorflow.keras import layers


def build(sizes=(64, 32, 16)):
    pending = list(sizes)
    model = keras.Sequential([keras.Input(shape=(45, 2))])
    while pending:
        units = pending.pop(0)
        model.add(layers.LSTM(units, return_sequences=bool(pending)))
        if pending:
            model.add(layers.Dropout(0.2))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(1))
    return model
