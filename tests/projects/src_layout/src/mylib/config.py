UNITS = [128, 64]
SETTINGS = {"return_sequences": True, "dropout": 0.3}
