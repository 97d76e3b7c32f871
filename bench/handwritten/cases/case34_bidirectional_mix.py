from tensorflow import keras
from tensorflow.keras.layers import (
    GRU,
    LSTM,
    Bidirectional,
    Dense,
    Dropout,
    Embedding,
    GlobalMaxPooling1D,
    Input,
)


def build(vocab=20000, maxlen=100):
    inp = Input(shape=(maxlen,), dtype="int32")
    x = Embedding(vocab, 100, mask_zero=True)(inp)
    x = Dropout(0.25)(x)
    x = Bidirectional(GRU(64, return_sequences=True), merge_mode="concat")(x)
    x = Dropout(0.25)(x)
    x = Bidirectional(
        LSTM(32, return_sequences=True),
        backward_layer=LSTM(32, return_sequences=True, go_backwards=True),
    )(x)
    x = Dropout(0.25)(x)
    x = GlobalMaxPooling1D()(x)
    x = Dense(64, activation="relu")(x)
    x = Dropout(0.5)(x)
    return keras.Model(inp, Dense(6, activation="sigmoid")(x))
