from tensorflow.keras.layers import Dense, Dropout, Embedding, Input, SimpleRNN
from tensorflow.keras.models import Sequential

max_features = 10000
maxlen = 500

model = Sequential()
model.add(Input(shape=(maxlen,), dtype="int32"))
model.add(Embedding(max_features, 32))
model.add(Dropout(0.2))
model.add(SimpleRNN(32, return_sequences=True))
model.add(Dropout(0.2))
model.add(SimpleRNN(32))
model.add(Dropout(0.2))
model.add(Dense(1, activation="sigmoid"))


def build():
    return model
