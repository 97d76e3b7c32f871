"""Configuration, suppressions, standard input and CI output formats, through the real command."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
from pathlib import Path

import pytest

from rnn_dropout_lint.rules import RULES

from .conftest import ROOT

MODEL = """\
from keras import layers

a = layers.LSTM(4)(layers.Dropout(0.1)(layers.LSTM(4, return_sequences=True)(x)))
b = layers.LSTM(4)(layers.Dropout(0.2)(layers.Embedding(10, 4)(x)))
"""
CUSTOM = """\
from keras import layers
from mylib.layers import AttentionLSTM, Smooth

y = AttentionLSTM(4)(layers.Dropout(0.3)(layers.LSTM(4, return_sequences=True)(x)))
z = layers.LSTM(4)(Smooth()(layers.Dropout(0.3)(layers.LSTM(4, return_sequences=True)(x))))
"""


def run(cli: str, *args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([cli, *args], capture_output=True, text=True, cwd=cwd, timeout=120, input=stdin)


def codes(result: subprocess.CompletedProcess[str]) -> list[tuple[str, int, str]]:
    return [(r["filename"], r["location"]["row"], r["code"]) for r in json.loads(result.stdout)]


def pyproject(folder: Path, body: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text("[project]\nname = 'x'\n\n[tool.rnn-dropout-lint]\n" + body)
    return path


def test_nearest_pyproject_is_found_walking_up(cli: str, tmp_path: Path) -> None:
    pyproject(tmp_path, 'select = ["RDL002"]\n')
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "model.py").write_text(MODEL)
    result = run(cli, "check", "--output-format", "json", "src/pkg", cwd=tmp_path)
    assert codes(result) == [("src/pkg/model.py", 4, "RDL002")]
    isolated = run(cli, "check", "--isolated", "--output-format", "json", "src/pkg", cwd=tmp_path)
    assert [c for _, _, c in codes(isolated)] == ["RDL001", "RDL002"]
    override = run(cli, "check", "--select", "RDL001", "--output-format", "json", "src/pkg", cwd=tmp_path)
    assert [c for _, _, c in codes(override)] == ["RDL001"]  # the command line wins


def test_every_key(cli: str, tmp_path: Path) -> None:
    pyproject(
        tmp_path,
        'ignore = ["RDL002"]\nextend-select = ["RDL901"]\nexclude = ["legacy/*"]\n'
        'fix-style = "noise-shape"\nreport-uncertain = true\n'
        'extra-recurrent-layers = ["mylib.layers.AttentionLSTM"]\n'
        'extra-transparent-layers = ["mylib.layers.Smooth"]\n'
        '[tool.rnn-dropout-lint.per-file-ignores]\n"tests/*" = ["RDL001"]\n',
    )
    for folder in ("legacy", "tests", "app"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "model.py").write_text(MODEL)
    (tmp_path / "app" / "custom.py").write_text(CUSTOM)
    (tmp_path / "app" / "rnn.py").write_text(
        "from keras import layers\nr = layers.GRU(4, recurrent_dropout=flag)\n"
    )
    result = run(cli, "check", "--output-format", "json", ".", cwd=tmp_path)
    assert codes(result) == [
        ("app/custom.py", 4, "RDL001"),  # AttentionLSTM counts as recurrent
        ("app/custom.py", 5, "RDL001"),  # Smooth keeps the chain
        ("app/model.py", 3, "RDL001"),
        ("app/rnn.py", 2, "RDL901"),  # extend-select, and an uncertain one (report-uncertain)
    ]
    assert "possibly" in json.loads(result.stdout)[-1]["message"]
    planned = json.loads(result.stdout)[2]["fix"]
    assert planned["message"].startswith("Add noise_shape=")  # fix-style from the file


def test_explicit_config_file(cli: str, tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(MODEL)
    other = tmp_path / "conf"
    other.mkdir()
    config = pyproject(other, 'select = ["RDL002"]\n')
    result = run(cli, "check", "--config", str(config), "--output-format", "json", "model.py", cwd=tmp_path)
    assert codes(result) == [("model.py", 4, "RDL002")]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('selct = ["RDL001"]\n', "[tool.rnn-dropout-lint] unknown key 'selct'"),
        ('select = ["RDL777"]\n', "select: unknown rule code or prefix 'RDL777'"),
        ('exclude = ["build/[abc"]\n', "exclude: bad glob 'build/[abc'"),
        ('fix-style = "magic"\n', "fix-style must be one of spatial, noise-shape, merge, not 'magic'"),
        ('[tool.rnn-dropout-lint.per-file-ignores]\n"a.py" = ["XYZ1"]\n', "per-file-ignores: unknown rule"),
        ('report-uncertain = "yes"\n', "report-uncertain must be true or false"),
    ],
)
def test_bad_configuration_names_the_key_and_file(cli: str, tmp_path: Path, body: str, expected: str) -> None:
    config = pyproject(tmp_path, body)
    (tmp_path / "model.py").write_text(MODEL)
    result = run(cli, "check", "model.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"rnn-dropout-lint: error: {config}: ")
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_flake8_reads_extra_layers_from_its_config(flake8: str, tmp_path: Path) -> None:
    (tmp_path / "custom.py").write_text(CUSTOM)
    (tmp_path / "setup.cfg").write_text(
        "[flake8]\nselect = RDL\nrdl-extra-recurrent-layers = mylib.layers.AttentionLSTM\n"
        "rdl-extra-transparent-layers = mylib.layers.Smooth\n"
    )
    result = subprocess.run([flake8, "custom.py"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert [line.split(":")[1] for line in result.stdout.splitlines()] == ["4", "5"]
    plain = subprocess.run(
        [flake8, "--isolated", "--select", "RDL", "custom.py"], capture_output=True, text=True, cwd=tmp_path
    )
    assert plain.stdout == ""


NOQA = """\
from keras import layers

