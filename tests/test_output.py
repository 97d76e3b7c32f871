"""Output people read (issue 13): full and concise text, colour, summaries; through the command."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from rnn_dropout_lint.output import FORMAT_VARIABLE

from .terminal import run_on_terminal, screen

MODEL = """\
from keras import Sequential, layers

model = Sequential([
    layers.LSTM(32, return_sequences=True),
    layers.Dropout(0.2, name="drop_a"),
    layers.LSTM(16),
])


def build(n_layers, units):
    stack = Sequential()
    for i in range(n_layers):
        stack.add(layers.LSTM(units, return_sequences=i < n_layers - 1))
        stack.add(layers.AlphaDropout(0.1))
    return stack
"""


def environment(**extra: str) -> dict[str, str]:
    """The user's environment: no format chosen, no colour preference, unless ``extra`` says so."""
    env = {k: v for k, v in os.environ.items() if k not in (FORMAT_VARIABLE, "NO_COLOR", "FORCE_COLOR")}
    return {**env, **extra}


def run(
    cli: str, *args: str, cwd: Path, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [cli, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        input=stdin,
        env=environment(**env),
    )


def test_full_is_the_default_code_frame_caret_and_help(cli: str, tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(MODEL)
    result = run(cli, "check", "--isolated", "m.py", cwd=tmp_path)
    assert result.returncode == 1
    first, second = result.stdout.split("\n\n")[:2]
    assert first.splitlines() == [
        "RDL001 [*] Dropout(0.2) ('drop_a') between LSTM (line 4) and LSTM (line 6) "
        "draws a new mask at every time step",
        " --> m.py:5:5",
        "  |",
        "4 |     layers.LSTM(32, return_sequences=True),",
        '5 |     layers.Dropout(0.2, name="drop_a"),',
        "  |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "6 |     layers.LSTM(16),",
        "  |",
        "help: use SpatialDropout1D(0.2) or Dropout(0.2, noise_shape=(None, 1, None)) "
        "(one mask per sequence on every Keras version)",
        "help: or dropout=0.2 on LSTM (line 6) "
        "(one mask per sequence in Keras 3, per step on tf.keras 2.x's cuDNN path)",
        "fix: Replace Dropout(0.2) with SpatialDropout1D(0.2)",
    ]
    # A stack built by a loop is said to be one; a finding without a fix says why.
    assert second.splitlines()[0] == (
        "RDL001 AlphaDropout(0.1) between the LSTM layers a loop stacks (line 13) "
        "draws a new mask at every time step"
    )
    assert second.splitlines()[-1].startswith("no fix: add noise_shape=(None, 1, None) to AlphaDropout")
    assert result.stderr.splitlines()[-2:][0] == "[*] 1 fixable with --fix."


def test_concise_is_one_short_line_and_json_keeps_the_whole_message(cli: str, tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(MODEL)
    concise = run(cli, "check", "--isolated", "--output-format", "concise", "m.py", cwd=tmp_path)
    assert concise.stdout.splitlines()[0] == (
        "m.py:5:5: RDL001 Dropout(0.2) ('drop_a') between LSTM (line 4) and LSTM (line 6) "
        "draws a new mask at every time step [*]"
    )
    by_variable = run(cli, "check", "--isolated", "m.py", cwd=tmp_path, **{FORMAT_VARIABLE: "concise"})
    assert by_variable.stdout == concise.stdout
    records = json.loads(
        run(cli, "check", "--isolated", "--output-format", "json", "m.py", cwd=tmp_path).stdout
    )
    assert records[0]["message"].startswith("Dropout(0.2) ('drop_a') draws a new mask at every time step")
    assert "; use SpatialDropout1D(0.2) or Dropout(0.2, noise_shape=(None, 1, None))" in records[0]["message"]
    github = run(cli, "check", "--isolated", "--output-format", "github", "m.py", cwd=tmp_path)
    assert "; use SpatialDropout1D(0.2)" in github.stdout.splitlines()[0]


def test_colour_on_a_terminal_only_no_color_and_force_color(cli: str, tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(MODEL)
    command = [cli, "check", "--isolated", "m.py"]
    _, coloured = run_on_terminal(command, cwd=tmp_path, env={FORMAT_VARIABLE: "full"})
    assert "\x1b[1;31mRDL001\x1b[0m" in coloured
    assert " --> m.py:5:5" in screen(coloured)
    _, plain = run_on_terminal(command, cwd=tmp_path, env={FORMAT_VARIABLE: "full", "NO_COLOR": "1"})
    assert "\x1b[" not in plain
    assert "\x1b[" not in run(cli, *command[1:], cwd=tmp_path).stdout  # a pipe
    assert "\x1b[1;31mRDL001" in run(cli, *command[1:], cwd=tmp_path, FORCE_COLOR="1").stdout


def test_standard_input_runs_print_their_summary_and_frame(cli: str, tmp_path: Path) -> None:
    result = run(cli, "check", "--isolated", "-", "--stdin-filename", "m.py", cwd=tmp_path, stdin=MODEL)
    assert result.returncode == 1
    assert '5 |     layers.Dropout(0.2, name="drop_a"),' in result.stdout  # the frame from stdin's text
    assert result.stderr.splitlines()[-1].startswith("1 file(s) checked in ")
    assert result.stderr.splitlines()[-1].endswith(": 2 finding(s), 0 fixed, 0 error(s).")


def test_grouped_names_each_file_once(cli: str, tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(MODEL)
    (tmp_path / "b.py").write_text(MODEL)
    result = run(cli, "check", "--isolated", "--output-format", "grouped", "a.py", "b.py", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert [line for line in lines if not line.startswith("  ")] == ["a.py:", "", "b.py:"]
    assert lines[1] == (
        "  5:5: RDL001 Dropout(0.2) ('drop_a') between LSTM (line 4) and LSTM (line 6) "
        "draws a new mask at every time step [*]"
    )
