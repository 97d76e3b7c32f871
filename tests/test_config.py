"""Configuration found per file, as ruff finds it, through the installed command."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

MODEL = """\
from keras import layers

a = layers.LSTM(4)(layers.Dropout(0.1)(layers.LSTM(4, return_sequences=True)(x)))
b = layers.LSTM(4)(layers.Dropout(0.2)(layers.Embedding(10, 4)(x)))
"""


def run(cli: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([cli, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def found(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str]]:
    return sorted((r["filename"], r["code"]) for r in json.loads(result.stdout))


def pyproject(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pyproject.toml"
    path.write_text("[tool.rnn-dropout-lint]\n" + body)
    return path


def test_each_file_gets_its_nearest_configuration_whatever_the_argument_order(
    cli: str, tmp_path: Path
) -> None:
    app, other = tmp_path / "app", tmp_path / "other"
    pyproject(app, 'select = ["RDL001"]\n')
    pyproject(other, 'select = ["RDL002"]\n')
    (app / "a.py").write_text(MODEL)
    (other / "b.py").write_text(MODEL)
    expected = [("../other/b.py", "RDL002"), ("a.py", "RDL001")]
    forward = run(cli, "check", "--output-format", "json", "a.py", "../other/b.py", cwd=app)
    backward = run(cli, "check", "--output-format", "json", "../other/b.py", "a.py", cwd=app)
    assert found(forward) == found(backward) == expected


def test_nested_configuration_wins_below_its_folder(cli: str, tmp_path: Path) -> None:
    pyproject(tmp_path, 'select = ["RDL001"]\nexclude = ["skipped.py"]\n')
    pyproject(tmp_path / "sub", 'select = ["RDL002"]\nexclude = ["old/*"]\n')
    for folder in (tmp_path, tmp_path / "sub", tmp_path / "sub" / "old"):
        folder.mkdir(exist_ok=True)
        (folder / "m.py").write_text(MODEL)
    (tmp_path / "skipped.py").write_text(MODEL)
    result = run(cli, "check", "--output-format", "json", ".", cwd=tmp_path)
    assert found(result) == [("m.py", "RDL001"), ("sub/m.py", "RDL002")]


def test_extend_inherits_and_overrides(cli: str, tmp_path: Path) -> None:
    pyproject(
        tmp_path / "base",
        'select = ["RDL002"]\nextend-select = ["RDL901"]\n'
        '[tool.rnn-dropout-lint.per-file-ignores]\n"gen_*.py" = ["RDL002"]\n',
    )
    pyproject(tmp_path / "project", 'extend = "../base/pyproject.toml"\nignore = ["RDL901"]\n')
    (tmp_path / "project" / "m.py").write_text(MODEL + "c = layers.GRU(4, recurrent_dropout=0.1)\n")
    result = run(cli, "check", "--output-format", "json", ".", cwd=tmp_path / "project")
    assert found(result) == [("m.py", "RDL002")]  # select from the base, ignore from the project
    pyproject(tmp_path / "project", 'extend = "../base/pyproject.toml"\n')
    result = run(cli, "check", "--output-format", "json", ".", cwd=tmp_path / "project")
    assert found(result) == [("m.py", "RDL002"), ("m.py", "RDL901")]
    # The base's per-file-ignores keep meaning files below the base's folder.
    (tmp_path / "project" / "gen_m.py").write_text(MODEL)
    result = run(cli, "check", "--output-format", "json", "gen_m.py", cwd=tmp_path / "project")
    assert found(result) == [("gen_m.py", "RDL002")]


def test_extend_cycle_and_missing_file_are_errors(cli: str, tmp_path: Path) -> None:
    one = pyproject(tmp_path / "one", 'extend = "../two/pyproject.toml"\n')
    pyproject(tmp_path / "two", 'extend = "../one/pyproject.toml"\n')
    (tmp_path / "one" / "m.py").write_text(MODEL)
    cycle = run(cli, "check", "m.py", cwd=tmp_path / "one")
    assert cycle.returncode == 2 and "extends itself in a cycle" in cycle.stderr
    one.write_text('[tool.rnn-dropout-lint]\nextend = "nowhere.toml"\n')
    missing = run(cli, "check", "m.py", cwd=tmp_path / "one")
    assert missing.returncode == 2
    assert missing.stderr.strip() == (f"rnn-dropout-lint: error: {one}: extend: no such file 'nowhere.toml'")


def test_a_string_where_a_list_is_expected_is_an_error(cli: str, tmp_path: Path) -> None:
    config = pyproject(tmp_path, 'select = "RDL001"\n')
    (tmp_path / "m.py").write_text(MODEL)
    result = run(cli, "check", "m.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"rnn-dropout-lint: error: {config}: select must be a list of non-empty strings"
    )


def test_codes_of_other_linters_are_dropped_with_a_note(cli: str, tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(MODEL)
    result = run(
        cli, "check", "--isolated", "--ignore", "E501,RDL002", "--select", "RDL,W", "m.py", cwd=tmp_path
    )
    assert result.returncode == 1
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["RDL001"]
    assert result.stderr.splitlines()[0] == "rnn-dropout-lint: note: ignoring codes of other tools: W, E501"
    only_others = run(cli, "check", "--isolated", "--select", "E501", "m.py", cwd=tmp_path)
    assert (only_others.returncode, only_others.stdout) == (0, "")  # as flake8 --select E501 would
    unknown = run(cli, "check", "--isolated", "--select", "RDL777", "m.py", cwd=tmp_path)
    assert unknown.returncode == 2 and "RDL777" in unknown.stderr


def test_folders_are_walked_the_way_git_ignores_files(cli: str, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for folder in ("data", "src/gen"):
        (repo / folder).mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / ".gitignore").write_text("data/\n*_gen.py\n")
    (repo / ".git" / "info" / "exclude").write_text("secret.py\n")
    (repo / ".ignore").write_text("scratch.py\n")
    (repo / "src" / "gen" / ".gitignore").write_text("*\n!keep.py\n")
    for name in ("data/a.py", "src/m.py", "src/x_gen.py", "secret.py", "scratch.py", "src/gen/b.py"):
        (repo / name).write_text(MODEL)
    (repo / "src" / "gen" / "keep.py").write_text(MODEL)
    shown = run(cli, "check", "--show-files", ".", cwd=repo)
    assert (shown.returncode, shown.stdout) == (0, "src/m.py\nsrc/gen/keep.py\n")
    assert run(cli, "check", "--show-files", "src", cwd=repo).stdout == "src/m.py\nsrc/gen/keep.py\n"
    everything = run(cli, "check", "--show-files", "--no-respect-gitignore", ".", cwd=repo).stdout
    assert len(everything.splitlines()) == 7
    named = run(cli, "check", "--isolated", "--output-format", "json", "data/a.py", cwd=repo)
    assert found(named) == [("data/a.py", "RDL001"), ("data/a.py", "RDL002")]  # named files are checked


def test_show_settings_prints_what_the_file_and_command_line_resolve_to(cli: str, tmp_path: Path) -> None:
    config = pyproject(tmp_path, 'extend-select = ["RDL901"]\nfix-style = "noise-shape"\n')
    (tmp_path / "m.py").write_text(MODEL)
    result = run(cli, "check", "--show-settings", "--ignore", "RDL002", "m.py", cwd=tmp_path)
    shown = json.loads(result.stdout)
    assert shown["rules"] == ["RDL001", "RDL003", "RDL004", "RDL901"]
    assert shown["fix-style"] == "noise-shape"
    assert shown["file"]["config"] == str(config)


def test_flake8_rejects_unqualified_layer_names_as_the_command_line_does(
    cli: str, flake8: str, tmp_path: Path
) -> None:
    (tmp_path / "m.py").write_text(MODEL)
    (tmp_path / "setup.cfg").write_text(
        "[flake8]\nselect = RDL\nrdl-extra-recurrent-layers = AttentionLSTM\n"
    )
    plugin = subprocess.run([flake8, "m.py"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    message = "rdl-extra-recurrent-layers: 'AttentionLSTM' is not a qualified name like mylib.layers.MyLSTM"
    assert plugin.returncode != 0 and plugin.stderr.strip() == f"flake8: error: {message}"
    pyproject(tmp_path, 'extra-recurrent-layers = ["AttentionLSTM"]\n')
    command = run(cli, "check", "m.py", cwd=tmp_path)
    assert (
        command.returncode == 2
        and "extra-recurrent-layers: 'AttentionLSTM' is not a qualified" in command.stderr
    )
