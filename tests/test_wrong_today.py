"""Regressions for behaviour that was plainly wrong (issue 13), through the installed command."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from .terminal import run_on_terminal, screen

BUGGY = """\
from keras import Sequential, layers

model = Sequential([
    layers.LSTM(32, return_sequences=True),
    layers.Dropout(0.2),
    layers.LSTM(16),
])
"""


def run(cli: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([cli, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_diff_wins_over_fix_and_writes_nothing(cli: str, tmp_path: Path) -> None:
    model = tmp_path / "model.py"
    model.write_text(BUGGY)
    for order in (["--fix", "--diff"], ["--diff", "--fix"]):
        result = run(cli, "check", "--isolated", *order, str(model))
        assert model.read_text() == BUGGY
        assert "+    layers.SpatialDropout1D(0.2)," in result.stdout
        assert "1 would be fixed" in result.stderr and result.returncode == 1


def test_diff_wins_over_fix_on_standard_input(cli: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [cli, "check", "--isolated", "--fix", "--diff", "-", "--stdin-filename", "m.py"],
        input=BUGGY,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.startswith("--- ") and "+    layers.SpatialDropout1D(0.2)," in result.stdout
    assert result.returncode == 1


def test_progress_bar_is_erased_before_findings_print(cli: str, tmp_path: Path) -> None:
    for index in range(12):
        (tmp_path / f"m{index:02}.py").write_text(BUGGY if index % 3 == 0 else "x = 1\n")
    status, raw = run_on_terminal([cli, "check", "--isolated", "-j", "1", "."], cwd=tmp_path)
    assert status == 1
    assert "files" in raw  # the bar was drawn
    shown = [line for line in screen(raw) if line.strip()]
    findings = [line for line in shown if "RDL001" in line]
    assert [line.split(":", 1)[0] for line in findings] == ["m00.py", "m03.py", "m06.py", "m09.py"]
    # Nothing of the bar is left on screen: findings and the summary start their lines.
    assert all(line.startswith(("m0", "m1", "[*] 4 fixable", "12 file(s) checked")) for line in shown), shown


def test_syntax_error_names_one_position(cli: str, tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("from keras import layers\nx = [\n    layers.Dropout(0.2)\n  foo bar\n")
    result = run(cli, "check", "--isolated", "bad.py", cwd=tmp_path)
    assert (
        result.stderr.splitlines()[0]
        == "bad.py: error: syntax error at line 2, column 5: '[' was never closed"
    )
    assert result.returncode == 2


def test_notebook_syntax_error_names_one_position_in_its_cell(cli: str, tmp_path: Path) -> None:
    def cell(source: str) -> dict[str, object]:
        return {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": source}

    notebook = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            cell("from keras import layers\n"),
            {"cell_type": "markdown", "metadata": {}, "source": "text"},
            cell("x = layers.Dropout(0.2)\ny = (1,\n  foo bar)\n"),
        ],
    }
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    result = run(cli, "check", "--isolated", "nb.ipynb", cwd=tmp_path)
    line = result.stderr.splitlines()[0]
    assert line == (
        "nb.ipynb:cell 3: error: syntax error at line 3, column 3: "
        "invalid syntax. Perhaps you forgot a comma?"
    )
