from tensorflow.keras import layers


def encode(x, rate=0.2):
    return layers.Dropout(rate)(x)  # RDL002
