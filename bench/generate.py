"""Reproducible corpora of Keras model code for the benchmark (and the fuzz tests).

``generate_model(rng)`` writes one realistic model file: an import style, a model
style (Sequential list, Sequential add, functional, subclassed, helper blocks, a
loop), a random layer sequence and random formatting, between ordinary code
(argument parsing, data loading, training). It also returns the layer sequence,
so a test can compute the expected findings independently.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

# (import block, how a layer is spelled, how Sequential / Model / Input are spelled)
IMPORT_STYLES = [
    ("from tensorflow import keras\nfrom tensorflow.keras import layers\n", "layers.{}", "keras.{}"),
    ("import tensorflow as tf\n", "tf.keras.layers.{}", "tf.keras.{}"),
    ("import keras\n", "keras.layers.{}", "keras.{}"),
    ("from keras import layers as L\nimport keras\n", "L.{}", "keras.{}"),
    ("import tf_keras as tfk\n", "tfk.layers.{}", "tfk.{}"),
    (
        "from keras.layers import *\nfrom keras.models import Sequential, Model\nfrom keras import Input\n",
        "{}",
        "{}",
    ),
    (
        "from tensorflow.keras.layers import (LSTM, GRU, SimpleRNN, Dropout, AlphaDropout,\n"
        "    SpatialDropout1D, BatchNormalization, LayerNormalization, Dense, Embedding, Conv1D,\n"
        "    Bidirectional, Activation, TimeDistributed)\n"
        "from tensorflow.keras.models import Sequential, Model\nfrom tensorflow.keras import Input\n",
        "{}",
        "{}",
    ),
]
RECURRENT = ("LSTM", "GRU", "SimpleRNN")
TRANSPARENT = ("BatchNormalization", "LayerNormalization", "Activation")
FILLER = '''

def load_data(path, window={window}):
    """Read a CSV of measurements and cut it into windows."""
    rows = []
    with open(path) as handle:
        for line in handle:
            rows.append([float(v) for v in line.split(",")])
    xs, ys = [], []
    for start in range(len(rows) - window):
        xs.append(rows[start : start + window])
        ys.append(rows[start + window][0])
    return xs, ys


def parse_args(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description="train a {name} model")
    parser.add_argument("--epochs", type=int, default={epochs})
    parser.add_argument("--batch-size", type=int, default={batch})
    parser.add_argument("--data", default="data/{name}.csv")
    return parser.parse_args(argv)
'''
TRAIN = """

def train(model, xs, ys, epochs={epochs}, batch_size={batch}):
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    history = model.fit(xs, ys, epochs=epochs, batch_size=batch_size, validation_split=0.2, verbose=0)
    return {{key: values[-1] for key, values in history.history.items()}}


if __name__ == "__main__":
    args = parse_args()
    xs, ys = load_data(args.data)
    model = {builder}
    print(train(model, xs, ys, args.epochs, args.batch_size))
