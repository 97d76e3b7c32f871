from keras.layers import LSTM, Dense, Dropout
from keras.models import Sequential


def build():
    model = Sequential()
    model.add(LSTM(32, return_sequences=True, input_shape=(10, 4)))
    # the first dropout keeps its name
    model.add(Dropout(0.2, name="drop1", noise_shape=(None, 1, None)))
    model.add(LSTM(32, return_sequences=True))
    model.add(Dropout(0.3, noise_shape=(None, 1, None)))
    model.add(LSTM(16))
    model.add(Dropout(0.5))
    model.add(Dense(1))
    return model
