"""``check --fix`` and ``--diff`` through the installed command, and the guarantees they make."""

from __future__ import annotations

import ast
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from .conftest import FIXTURES, ROOT

FIXES = ROOT / "tests" / "fixes"
CASES = sorted(FIXES.glob("*.py"))
STYLES = ("spatial", "noise-shape", "merge")
CORPUS = sorted(FIXTURES.glob("*.py")) + CASES


def run(cli: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([cli, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def fix(cli: str, path: Path, style: str = "spatial", *extra: str) -> subprocess.CompletedProcess[str]:
    return run(cli, "check", "--fix", "--fix-style", style, "--unsafe-fixes", *extra, str(path))


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_fix_matches_the_expected_file(cli: str, tmp_path: Path, case: Path, style: str) -> None:
    target = tmp_path / case.name
    shutil.copy(case, target)
    fix(cli, target, style)
    expected = (FIXES / "expected" / f"{case.stem}.{style}.py").read_text()
    assert target.read_text() == expected


@pytest.mark.parametrize("style", STYLES)
def test_fixed_files_parse_stay_fixed_and_change_only_flagged_code(
    cli: str, tmp_path: Path, style: str
) -> None:
    for source in CORPUS:
        target = tmp_path / source.name
        shutil.copy(source, target)
        original = target.read_text()
        planned = json.loads(
            run(cli, "check", "--output-format", "json", "--fix-style", style, str(target)).stdout
        )
        first = fix(cli, target, style)
        fixed = target.read_text()
        if fixed != original:
            ast.parse(fixed)  # the fixed file is valid Python
        # Re-checking reports none of what was fixed, and a second --fix is a no-op.
        second = fix(cli, target, style)
        assert target.read_text() == fixed, source.name
        assert " 0 fixed, " in second.stderr, source.name
        left = json.loads(run(cli, "check", "--output-format", "json", "--unsafe-fixes", str(target)).stdout)
        assert all(r["fix"] is None or r["fix"]["applicability"] == "display-only" for r in left), source.name
        if " 0 fixed, " in first.stderr:
            assert fixed == original
        # Only the flagged calls, the layers they merge into, and import lines change.
        imports = _import_lines(original)
        allowed = set(imports)
        for record in planned:
            flagged = set(range(record["location"]["row"], record["end_location"]["row"] + 1))
            for edit in (record["fix"] or {}).get("edits", []):
                rows = set(range(edit["location"]["row"], edit["end_location"]["row"] + 1))
                if style != "merge":  # merge also edits the recurrent layer and deletes lines
                    assert rows <= flagged | imports, (source.name, record["code"], edit)
                allowed |= rows
        assert _untouched_lines_survive(original, fixed, allowed) == [], source.name


def _import_lines(text: str) -> set[int]:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return set()
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def _untouched_lines_survive(before: str, after: str, allowed: set[int]) -> list[int]:
    """Original lines outside the edits must all appear in the result, in order; the misses."""
    remaining = iter(after.splitlines())
    missing = []
    for number, line in enumerate(before.splitlines(), start=1):
        if number in allowed:
            continue
        if not any(candidate == line for candidate in remaining):
            missing.append(number)
            remaining = iter(after.splitlines())  # report every miss, not just the first
    return missing


BUGGY = (
    "from keras import layers\n\n"
    "layers.LSTM(4)(layers.Dropout(0.1)(layers.LSTM(4, return_sequences=True)(x)))\n"
)


def test_clean_file_is_not_rewritten(cli: str, tmp_path: Path) -> None:
    target = tmp_path / "clean.py"
    target.write_text("from keras import layers\nlayers.LSTM(4)(layers.SpatialDropout1D(0.1)(x))\n")
    os.utime(target, (1_000_000, 1_000_000))
    result = fix(cli, target)
    assert result.returncode == 0
    assert target.stat().st_mtime == 1_000_000


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("crlf.py", BUGGY.replace("\n", "\r\n").encode()),
        ("bom.py", b"\xef\xbb\xbf" + BUGGY.encode()),
        ("no_newline.py", BUGGY.rstrip("\n").encode()),
        (
            "latin.py",
            b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + BUGGY.encode(),
        ),
    ],
)
def test_fix_keeps_bytes_it_does_not_need_to_change(cli: str, tmp_path: Path, name: str, data: bytes) -> None:
    target = tmp_path / name
    target.write_bytes(data)
    target.chmod(0o640)
    result = fix(cli, target)
    assert result.returncode == 0, result.stderr
    after = target.read_bytes()
    assert after == data.replace(b"layers.Dropout(", b"layers.SpatialDropout1D(")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temporary file left


def test_unparseable_file_is_reported_and_untouched_others_fixed(cli: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("from keras import layers\nlayers.Dropout(0.2\n")
    good = tmp_path / "good.py"
    good.write_text(BUGGY)
    before = broken.read_bytes()
    result = run(cli, "check", "--fix", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith(f"{broken}: error: syntax error")
    assert broken.read_bytes() == before
    assert "SpatialDropout1D" in good.read_text()


def test_diff_writes_nothing(cli: str, tmp_path: Path) -> None:
    target = tmp_path / "model.py"
    target.write_text(BUGGY)
    result = run(cli, "check", "--diff", str(target))
    assert result.returncode == 1
    assert result.stdout.startswith(f"--- {target}\n+++ {target}\n")
    assert "-layers.LSTM(4)(layers.Dropout(0.1)" in result.stdout
    assert "+layers.LSTM(4)(layers.SpatialDropout1D(0.1)" in result.stdout
    assert target.read_text() == BUGGY
    target.write_text(BUGGY.replace("Dropout(", "SpatialDropout1D("))
    assert run(cli, "check", "--diff", str(target)).returncode == 0


def test_fix_reports_fixed_and_left_and_exit_code(cli: str, tmp_path: Path) -> None:
    target = tmp_path / "model.py"
    target.write_text(
        BUGGY + "layers.GRU(2)(layers.AlphaDropout(0.1)(layers.GRU(2, return_sequences=True)(x)))\n"
    )
    result = run(cli, "check", "--fix", "--show-fixes", str(target))
    assert result.returncode == 1  # the AlphaDropout is only a suggestion
    lines = result.stdout.splitlines()
    assert lines[0] == f"{target}:3:16: RDL001 fixed: Replace Dropout(0.1) with SpatialDropout1D(0.1)"
    assert lines[1].startswith(f"{target}:4:15: RDL001 AlphaDropout(0.1) draws a new mask")
    assert "(no fix: add noise_shape=(None, 1, None) to AlphaDropout; not applied" in lines[1]
    assert result.stderr.endswith(": 1 finding(s), 1 fixed, 0 error(s).\n")
    quiet = run(cli, "check", "--fix", str(target))  # without --show-fixes, only what is left
    assert [line.split(": ")[1].split()[0] for line in quiet.stdout.splitlines()] == ["RDL001"]
    target.write_text(BUGGY)
    assert run(cli, "check", "--fix", str(target)).returncode == 0


SEQUENTIAL = """\
from keras import Sequential, layers

model = Sequential()
model.add(layers.LSTM(4, return_sequences=True))
model.add(layers.Dropout(0.1))
model.add(layers.LSTM(4))
"""


def test_merge_is_unsafe(cli: str, tmp_path: Path) -> None:
    target = tmp_path / "model.py"
    target.write_text(SEQUENTIAL)
    result = run(cli, "check", "--fix", "--fix-style", "merge", str(target))
    assert result.returncode == 1 and target.read_text() == SEQUENTIAL
    assert "--unsafe-fixes" in result.stderr
    record = json.loads(
        run(cli, "check", "--output-format", "json", "--fix-style", "merge", str(target)).stdout
    )[0]
    assert record["fix"]["applicability"] == "unsafe"
    assert run(cli, "check", "--fix", "--fix-style", "merge", "--unsafe-fixes", str(target)).returncode == 0
    assert target.read_text() == SEQUENTIAL.replace("model.add(layers.Dropout(0.1))\n", "").replace(
        "layers.LSTM(4))", "layers.LSTM(4, dropout=0.1))"
    )


def test_merge_falls_back_to_spatial_where_unsafe(cli: str, tmp_path: Path) -> None:
    target = tmp_path / "model.py"
    target.write_text(BUGGY)  # a nested call: nothing to delete on its own
    result = run(cli, "check", "--fix", "--show-fixes", "--fix-style", "merge", "--unsafe-fixes", str(target))
    assert result.returncode == 0
    assert "cannot merge: the dropout layer is not placed by a statement of its own" in result.stdout
    assert "layers.SpatialDropout1D(0.1)" in target.read_text()


def test_files_read_through_a_rewrite_are_reported_never_fixed(cli: str, tmp_path: Path) -> None:
    """A script saved from a notebook (magics) or written for Python 2 is analysed through a
    rewritten copy: findings at their real lines, the file itself never written."""
    for name in ("saved_from_notebook.py", "python2_script.py"):
        target = tmp_path / name
        shutil.copy(FIXTURES / name, target)
        before = target.read_bytes()
        result = run(cli, "check", "--output-format", "json", "--fix", str(target))
        found = json.loads(result.stdout)
        assert found and all("never fixed" in (f["no_fix"] or "") for f in found), name
        assert target.read_bytes() == before, name


def test_a_call_that_builds_several_kinds_of_layer_is_never_edited(cli: str, tmp_path: Path) -> None:
    """``getattr(layers, spec["type"])(**kwargs)`` builds the Dropout and the LSTMs around it:
    adding a noise shape there would break every other layer."""
    target = tmp_path / "options.py"
    shutil.copy(FIXTURES / "options_and_truth.py", target)
    before = target.read_text()
    found = json.loads(run(cli, "check", "--output-format", "json", str(target)).stdout)
    row = next(i for i, line in enumerate(before.splitlines(), 1) if "getattr(layers" in line)
    (shared,) = [f for f in found if f["location"]["row"] == row]
    assert shared["no_fix"] == "the same call builds other layers too"
    run(cli, "check", "--fix", str(target))
    assert target.read_text().splitlines()[row - 1] == before.splitlines()[row - 1]


def test_fixing_every_use_of_dropout_leaves_no_unused_import(cli: str, tmp_path: Path) -> None:
    """Three fixes applied over two passes each see uses left; the import still goes, so the
    fix gives the user's flake8 no new F401."""
    target = tmp_path / "three.py"
    calls = "".join(
        "model.add(LSTM(8, return_sequences=True))\nmodel.add(Dropout(0.2))\n" for _ in range(3)
    )
    target.write_text(
        "from keras.layers import LSTM, Dense, Dropout\nfrom keras.models import Sequential\n\n"
        f"model = Sequential()\n{calls}model.add(LSTM(8))\nmodel.add(Dense(1))\n"
    )
    run(cli, "check", "--fix", str(target))
    fixed = target.read_text()
    assert fixed.count("SpatialDropout1D(0.2)") == 3 and "Dropout," not in fixed
    flake8 = Path(cli).with_name("flake8")
    result = subprocess.run([str(flake8), "--select", "F", str(target)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("config_name", "config", "checker"),
    [
        ("pyproject.toml", "[tool.ruff]\nline-length = 50\n", ["ruff", "check", "--select", "E501,I"]),
        ("setup.cfg", "[flake8]\nmax-line-length = 50\n", ["flake8", "--select", "E501"]),
    ],
)
def test_added_import_wraps_to_the_projects_line_length(
    cli: str, tmp_path: Path, config_name: str, config: str, checker: list[str]
) -> None:
    """The import a fix extends stays within the length the project's ruff or flake8 enforces."""
    (tmp_path / config_name).write_text(config)
    target = tmp_path / "m.py"
    target.write_text(
        "from keras.layers import LSTM, Dense, Dropout\nfrom keras.models import Sequential\n\n"
        "model = Sequential()\nmodel.add(LSTM(8, return_sequences=True))\nmodel.add(Dropout(0.2))\n"
        "model.add(LSTM(8))\nmodel.add(Dropout(0.2))\nmodel.add(Dense(1))\n"
    )
    run(cli, "check", "--fix", str(target))
    fixed = target.read_text()
    assert "model.add(SpatialDropout1D(0.2))" in fixed and fixed.startswith("from keras.layers import (\n")
    tool = Path(cli).with_name(checker[0])
    result = subprocess.run([str(tool), *checker[1:], "m.py"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
