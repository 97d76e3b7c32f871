from tensorflow import keras
from tensorflow.keras import layers


def rnn_cls(name="gru"):
    if name == "gru":
        return layers.GRU
    return layers.LSTM


def dropout_for(rate, seq_len=None):
    """Pick the dropout layer. Pass seq_len to get the sequence-aware variant."""
    if seq_len:
        return layers.SpatialDropout1D(rate)
    return layers.Dropout(rate)


def build(timesteps=24, features=7):
    Rnn = rnn_cls()
    inp = keras.Input(shape=(timesteps, features))
    x = dropout_for(0.1, seq_len=timesteps)(inp)
    x = Rnn(32, return_sequences=True)(x)
    x = dropout_for(0.2)(x)
    x = Rnn(16)(x)
    return keras.Model(inp, layers.Dense(1)(x))
