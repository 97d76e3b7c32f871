"""The runtime checker, building real models with TensorFlow in a child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

MODELS = """\
import json
import os
import keras
from keras import layers

# Read at run time (from the environment, with a default): only the live model shows them.
LAYERS = json.loads(os.environ.get(
    "RDL_TEST_LAYERS",
    '[["LSTM", {"units": 16, "return_sequences": true}], ["Dropout", {"rate": 0.3}], ["GRU", {"units": 8}]]',
))


def _note_pid():
    marker = os.environ.get("PID_LOG")
    if marker:
        with open(marker, "a") as log:
            log.write(f"{os.getpid()}\\n")


def sequential():
    _note_pid()
    model = keras.Sequential()
    model.add(keras.Input((20, 4)))
    model.add(layers.LSTM(32, return_sequences=True))
    model.add(layers.Dropout(0.2))
    model.add(layers.LSTM(16))
    model.add(layers.Dropout(0.5))
    return model


def functional(units=8):
    _note_pid()
    inp = keras.Input((12,), dtype="int32")
    x = layers.Embedding(100, units)(inp)
    x = layers.Dropout(0.1)(x)
    x = layers.Bidirectional(layers.GRU(units, return_sequences=True))(x)
    x = layers.SpatialDropout1D(0.2)(x)
    x = layers.Bidirectional(layers.GRU(units))(x)
    return keras.Model(inp, x)


class Forecaster(keras.Model):
    def __init__(self):
        super().__init__()
        self.rnn = layers.GRU(8, return_sequences=True)
        self.drop = layers.Dropout(0.25)
        self.head = layers.LSTM(4)

    def call(self, x, training=False):
        return self.head(self.drop(self.rnn(x), training=training))


def subclassed():
    model = Forecaster()
    model(keras.ops.zeros((2, 6, 3)))
    return model


def convlstm():
    inp = keras.Input((4, 8, 8, 1))
    x = layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True)(inp)
    x = layers.Dropout(0.3)(x)
    x = layers.ConvLSTM2D(2, 3, padding="same")(x)
    return keras.Model(inp, x)


def from_config():
    model = keras.Sequential([keras.Input((10, 3))])
    for name, kwargs in LAYERS:
        model.add(getattr(layers, name)(**kwargs))
    return model


def loop(n=2):
    model = keras.Sequential([keras.Input((10, 3))])
    for i in range(n):
        model.add(layers.LSTM(8, return_sequences=i < n - 1))
        model.add(layers.Dropout(0.2))
    return model


def raises():
    raise ValueError("no training data")


def not_a_model():
    return [1, 2, 3]


def hangs():
    import time

    time.sleep(600)


def dies():
    os._exit(3)
