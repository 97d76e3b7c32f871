"""Never crash, never lose code, never run what it reads: every input, faults, concurrency."""

from __future__ import annotations

import ast
import os
import random
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from rnn_dropout_lint.engine import Settings, lint_file

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import generate

KERAS = "from keras import layers\n"
BUGGY = KERAS + "y = layers.LSTM(4)(layers.Dropout(0.1)(layers.LSTM(4, return_sequences=True)(x)))\n"


def run(
    cli: str, *args: str, cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([cli, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout)


def errors_of(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    return dict(line.split(": error: ", 1) for line in result.stderr.splitlines() if ": error: " in line)


CASES = {
    "not_python.py": (KERAS + "layers.Dropout(0.2\n").encode(),
    "latin1.py": KERAS.encode() + b"name = '\xe9t\xe9'  # layers.Dropout\n",
    "binary.py": b"\x00\x01\x02keras Dropout LSTM\x00",
    # Deep enough to crash libcst's native parser if it were ever handed to it.
    "deep.py": (KERAS + "y = " + "(" * 3000 + "layers.Dropout(0.1)" + ")" * 3000 + "\n").encode(),
    "not_json.ipynb": b"{ this is not json",
    "old_format.ipynb": b'{"nbformat": 2, "nbformat_minor": 0, "worksheets": []}',
}
EXPECTED = {
    "not_python.py": "syntax error at line 2",
    "latin1.py": "not valid UTF-8",
    "binary.py": "a binary file",
    "deep.py": "nested too deeply",
    "not_json.ipynb": "not valid JSON",
    "old_format.ipynb": "not an nbformat 4 or 3 notebook",
}


def test_every_bad_input_gets_one_line_and_the_run_goes_on(cli: str, tmp_path: Path) -> None:
    for name, data in CASES.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "empty.py").write_bytes(b"")
    (tmp_path / "big.py").write_text(BUGGY + "DATA = '''" + "x" * 10_000_000 + "'''\n")
    (tmp_path / "loop_a.py").symlink_to(tmp_path / "loop_b.py")
    (tmp_path / "loop_b.py").symlink_to(tmp_path / "loop_a.py")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "back").symlink_to(tmp_path, target_is_directory=True)  # a folder loop
    (tmp_path / "sub" / "good.py").write_text(BUGGY)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and not p.is_symlink()}
    for args in (("check",), ("check", "--fix")):
        result = run(cli, *args, str(tmp_path))
        assert result.returncode == 2, result.stderr
        errors = {Path(k).name: v for k, v in errors_of(result).items()}
        for name, reason in EXPECTED.items():
            assert reason in errors[name], (name, errors[name])
        assert "Too many levels of symbolic links" in errors["loop_a.py"]
        assert "empty.py" not in errors and "big.py" not in errors  # valid Python, checked normally
        assert "Traceback" not in result.stderr
        assert f"{tmp_path / 'big.py'}:2:" in result.stdout or args == ("check", "--fix")
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and not p.is_symlink()}
    assert {k: v for k, v in after.items() if k != "big.py"} == {
        k: v for k, v in before.items() if k != "big.py"
    }
    assert b"SpatialDropout1D" in after["big.py"]  # the good files were still fixed
    assert b"SpatialDropout1D" in (tmp_path / "sub" / "good.py").read_bytes()


