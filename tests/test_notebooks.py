"""Notebooks through the real command: nbformat files in, cell positions out, cells fixed in place.

Every notebook here is written with nbformat (or, where nbformat would refuse it, as the
JSON a real tool writes), checked and fixed by the installed ``rnn-dropout-lint`` command
in a subprocess, re-opened with nbformat, and (two of them) executed with nbclient.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import nbformat
import pytest

from .conftest import ROOT
from .test_ipython_syntax import verdict

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


def new_notebook(cells: list[tuple[str, str]], **metadata: Any) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for kind, source in cells:
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(source))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.update(metadata)
    return nb


def write_notebook(path: Path) -> None:
    nb = new_notebook(CELLS)
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", text="built\n")]
    nb.cells[3].execution_count = 7
    nbformat.write(nb, str(path))


def run(
    cli: str, *args: str, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([cli, *args], capture_output=True, text=True, timeout=300, cwd=cwd, input=stdin)


def sources(path: Path) -> list[str]:
    return [cell.source for cell in nbformat.read(str(path), as_version=4).cells]


def execute(path: Path) -> str:
    """Run the notebook on a real kernel; the text of its outputs."""
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


def only_sources_changed(before: str, after: str) -> None:
    """Every cell key but the sources, the metadata and the JSON layout are as they were."""
    old, new = json.loads(before), json.loads(after)
    assert {k: v for k, v in old.items() if k != "cells"} == {k: v for k, v in new.items() if k != "cells"}
    for a, b in zip(old["cells"], new["cells"], strict=True):
        assert {k: v for k, v in a.items() if k != "source"} == {k: v for k, v in b.items() if k != "source"}
    assert len(before.splitlines()) == len(after.splitlines())


# ---------------------------------------------------------------------------------------
# The basics: cell positions, fixes in place, a fixed notebook still runs


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
    # Fix edits are cell-relative too, and each names its cell: the import lives in cell 2.
    edits = records[0]["fix"]["edits"]
    assert [(e["cell"], e["location"]["row"]) for e in edits] == [(4, 4), (2, 3)]
    assert edits[1]["content"] == "from tensorflow.keras.layers import LSTM, Dense, Dropout, SpatialDropout1D"


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
    only_sources_changed(before, after)
    old, new = json.loads(before), json.loads(after)
    changed = [i for i, (a, b) in enumerate(zip(old["cells"], new["cells"], strict=True)) if a != b]
    assert changed == [1, 3]
    assert "".join(new["cells"][1]["source"]).splitlines()[2] == (
        "from tensorflow.keras.layers import LSTM, Dense, Dropout, SpatialDropout1D"  # Dropout(0.5) stays
    )
    assert "".join(new["cells"][3]["source"]).splitlines()[0] == "!echo building"  # magics stay
    # The file's own bytes: only the two edited source lines differ.
    changed_lines = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert len(changed_lines) == 2 and after.endswith("\n") == before.endswith("\n")
    assert run(cli, "check", "--fix", str(path)).returncode == 0
    assert path.read_text() == after  # idempotent


def test_fixed_notebook_still_runs(cli: str, tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    write_notebook(path)
    nb = nbformat.read(str(path), as_version=4)
    nb.cells = [c for c in nb.cells if not c.source.startswith(("%%bash", "model.summary?"))]
    nbformat.write(nb, str(path))
    assert run(cli, "check", "--fix", str(path)).returncode == 0
    assert "(None, 1)" in execute(path)


# ---------------------------------------------------------------------------------------
# IPython syntax, read as IPython reads it


IPYTHON_CELLS = [
    ("markdown", "# IPython syntax everywhere"),
    (
        "code",
        "!echo downloading \\\n    --quietly \\\n    data.zip\n"
        "files = !ls\n"
        "%load_ext autoreload\n"
        "from tensorflow.keras import Sequential, layers",
    ),
    (
        "code",  # IPython strips a common indent
        "    model = Sequential()\n"
        "    model.add(layers.Input((5, 2)))\n"
        "    model.add(layers.LSTM(8, return_sequences=True))\n"
        "    model.add(layers.Dropout(0.2))  # is this right?\n"
        "    model.add(layers.LSTM(4))",
    ),
    (
        "code",
        "%time model2 = Sequential([layers.Input((5, 2)), layers.LSTM(8, return_sequences=True), "
        "layers.Dropout(0.3), layers.LSTM(4)])",
    ),
    (
        "code",
        "%%capture captured\n"
        "model3 = Sequential([\n"
        "    layers.Input((5, 2)),\n"
        "    layers.GRU(8, return_sequences=True),  # why?\n"
        "    layers.Dropout(0.4),\n"
        "    layers.GRU(4),\n"
        "])",
    ),
    (
        "code",  # a continuation line that starts with '%' is Python's modulo; '?' in strings
        'acc = 0.5\nprint("acc: %0.3f"\n      % acc)\nnote = "is it?"\nlayers.Dropout?',
    ),
    ("code", "%%bash\necho 'not python ('"),
    (
        "code",  # a file, not code this notebook runs: not analysed
        "%%writefile model_file.py\nfrom keras import layers\n"
        "y = layers.LSTM(4)(layers.Dropout(0.5)(layers.LSTM(4, return_sequences=True)(x)))",
    ),
    ("code", "??model\nprint('shapes', model.output_shape, model2.output_shape, model3.output_shape)"),
]


def test_ipython_syntax(cli: str, tmp_path: Path) -> None:
    path = tmp_path / "ipy.ipynb"
    nbformat.write(new_notebook(IPYTHON_CELLS), str(path))
    result = run(cli, "check", "--output-format", "json", str(path))
    assert result.returncode == 1, result.stderr
    found = [(r["cell"], r["location"]["row"], r["location"]["column"]) for r in json.loads(result.stdout)]
    assert found == [(3, 4, 15), (4, 1, 89), (5, 5, 5)]
    assert result.stderr.endswith("3 finding(s), 0 fixed, 0 error(s).\n")
    before = path.read_text()
    fixed = run(cli, "check", "--fix", str(path))
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    only_sources_changed(before, path.read_text())
    new = sources(path)
    old = [source for _, source in IPYTHON_CELLS]
    assert [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b] == [2, 3, 4]
    assert new[2].splitlines()[3] == "    model.add(layers.SpatialDropout1D(0.2))  # is this right?"
    assert new[3].startswith("%time model2 = Sequential(") and "layers.SpatialDropout1D(0.3)" in new[3]
    assert new[4].splitlines()[0] == "%%capture captured"
    assert run(cli, "check", str(path)).returncode == 0
    out = execute(path)
    assert "shapes (None, 4) (None, 4) (None, 4)" in out and "acc: 0.500" in out


def test_every_test_cell_is_read_as_ipython_reads_it() -> None:
    cells = [*CELLS, *IPYTHON_CELLS, *PYTHON2_CELLS, *BROKEN_CELLS]
    for kind, source in cells:
        if kind == "code":
            assert verdict(source) in ("same", "both-broken", "skipped"), source


# ---------------------------------------------------------------------------------------
# What real notebooks hold: Colab outputs, Python 2, cells that never parsed, nbformat 3


MODEL = (
    "model = Sequential()\n"
    "model.add(LSTM(8, return_sequences=True, input_shape=(5, 2)))\n"
    "model.add(Dropout(0.2))\n"
    "model.add(LSTM(4))"
)
IMPORTS = "from keras.layers import LSTM, Dropout\nfrom keras.models import Sequential"


def test_colab_notebook_whose_outputs_do_not_validate(cli: str, tmp_path: Path) -> None:
    nb = new_notebook([("code", IMPORTS), ("code", MODEL), ("code", "'done'")])
    for index, cell in enumerate(nb.cells):
        cell.metadata.update({"id": f"cell{index}", "colab": {"base_uri": "https://localhost:8080/"}})
        cell.execution_count = index + 1
    nb.cells[2].outputs = [
        {
            "output_type": "execute_result",
            "execution_count": 3,
            "metadata": {},
            "data": {
                "application/vnd.google.colaboratory.intrinsic": {"type": "string"},
                "text/plain": "'done'",
            },
        }
    ]
    nb.metadata.update({"colab": {"provenance": []}, "accelerator": "GPU"})
    with pytest.raises(nbformat.ValidationError):
        nbformat.validate(nb)
    data = json.loads(json.dumps(nb))
    for cell in data["cells"]:
        cell["source"] = cell["source"].splitlines(keepends=True)
    path = tmp_path / "colab.ipynb"
    path.write_text(json.dumps(data, indent=2) + "\n")  # Colab's own layout
    result = run(cli, "check", str(path))
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith(f"{path}:cell 2:3:11: RDL001")
    before = path.read_text()
    assert run(cli, "check", "--fix", str(path)).returncode == 0
    after = path.read_text()
    assert after == before.replace(
        '"model.add(Dropout(0.2))\\n"', '"model.add(SpatialDropout1D(0.2))\\n"'
    ).replace(
        '"from keras.layers import LSTM, Dropout\\n"', '"from keras.layers import LSTM, SpatialDropout1D\\n"'
    )
    assert (
        nbformat.reads(after, as_version=4).cells[1].source.splitlines()[2]
        == "model.add(SpatialDropout1D(0.2))"
    )


PYTHON2_CELLS = [
    ("code", IMPORTS + "\nprint 'Keras imported'"),
    ("code", MODEL + '\nprint "layers:", \\\n    len(model.layers)\nprint model.summary()'),
]


def test_python2_notebook_is_analysed_never_fixed(cli: str, tmp_path: Path) -> None:
    nb = new_notebook(PYTHON2_CELLS, language_info={"name": "python", "version": "2.7.12"})
    nb.metadata["kernelspec"] = {"name": "python2", "display_name": "Python 2", "language": "python"}
    path = tmp_path / "py2.ipynb"
    nbformat.write(nb, str(path))
    result = run(cli, "check", str(path))
    assert result.returncode == 1 and result.stdout.startswith(f"{path}:cell 2:3:11: RDL001"), result.stderr
    before = path.read_text()
    fixed = run(cli, "check", "--fix", str(path))
    assert fixed.returncode == 1 and "fixed" not in fixed.stdout and "cell 2:3:11: RDL001" in fixed.stdout
    assert path.read_text() == before


BROKEN_CELLS = [
    ("code", IMPORTS),
    ("code", MODEL),
    ("code", "def half_typed(x:\n    return"),
    ("code", "model.fit(x, y)"),
]


def _broken(path: Path, run_before: bool, **third: Any) -> None:
    nb = new_notebook(BROKEN_CELLS)
    for index, cell in enumerate(nb.cells):
        if run_before and index != 2:
            cell.execution_count = index + 1
    nb.cells[2].update(third)
    nbformat.write(nb, str(path))


def test_a_broken_cell_fails_the_run_but_the_others_are_analysed(cli: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.ipynb"
    _broken(path, run_before=False)  # nothing says this cell was not meant to run: a real error
    for args in ((), ("--exit-zero",)):
        result = run(cli, "check", *args, str(path))
        assert result.returncode == 2
        assert result.stdout.startswith(f"{path}:cell 2:3:11: RDL001")
        assert (
            f"{path}:cell 3: error: syntax error at line 1, column 15: '(' was never closed" in result.stderr
        )
        assert result.stderr.endswith("1 finding(s), 0 fixed, 1 error(s).\n")
    before = sources(path)
    fixed = run(cli, "check", "--fix", str(path))
    assert fixed.returncode == 2 and f"{path}:cell 3: error:" in fixed.stderr
    after = sources(path)
    assert after[2] == before[2] and "SpatialDropout1D(0.2)" in after[1]  # the others are fixed


@pytest.mark.parametrize(
    ("third", "why"),
    [
        ({}, "never run, while the notebook's other cells were"),
        ({"metadata": {"tags": ["raises-exception"]}}, "tagged raises-exception"),
        (
            {
                "execution_count": 3,
                "outputs": [nbformat.v4.new_output("error", ename="SyntaxError", evalue="invalid syntax")],
            },
            "its saved output is a SyntaxError",
        ),
    ],
)
def test_a_cell_the_notebook_shows_was_not_meant_to_run_is_a_warning(
    cli: str, tmp_path: Path, third: dict[str, Any], why: str
) -> None:
    path = tmp_path / "broken.ipynb"
    _broken(path, run_before=True, **third)
    result = run(cli, "check", str(path))
    assert result.returncode == 1, result.stderr  # the finding, not the cell
    reason = "syntax error at line 1, column 15: '(' was never closed"
    assert f"{path}:cell 3: warning: not analysed: {reason} ({why})" in result.stderr
    assert result.stderr.endswith("1 finding(s), 0 fixed, 0 error(s), 1 warning(s).\n")


def test_nbformat3_notebook(cli: str, tmp_path: Path) -> None:
    v3 = nbformat.v3
    cells = [v3.new_heading_cell("Old"), v3.new_code_cell(input=IMPORTS), v3.new_code_cell(input=MODEL)]
    path = tmp_path / "old.ipynb"
    path.write_text(v3.writes_json(v3.new_notebook(worksheets=[v3.new_worksheet(cells=cells)])))
    result = run(cli, "check", str(path))
    assert result.returncode == 1 and result.stdout.startswith(f"{path}:cell 3:3:11: RDL001"), result.stderr
    assert run(cli, "check", "--fix", str(path)).returncode == 0
    data = json.loads(path.read_text())
    assert data["nbformat"] == 3 and "SpatialDropout1D(0.2)" in "".join(
        data["worksheets"][0]["cells"][2]["input"]
    )
    assert (
        nbformat.read(str(path), as_version=4).cells[2].source.splitlines()[2]
        == "model.add(SpatialDropout1D(0.2))"
    )


def test_notebooks_of_other_languages_hold_no_python(cli: str, tmp_path: Path) -> None:
    nb = new_notebook([("code", IMPORTS + "\nlibrary(keras) <- (")], language_info={"name": "R"})
    nb.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    nbformat.write(nb, str(tmp_path / "r.ipynb"))
    assert run(cli, "check", str(tmp_path / "r.ipynb")).returncode == 0


# ---------------------------------------------------------------------------------------
# Nothing a user writes steers the splitting, and every error is one short line


def test_text_in_a_cell_cannot_steer_how_cells_are_split_back(cli: str, tmp_path: Path) -> None:
    path = tmp_path / "markers.ipynb"
    cells = [
        ("markdown", "keep me"),
        ("code", IMPORTS + "\n# rnn-dropout-lint: cell 1\n# rnn-dropout-lint: cell 99"),
        ("code", "pass  # rnn-dropout-lint: ipython 0\n" + MODEL + "\n# rnn-dropout-lint: cell 1\nx = 1"),
    ]
    nbformat.write(new_notebook(cells), str(path))
    result = run(cli, "check", "--fix", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    new = sources(path)
    assert new[0] == "keep me"
    assert new[1] == cells[1][1].replace("LSTM, Dropout", "LSTM, SpatialDropout1D")
    assert new[2] == cells[2][1].replace("Dropout(0.2)", "SpatialDropout1D(0.2)")


def test_a_comment_ending_in_a_question_mark_hides_nothing(cli: str, tmp_path: Path) -> None:
    model = MODEL.replace("model.add(Dropout(0.2))", "model.add(Dropout(0.2))  # is this right?")
    inside = (
        "m2 = Sequential([\n    LSTM(4, return_sequences=True),  # why?\n    Dropout(0.1),\n    LSTM(2),\n])"
    )
    nbformat.write(
        new_notebook([("code", IMPORTS), ("code", model), ("code", inside)]), str(tmp_path / "q.ipynb")
    )
    result = run(cli, "check", str(tmp_path / "q.ipynb"))
    assert (
        result.returncode == 1
        and "cell 2:3:11: RDL001" in result.stdout
        and "cell 3:3:5: RDL001" in result.stdout
    )
    assert result.stderr.endswith("2 finding(s), 0 fixed, 0 error(s).\n")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not valid JSON"),
        ('{"nbformat": 2, "worksheets": []}', "not an nbformat 4 or 3 notebook (nbformat: 2)"),
        (
            '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
            'not a notebook: nbformat 4 without a "cells" list',
        ),
        (
            '{"nbformat": 4, "cells": [{"cell_type": "code", "source": 3}]}',
            "not a notebook: code cell 1 has no",
        ),
        ("[1, 2]", "not a notebook: the JSON is not an object"),
    ],
)
def test_broken_notebooks_are_reported(cli: str, tmp_path: Path, content: str, reason: str) -> None:
    (tmp_path / "bad.ipynb").write_text(content)
    write_notebook(tmp_path / "good.ipynb")
    result = run(cli, "check", str(tmp_path))
    assert result.returncode == 2
    assert f"{tmp_path / 'bad.ipynb'}: error: {reason}" in result.stderr
    assert "good.ipynb:cell 4:4:11: RDL001" in result.stdout
    assert "Traceback" not in result.stderr


def test_errors_stay_short_next_to_huge_outputs(cli: str, tmp_path: Path) -> None:
    big = {"output_type": "stream", "name": "stdout", "text": "x" * 5_000_000}
    unknown = {"cell_type": "widget", "source": "?", "metadata": {}, "outputs": [big]}  # not a cell type
    code = {"cell_type": "code", "source": IMPORTS + "\n" + MODEL, "metadata": {}, "outputs": [big]}
    good = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [unknown, code]}
    (tmp_path / "unknown_cell_type.ipynb").write_text(json.dumps(good))
    bad_source = dict(code, source={"not": "a source"})
    bad = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [unknown, bad_source]}
    (tmp_path / "bad_source.ipynb").write_text(json.dumps(bad))
    result = run(cli, "check", str(tmp_path))
    assert "unknown_cell_type.ipynb:cell 2:5:11: RDL001" in result.stdout  # an odd cell type is not ours
    assert result.returncode == 2
    assert all(len(line) < 300 for line in result.stderr.splitlines()), result.stderr[:1000]
    assert "bad_source.ipynb: error: not a notebook: code cell 2" in result.stderr


# ---------------------------------------------------------------------------------------
# Positions in the file for code scanning, standard input, notebooks exported to .py


def _region_text(path: Path, region: dict[str, int]) -> str:
    lines = path.read_text().split("\n")
    assert region["startLine"] == region["endLine"]
    return lines[region["startLine"] - 1][region["startColumn"] - 1 : region["endColumn"] - 1]


def test_sarif_and_github_point_into_the_notebook_file(cli: str, tmp_path: Path) -> None:
    # One cell stored as a list of lines (nbformat's way), one as a single JSON string with
    # escapes and non-ASCII before the finding: the columns count the file's characters.
    nb = new_notebook([("code", IMPORTS), ("code", MODEL)])
    data = json.loads(nbformat.writes(nb))
    data["cells"].append(
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": 'note = "café\\t\\"é\\"";  m2 = Sequential([LSTM(4, return_sequences=True),\n'
            "    LSTM(4, return_sequences=True), Dropout(0.3), LSTM(2)])",
        }
    )
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    sarif = json.loads(run(cli, "check", "--output-format", "sarif", str(path)).stdout)
    schema = ROOT.parent / "shared" / "data" / "sarif-schema-2.1.0.json"  # CI has it (see test_ecosystem)
    if schema.exists():
        import jsonschema

        jsonschema.validate(sarif, json.loads(schema.read_text()))
    results = sarif["runs"][0]["results"]
    assert [r["properties"]["cell"] for r in results] == [2, 3]
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in results]
    assert [_region_text(path, region) for region in regions] == ["Dropout(0.2)", "Dropout(0.3)"]
    assert results[1]["properties"]["cellRegion"] == {
        "startLine": 2,
        "startColumn": 37,
        "endLine": 2,
        "endColumn": 49,
    }
    github = run(cli, "check", "--output-format", "github", str(path)).stdout.splitlines()
    assert [line.split("::")[1] for line in github] == [
        f"warning file={path},line={r['startLine']},col={r['startColumn']},endLine={r['endLine']},"
        f"endColumn={r['endColumn']},title=RDL001"
        for r in regions
    ]
    assert github[1].split("::", 2)[2].startswith("cell 3, line 2, column 37: RDL001 Dropout(0.3)")


def test_notebook_on_standard_input(cli: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.ipynb"
    _broken(path, run_before=False)
    text = path.read_text()
    result = run(cli, "check", "-", "--stdin-filename", "nb.ipynb", stdin=text)
    assert result.returncode == 2 and result.stdout.startswith("nb.ipynb:cell 2:3:11: RDL001")
    assert "nb.ipynb:cell 3: error: syntax error" in result.stderr
    fixed = run(cli, "check", "-", "--fix", "--stdin-filename", "nb.ipynb", stdin=text)
    written = nbformat.reads(fixed.stdout, as_version=4)
    assert (
        "SpatialDropout1D(0.2)" in written.cells[1].source and written.cells[2].source == BROKEN_CELLS[2][1]
    )


def test_python_exported_from_a_notebook(cli: str, tmp_path: Path) -> None:
    """``jupyter nbconvert --to script`` output: IPython lines are plain calls, markers comments."""
    script = (
        "#!/usr/bin/env python\n# coding: utf-8\n\n# In[1]:\n\n\n"
        "get_ipython().run_line_magic('matplotlib', 'inline')\n"
        "get_ipython().system('pip install keras')\n" + IMPORTS + "\n\n\n# In[ ]:\n\n\n" + MODEL + "\n"
    )
    (tmp_path / "exported.py").write_text(script)
    result = run(cli, "check", str(tmp_path / "exported.py"))
    assert result.returncode == 1 and result.stdout.startswith(f"{tmp_path / 'exported.py'}:18:11: RDL001")


def test_cells_that_leave_something_open_do_not_swallow_the_next(cli: str, tmp_path: Path) -> None:
    cells = [
        ("code", IMPORTS),
        ("code", 'note = """never closed'),
        ("code", MODEL),
        ("code", 'other = """closes nothing'),
        ("code", "if True:\n    x = (1,"),
        ("code", "y = " + "(" * 3000 + "1" + ")" * 3000),  # too deep for the parser: refused alone
        ("code", "s = '" + "(" * 3000 + "'"),  # brackets in a string are not nesting
    ]
    path = tmp_path / "open.ipynb"
    nbformat.write(new_notebook(cells), str(path))
    result = run(cli, "check", str(path))
    assert result.returncode == 2 and result.stdout.startswith(f"{path}:cell 3:3:11: RDL001"), result.stderr
    errors = [line.split(": error: ")[0] for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [f"{path}:cell {n}" for n in (2, 4, 5, 6)]
    assert "cell 6: error: nested too deeply to parse" in result.stderr


def test_windows_line_endings_inside_cells(cli: str, tmp_path: Path) -> None:
    nb = new_notebook(
        [("code", IMPORTS.replace("\n", "\r\n")), ("code", "%who\r\n" + MODEL.replace("\n", "\r\n"))]
    )
    path = tmp_path / "crlf.ipynb"
    nbformat.write(nb, str(path))
    result = run(cli, "check", str(path))
    assert result.returncode == 1 and result.stdout.startswith(f"{path}:cell 2:4:11: RDL001"), result.stderr
    assert run(cli, "check", "--fix", str(path)).returncode == 0
    assert sources(path)[1] == "%who\r\n" + MODEL.replace("\n", "\r\n").replace(
        "Dropout(", "SpatialDropout1D("
    )