"""


def line(marker: str) -> int:
    """The line of MODELS that starts with ``marker`` (unique)."""
    rows = [n for n, text in enumerate(MODELS.splitlines(), start=1) if text.startswith(marker)]
    assert len(rows) == 1, marker
    return rows[0]


SEQ = line("    model.add(layers.Dropout(0.2))")
EMB = line("    x = layers.Dropout(0.1)(x)")
SUB = line("        self.drop = layers.Dropout(0.25)")
CONV = line("    x = layers.Dropout(0.3)(x)")
CONFIG = line("        model.add(getattr(layers, name)(**kwargs))")
LOOP = line("        model.add(layers.Dropout(0.2))")


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "models.py").write_text(MODELS)
    return tmp_path


def run(
    cli: str, *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [cli, *args], capture_output=True, text=True, cwd=cwd, timeout=600, env=env or dict(os.environ)
    )


def records(result: subprocess.CompletedProcess[str]) -> list[dict]:
    return json.loads(result.stdout)


def test_verify_reports_runtime_findings_with_real_shapes(cli: str, project: Path) -> None:
    targets = ["models.py:sequential", "models.py:functional", "models.py:subclassed", "models.py:convlstm"]
    pid_log = project / "pids.txt"
    env = {**os.environ, "PID_LOG": str(pid_log)}
    result = run(cli, "verify", "--output-format", "json", "--probe-mask", *targets, cwd=project, env=env)
    assert result.returncode == 1, result.stderr
    assert len(set(pid_log.read_text().split())) == 1  # one child, TensorFlow imported once
    found = {(r["filename"], r["location"]["row"], r["code"]): r["verification"] for r in records(result)}
    assert found == {
        ("models.py", SEQ, "RDL001"): "input (None, 20, 32); mask varies over time",
        ("models.py", EMB, "RDL002"): "input (None, 12, 8); mask varies over time",
        ("models.py", SUB, "RDL001"): "input (None, 6, 8); mask varies over time",
        ("models.py", CONV, "RDL001"): "input (None, 4, 8, 8, 2); mask varies over time",
    }


def test_check_with_verify_cross_checks_static_findings(cli: str, project: Path) -> None:
    result = run(
        cli,
        "check",
        "models.py",
        "--output-format",
        "json",
        "--report-uncertain",
        "--verify",
        "models.py:sequential",
        "--verify",
        "models.py:functional",
        "--verify",
        "models.py:from_config",
        "--verify",
        "models.py:loop",
        "--call-args",
        "{}",
        cwd=project,
    )
    assert result.returncode == 1, result.stderr
    verdicts = {(r["location"]["row"], r["code"]): r["verification"] for r in records(result)}
    assert verdicts[(SEQ, "RDL001")] == "confirmed: input (None, 20, 32)"
    assert verdicts[(EMB, "RDL002")] == "confirmed: input (None, 12, 8)"
    # The loop's uncertain static finding is decided by the live model (n=2: confirmed).
    assert verdicts[(LOOP, "RDL001")] == "confirmed: input (None, 10, 8)"
    # Layers built from a config list: only the runtime sees them.
    assert verdicts[(CONFIG, "RDL001")] == "runtime-only: input (None, 10, 16)"
    # Built by targets that were not verified: the static finding stands alone.
    assert verdicts[(SUB, "RDL001")] == "static-only: no layer was built from this line"
    assert verdicts[(CONV, "RDL001")] == "static-only: no layer was built from this line"


def test_refuted_when_the_live_input_is_not_a_sequence(cli: str, project: Path) -> None:
    result = run(
        cli,
        "check",
        "models.py",
        "--select",
        "RDL001",
        "--output-format",
        "json",
        "--report-uncertain",
        "--verify",
        "models.py:loop",
        "--call-args",
        '{"n": 1}',
        cwd=project,
    )
    verdicts = {(r["location"]["row"], r["code"]): r["verification"] for r in records(result)}
    assert verdicts[(LOOP, "RDL001")] == "refuted: its input is (None, 8)"
    assert result.returncode == 1  # the other static findings are static-only and stand


def test_errors_name_the_target_and_the_rest_still_runs(cli: str, project: Path) -> None:
    pid_log = project / "pids.txt"
    env = {**os.environ, "PID_LOG": str(pid_log)}
    result = run(
        cli,
        "verify",
        "--timeout",
        "20",
        "models.py:raises",
        "models.py:sequential",
        "models.py:not_a_model",
        "models.py:missing",
        "nowhere.py:build",
        "models.py:hangs",
        "models.py:dies",
        "models.py:functional",
        "models.py",
        cwd=project,
        env=env,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("9 target(s) verified in ")  # the summary ends every run
    errors = dict(line.split(": error: ", 1) for line in lines[:-1])
    assert errors == {
        "models.py:raises": "raised ValueError: no training data",
        "models.py:not_a_model": "returned list, not a Keras model",
        "models.py:missing": "models.py has no function 'missing'",
        "nowhere.py:build": "no such file: nowhere.py",
        "models.py:hangs": "timed out after 20 s",
        "models.py:dies": "the process building the model died (exit status 3)",
        "models.py": "expected path/to/file.py:function, package.module:function or a .keras/.h5 file",
    }
    rows = [line.split(":")[1] for line in result.stdout.splitlines()]
    assert rows == [str(SEQ), str(EMB)]  # sequential and functional were still verified
    pids = pid_log.read_text().split()
    assert len(pids) == 2 and len(set(pids)) == 2  # the hang killed the child; a new one went on


def test_saved_model_file(cli: str, project: Path) -> None:
    saver = "import sys; sys.path.insert(0, '.')\nimport models\nmodels.sequential().save('seq.keras')\n"
    subprocess.run([sys.executable, "-c", saver], cwd=project, check=True, timeout=300, capture_output=True)
    result = run(cli, "verify", "seq.keras", cwd=project)
    assert result.returncode == 1
    assert "seq.keras:layer 'dropout': RDL001 Dropout(0.2) ('dropout') draws a new mask" in result.stdout
    assert "('lstm') and LSTM ('lstm_1')" in result.stdout


def test_check_model_api() -> None:
    import keras

    from rnn_dropout_lint.runtime import check_model

    model = keras.Sequential(
        [
            keras.Input((5, 2)),
            keras.layers.GRU(4, return_sequences=True),
            keras.layers.Dropout(0.2),
            keras.layers.GRU(2),
        ]
    )
    findings = check_model(model)
    assert [f.code for f in findings] == ["RDL001"]
    fixed = keras.Sequential(
        [
            keras.Input((5, 2)),
            keras.layers.GRU(4, return_sequences=True),
            keras.layers.SpatialDropout1D(0.2),
            keras.layers.GRU(2),
        ]
    )
    assert check_model(fixed) == []


def test_verify_without_tensorflow_says_how_to_install(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", str(root)], check=True, timeout=600, capture_output=True)
    result = subprocess.run(
        [str(venv / "bin" / "rnn-dropout-lint"), "verify", "models.py:build"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "rnn-dropout-lint verify needs TensorFlow: pip install 'rnn-dropout-lint[runtime]'"
    )
    checked = subprocess.run(
        [str(venv / "bin" / "rnn-dropout-lint"), "check", str(root / "examples")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 1  # static checking never needs TensorFlow


KERAS2 = """\
import tf_keras as keras
from tf_keras import layers


