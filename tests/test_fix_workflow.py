"""Fixes people can see and reason about (issue 13), through the installed command."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from .conftest import FIXTURES

BUGGY = """\
from keras import Sequential, layers

model = Sequential([
    layers.LSTM(32, return_sequences=True),
    layers.Dropout(0.2),
    layers.LSTM(16),
])
"""
WRAPPED = """\
from keras import layers
from keras.layers import LSTM, Dropout, TimeDistributed

x = layers.LSTM(8, return_sequences=True)(inp)
x = layers.TimeDistributed(layers.Dropout(0.2), name="d")(x)
x = LSTM(8, return_sequences=True)(x)
x = TimeDistributed(Dropout(0.3, seed=1,), name="e", dtype="float32")(x)
x = LSTM(8, return_sequences=True)(x)
x = TimeDistributed(Dropout(0.3), name="f", foo=1)(x)
x = LSTM(8)(x)
"""
MERGEABLE = """\
from keras import Sequential, layers

model = Sequential()
model.add(layers.LSTM(8, return_sequences=True))
model.add(layers.Dropout(0.1))
model.add(layers.LSTM(4))
"""


def run(cli: str, *args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [cli, "check", "--isolated", *args], capture_output=True, text=True, cwd=cwd, timeout=120, input=stdin
    )


def test_fixable_findings_are_marked_and_counted(cli: str, tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(BUGGY)
    (tmp_path / "b.py").write_text(MERGEABLE)
    result = run(cli, "a.py", cwd=tmp_path)
    assert result.stdout.endswith(" [*]\n")
    assert result.stderr.splitlines()[-2] == "[*] 1 fixable with --fix."
    # A nested call cannot be merged: its fix falls back to the safe spatial style.
    (tmp_path / "a.py").write_text(
        "from keras import layers\n\n"
        "x = layers.LSTM(4)(layers.Dropout(0.1)(layers.LSTM(4, return_sequences=True)(x)))\n"
    )
    merge = run(cli, "--fix-style", "merge", "a.py", "b.py", cwd=tmp_path)
    lines = merge.stdout.splitlines()
    assert lines[0].endswith("[*]") and not lines[1].endswith("[*]")
    assert merge.stderr.splitlines()[-2] == "[*] 1 fixable with --fix (1 more with --unsafe-fixes)."
    unsafe = run(cli, "--fix-style", "merge", "--unsafe-fixes", "a.py", "b.py", cwd=tmp_path)
    assert all(line.endswith("[*]") for line in unsafe.stdout.splitlines())
    assert unsafe.stderr.splitlines()[-2] == "[*] 2 fixable with --fix."
    only_unsafe = run(cli, "--fix-style", "merge", "b.py", cwd=tmp_path)
    assert only_unsafe.stderr.splitlines()[-2] == "1 fixable with --fix --unsafe-fixes."


def test_findings_left_after_fix_say_why(cli: str, tmp_path: Path) -> None:
    (tmp_path / "wrapped.py").write_text(WRAPPED)
    (tmp_path / "py2.py").write_text((FIXTURES / "python2_script.py").read_text())
    result = run(cli, "--fix", "wrapped.py", "py2.py", cwd=tmp_path)
    reasons = {line.split(":")[0]: line.rsplit("(no fix: ", 1)[1] for line in result.stdout.splitlines()}
    assert reasons["wrapped.py"] == "TimeDistributed's foo= has no counterpart on the layer it wraps)"
    assert "Python 2" in reasons["py2.py"] and reasons["py2.py"].endswith("never fixed)")
    records = json.loads(run(cli, "--output-format", "json", "wrapped.py", cwd=tmp_path).stdout)
    assert records[-1]["fix"] is None and records[-1]["no_fix"].startswith("TimeDistributed's foo=")


def test_wrapper_arguments_that_mean_the_same_move_to_the_fixed_layer(cli: str, tmp_path: Path) -> None:
    target = tmp_path / "wrapped.py"
    target.write_text(WRAPPED)
    run(cli, "--fix", "wrapped.py", cwd=tmp_path)
    fixed = target.read_text().splitlines()
    assert fixed[1] == "from keras.layers import LSTM, Dropout, SpatialDropout1D, TimeDistributed"
    assert fixed[4] == 'x = layers.SpatialDropout1D(0.2, name="d")(x)'
    assert fixed[6] == 'x = SpatialDropout1D(0.3, seed=1, name="e", dtype="float32")(x)'
    assert fixed[8] == 'x = TimeDistributed(Dropout(0.3), name="f", foo=1)(x)'  # no counterpart: left
    target.write_text(WRAPPED)
    run(cli, "--fix", "--fix-style", "noise-shape", "wrapped.py", cwd=tmp_path)
    assert target.read_text().splitlines()[4] == (
        'x = layers.Dropout(0.2, noise_shape=(None, 1, None), name="d")(x)'
    )


def test_show_fixes_and_exit_non_zero_on_fix(cli: str, tmp_path: Path) -> None:
    target = tmp_path / "a.py"
    target.write_text(BUGGY)
    quiet = run(cli, "--fix", "a.py", cwd=tmp_path)
    assert (quiet.returncode, quiet.stdout) == (0, "")  # fixed findings are not listed (as in ruff)
    assert ": 0 finding(s), 1 fixed, 0 error(s)." in quiet.stderr
    target.write_text(BUGGY)
    shown = run(cli, "--fix", "--show-fixes", "--exit-non-zero-on-fix", "a.py", cwd=tmp_path)
    assert shown.stdout == "a.py:5:5: RDL001 fixed: Replace Dropout(0.2) with SpatialDropout1D(0.2)\n"
    assert shown.returncode == 1  # a file changed, though nothing is left
    again = run(cli, "--fix", "--exit-non-zero-on-fix", "a.py", cwd=tmp_path)
    assert again.returncode == 0  # nothing changed


def test_fix_of_a_notebook_from_standard_input(cli: str, tmp_path: Path) -> None:
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {},
        "outputs": [],
        "source": [
            "from keras import Sequential, layers\n",
            "m = Sequential([layers.LSTM(8, return_sequences=True), layers.Dropout(0.2), layers.LSTM(4)])\n",
        ],
    }
    notebook = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}, indent=1)
    named = run(cli, "--fix", "-", "--stdin-filename", "nb.ipynb", cwd=tmp_path, stdin=notebook)
    assert named.returncode == 0
    assert named.stdout == notebook.replace("layers.Dropout(0.2)", "layers.SpatialDropout1D(0.2)")
    assert "1 file(s) checked in" in named.stderr
    unnamed = run(cli, "--fix", "-", cwd=tmp_path, stdin=notebook)
    assert unnamed.returncode == 2 and unnamed.stdout == ""
    assert unnamed.stderr.splitlines()[0] == (
        "-: error: standard input is a notebook (JSON); name it with --stdin-filename NAME.ipynb"
    )


def test_added_import_keeps_a_sorted_line_sorted(cli: str, tmp_path: Path) -> None:
    body = "m = Sequential([LSTM(4, return_sequences=True), Dropout(0.2), LSTM(3), Dense(1){}])\n"
    cases = {
        # ruff/isort order (constants, then classes): the new name goes where sorting puts it
        "from keras.layers import LSTM, Dense, Dropout": (
            ", Dropout(0.1)",
            "LSTM, Dense, Dropout, SpatialDropout1D",
        ),
        # case-sensitive order, Dropout no longer used
        "from keras.layers import Dense, Dropout, LSTM": ("", "Dense, LSTM, SpatialDropout1D"),
        # not sorted: next to the name it replaces
        "from keras.layers import LSTM, Dropout, Dense": (
            ", Dropout(0.1)",
            "LSTM, Dropout, SpatialDropout1D, Dense",
        ),
    }
    for line, (extra, expected) in cases.items():
        target = tmp_path / "m.py"
        target.write_text(f"{line}\nfrom keras.models import Sequential\n" + body.format(extra))
        run(cli, "--fix", "m.py", cwd=tmp_path)
        assert target.read_text().splitlines()[0] == f"from keras.layers import {expected}", line