"""


@dataclass
class Layer:
    kind: str
    return_sequences: bool = False
    rate: float = 0.2
    noise_shape: str | None = None  # source text
    wrapper: str | None = None  # "Bidirectional" / "TimeDistributed"

    def source(self, spell: str, rng: random.Random) -> str:
        if self.kind in RECURRENT:
            args = [str(rng.choice([16, 32, 64, 128]))]
            if self.return_sequences:
                args.append(rng.choice(["return_sequences=True", "return_sequences = True"]))
            if rng.random() < 0.2:
                args.append(f"dropout={rng.choice([0.1, 0.2])}")
            inner = f"{spell.format(self.kind)}({', '.join(args)})"
            return f"{spell.format('Bidirectional')}({inner})" if self.wrapper == "Bidirectional" else inner
        if self.kind in ("Dropout", "AlphaDropout"):
            args = [rng.choice([f"{self.rate}", f"rate={self.rate}"])]
            if self.noise_shape is not None:
                args.append(f"noise_shape={self.noise_shape}")
            inner = f"{spell.format(self.kind)}({', '.join(args)})"
            if self.wrapper == "TimeDistributed":
                return f"{spell.format('TimeDistributed')}({inner})"
            return inner
        if self.kind == "SpatialDropout1D":
            return f"{spell.format(self.kind)}({self.rate})"
        if self.kind == "Activation":
            activation = rng.choice(['"tanh"', '"relu"'])
            return f"{spell.format(self.kind)}({activation})"
        if self.kind == "Dense":
            return f"{spell.format(self.kind)}({rng.choice([1, 8, 32])})"
        if self.kind == "Conv1D":
            return f'{spell.format(self.kind)}(32, 3, padding="same")'
        if self.kind == "Embedding":
            return f"{spell.format(self.kind)}(5000, 64)"
        return f"{spell.format(self.kind)}()"


@dataclass
class Model:
    style: str
    layers: list[Layer] = field(default_factory=list)
    source: str = ""


def random_layers(rng: random.Random) -> list[Layer]:
    out: list[Layer] = []
    if rng.random() < 0.4:
        out.append(Layer(rng.choice(["Embedding", "Conv1D"])))
    for _ in range(rng.randint(2, 6)):
        out.append(
            Layer(
                rng.choice(RECURRENT),
                return_sequences=True,
                wrapper=rng.choice([None, None, "Bidirectional"]),
            )
        )
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            roll = rng.random()
            if roll < 0.55:
                noise = rng.choice(
                    [None] * 6 + ["(None, 1, None)", "(None, 1, 64)", "(32, 1, None)", "(None, 10, 1)"]
                )
                wrapper = "TimeDistributed" if rng.random() < 0.08 else None
                out.append(
                    Layer(
                        rng.choice(["Dropout"] * 9 + ["AlphaDropout"]),
                        rate=rng.choice([0.1, 0.2, 0.3, 0.5]),
                        noise_shape=noise,
                        wrapper=wrapper,
                    )
                )
            elif roll < 0.7:
                out.append(Layer("SpatialDropout1D", rate=0.2))
            elif roll < 0.9:
                out.append(Layer(rng.choice(TRANSPARENT)))
            else:
                out.append(Layer(rng.choice(["Dense", "Conv1D"])))
    # The last recurrent layer returns a 2-D tensor; what follows is ordinary feed-forward code.
    last = max(i for i, layer in enumerate(out) if layer.kind in RECURRENT)
    out[last].return_sequences = False
    tail = [layer for layer in out[last + 1 :] if layer.kind not in ("Conv1D", "SpatialDropout1D")]
    for layer in tail:
        layer.noise_shape = layer.wrapper = None  # 2-D from here on
    out = out[: last + 1] + tail
    out.append(Layer("Dropout", rate=0.5))
    out.append(Layer("Dense"))
    return out


def generate_model(rng: random.Random, name: str = "model") -> Model:
    imports, spell, top = rng.choice(IMPORT_STYLES)
    layers = random_layers(rng)
    style = rng.choice(["sequential_list", "sequential_add", "functional", "subclassed"])
    timesteps = rng.choice([10, 30, 60, 100])
    body = [f'"""{name}: a generated recurrent model for benchmarking."""\n', imports, "import numpy as np\n"]
    body.append(
        FILLER.format(window=timesteps, name=name, epochs=rng.randint(5, 50), batch=rng.choice([32, 64]))
    )
    features = rng.choice([1, 4, 8])
    if style == "sequential_list":
        parts = [f"        {top.format('Input')}(shape=({timesteps}, {features})),"]
        parts += [f"        {layer.source(spell, rng)},  # layer {i}" for i, layer in enumerate(layers)]
        builder = "build_model()"
        body.append(
            "\n\ndef build_model():\n    model = "
            + top.format("Sequential")
            + "(\n    [\n"
            + "\n".join(parts)
            + "\n    ]\n    )\n    return model\n"
        )
    elif style == "sequential_add":
        receiver = rng.choice(["model", "net", "regressor"])
        lines = [
            f"    {receiver} = {top.format('Sequential')}()",
            f"    {receiver}.add({top.format('Input')}(shape=({timesteps}, {features})))",
        ]
        lines += [
            f"    {receiver}.add({layer.source(spell, rng)})  # layer {i}" for i, layer in enumerate(layers)
        ]
        builder = "build_model()"
        body.append("\n\ndef build_model():\n" + "\n".join(lines) + f"\n    return {receiver}\n")
    elif style == "functional":
        var = rng.choice(["x", "h", "net"])
        lines = [
            f"    inputs = {top.format('Input')}(shape=({timesteps}, {features}))",
            f"    {var} = inputs",
        ]
        lines += [
            f"    {var} = {layer.source(spell, rng)}({var})  # layer {i}" for i, layer in enumerate(layers)
        ]
        builder = "build_model()"
        body.append(
            "\n\ndef build_model():\n"
            + "\n".join(lines)
            + f"\n    return {top.format('Model')}(inputs, {var})\n"
        )
    else:
        attrs = [
            f"        self.layer_{i} = {layer.source(spell, rng)}  # layer {i}"
            for i, layer in enumerate(layers)
        ]
        calls = [f"        x = self.layer_{i}(x)" for i in range(len(layers))]
        builder = "Forecaster()"
        body.append(
            f"\n\nclass Forecaster({top.format('Model')}):\n"
            "    def __init__(self):\n        super().__init__()\n"
            + "\n".join(attrs)
            + "\n\n    def call(self, inputs, training=False):\n        x = inputs\n"
            + "\n".join(calls)
            + "\n        return x\n"
        )
    body.append(TRAIN.format(epochs=rng.randint(5, 50), batch=rng.choice([32, 64]), builder=builder))
    return Model(style, layers, "".join(body))


def as_notebook(source: str) -> str:
    """The script split into notebook cells at blank-line-separated top-level blocks."""
    cells = []
    for index, block in enumerate(source.split("\n\n\n")):
        if index:
            cells.append({"cell_type": "markdown", "metadata": {}, "source": [f"## Part {index}"]})
        lines = block.strip("\n").splitlines(keepends=True)
        cells.append(
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": lines}
        )
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    for number, cell in enumerate(notebook["cells"]):
        cell["id"] = f"cell-{number}"
    return json.dumps(notebook, indent=1) + "\n"


def write_corpus(folder: Path, count: int, seed: int, notebooks: int = 0) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        model = generate_model(rng, f"model_{index}")
        path = folder / f"model_{index:05d}.py"
        path.write_text(model.source)
        paths.append(path)
    for index in range(notebooks):
        path = folder / f"notebook_{index:05d}.ipynb"
        path.write_text(as_notebook(generate_model(rng, f"notebook_{index}").source))
        paths.append(path)
    return paths


def write_long_file(path: Path, lines: int, seed: int) -> None:
    """One model file of about ``lines`` lines: many model builders one after another."""
    rng = random.Random(seed)
    chunks, total, index = [], 0, 0
    header = "import tensorflow as tf\nfrom tensorflow.keras import layers\n"
    while total < lines:
        model = generate_model(rng, f"part_{index}")
        text = model.source.split("\n\n\n", 1)[1].replace("def build_model", f"def build_model_{index}")
        text = text.replace("class Forecaster", f"class Forecaster{index}").replace(
            "def train(", f"def train_{index}("
        )
        text = text.replace('if __name__ == "__main__":', f"if __name__ == 'main_{index}':")
        chunks.append(text)
        total += text.count("\n")
        index += 1
    path.write_text(header + "\n\n".join(chunks))


BLOCKS = '''"""Building blocks the models of the package share."""
from tensorflow.keras import layers


def sequence_layer(units, cell="lstm"):
    kind = {"lstm": layers.LSTM, "gru": layers.GRU}[cell]
    return kind(units, return_sequences=True)


def summary_layer(units):
    return layers.LSTM(units)


def step_dropout(x, rate):
    return layers.Dropout(rate)(x)
'''
CONFIG = '''"""Default hyperparameters."""
UNITS = [64, 32]
RATE = 0.2
SETTINGS = {"return_sequences": True, "dropout": 0.1}
'''
SHARED_IMPORTS = (
    "from ..blocks import sequence_layer, step_dropout, summary_layer\nfrom .. import config as cfg\n"
)
PROJECT_BUILDER = '''

def build_stack():
    from tensorflow import keras

    inputs = keras.Input(shape=(None, 8))
    x = step_dropout(inputs, cfg.RATE)
    x = sequence_layer(cfg.UNITS[0], cell="{cell}")(x)
    x = keras.layers.Dropout(cfg.SETTINGS["dropout"])(x)
    x = summary_layer(cfg.UNITS[1])(x)
    return keras.Model(inputs, x)
'''


def write_project(folder: Path, count: int, seed: int) -> list[Path]:
    """A package of ``count`` model modules that import shared blocks, a config module and
    each other (relative and absolute imports), for the project-wide analysis."""
    rng = random.Random(seed)
    package = folder / "proj"
    models = package / "models"
    models.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text('[project]\nname = "proj"\n')
    (package / "__init__.py").write_text("")
    (models / "__init__.py").write_text("")
    (package / "blocks.py").write_text(BLOCKS)
    (package / "config.py").write_text(CONFIG)
    paths = [package / "blocks.py", package / "config.py"]
    for index in range(count):
        model = generate_model(rng, f"module_{index}")
        imports = SHARED_IMPORTS
        if index and rng.random() < 0.3:
            other = f"proj.models.module_{rng.randrange(index):05d}"
            imports += f"from {other} import build_stack as base_stack\n"
        source = imports + model.source + PROJECT_BUILDER.replace("{cell}", rng.choice(["lstm", "gru"]))
        path = models / f"module_{index:05d}.py"
        path.write_text(source)
        paths.append(path)
    return paths
