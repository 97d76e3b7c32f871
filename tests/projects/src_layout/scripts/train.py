import mylib.config as cfg
from keras import Sequential, layers

model = Sequential(
    [
        layers.LSTM(cfg.UNITS[0], return_sequences=cfg.SETTINGS["return_sequences"]),
        layers.Dropout(cfg.SETTINGS["dropout"]),  # RDL001
        layers.LSTM(cfg.UNITS[1]),
    ]
)
