"""Its shipped configuration puts the dropout after the last recurrent layer: fine."""

from tensorflow import keras


def build(config):
    model = keras.Sequential()
    for spec in config["layers"]:
        if spec["type"] == "gru":
            model.add(keras.layers.GRU(spec["units"], return_sequences=spec["sequences"]))
        else:
            model.add(keras.layers.Dropout(spec["rate"]))
    model.add(keras.layers.Dense(1))
    return model
