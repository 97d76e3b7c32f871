"""The script: its configuration is one long literal line, as json.dumps writes it (many
brackets on one line, but only a few levels deep)."""

from core.model import Model


def main():
    configs = {"data": {"filename": "sp500.csv", "columns": ["Close", "Volume"], "sequence_length": 50, "train_test_split": 0.85, "normalise": True}, "training": {"epochs": 2, "batch_size": 32, "metrics": ["mae", "mse"], "callbacks": [{"type": "early_stopping", "patience": 2}]}, "model": {"loss": "mse", "optimizer": "adam", "layers": [{"type": "lstm", "neurons": 100, "return_seq": True}, {"type": "dropout", "rate": 0.2}, {"type": "lstm", "neurons": 100, "return_seq": True}, {"type": "lstm", "neurons": 100, "return_seq": False}, {"type": "dropout", "rate": 0.2}, {"type": "dense", "neurons": 1}]}}
    Model().build_model(configs)


if __name__ == "__main__":
    main()
