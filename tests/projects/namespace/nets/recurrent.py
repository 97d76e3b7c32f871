from tensorflow.keras.layers import LSTM


def stack(units, last=False):
    return LSTM(units, return_sequences=not last)
