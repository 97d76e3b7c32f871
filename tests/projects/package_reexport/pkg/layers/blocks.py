from tensorflow.keras import layers


def lstm_block(x, units, rate=0.2):
    x = layers.LSTM(units, return_sequences=True)(x)
    return layers.Dropout(rate)(x)  # RDL001
