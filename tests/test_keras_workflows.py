"""Keras workflows: saved models, the Python API in tests and training scripts (real TensorFlow)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SAVER = """\
import keras

model = keras.Sequential([
    keras.Input((5, 3)),
    keras.layers.LSTM(4, return_sequences=True),
    keras.layers.Dropout(0.2, name="drop_a"),
    keras.layers.LSTM(2),
])
model.save("m.keras")
model.save("m.h5")
"""


def run(cli: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([cli, *args], capture_output=True, text=True, cwd=cwd, timeout=600, env=env)


def test_verify_of_a_saved_model_names_the_file_and_the_layer(cli: str, tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-c", SAVER], cwd=tmp_path, check=True, timeout=300, capture_output=True)
    result = run(cli, "verify", "--output-format", "concise", "m.keras", "m.h5", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == ["m.keras:layer 'drop_a'", "m.h5:layer 'drop_a'"]
    assert all("<sequential>" not in line for line in lines)
    assert result.stderr.splitlines()[-1].startswith("2 target(s) verified in ")  # the summary
    records = json.loads(run(cli, "verify", "--output-format", "json", "m.keras", cwd=tmp_path).stdout)
    assert [(r["filename"], r["layer"]) for r in records] == [("m.keras", "drop_a")]


TARGETS = """\
import keras
from keras import layers


class Tagger(keras.Model):
    def __init__(self):
        super().__init__()
        self.first = layers.GRU(8, return_sequences=True)
        self.drop = layers.Dropout(0.25)
        self.second = layers.GRU(4)

    def call(self, x):
        return self.second(self.drop(self.first(x)))


def subclassed():
    return Tagger()  # never called: its input shape comes from --input-shape


def keras2():
    model = keras.Sequential([
        layers.LSTM(8, return_sequences=True, input_shape=(5, 3)),
        layers.Dropout(0.2),
        layers.LSTM(4),
    ])
    model.compile(optimizer=keras.optimizers.Adam(lr=0.01), loss="mse")  # Keras 2 only
    return model
"""


def test_verify_input_shape_and_keras_2(cli: str, tmp_path: Path) -> None:
    (tmp_path / "targets.py").write_text(TARGETS)
    result = run(
        cli, "verify", "--output-format", "concise", "--input-shape", "7,3",
        "targets.py:subclassed", "targets.py:keras2", cwd=tmp_path,
    )  # fmt: skip
    assert result.stdout.splitlines() == [
        "targets.py:9:21: RDL001 Dropout(0.25) between GRU (line 8) and GRU (line 10) "
        "draws a new mask at every time step [input (None, 7, 8)]"
    ]
    assert "targets.py:keras2: error: raised ValueError: " in result.stderr
    assert "this looks like Keras 2 (tf.keras 2.x) code: run verify with --keras 2" in result.stderr
    legacy = run(
        cli, "verify", "--output-format", "concise", "--keras", "2", "targets.py:keras2", cwd=tmp_path
    )
    assert legacy.returncode == 1, legacy.stderr
    assert legacy.stdout.startswith("targets.py:23:9: RDL001 Dropout(0.2) between LSTM (line 22) and LSTM")


def test_python_api_callback_and_test_helper() -> None:
    import warnings

    import keras
    import pytest

    from rnn_dropout_lint.runtime import (
        RnnDropoutCheck,
        RnnDropoutError,
        RnnDropoutWarning,
        assert_no_findings,
        check_model,
    )

    # Named: Keras numbers unnamed layers per process, and other tests build models too.
    model = keras.Sequential(
        [
            keras.Input((5, 2)),
            keras.layers.GRU(4, return_sequences=True),
            keras.layers.Dropout(0.2, name="drop"),
            keras.layers.GRU(2),
            keras.layers.Dense(1),
        ],
        name="tagger",
    )
    model.compile(optimizer="sgd", loss="mse")
    (found,) = check_model(model)
    assert str(found).startswith("<tagger>:layer 'drop': RDL001 Dropout(0.2) ('drop') draws a new mask")
    with pytest.raises(RnnDropoutError) as raised:
        assert_no_findings(model)
    assert str(raised.value).splitlines() == ["rnn-dropout-lint: 1 finding(s) in the model:", f"  {found}"]
    data = (np.zeros((4, 5, 2), "float32"), np.zeros((4, 1), "float32"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(*data, epochs=1, verbose=0, callbacks=[RnnDropoutCheck()])
    assert [w.category for w in caught if issubclass(w.category, RnnDropoutWarning)] == [RnnDropoutWarning]
    with pytest.raises(RnnDropoutError):
        model.fit(*data, epochs=1, verbose=0, callbacks=[RnnDropoutCheck(raise_error=True)])
