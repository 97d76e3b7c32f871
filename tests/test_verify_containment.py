"""``verify`` runs the user's code: what one target does must not reach the next target,
the run, or the machine after the run (issue 14). Real TensorFlow, real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("tensorflow")

MODEL = """
def model():
    import keras
    from keras import layers

    return keras.Sequential(
        [keras.Input((5, 3)), layers.LSTM(4, return_sequences=True), layers.Dropout(0.2), layers.LSTM(4)]
    )
"""

TARGETS = MODEL + """

def chdir_away():
    import os

    os.chdir("/")
    return model()


def relative():
    with open("marker.txt") as handle:  # relative to the folder verify was started in
        handle.read()
    return model()


def spawn():
    import subprocess
    import sys

    pids = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"]).pid for _ in range(3)]
    with open(PIDS, "w") as handle:
        handle.write(" ".join(map(str, pids)))
    return model()


def thread():
    import threading
    import time

    threading.Thread(target=time.sleep, args=(600,)).start()  # not a daemon
    return model()


def spoof():
    import json
    import os

    fake = json.dumps({"event": "result", "index": 5, "error": "x"}).encode()
    for fd in range(3, 64):
        for line in (b"not json\\n", fake + b"\\n"):
            try:
                os.write(fd, line)
            except OSError:
                pass
    return model()
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            state = handle.read().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in (b"Z", b"X")


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_one_target_cannot_disturb_the_next_or_outlive_the_run(cli: str, tmp_path: Path) -> None:
    pids = tmp_path / "pids.txt"
    (tmp_path / "targets.py").write_text(f"PIDS = {str(pids)!r}\n" + TARGETS)
    (tmp_path / "marker.txt").write_text("here\n")
    names = ["chdir_away", "relative", "spawn", "thread", "spoof", "relative"]
    result = subprocess.run(
        [cli, "verify", "--output-format", "json", *(f"targets.py:{n}" for n in names)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr  # findings, no target failed
    assert "6 target(s) verified" in result.stderr and " 0 error(s)" in result.stderr, result.stderr
    found = json.loads(result.stdout)
    assert len({f["location"]["row"] for f in found}) == 1 and found[0]["code"] == "RDL001"
    spawned = [int(p) for p in pids.read_text().split()]
    assert spawned and not any(_alive(p) for p in spawned)


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    if int(handle.read().rsplit(b")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return out


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_verify_leaves_no_worker_behind(cli: str, tmp_path: Path, sig: signal.Signals) -> None:
    (tmp_path / "spin.py").write_text("def spin():\n    while True:\n        pass\n")
    run = subprocess.Popen(
        [cli, "verify", "--timeout", "600", "spin.py:spin"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while not workers and time.monotonic() < deadline:
            time.sleep(0.2)
            workers = _children(run.pid)
        assert workers, "the worker never started"
        time.sleep(1.0)
        run.send_signal(sig)
        run.wait(timeout=60)
        deadline = time.monotonic() + 30
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(w) for w in workers)
    finally:
        if run.poll() is None:
            run.kill()
        for worker in _children(run.pid):
            os.kill(worker, signal.SIGKILL)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--timeout", "inf"),
        ("--timeout", "1e308"),
        ("--timeout", "nan"),
        ("--timeout", "-1"),
        ("--timeout", "0"),
        ("--max-memory", "inf"),
        ("--max-memory", "1e400"),
        ("--max-memory", "1K"),
        ("--max-memory", "-1"),
    ],
)
def test_limits_are_validated(cli: str, option: str, value: str) -> None:
    command = [cli, "verify", option, value, "x.py:f"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and f"argument {option}:" in result.stderr
