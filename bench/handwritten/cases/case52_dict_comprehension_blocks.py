from tensorflow import keras
from tensorflow.keras import layers

SPECS = [
    ("enc", layers.LSTM, 32, 0.2),
    ("mid", layers.GRU, 16, 0.1),
    ("extra", layers.SimpleRNN, 8, 0.3),
]


def build():
    blocks = {
        name: [cls(units, return_sequences=True), layers.Dropout(rate)]
        for name, cls, units, rate in SPECS
    }
    model = keras.Sequential(
        [keras.Input(shape=(22, 6))] + blocks["enc"] + blocks["mid"] + [layers.LSTM(8), layers.Dense(1)]
    )
    return model
