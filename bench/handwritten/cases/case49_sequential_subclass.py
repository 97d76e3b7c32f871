import keras
from keras import layers


class RNNClassifier(keras.Sequential):
    def __init__(self, timesteps=28, features=28, units=(64, 32), rate=0.25, n_classes=10):
        super().__init__([keras.Input(shape=(timesteps, features))])
        for u in units[:-1]:
            self.add(layers.LSTM(u, return_sequences=True))
            self.add(layers.Dropout(rate))
        self.add(layers.LSTM(units[-1]))
        self.add(layers.Dropout(rate))
        self.add(layers.Dense(n_classes, activation="softmax"))


def build():
    return RNNClassifier()
