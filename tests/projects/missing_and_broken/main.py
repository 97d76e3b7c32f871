from keras import Sequential, layers

from broken import helper
from not_there import other

model = Sequential(
    [
        layers.LSTM(32, return_sequences=True),
        layers.Dropout(0.2),  # RDL001
        layers.LSTM(8),
        helper(),
        other(),
    ]
)
