from tensorflow import keras
from tensorflow.keras import layers

CFG = {
    "filters": 32,
    "kernel": 5,
    "conv_drop": 0.2,
    "rnn_units": [32, 16],
    "rnn_drop": 0.2,
}


def make_layers(cfg):
    out = [layers.Conv1D(cfg["filters"], cfg["kernel"], padding="same", activation="relu")]
    out.append(layers.Dropout(cfg["conv_drop"]))
    out.append(layers.MaxPooling1D(2))
    out.append(layers.Conv1D(cfg["filters"], 3, padding="same", activation="relu"))
    out.append(layers.Dropout(cfg["conv_drop"]))
    for n, units in enumerate(cfg["rnn_units"], start=1):
        out.append(layers.LSTM(units, return_sequences=n < len(cfg["rnn_units"])))
    out.append(layers.Dropout(cfg["rnn_drop"]))
    out.append(layers.Dense(1))
    return out


def build():
    model = keras.Sequential(name="cnn_lstm")
    model.add(keras.Input(shape=(100, 3)))
    for layer in make_layers(CFG):
        model.add(layer)
    return model
