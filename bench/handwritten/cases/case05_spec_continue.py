"""Model described by a small layer spec; 'skip' entries are placeholders from an ablation."""

from tensorflow import keras
from tensorflow.keras import layers

SPEC = ["lstm", "drop", "skip", "lstm", "drop", "dense"]


def build(spec=SPEC, units=32):
    model = keras.Sequential([keras.Input(shape=(25, 10))])
    for i, kind in enumerate(spec):
        if kind == "skip":
            continue
        if kind == "lstm":
            more_rnn = "lstm" in spec[i + 1 :]
            model.add(layers.LSTM(units, return_sequences=more_rnn))
        elif kind == "drop":
            model.add(layers.Dropout(0.2))
        elif kind == "dense":
            model.add(layers.Dense(1))
    return model
