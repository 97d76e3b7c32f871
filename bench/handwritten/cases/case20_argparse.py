import argparse

from tensorflow import keras
from tensorflow.keras import layers


def get_parser():
    p = argparse.ArgumentParser(description="train a sequence classifier")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--units", type=int, default=32)
    p.add_argument("--rnn", choices=["lstm", "gru"], default="gru")
    p.add_argument("--drop-mode", choices=["step", "variational", "none"], default="step")
    p.add_argument("--rate", type=float, default=0.2)
    return p


def build(argv=None):
    args = get_parser().parse_args(argv or [])
    Rnn = layers.GRU if args.rnn == "gru" else layers.LSTM
    model = keras.Sequential([keras.Input(shape=(60, 13))])
    for i in range(args.layers):
        model.add(Rnn(args.units, return_sequences=i < args.layers - 1))
        if i == args.layers - 1:
            break
        if args.drop_mode == "step":
            model.add(layers.Dropout(args.rate))
        elif args.drop_mode == "variational":
            model.add(layers.Dropout(args.rate, noise_shape=(None, 1, args.units)))
    model.add(layers.Dense(10, activation="softmax"))
    return model


if __name__ == "__main__":
    build().summary()