a = layers.LSTM(4)(layers.Dropout(0.1)(layers.LSTM(4, return_sequences=True)(x)))  # noqa
b = layers.LSTM(4)(layers.Dropout(0.1)(layers.LSTM(4, return_sequences=True)(x)))  # noqa: RDL001
c = layers.LSTM(4)(layers.Dropout(0.1)(layers.LSTM(4, return_sequences=True)(x)))  # noqa: RDL002
d = layers.LSTM(4)(layers.Dropout(0.1)(layers.LSTM(4, return_sequences=True)(x)))  # NOQA:RDL0
e = layers.LSTM(4)(
    layers.Dropout(0.1)(layers.LSTM(4, return_sequences=True)(x))
)  # noqa: RDL001
f = layers.LSTM(4)(layers.Dropout(0.1)(layers.LSTM(4, return_sequences=True)(x)))
"""


def test_noqa_like_flake8(cli: str, flake8: str, tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(NOQA)
    ours = run(cli, "check", "--output-format", "json", "model.py", cwd=tmp_path)
    # As in flake8, a comment after a bracketed continuation covers only its own line.
    assert [row for _, row, _ in codes(ours)] == [5, 8, 10]
    theirs = subprocess.run(
        [flake8, "--isolated", "--select", "RDL", "model.py"], capture_output=True, text=True, cwd=tmp_path
    )
    assert [int(line.split(":")[1]) for line in theirs.stdout.splitlines()] == [5, 8, 10]
    (tmp_path / "model.py").write_text("# flake8: noqa\n" + NOQA)
    assert run(cli, "check", "model.py", cwd=tmp_path).returncode == 0


def test_statistics_and_exit_zero(cli: str, tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(MODEL)
    result = run(cli, "check", "--statistics", "--exit-zero", "model.py", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines()[-2:] == [
        f"1     RDL001 {RULES['RDL001'].summary}",
        f"1     RDL002 {RULES['RDL002'].summary}",
    ]


def test_standard_input(cli: str, tmp_path: Path) -> None:
    result = run(cli, "check", "-", "--stdin-filename", "pkg/model.py", cwd=tmp_path, stdin=MODEL)
    assert result.returncode == 1
    assert [line.split(": ")[0] for line in result.stdout.splitlines()] == [
        "pkg/model.py:3:20",
        "pkg/model.py:4:20",
    ]
    fixed = run(cli, "check", "-", "--fix", cwd=tmp_path, stdin=MODEL)
    assert fixed.returncode == 0
    assert fixed.stdout == MODEL.replace("layers.Dropout(", "layers.SpatialDropout1D(")


def test_sarif_is_valid(cli: str, tmp_path: Path) -> None:
    schema_path = ROOT.parent / "shared" / "data" / "sarif-schema-2.1.0.json"
    if not schema_path.exists():
        pytest.skip("the SARIF 2.1.0 schema is not beside the project (../shared/data); CI has it")
    import jsonschema

    (tmp_path / "model.py").write_text(MODEL)
    result = run(cli, "check", "--output-format", "sarif", ".", cwd=tmp_path)
    assert result.returncode == 1
    log = json.loads(result.stdout)
    jsonschema.validate(log, json.loads(schema_path.read_text()))
    run_ = log["runs"][0]
    assert [r["id"] for r in run_["tool"]["driver"]["rules"]] == list(RULES)
    assert all(
        r["helpUri"].startswith("https://") and r["help"]["text"] for r in run_["tool"]["driver"]["rules"]
    )
    results = [(r["ruleId"], r["locations"][0]["physicalLocation"]) for r in run_["results"]]
    assert results[0] == (
        "RDL001",
        {
            "artifactLocation": {"uri": "model.py"},
            "region": {"startLine": 3, "startColumn": 20, "endLine": 3, "endColumn": 39},
        },
    )


def test_github_annotations(cli: str, tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(MODEL)
    result = run(cli, "check", "--output-format", "github", "model.py", cwd=tmp_path)
    first = result.stdout.splitlines()[0]
    assert first.startswith(
        "::warning file=model.py,line=3,col=20,endLine=3,endColumn=39,title=RDL001::RDL001 "
    )
    assert re.fullmatch(r"::warning [^:]*::RDL001 [^\n]*", first)


def test_progress_bar_only_on_a_terminal(cli: str, tmp_path: Path) -> None:
    for index in range(5):
        (tmp_path / f"m{index}.py").write_text(MODEL)
    piped = run(cli, "check", ".", cwd=tmp_path)
    assert "files" not in piped.stderr.replace("file(s)", "")
    assert re.search(
        r"^5 file\(s\) checked in \d+\.\d\d s: 10 finding\(s\), 0 fixed, 0 error\(s\)\.$", piped.stderr, re.M
    )
    parent, child = pty.openpty()
    process = subprocess.Popen(
        [cli, "check", "."], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=child, stdin=subprocess.DEVNULL
    )
    os.close(child)
    seen = b""
    while True:
        try:
            chunk = os.read(parent, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    process.wait(timeout=120)
    os.close(parent)
    assert b"] 5/5 files" in seen
    json_run = subprocess.run(
        [cli, "check", "--output-format", "json", "."], cwd=tmp_path, capture_output=True
    )
    assert b"/5 files" not in json_run.stderr
