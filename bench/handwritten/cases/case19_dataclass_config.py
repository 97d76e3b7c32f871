from dataclasses import dataclass

import keras
from keras import layers


@dataclass
class Config:
    timesteps: int = 50
    features: int = 4
    units: tuple = (64, 32)
    seq_dropout: float = 0.2
    head_dropout: float = 0.5
    spatial: bool = False


def build(cfg: Config | None = None):
    cfg = cfg or Config()
    SeqDrop = layers.SpatialDropout1D if cfg.spatial else layers.Dropout
    inputs = keras.Input(shape=(cfg.timesteps, cfg.features))
    x = inputs
    for units in cfg.units:
        x = layers.LSTM(units, return_sequences=True)(x)
        x = SeqDrop(cfg.seq_dropout)(x)
    x = layers.LSTM(cfg.units[-1] // 2)(x)
    x = layers.Dropout(cfg.head_dropout)(x)
    outputs = layers.Dense(1)(x)
    return keras.Model(inputs, outputs)
