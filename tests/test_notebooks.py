"""Notebooks through the real command: nbformat files in, cell positions out, cells fixed in place."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import nbformat
import pytest

CELLS = [
    ("markdown", "# A forecaster\nSome *text*."),
    (
        "code",
        "%who\nimport numpy as np\n"
        "from tensorflow.keras.layers import LSTM, Dense, Dropout\n"
        "from tensorflow.keras.models import Sequential",
    ),
    ("markdown", "## The model"),
    (
        "code",
        "!echo building\nmodel = Sequential()\n"
        "model.add(LSTM(8, return_sequences=True, input_shape=(5, 2)))\n"
        "model.add(Dropout(0.2))\nmodel.add(LSTM(4))\nmodel.add(Dropout(0.5))\nmodel.add(Dense(1))",
    ),
    ("code", "%%time\nprint(model.output_shape)"),
    ("code", "%%bash\necho 'not python at all ('"),
    ("code", "model.summary?"),
]


def write_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    for kind, source in CELLS:
        cell = (
            nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        )
        nb.cells.append(cell)
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", text="built\n")]
    nb.cells[3].execution_count = 7
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))


def run(cli: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([cli, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def test_findings_name_the_cell(cli: str, tmp_path: Path) -> None:
    write_notebook(tmp_path / "nb.ipynb")
    result = run(cli, "check", ".", cwd=tmp_path)  # folders are searched for notebooks too
    assert result.returncode == 1, result.stderr
    line = result.stdout.strip()
    assert line.startswith("nb.ipynb:cell 4:4:11: RDL001 Dropout(0.2) draws a new mask")
    assert "between LSTM (cell 4, line 3) and LSTM (cell 4, line 5)" in line
    records = json.loads(run(cli, "check", "--output-format", "json", "nb.ipynb", cwd=tmp_path).stdout)
    assert [(r["cell"], r["location"], r["code"]) for r in records] == [
        (4, {"row": 4, "column": 11}, "RDL001")
    ]
    edit = records[0]["fix"]["edits"][0]
    assert edit["location"]["row"] == 4  # fix edits are cell-relative too


def test_fix_changes_only_the_cell_sources(cli: str, tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    write_notebook(path)
    before = path.read_text()
    diff = run(cli, "check", "--diff", str(path))
    assert diff.returncode == 1 and "SpatialDropout1D" in diff.stdout
    assert path.read_text() == before
    result = run(cli, "check", "--fix", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    after = path.read_text()
    old, new = json.loads(before), json.loads(after)
    # Same cells, outputs, metadata, execution counts and ids; only two sources differ.
    for a, b in zip(old["cells"], new["cells"], strict=True):
        assert {k: v for k, v in a.items() if k != "source"} == {k: v for k, v in b.items() if k != "source"}
    assert old["metadata"] == new["metadata"]
    changed = [i for i, (a, b) in enumerate(zip(old["cells"], new["cells"], strict=True)) if a != b]
    assert changed == [1, 3]
    assert "".join(new["cells"][1]["source"]).splitlines()[2] == (
        "from tensorflow.keras.layers import LSTM, Dense, Dropout, SpatialDropout1D"  # Dropout(0.5) stays
    )
    assert "".join(new["cells"][3]["source"]).splitlines()[0] == "!echo building"  # magics come back
    # The file's own JSON formatting: only the two edited source lines differ.
    changed_lines = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert len(changed_lines) == 2 and after.endswith("\n") == before.endswith("\n")
    assert run(cli, "check", "--fix", str(path)).returncode == 0
    assert path.read_text() == after  # idempotent


def test_fixed_notebook_still_runs(cli: str, tmp_path: Path) -> None:
    from nbclient import NotebookClient

    path = tmp_path / "nb.ipynb"
    write_notebook(path)
    nb = nbformat.read(str(path), as_version=4)
    nb.cells = [c for c in nb.cells if not c.source.startswith(("%%bash", "model.summary?"))]
    nbformat.write(nb, str(path))
    assert run(cli, "check", "--fix", str(path)).returncode == 0
    fixed = nbformat.read(str(path), as_version=4)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    NotebookClient(
        fixed, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = "".join(
        o.get("text", "") for c in fixed.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert "(None, 1)" in outputs


@pytest.mark.parametrize(
    ("content", "reason"),
    [("{not json", "not valid JSON"), ('{"nbformat": 3, "cells": []}', "not an nbformat 4 notebook")],
)
def test_broken_notebooks_are_reported(cli: str, tmp_path: Path, content: str, reason: str) -> None:
    (tmp_path / "bad.ipynb").write_text(content)
    write_notebook(tmp_path / "good.ipynb")
    result = run(cli, "check", str(tmp_path))
    assert result.returncode == 2
    assert f"{tmp_path / 'bad.ipynb'}: error: {reason}" in result.stderr
    assert "good.ipynb:cell 4:4:11: RDL001" in result.stdout
