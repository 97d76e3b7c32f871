"""Layers stacked as a configuration file says; the file is read by the scripts."""

from tensorflow import keras


def build(config):
    model = keras.Sequential()
    for spec in config["layers"]:
        if spec["type"] == "lstm":
            model.add(keras.layers.LSTM(spec["units"], return_sequences=spec.get("return_sequences", False)))
        elif spec["type"] == "dropout":
            model.add(keras.layers.Dropout(spec["rate"]))  # RDL001
        elif spec["type"] == "dense":
            model.add(keras.layers.Dense(spec["units"]))
    return model
