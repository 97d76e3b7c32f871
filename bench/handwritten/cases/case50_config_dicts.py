"""Model built from a JSON-like architecture description."""

from tensorflow import keras
from tensorflow.keras import layers

ARCH = [
    {"type": "Conv1D", "filters": 16, "kernel_size": 3, "padding": "same"},
    {"type": "LSTM", "units": 32, "return_sequences": True},
    {"type": "Dropout", "rate": 0.2},
    {"type": "LSTM", "units": 16},
    {"type": "Dense", "units": 1},
]


def from_spec(spec):
    kwargs = {k: v for k, v in spec.items() if k != "type"}
    return getattr(layers, spec["type"])(**kwargs)


def build(arch=ARCH):
    model = keras.Sequential([keras.Input(shape=(20, 4))])
    for spec in arch:
        model.add(from_spec(spec))
    return model
