"""Stock-price forecaster in the style of countless tutorials (buggy)."""

from tensorflow.keras.layers import LSTM, Dense, Dropout
from tensorflow.keras.models import Sequential

WINDOW = 60


def build_model(features: int) -> Sequential:
    model = Sequential()
    model.add(LSTM(units=50, return_sequences=True, input_shape=(WINDOW, features)))
    model.add(Dropout(0.2))
    model.add(LSTM(units=50, return_sequences=True))
    model.add(Dropout(0.2))
    model.add(LSTM(units=50))
    model.add(Dropout(0.2))  # after the last LSTM: ordinary dropout, fine
    model.add(Dense(units=1))
    model.compile(optimizer="adam", loss="mean_squared_error")
    return model
