from tensorflow import keras
from tensorflow.keras import layers

RNNS = {"lstm": layers.LSTM, "gru": layers.GRU, "rnn": layers.SimpleRNN}


def build(kind="gru", vocab=5000, maxlen=80):
    rnn = RNNS[kind]
    tokens = keras.Input(shape=(maxlen,), dtype="int32")
    x = layers.Embedding(vocab, 64)(tokens)
    x = layers.Dropout(0.2)(x)
    x = rnn(64, return_sequences=True)(x)
    x = layers.Dropout(0.2)(x)
    x = rnn(32)(x)
    x = layers.Dense(32, activation="relu")(x)
    x = layers.Dropout(0.4)(x)
    out = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(tokens, out)
