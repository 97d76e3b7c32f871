"""The flake8 plugin, through the real ``flake8`` command."""

from __future__ import annotations

import subprocess
from pathlib import Path

SOURCE = """\
import tensorflow as tf

model = tf.keras.Sequential([
    tf.keras.layers.GRU(32, return_sequences=True, recurrent_dropout=0.25),
    tf.keras.layers.Dropout(0.2),
    tf.keras.layers.GRU(16),
])
suppressed = tf.keras.Sequential([
    tf.keras.layers.GRU(32, return_sequences=True),
    tf.keras.layers.Dropout(0.2),  # noqa: RDL001
    tf.keras.layers.GRU(16),
])


def build(flag):
    return tf.keras.Sequential([
        tf.keras.layers.GRU(32, return_sequences=flag),
        tf.keras.layers.Dropout(0.2),
        tf.keras.layers.GRU(16),
    ])
"""


def flake8_run(flake8: str, path: Path, *args: str) -> tuple[int, list[str]]:
    result = subprocess.run(
        [flake8, "--isolated", *args, str(path)], capture_output=True, text=True, timeout=120
    )
    assert result.stderr == "", result.stderr
    return result.returncode, result.stdout.splitlines()


def codes(lines: list[str]) -> list[tuple[int, int, str]]:
    out = []
    for line in lines:
        _, row, col, rest = line.split(":", 3)
        out.append((int(row), int(col), rest.split()[0]))
    return out


def test_select_rdl_reports_rdl001_with_flake8_positions(flake8: str, tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    status, lines = flake8_run(flake8, path, "--select", "RDL")
    assert status == 1
    assert codes(lines) == [(5, 5, "RDL001")]
    assert "GRU (line 4) and GRU (line 6)" in lines[0]


def test_plugin_codes_are_on_by_default(flake8: str, tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    _, lines = flake8_run(flake8, path)
    assert (5, 5, "RDL001") in codes(lines)
    assert all(code != "RDL901" for _, _, code in codes(lines))


def test_opinionated_codes_need_explicit_selection(flake8: str, tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    _, lines = flake8_run(flake8, path, "--select", "RDL", "--extend-select", "RDL901")
    assert codes(lines) == [(4, 5, "RDL901"), (5, 5, "RDL001")]
    _, lines = flake8_run(flake8, path, "--select", "RDL9")
    assert codes(lines) == [(4, 5, "RDL901")]


def test_report_uncertain_option(flake8: str, tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    _, lines = flake8_run(flake8, path, "--select", "RDL", "--rdl-report-uncertain")
    assert codes(lines) == [(5, 5, "RDL001"), (18, 9, "RDL001")]
    assert "possibly" in lines[1] and "possibly" not in lines[0]


def test_option_from_config_file(flake8: str, tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    (tmp_path / "setup.cfg").write_text("[flake8]\nselect = RDL\nrdl-report-uncertain = true\n")
    result = subprocess.run([flake8, "model.py"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert codes(result.stdout.splitlines()) == [(5, 5, "RDL001"), (18, 9, "RDL001")]


def test_syntax_errors_are_left_to_flake8(flake8: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text("from keras import layers\nlayers.Dropout(0.2\n")
    result = subprocess.run(
        [flake8, "--isolated", "--select", "E9,RDL", str(path)], capture_output=True, text=True, timeout=120
    )
    assert "E999" in result.stdout and "RDL" not in result.stdout
