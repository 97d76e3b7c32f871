"""The installed ``rnn-dropout-lint`` command, run as a user runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rnn_dropout_lint.rules import RULES

from .conftest import ROOT

BUGGY = """\
from keras import Sequential, layers

model = Sequential([
    layers.LSTM(32, return_sequences=True, recurrent_dropout=0.1),
    layers.Dropout(0.2),
    layers.LSTM(16),
])
"""
CLEAN = """\
from keras import Sequential, layers

model = Sequential([layers.LSTM(32, return_sequences=True), layers.SpatialDropout1D(0.2), layers.LSTM(16)])
"""


def run(cli: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([cli, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    (tmp_path / "buggy.py").write_text(BUGGY)
    (tmp_path / "clean.py").write_text(CLEAN)
    return tmp_path


def test_version(cli: str) -> None:
    result = run(cli, "--version")
    assert result.returncode == 0
    assert result.stdout.startswith("rnn-dropout-lint ")


def test_text_output_and_exit_codes(cli: str, tree: Path) -> None:
    result = run(cli, "check", str(tree / "buggy.py"))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{tree / 'buggy.py'}:5:5: RDL001 Dropout(0.2) draws a new mask")
    assert "LSTM (line 4)" in lines[0] and "LSTM (line 6)" in lines[0]
    clean = run(cli, "check", str(tree / "clean.py"))
    assert (clean.returncode, clean.stdout) == (0, "")
    assert re.fullmatch(
        r"1 file\(s\) checked in \d+\.\d\d s: 0 finding\(s\), 0 fixed, 0 error\(s\)\.\n", clean.stderr
    )


def test_folder_is_walked_in_order(cli: str, tree: Path) -> None:
    (tree / "sub").mkdir()
    (tree / "sub" / "more.py").write_text(BUGGY)
    (tree / "notes.txt").write_text(BUGGY)
    result = run(cli, "check", ".", cwd=tree)
    assert result.returncode == 1
    files = [line.split(":")[0] for line in result.stdout.splitlines()]
    assert files == ["buggy.py", "sub/more.py"]


def test_skips_tool_folders_and_honours_exclude(cli: str, tree: Path) -> None:
    for folder in (".git", "build", "node_modules", "myenv"):
        (tree / folder).mkdir()
        (tree / folder / "x.py").write_text(BUGGY)
    (tree / "myenv" / "pyvenv.cfg").write_text("home = /usr\n")
    (tree / "generated").mkdir()
    (tree / "generated" / "y.py").write_text(BUGGY)
    result = run(cli, "check", str(tree), "--exclude", "generated", "--exclude", "buggy.py")
    assert (result.returncode, result.stdout) == (0, "")


def test_json_output_is_ruff_shaped(cli: str, tree: Path) -> None:
    result = run(cli, "check", "--output-format", "json", str(tree))
    assert result.returncode == 1
    records = json.loads(result.stdout)
    assert len(records) == 1
    record = records[0]
    assert set(record) == {
        "cell",
        "code",
        "end_location",
        "filename",
        "fix",
        "location",
        "message",
        "noqa_row",
        "url",
    }
    assert record["code"] == "RDL001"
    assert record["filename"] == str(tree / "buggy.py")
    assert record["location"] == {"row": 5, "column": 5}
    assert record["end_location"] == {"row": 5, "column": 24}
    assert record["cell"] is None
    assert record["fix"] == {
        "applicability": "safe",
        "message": "Replace Dropout(0.2) with SpatialDropout1D(0.2)",
        "edits": [
            {
                "content": "layers.SpatialDropout1D",
                "location": {"row": 5, "column": 5},
                "end_location": {"row": 5, "column": 19},
            }
        ],
    }
    empty = run(cli, "check", "--output-format", "json", str(tree / "clean.py"))
    assert (empty.returncode, json.loads(empty.stdout)) == (0, [])


def test_selection(cli: str, tree: Path) -> None:
    target = str(tree / "buggy.py")

    def codes(*args: str) -> list[str]:
        out = run(cli, "check", "--output-format", "json", *args, target)
        return [r["code"] for r in json.loads(out.stdout)]

    assert codes() == ["RDL001"]
    assert codes("--select", "RDL") == ["RDL001"]  # RDL9xx stays off
    assert codes("--extend-select", "RDL901") == ["RDL901", "RDL001"]
    assert codes("--select", "RDL9") == ["RDL901"]
    assert codes("--ignore", "RDL001") == []
    assert codes("--select", "RDL002,RDL003") == []
    bad = run(cli, "check", "--select", "RDL777", target)
    assert bad.returncode == 2
    assert "RDL777" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_bad_files_are_reported_and_others_still_checked(cli: str, tree: Path) -> None:
    (tree / "broken.py").write_text("from keras import layers\nmodel = layers.Dropout(0.2\n")
    (tree / "latin.py").write_bytes(b"from keras import layers\nname = '\xe9t\xe9'\nlayers.Dropout(0.1)\n")
    (tree / "dangling.py").symlink_to(tree / "missing-target.py")
    result = run(cli, "check", str(tree), str(tree / "nope.py"))
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 4
    by_file = {line.split(": error: ")[0]: line.split(": error: ")[1] for line in errors}
    assert set(by_file) == {str(tree / n) for n in ("broken.py", "latin.py", "dangling.py", "nope.py")}
    assert "syntax error at line" in by_file[str(tree / "broken.py")]
    assert "decode" in by_file[str(tree / "latin.py")]
    assert "no such file" in by_file[str(tree / "nope.py")].lower()
    assert "RDL001" in result.stdout  # buggy.py was still checked


def test_rule_command(cli: str) -> None:
    for code, rule in RULES.items():
        result = run(cli, "rule", code.lower())
        assert result.returncode == 0
        for section in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety"):
            assert f"## {section}" in result.stdout
        assert result.stdout.startswith(f"# {code} ({rule.name})")
    listing = run(cli, "rule")
    assert all(code in listing.stdout for code in RULES)
    missing = run(cli, "rule", "RDL999")
    assert missing.returncode == 2 and "RDL999" in missing.stderr


def test_check_never_runs_or_imports_the_code(cli: str, tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    (tmp_path / "evil.py").write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n" + BUGGY
    )
    result = run(cli, "check", str(tmp_path))
    assert result.returncode == 1
    assert not marker.exists()


@pytest.mark.parametrize("argv", [["--version"], ["check", "{tree}"], ["check", "{tree}/buggy.py"]])
def test_static_check_imports_no_ml_framework(tree: Path, argv: list[str]) -> None:
    probe = (
        "import sys\n"
        "from rnn_dropout_lint.cli import main\n"
        "try:\n"
        f"    main({[a.format(tree=tree) for a in argv]!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "names = ('tensorflow', 'keras', 'numpy', 'tf_keras', 'torch', 'nbformat')\n"
        "heavy = sorted(m for m in names if m in sys.modules)\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert "HEAVY=\n" in result.stdout, result.stdout + result.stderr


def test_module_entry_point(tree: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rnn_dropout_lint", "check", str(tree)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )
    assert result.returncode == 1 and "RDL001" in result.stdout


def test_output_is_deterministic_across_hash_seeds(cli: str) -> None:
    fixtures = str(ROOT / "tests" / "fixtures")
    outputs = set()
    for seed in ("0", "1", "12345"):
        result = subprocess.run(
            [cli, "check", "--report-uncertain", "--extend-select", "RDL901", fixtures],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert result.returncode == 1
        outputs.add(result.stdout)
    assert len(outputs) == 1
