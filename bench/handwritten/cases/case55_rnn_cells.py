import keras
from keras import layers


def build(timesteps=18, features=5):
    inp = keras.Input(shape=(timesteps, features))
    cells = [layers.LSTMCell(32), layers.LSTMCell(16)]
    x = layers.RNN(layers.StackedRNNCells(cells), return_sequences=True)(inp)
    x = layers.Dropout(0.2)(x)
    x = layers.RNN(layers.GRUCell(8))(x)
    x = layers.Dropout(0.2)(x)
    return keras.Model(inp, layers.Dense(1)(x))