def test_flake8_survives_every_bad_input(flake8: str, tmp_path: Path) -> None:
    for name, data in CASES.items():
        if name.endswith(".py"):
            (tmp_path / name).write_bytes(data)
    result = subprocess.run(
        [flake8, "--isolated", "--select", "E9,RDL", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in result.stderr and "PluginExecutionFailed" not in result.stderr, result.stderr
    assert "E999" in result.stdout or "E902" in result.stdout


def test_a_file_that_vanishes_mid_run(tmp_path: Path) -> None:
    path = tmp_path / "gone.py"
    path.write_text(BUGGY)
    from rnn_dropout_lint.files import discover

    found = list(discover([tmp_path], ()))
    path.unlink()
    assert [lint_file(str(p), Settings()).error for p in found] == ["No such file or directory"]


HARMFUL = [
    "import pathlib\npathlib.Path({marker!r}).write_text('ran')\n",
    "import os\nos.system('touch ' + {marker!r})\n",
    "import socket\nsocket.create_connection(('127.0.0.1', 9))\nopen({marker!r}, 'w').write('ran')\n",
    "import subprocess\nsubprocess.run(['touch', {marker!r}])\n",
]


@pytest.mark.parametrize("body", HARMFUL)
def test_check_and_fix_never_run_the_code(cli: str, tmp_path: Path, body: str) -> None:
    marker = tmp_path / "marker"
    (tmp_path / "evil.py").write_text(body.format(marker=str(marker)) + BUGGY)
    assert run(cli, "check", str(tmp_path)).returncode == 1
    assert run(cli, "check", "--fix", str(tmp_path)).returncode == 0
    assert not marker.exists()


def _tree(folder: Path, count: int, seed: int) -> list[Path]:
    return generate.write_corpus(folder, count, seed)


def test_sigkill_during_fix_loses_nothing(cli: str, tmp_path: Path) -> None:
    original, expected, work = tmp_path / "original", tmp_path / "expected", tmp_path / "work"
    _tree(original, 120, seed=11)
    shutil.copytree(original, expected)
    assert run(cli, "check", "--fix", "--isolated", str(expected)).returncode in (0, 1)
    rng = random.Random(5)
    for attempt in range(4):
        if work.exists():
            shutil.rmtree(work)
        shutil.copytree(original, work)
        process = subprocess.Popen(
            [cli, "check", "--fix", "--isolated", "-j", "2", str(work)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.3, 1.5) if attempt else 0.05)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        for path in sorted(work.glob("*.py")):
            content = path.read_bytes()
            assert content in (
                (original / path.name).read_bytes(),
                (expected / path.name).read_bytes(),
            ), f"{path.name} is neither the old nor the new version"
        # The next run finishes the job and leaves no temporary file behind.
        assert run(cli, "check", "--fix", "--isolated", str(work)).returncode in (0, 1)
        assert sorted(p.name for p in work.iterdir()) == sorted(p.name for p in expected.iterdir())
        for path in sorted(work.glob("*.py")):
            assert path.read_bytes() == (expected / path.name).read_bytes()


def test_two_fix_runs_at_once(cli: str, tmp_path: Path) -> None:
    original, expected = tmp_path / "original", tmp_path / "expected"
    _tree(original, 80, seed=12)
    shutil.copytree(original, expected)
    run(cli, "check", "--fix", "--isolated", str(expected))
    work = tmp_path / "work"
    shutil.copytree(original, work)
    processes = [
        subprocess.Popen(
            [cli, "check", "--fix", "--isolated", "-j", "1", str(work)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for process in processes:
        process.wait(timeout=300)
    for path in sorted(expected.glob("*.py")):
        assert (work / path.name).read_bytes() == path.read_bytes(), path.name
    assert sorted(p.name for p in work.iterdir()) == sorted(p.name for p in expected.iterdir())


def test_real_code_is_never_crashed_on_and_only_fixable_files_change(cli: str, tmp_path: Path) -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    corpus = tmp_path / "corpus"
    shutil.copytree(stdlib, corpus / "stdlib", ignore=shutil.ignore_patterns("site-packages", "__pycache__"))
    _tree(corpus / "models", 150, seed=13)
    result = run(cli, "check", "--isolated", str(corpus), timeout=900)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    for line in errors_of(result).values():
        assert line.startswith(
            ("syntax error", "not valid", "cannot decode", "a binary file", "nested too deeply")
        ), line
    before = {p: p.read_bytes() for p in corpus.rglob("*.py") if p.is_file() and not p.is_symlink()}
    fixed = run(cli, "check", "--fix", "--isolated", str(corpus), timeout=900)
    assert "internal error" not in fixed.stderr
    changed = {p for p, data in before.items() if p.read_bytes() != data}
    assert changed and all(p.is_relative_to(corpus / "models") for p in changed)
    for path in changed:
        text = before[path].decode()
        imports = set()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imports.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        pairs = zip(text.splitlines(), path.read_text().splitlines(), strict=True)
        for number, (old, new) in enumerate(pairs, start=1):
            if old != new:
                assert number in imports or "Dropout(" in old or "TimeDistributed(" in old, (path, old, new)


def test_verify_survives_hungry_and_suicidal_targets(cli: str, tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(
        "import os, signal\n\n"
        "def hungry():\n    data = bytearray(6 * 1024**3)\n    return data\n\n"
        "def suicidal():\n    os.kill(os.getpid(), signal.SIGKILL)\n\n"
        "def fine():\n    import keras\n\n"
        "    return keras.Sequential([keras.Input((3, 2)), keras.layers.LSTM(2)])\n"
    )
    result = run(
        cli, "verify", "--max-memory", "3G", "bad.py:hungry", "bad.py:suicidal", "bad.py:fine", cwd=tmp_path
    )
    errors = errors_of(result)
    assert errors["bad.py:hungry"] in (
        "raised MemoryError: ",
        "the process building the model died (exit status -9)",
    )
    assert errors["bad.py:suicidal"] == "the process building the model died (exit status -9)"
    assert "bad.py:fine" not in errors and result.returncode == 2


def _children(pid: int) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return {int(child) for child in found}


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped (a container's init may never reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads worker states from /proc (Linux)")
def test_killing_a_parallel_run_leaves_no_worker_behind(cli: str, tmp_path: Path) -> None:
    _tree(tmp_path, 200, seed=14)
    process = subprocess.Popen(
        [cli, "check", "--isolated", "-j", "2", str(tmp_path)], stdout=subprocess.DEVNULL
    )
    workers: set[int] = set()
    while process.poll() is None and len(workers) < 2:  # the workers are up
        workers |= _children(process.pid)
    assert workers, "the run ended before its workers could be seen; make the tree bigger"
    process.kill()  # the parent only, as a timeout would
    process.wait()
    # An orphaned worker blocks on its job queue forever; a worker that dies with its
    # parent is gone at once. The bound only keeps a failing run from hanging.
    deadline = time.monotonic() + 60
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]
