from keras import Sequential, layers

from b import helper

RATE = 0.2


def model():
    return Sequential([helper(), layers.Dropout(RATE), layers.LSTM(8)])  # RDL001
