from keras.layers import LSTM, Dense, Dropout
from keras.models import Sequential


def build():
    model = Sequential()
    model.add(LSTM(32, return_sequences=True, input_shape=(10, 4)))
    # the first dropout keeps its name
    model.add(LSTM(32, return_sequences=True, dropout=0.2))
    model.add(LSTM(16, dropout=0.3))
    model.add(Dropout(0.5))
    model.add(Dense(1))
    return model
