import keras
from keras.layers import (
    LSTM,
    Dense,
    Dropout,
    Embedding,
    GaussianDropout,
    Input,
    Masking,
    SpatialDropout1D,
)


def build_text(vocab=12000, maxlen=64):
    tokens = Input(shape=(maxlen,), dtype="int32")
    x = Embedding(vocab, 50, mask_zero=True)(tokens)
    x = Dropout(0.2)(x)
    x = LSTM(32)(x)
    return keras.Model(tokens, Dense(1, activation="sigmoid")(x))


def build_padded(timesteps=50, features=3):
    seq = Input(shape=(timesteps, features))
    x = Masking(mask_value=0.0)(seq)
    x = GaussianDropout(0.1)(x)
    x = SpatialDropout1D(0.1)(x)
    x = LSTM(32, return_sequences=True)(x)
    x = Dropout(0.3)(x)
    x = Masking()(x)
    x = LSTM(16)(x)
    return keras.Model(seq, Dense(1)(x))


def build():
    return build_padded()
