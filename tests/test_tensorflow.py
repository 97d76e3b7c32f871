"""Fixed models, built with real TensorFlow: same shapes and weights, one mask per sequence."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras
import numpy as np

from .conftest import ROOT

CASES = sorted((ROOT / "tests" / "fixes").glob("*.py"))


def build(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"model_{path.stem}_{abs(hash(path))}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build()


def dropout_layers(model: Any) -> list[Any]:
    """Dropout-family layers in model order, wrappers included (TimeDistributed(Dropout))."""
    found = []
    for layer in model.layers:
        inner = getattr(layer, "layer", None)
        if (
            isinstance(layer, keras.layers.Dropout)
            or isinstance(inner, keras.layers.Dropout)
            or isinstance(layer, keras.layers.AlphaDropout)
        ):
            found.append(layer)
    return found


def mask_constant_over_time(layer: Any) -> bool:
    """Apply the layer alone in training mode to ones: is its mask the same at every step?"""
    shape = [2, *(d or 3 for d in layer.input.shape[1:])]
    out = np.asarray(layer(np.ones(shape, "float32"), training=True))
    return bool(np.all(out == out[:, :1]))


def fix(cli: str, path: Path, style: str) -> None:
    result = subprocess.run(
        [cli, "check", "--fix", "--fix-style", style, str(path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode in (0, 1), result.stderr
    assert " 0 fixed, " not in result.stderr, result.stderr


@pytest.mark.parametrize("style", ["spatial", "noise-shape"])
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_fixed_model_has_same_shapes_and_weights_and_time_shared_masks(
    cli: str, tmp_path: Path, case: Path, style: str
) -> None:
    before = build(case)
    target = tmp_path / case.name
    shutil.copy(case, target)
    fix(cli, target, style)
    after = build(target)
    assert after.output_shape == before.output_shape
    assert after.count_params() == before.count_params()
    old_layers, new_layers = dropout_layers(before), dropout_layers(after)
    assert len(old_layers) == len(new_layers)
    sequence = [len(layer.input.shape) >= 3 for layer in new_layers]
    assert any(not mask_constant_over_time(o) for o, seq in zip(old_layers, sequence, strict=True) if seq)
    for layer, seq in zip(new_layers, sequence, strict=True):
        if seq and not (isinstance(layer, keras.layers.AlphaDropout) and layer.noise_shape is None):
            if timestep_dropout(layer):
                assert not mask_constant_over_time(layer)  # whole steps dropped, on purpose: kept
            else:
                assert mask_constant_over_time(layer), (layer.name, type(layer).__name__)


def timestep_dropout(layer: Any) -> bool:
    shape = getattr(layer, "noise_shape", None)
    return shape is not None and shape[1] != 1 and all(d == 1 for d in shape[2:])


RDL003_MODEL = """\
import keras
from keras import layers


def build():
    inputs = keras.Input(shape=(5, 6))
    x = layers.LSTM(6, return_sequences=True)(inputs)
    x = layers.Dropout(0.5, noise_shape=(None, None, 6))(x)
    x = layers.LSTM(6, return_sequences=True)(x)
    x = layers.Dropout(0.5, noise_shape=[None, 5, None])(x)
    x = layers.LSTM(6, return_sequences=True)(x)
    x = layers.Dropout(0.5, noise_shape=(None, 5, 1))(x)
    x = layers.LSTM(4)(x)
    return keras.Model(inputs, x)
"""


def mask_varies_over_features(layer: Any) -> bool:
    shape = [2, *(d or 3 for d in layer.input.shape[1:])]
    out = np.asarray(layer(np.ones(shape, "float32"), training=True))
    return bool(np.any(out != out[:, :, :1]))


def test_rdl003_fix_shares_the_mask_over_time_and_keeps_open_feature_axes(cli: str, tmp_path: Path) -> None:
    target = tmp_path / "rdl003_model.py"
    target.write_text(RDL003_MODEL)
    report = subprocess.run(
        [cli, "check", "--select", "RDL003", str(target)], capture_output=True, text=True, timeout=120
    )
    # Timestep dropout (None, 5, 1) is deliberate: only the two per-element shapes are findings.
    assert [line.split(":")[1] for line in report.stdout.splitlines()] == ["8", "10"], report.stdout
    before = [layer for layer in dropout_layers(build(target))]
    fix(cli, target, "spatial")
    assert "noise_shape=(None, 5, 1)" in target.read_text()  # the deliberate one is left alone
    after = dropout_layers(build(target))
    assert [tuple(layer.noise_shape) for layer in after] == [(None, 1, 6), (None, 1, None), (None, 5, 1)]
    for old, new in zip(before[:2], after[:2], strict=True):
        assert not mask_constant_over_time(old)
        assert mask_constant_over_time(new)
        # The author left the feature axis open: the mask still differs between features.
        assert mask_varies_over_features(new)
    # The timestep dropout still drops whole steps: constant over features, not over time.
    assert not mask_constant_over_time(after[2]) and not mask_varies_over_features(after[2])
