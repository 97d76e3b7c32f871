"""Encoder-decoder with teacher forcing."""

from tensorflow import keras
from tensorflow.keras import layers

SRC_VOCAB, TGT_VOCAB, LATENT = 3000, 3500, 64


def build(src_len=20, tgt_len=22):
    enc_in = keras.Input(shape=(src_len,), dtype="int32")
    dec_in = keras.Input(shape=(tgt_len,), dtype="int32")

    e = layers.Embedding(SRC_VOCAB, 64)(enc_in)
    e = layers.Dropout(0.2)(e)
    _, h, c = layers.LSTM(LATENT, return_state=True)(e)
    h = layers.Dropout(0.1)(h)

    d = layers.Embedding(TGT_VOCAB, 64)(dec_in)
    d = layers.Dropout(0.2)(d)
    d = layers.LSTM(LATENT, return_sequences=True)(d, initial_state=[h, c])
    d = layers.Dropout(0.2)(d)
    out = layers.Dense(TGT_VOCAB, activation="softmax")(d)
    return keras.Model([enc_in, dec_in], out)
