"""Building blocks other modules stack: the findings here need their importers."""
from tensorflow.keras import layers


def cell_class(kind="lstm"):
    return {"lstm": layers.LSTM, "gru": layers.GRU}[kind]


def sequence_block(units):
    return layers.LSTM(units, return_sequences=True)


def summary_block(units):
    return layers.LSTM(units)


def embed_dropout(x, rate):
    # Only model.py shows what comes before and after: an Embedding and an LSTM.
    return layers.Dropout(rate)(x)  # RDL002


def head_dropout(x):
    # model.py applies it to a 2-D summary: ordinary dropout.
    return layers.Dropout(0.5)(x)
