from tensorflow import keras
from tensorflow.keras import layers


def build():
    stack = [keras.Input(shape=(50, 12))]
    stack.append(layers.LSTM(64, return_sequences=True))
    stack.append(layers.Dropout(0.3))
    stack.extend(
        [
            layers.LSTM(32, return_sequences=True),
            layers.LSTM(16),
            layers.Dropout(0.4),
        ]
    )
    stack.pop()
    stack.insert(1, layers.Dropout(0.1))
    stack.insert(4, layers.BatchNormalization())
    stack.append(layers.Dense(1))
    return keras.Sequential(stack)