def sequential():
    model = keras.Sequential()
    model.add(layers.LSTM(8, return_sequences=True, input_shape=(10, 3)))
    model.add(layers.Dropout(0.2))
    model.add(layers.Bidirectional(layers.LSTM(4)))
    return model


class Sub(keras.Model):
    def __init__(self):
        super().__init__()
        self.a = layers.GRU(4, return_sequences=True)
        self.d = layers.Dropout(0.1)
        self.b = layers.GRU(2)

    def call(self, x):
        return self.b(self.d(self.a(x)))


def subclassed():
    model = Sub()
    model(keras.Input((5, 3)))
    return model
"""


def test_keras2_models_from_tf_keras(cli: str, tmp_path: Path) -> None:
    pytest.importorskip("tf_keras", reason="tf_keras (Keras 2) is not installed")
    (tmp_path / "k2.py").write_text(KERAS2)
    result = run(
        cli, "verify", "--output-format", "json", "k2.py:sequential", "k2.py:subclassed", cwd=tmp_path
    )
    assert result.returncode == 1, result.stderr
    found = {(r["location"]["row"], r["code"], r["verification"]) for r in records(result)}
    assert found == {(8, "RDL001", "input (None, 10, 8)"), (17, "RDL001", "input (None, 5, 4)")}


PINNED = """
import keras
from keras import layers


def model(batch_shape=None, stateful=False):
    inp = keras.Input(batch_shape=batch_shape) if batch_shape else keras.Input((12, 8))
    x = layers.LSTM(16, return_sequences=True, stateful=stateful)(inp)
    x = layers.Dropout(0.2, noise_shape=(16, 1, 16))(x)
    return keras.Model(inp, layers.LSTM(4)(x))


def pinned():
    return model((16, 12, 8))


def stateful():
    return model((16, 12, 8), stateful=True)


def free():
    return model()
"""


def test_verify_knows_a_pinned_batch_as_check_does(cli: str, tmp_path: Path) -> None:
    """A model that fixes its batch (batch_shape, stateful layers) is run with that batch and its
    hard-coded noise-shape batch is no finding, as RDL004 says; the same layer elsewhere is."""
    (tmp_path / "m.py").write_text(PINNED)
    targets = ["m.py:pinned", "m.py:stateful", "m.py:free"]
    command = [cli, "verify", "--output-format", "json", *targets]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert " 0 error(s)" in result.stderr, result.stderr
    found = json.loads(result.stdout)
    assert [f["code"] for f in found] == ["RDL004"]
    command = [cli, "check", "--output-format", "json", "m.py"]
    static = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert [(f["code"], f["location"]["row"]) for f in json.loads(static.stdout)] == [("RDL004", 9)]
