"""A model class built from a config that only the script importing it supplies."""

from keras.layers import LSTM, Dense, Dropout
from keras.models import Sequential


class Model:
    def __init__(self):
        self.model = Sequential()

    def build_model(self, configs):
        for layer in configs["model"]["layers"]:
            neurons = layer["neurons"] if "neurons" in layer else None
            rate = layer["rate"] if "rate" in layer else None
            return_seq = layer["return_seq"] if "return_seq" in layer else None
            if layer["type"] == "lstm":
                self.model.add(LSTM(neurons, return_sequences=return_seq))
            if layer["type"] == "dropout":
                self.model.add(Dropout(rate))  # RDL001
            if layer["type"] == "dense":
                self.model.add(Dense(neurons))
        return self.model
