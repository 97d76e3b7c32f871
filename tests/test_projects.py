"""Project-wide analysis: fixture projects whose findings need another module of the project.

Every project under ``tests/projects`` states its expected findings on the offending lines
(``# RDL001``). The whole project checked at once, each file checked alone (as pre-commit
and editors do), and the real ``flake8`` must all report exactly those findings.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from rnn_dropout_lint import Settings, lint_file

PROJECTS = Path(__file__).resolve().parent / "projects"
NAMES = sorted(p.name for p in PROJECTS.iterdir() if p.is_dir())
EXPECTED = re.compile(r"#\s*(RDL\d{3})\s*$")
# Files that are broken on purpose: checking them reports an error, importing them is harmless.
BROKEN = {("missing_and_broken", "broken.py")}


def expected(root: Path) -> set[tuple[str, int, str]]:
    found = set()
    for path in sorted(root.rglob("*.py")):
        for row, line in enumerate(path.read_text().splitlines(), start=1):
            match = EXPECTED.search(line)
            if match:
                found.add((path.relative_to(root).as_posix(), row, match[1]))
    return found


@pytest.fixture()
def copy(tmp_path: Path):
    def make(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(PROJECTS / name, target)
        return target

    return make


def run_cli(cli: str, root: Path, *targets: str) -> tuple[int, list[dict]]:
    result = subprocess.run(
        [cli, "check", *targets, "--output-format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.returncode, json.loads(result.stdout)


@pytest.mark.parametrize("name", NAMES)
def test_whole_project_and_each_file_alone_agree(cli: str, copy, name: str) -> None:
    root = copy(name)
    want = expected(root)
    _, findings = run_cli(cli, root, ".")
    whole = {(Path(f["filename"]).as_posix(), f["location"]["row"], f["code"]) for f in findings}
    assert whole == want
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        code, alone = run_cli(cli, root, rel)
        got = {(Path(f["filename"]).as_posix(), f["location"]["row"], f["code"]) for f in alone}
        assert got == {w for w in want if w[0] == rel}, rel
        assert code == (2 if (name, rel) in BROKEN else 1 if got else 0), rel


@pytest.mark.parametrize("name", NAMES)
def test_flake8_reports_the_same(flake8: str, copy, name: str) -> None:
    root = copy(name)
    result = subprocess.run(
        [flake8, "--isolated", "--select", "RDL", "."], cwd=root, capture_output=True, text=True, timeout=300
    )
    got = set()
    for line in result.stdout.splitlines():
        path, row, _, rest = line.split(":", 3)
        got.add((Path(path).as_posix().removeprefix("./"), int(row), rest.split()[0]))
    # flake8 reports a file it cannot parse itself (E999) and runs no plugin on it.
    assert {g for g in got if g[2] != "E999"} == expected(root)


def test_messages_name_the_other_files(copy) -> None:
    root = copy("relative_pkg")
    [stacked] = lint_file(root / "pkg" / "model.py", Settings()).findings
    assert f"LSTM ({root / 'pkg' / 'blocks.py'}, line 10)" in stacked.message
    assert [ref.path for ref in stacked.layers] == [None, str(root / "pkg" / "blocks.py"), None]
    [block] = lint_file(root / "pkg" / "blocks.py", Settings()).findings
    assert f"after Embedding ({root / 'pkg' / 'model.py'}, line 27)" in block.message
    assert block.message.endswith(f"(as {root / 'pkg' / 'model.py'} uses it)")


def test_modules_are_read_never_imported(copy, tmp_path: Path) -> None:
    root = copy("relative_pkg")
    sentinel = tmp_path / "imported"
    (root / "pkg" / "__init__.py").write_text(f"open({str(sentinel)!r}, 'w').close()\nraise SystemExit(3)\n")
    assert {f.code for f in lint_file(root / "pkg" / "model.py", Settings()).findings} == {"RDL001"}
    assert not sentinel.exists()


def test_follow_imports_off_checks_each_file_alone(cli: str, copy) -> None:
    root = copy("relative_pkg")
    _, findings = run_cli(cli, root, ".", "--no-follow-imports")
    assert findings == []  # the recurrent neighbours live in the other module
    settings = Settings(follow_imports=False)
    assert lint_file(root / "pkg" / "model.py", settings).findings == ()


def test_a_changed_importer_changes_the_answer(cli: str, copy) -> None:
    root = copy("relative_pkg")
    model = root / "pkg" / "model.py"
    model.write_text(model.read_text().replace("x = b.embed_dropout(x, 0.3)", "x = b.head_dropout(x)"))
    _, findings = run_cli(cli, root, "pkg/blocks.py")
    assert [(f["location"]["row"], f["code"]) for f in findings] == [(24, "RDL002")]


def test_no_project_marker_reads_only_the_folder_and_its_packages(cli: str, tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text(
        "from keras import layers\n\ndef seq():\n    return layers.LSTM(8, return_sequences=True)\n"
    )
    (tmp_path / "main.py").write_text(
        "from keras import Sequential, layers\nfrom helpers import seq\n\n"
        "model = Sequential([seq(), layers.Dropout(0.1), layers.GRU(4)])\n"
    )
    unrelated = tmp_path / "data" / "deep"
    unrelated.mkdir(parents=True)
    (unrelated / "main_copy.py").write_text("import main\n")  # not a package: not the project's
    env = dict(os.environ, PYTHONPATH="")
    result = subprocess.run(
        [cli, "check", "main.py", "--output-format", "concise"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert "main.py:4:28: RDL001" in result.stdout, result.stdout + result.stderr


def test_json_configuration_is_read_only_inside_the_project(cli: str, tmp_path: Path) -> None:
    layers = '{"layers": ["lstm", "dropout", "lstm"]}'
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "p"\n')
    (tmp_path / "outside.json").write_text(layers)
    (project / "inside.json").write_text(layers)
    (project / "escape.json").symlink_to(tmp_path / "outside.json")
    body = (
        "import json\nfrom keras import Sequential, layers\n\n"
        "def build(kinds):\n    model = Sequential()\n    for kind in kinds:\n"
        '        if kind == "lstm":\n            model.add(layers.LSTM(8, return_sequences=True))\n'
        "        else:\n            model.add(layers.Dropout(0.2))\n    return model\n\n"
        "build(json.load(open({path!r}))['layers'])\n"
    )
    for name, path, found in (
        ("inside.py", "inside.json", True),
        ("outside.py", "../outside.json", False),
        ("absolute.py", str(tmp_path / "outside.json"), False),
        ("escape.py", "escape.json", False),
    ):
        (project / name).write_text(body.format(path=path))
        code, findings = run_cli(cli, project, name)
        want = [(10, "RDL001")] if found else []
        assert [(f["location"]["row"], f["code"]) for f in findings] == want, name
        assert code == (1 if found else 0), name
