"""Issue 14, crashes and hangs and smaller items: inputs that once took the run down, each
through the real command (or flake8), bounded in time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

KERAS = "from keras import layers\n"
BUGGY = KERAS + "y = layers.LSTM(4)(layers.Dropout(0.1)(layers.LSTM(4, return_sequences=True)(x)))\n"
SETPRIV = shutil.which("setpriv")


def run(
    command: list[str], cwd: Path | None = None, timeout: float = 120, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=timeout, **kwargs)  # type: ignore[call-overload, no-any-return]


def errors_of(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    return {
        Path(k).name: v
        for k, v in (line.split(": error: ", 1) for line in result.stderr.splitlines() if ": error: " in line)
    }


def assert_clean_failure(result: subprocess.CompletedProcess[str]) -> None:
    """Exit 2 with one line per problem and the summary line: no crash, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    assert any("file(s) checked" in line for line in result.stderr.splitlines()[-2:])


def as_nobody() -> list[str]:
    if SETPRIV is None or os.geteuid() != 0:
        pytest.skip("needs setpriv and root to run the command as another user")
    return [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.fixture()
def shared_dir() -> Iterator[Path]:
    """A folder another user can enter (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="rdl-issue14-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


DEEP = {
    "unary.py": "z = " + "-" * 10_000 + "1\n",
    "nots.py": "z = " + "not " * 10_000 + "1\n",
    "attributes.py": "z = a" + ".b" * 10_000 + "\n",
    "plus.py": "z = " + " + ".join(["1"] * 10_000) + "\n",
    "elifs.py": "if a:\n    pass\n" + "elif a:\n    pass\n" * 10_000,
    "lambdas.py": "z = " + "lambda: " * 4_000 + "1\n",
}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_deep_nesting_is_one_error_line_never_a_crash(cli: str, tmp_path: Path, jobs: str) -> None:
    """libcst's native parser used to segfault on these (exit 139; BrokenProcessPool under -j 2)."""
    for name, body in DEEP.items():
        (tmp_path / name).write_text(KERAS + "layers.Dropout(0.1)\n" + body)
    for index in range(8):  # enough files for the worker pool to start
        (tmp_path / f"model{index}.py").write_text(BUGGY)
    result = run([cli, "check", "--isolated", "-j", jobs, str(tmp_path)])
    assert_clean_failure(result)
    errors = errors_of(result)
    assert set(errors) == set(DEEP)
    for name in DEEP:
        assert errors[name].startswith("nested too deeply to parse"), errors[name]
    assert result.stdout.count("RDL001") == 8  # the other files were checked


def test_deep_valid_python_is_still_analysed(cli: str, tmp_path: Path) -> None:
    """Depths CPython compiles and the analysis can afford are analysed, not refused."""
    cases = {
        "plus600.py": "z = " + " + ".join(["1"] * 600) + "\n",
        "unary500.py": "z = " + "-" * 500 + "1\n",
        "elif500.py": "if a:\n    pass\n" + "elif a:\n    pass\n" * 500,
        "lambda300.py": "z = " + "lambda: " * 300 + "1\n",
        "calls400.py": "z = f" + "()" * 400 + "\n",
    }
    for name, body in cases.items():
        (tmp_path / name).write_text(BUGGY + body)
    result = run([cli, "check", "--isolated", str(tmp_path)])
    assert result.returncode == 1, result.stderr
    assert "error" not in result.stderr.replace("0 error(s)", "")
    for name in cases:
        assert f"{name}:2:" in result.stdout


def test_unreadable_folders_are_one_line_each_and_exclusions_come_first(cli: str, shared_dir: Path) -> None:
    """A docker ``pgdata/`` (0700, another owner) gave a PermissionError traceback from the
    virtualenv probe, even with --exclude; a folder that cannot be listed was skipped silently."""
    nobody = as_nobody()
    (shared_dir / "good.py").write_text(BUGGY)
    (shared_dir / "pkg").mkdir()
    (shared_dir / "pkg" / "inner.py").write_text(BUGGY)
    locked = shared_dir / "pgdata"
    locked.mkdir()
    (locked / "secret.py").write_text(BUGGY)
    locked.chmod(0o700)  # root's; the command runs as nobody
    shared_dir.chmod(0o755)
    (shared_dir / "pkg").chmod(0o755)
    (shared_dir / "good.py").chmod(0o644)
    (shared_dir / "pkg" / "inner.py").chmod(0o644)
    result = run([*nobody, cli, "check", "--isolated", str(shared_dir)])
    assert_clean_failure(result)
    assert errors_of(result) == {"pgdata": "cannot list the folder: Permission denied"}
    assert result.stdout.count("RDL001") == 2  # the rest was checked
    excluded = run([*nobody, cli, "check", "--isolated", "--exclude", "pgdata", str(shared_dir)])
    assert excluded.returncode == 1, excluded.stderr
    assert "error:" not in excluded.stderr and "Traceback" not in excluded.stderr
    named = run([*nobody, cli, "check", "--isolated", str(locked)])  # the root itself
    assert_clean_failure(named)
    assert "cannot list the folder" in named.stderr


def test_only_regular_files_are_read(cli: str, tmp_path: Path) -> None:
    """A FIFO named *.py blocked forever; a symlink to /dev/zero (or --config /dev/zero)
    read until the machine ran out of memory."""
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    (tmp_path / "good.py").write_text(BUGGY)
    for extra in ([], ["--fix"]):
        result = run([cli, "check", "--isolated", *extra, str(tmp_path)], timeout=60)
        assert_clean_failure(result)
        errors = errors_of(result)
        assert errors["pipe.py"].startswith("a named pipe (FIFO), not a file")
        assert errors["zero.py"].startswith("a character device, not a file")
        assert "good.py" not in errors
    config = run([cli, "check", "--config", "/dev/zero", str(tmp_path / "good.py")], timeout=60)
    assert config.returncode == 2
    assert config.stderr.strip() == (
        "rnn-dropout-lint: error: /dev/zero: cannot read: a character device, not a file; "
        "only regular files are read"
    )


def test_size_limit_and_memory_cap_are_clear_errors(cli: str, tmp_path: Path) -> None:
    """A 50 MB file peaked at 15.4 GB: files over --max-file-size are not read, and a file whose
    code (outside strings and comments) is over a tenth of it is not analysed."""
    (tmp_path / "huge.py").write_text(BUGGY + "DATA = '" + "x" * 1_200_000 + "'\n")
    dense = "".join(f"v{i} = layers.Dense({i}, activation='relu')(v{i - 1})\n" for i in range(1, 3000))
    (tmp_path / "dense.py").write_text(BUGGY + dense)  # about 150 KB of code
    (tmp_path / "strings.py").write_text(BUGGY + "DATA = '''" + "x" * 900_000 + "'''\n")
    result = run([cli, "check", "--isolated", "--max-file-size", "1M", str(tmp_path)])
    assert_clean_failure(result)
    errors = errors_of(result)
    assert errors["huge.py"] == "1.1 MB, over the 1 MB limit (raise it with --max-file-size)"
    assert errors["dense.py"].startswith("too much code to analyse in bounded memory")
    assert f"{tmp_path / 'strings.py'}:2:" in result.stdout  # a big string costs nothing
    raised = run([cli, "check", "--isolated", "--max-file-size", "4M", str(tmp_path)])
    assert raised.returncode == 1, raised.stderr
    assert raised.stdout.count("RDL001") == 3
    for bad in ("-1", "inf", "lots"):
        usage = run([cli, "check", "--max-file-size", bad, str(tmp_path)])
        assert usage.returncode == 2 and "--max-file-size: not a size" in usage.stderr


def test_deep_config_closed_stdin_and_long_integers(cli: str, tmp_path: Path) -> None:
    deep = tmp_path / "pyproject.toml"
    deep.write_text("[tool.rnn-dropout-lint]\nselect = " + "[" * 100_000 + "]" * 100_000 + "\n")
    (tmp_path / "model.py").write_text(BUGGY)
    nested = run([cli, "check", str(tmp_path / "model.py")])
    assert nested.returncode == 2
    assert nested.stderr.strip() == f"rnn-dropout-lint: error: {deep}: not read: nested too deeply"
    closed = run(["sh", "-c", f"exec {cli} check - <&-"])
    assert closed.returncode == 2
    assert closed.stderr.splitlines()[0] == "-: error: standard input is closed; nothing to read"
    assert "Traceback" not in closed.stderr
    (tmp_path / "long.py").write_text(BUGGY + "N = " + "7" * 4_400 + "\n")
    result = run([cli, "check", "--isolated", str(tmp_path / "long.py")])
    assert_clean_failure(result)
    assert errors_of(result)["long.py"] == (
        "an integer literal of more than 4,300 digits at line 3, which Python refuses too"
    )


def _children(pid: int) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return {int(child) for child in found}


@pytest.mark.skipif(shutil.which("pgrep") is None, reason="counts worker processes with pgrep")
def test_jobs_are_capped_at_the_cores_and_negative_jobs_rejected(cli: str, tmp_path: Path) -> None:
    """--jobs 1000 forked 1,000 processes on 2 cores; --jobs -1 silently ran sequentially."""
    usage = run([cli, "check", "--jobs", "-1", str(tmp_path)])
    assert usage.returncode == 2
    assert "--jobs/-j: -1 processes: use 1 or more (0: the number of cores)" in usage.stderr
    for index in range(24):  # without the cap, one worker per file would start
        dense = "".join(f"h{i} = layers.Dense(2)\n" for i in range(40))
        (tmp_path / f"m{index}.py").write_text(BUGGY + dense)
    process = subprocess.Popen(
        [cli, "check", "--isolated", "-j", "1000", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    most = 0
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        most = max(most, len(_children(process.pid)))
        time.sleep(0.02)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1, stderr
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    assert most <= cores


def test_flake8_reports_files_it_reads_but_the_analysis_cannot(flake8: str, tmp_path: Path) -> None:
    """3,001 adjacent string literals: CPython reads them, libcst cannot; the findings in
    such a file used to vanish without a word."""
    strings = " ".join(['"a"'] * 3_001)
    (tmp_path / "strings.py").write_text(BUGGY + f"TEXT = ({strings})\n")
    (tmp_path / "fine.py").write_text(BUGGY)
    result = run([flake8, "--isolated", "--select", "RDL", str(tmp_path)])
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert [line for line in lines if "RDL000" in line] == [
        f"{tmp_path / 'strings.py'}:1:1: RDL000 file not analysed: nested too deeply to parse: an "
        "expression 3,004 levels deep at line 3 (the limit is 1,000: past it, parse time and memory "
        "grow quadratically)"
    ]
    assert f"{tmp_path / 'fine.py'}:2:" in result.stdout
    assert "Traceback" not in result.stderr


def test_error_positions_and_encodings(cli: str, tmp_path: Path) -> None:
    (tmp_path / "unclosed.py").write_text(BUGGY + 'DOC = """never closed\nmore\n')
    (tmp_path / "utf16.py").write_bytes(BUGGY.encode("utf-16"))
    (tmp_path / "cookie16.py").write_text("# -*- coding: utf-16 -*-\n" + BUGGY)
    for extra in ([], ["--fix"], ["--diff"]):
        result = run([cli, "check", "--isolated", *extra, str(tmp_path)])
        assert_clean_failure(result)
        errors = errors_of(result)
        assert errors["unclosed.py"].startswith("syntax error at line 3, column 7:"), errors
        assert errors["utf16.py"].startswith("UTF-16-encoded text;"), errors
        assert errors["cookie16.py"] == (
            "declares the encoding utf-16, which Python cannot read source in (it is not ASCII-based)"
        )
    for extra in ([], ["--fix"]):  # NUL bytes on standard input: exit 2 either way
        piped = run([cli, "check", "--isolated", *extra, "-"], input="x = 1\x00\n")
        assert piped.returncode == 2, (extra, piped.stderr)
        assert "-: error: a binary file, not Python source (it contains NUL bytes)" in piped.stderr


def test_a_file_named_several_times_is_checked_once(cli: str, tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(BUGGY)
    names = ["a.py", "a.py", "./a.py", ".", str(tmp_path / "a.py")]
    result = run([cli, "check", "--isolated", *names], cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.count("RDL001") == 1
    assert "1 file(s) checked" in result.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="setpriv and capabilities are Linux")
def test_unreadable_file_without_capabilities(cli: str, shared_dir: Path) -> None:
    """As root with DAC override dropped, a 0000 file is an error line, and the rest is checked."""
    if SETPRIV is None or os.geteuid() != 0:
        pytest.skip("needs setpriv and root")
    (shared_dir / "good.py").write_text(BUGGY)
    locked = shared_dir / "locked.py"
    locked.write_text(BUGGY)
    locked.chmod(0o000)
    drop = [SETPRIV, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--inh-caps=-all"]
    result = run([*drop, cli, "check", "--isolated", str(shared_dir)])
    assert_clean_failure(result)
    assert errors_of(result) == {"locked.py": "Permission denied"}
    assert result.stdout.count("RDL001") == 1


def test_control_characters_in_file_names_are_escaped(cli: str, tmp_path: Path) -> None:
    """A newline or ESC in a file name neither breaks an output line nor reaches the terminal."""
    names = ["new\nline.py", "esc\x1b[31mred.py"]
    for name in names:
        (tmp_path / name).write_text(BUGGY)
    (tmp_path / "bad\nsyntax.py").write_text(KERAS + "layers.LSTM(4\n")
    for fmt in ("text", "concise", "full", "grouped"):
        result = run([cli, "check", "--isolated", "--output-format", fmt, "."], cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "\x1b" not in result.stdout + result.stderr, fmt
        shown = result.stdout + result.stderr
        assert "new\\nline.py" in shown and "esc\\x1b[31mred.py" in shown and "bad\\nsyntax.py" in shown
    concise = run([cli, "check", "--isolated", "--output-format", "concise", "."], cwd=tmp_path)
    assert len([line for line in concise.stdout.splitlines() if "RDL001" in line]) == 2
    listed = run([cli, "check", "--isolated", "--show-files", "."], cwd=tmp_path).stdout.splitlines()
    assert len(listed) == 3
    diff = run([cli, "check", "--isolated", "--diff", "new\nline.py"], cwd=tmp_path).stdout
    assert "--- new\\nline.py" in diff
