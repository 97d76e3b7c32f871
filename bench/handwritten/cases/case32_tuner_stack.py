"""KerasTuner search space for the forecaster (tuner = kt.RandomSearch(build_model, ...))."""

from tensorflow import keras
from tensorflow.keras import layers


def build_model(hp):
    rnn = {"lstm": layers.LSTM, "gru": layers.GRU}[hp.Choice("rnn", ["lstm", "gru"])]
    n_layers = hp.Int("n_layers", 1, 3, default=2)
    units = hp.Int("units", 16, 64, step=16)
    model = keras.Sequential([keras.Input(shape=(48, 6))])
    for i in range(n_layers):
        model.add(rnn(units, return_sequences=i < n_layers - 1))
        if hp.Boolean("seq_dropout", default=True):
            model.add(layers.Dropout(hp.Float("rate", 0.0, 0.5, step=0.1, default=0.2)))
    model.add(layers.Dense(16, activation="relu"))
    model.add(layers.Dropout(hp.Float("head_rate", 0.0, 0.5, default=0.3)))
    model.add(layers.Dense(1))
    model.compile(optimizer="adam", loss="mse")
    return model


class _DefaultsHP:
    """Stand-in for keras_tuner.HyperParameters: every hyperparameter takes its default."""

    def Choice(self, name, values, default=None):
        return values[0] if default is None else default

    def Int(self, name, min_value, max_value, step=1, default=None):
        return min_value if default is None else default

    def Float(self, name, min_value, max_value, step=None, default=None):
        return min_value if default is None else default

    def Boolean(self, name, default=False):
        return default


def build():
    return build_model(_DefaultsHP())
