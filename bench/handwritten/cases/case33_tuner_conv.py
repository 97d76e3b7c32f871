from tensorflow import keras
from tensorflow.keras import layers


def build_model(hp):
    inp = keras.Input(shape=(200, 2))
    x = inp
    if hp.Boolean("use_conv"):
        x = layers.Conv1D(hp.Int("filters", 16, 64, step=16), 5, activation="relu")(x)
        x = layers.MaxPooling1D(2)(x)
    drop_type = hp.Choice("drop_type", ["spatial", "standard"])
    if drop_type == "spatial":  # noqa: SIM108
        x = layers.SpatialDropout1D(0.2)(x)
    else:
        x = layers.Dropout(0.2)(x)
    x = layers.LSTM(hp.Int("units", 32, 128, step=32))(x)
    x = layers.Dropout(0.3)(x)
    out = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inp, out)
    model.compile("adam", "binary_crossentropy")
    return model


class FixedHP:
    def __init__(self, **values):
        self.values = values

    def Boolean(self, name, default=False):
        return self.values.get(name, default)

    def Int(self, name, min_value, max_value, step=1, default=None):
        return self.values.get(name, min_value)

    def Choice(self, name, values, default=None):
        return self.values.get(name, values[0])


def build():
    return build_model(FixedHP(use_conv=True, drop_type="standard"))
