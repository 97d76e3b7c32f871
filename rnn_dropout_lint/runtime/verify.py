"""``verify``: run targets in a child process and cross-check them against static findings.

Only this module's child executes user code; ``check`` never does.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import queue
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from ..findings import Finding

INSTALL_HINT = "rnn-dropout-lint verify needs TensorFlow: pip install 'rnn-dropout-lint[runtime]'"
STARTUP_GRACE = 300.0  # importing TensorFlow in the child is not the target's fault


def runtime_available() -> bool:
    return importlib.util.find_spec("tensorflow") is not None


@dataclass(frozen=True)
class TargetResult:
    target: str
    findings: tuple[Finding, ...] = ()
    layers: tuple[dict[str, Any], ...] = ()  # dropout layers built, with their source lines
    error: str | None = None


@dataclass
class _Worker:
    process: subprocess.Popen[str]
    lines: queue.Queue[str | None] = field(default_factory=queue.Queue)

    def start_reader(self) -> None:
        def pump() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.lines.put(line)
            self.lines.put(None)

        threading.Thread(target=pump, daemon=True).start()

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@contextlib.contextmanager
def _terminate_as_exit() -> Any:
    """SIGTERM unwinds like Ctrl-C, so the worker's process group is killed on the way out."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def leave(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, leave)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


DEFAULT_MAX_MEMORY = 4 * 1024**3


def _limit_memory(limit: int) -> Any:
    def apply() -> None:  # runs in the child, before the target's code
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def verify_targets(
    targets: list[str],
    call_args: dict[str, Any] | None = None,
    timeout: float = 120.0,
    probe_mask: bool = False,
    max_memory: int = DEFAULT_MAX_MEMORY,
    input_shape: list[int] | None = None,
    keras_version: str = "3",
) -> list[TargetResult]:
    """Build every target in a child process (TensorFlow imported once); one result per target."""
    results: dict[int, TargetResult] = {}
    pending = list(range(len(targets)))
    token = secrets.token_hex(16)
    while pending:
        job = {
            "token": token,
            "targets": [targets[i] for i in pending],
            "call_args": call_args or {},
            "probe_mask": probe_mask,
            "cwd": os.getcwd(),
            "input_shape": input_shape,
        }
        env = dict(os.environ)
        if keras_version == "2":  # tf.keras is tf_keras; the worker makes `import keras` the same
            env.update(TF_USE_LEGACY_KERAS="1", RNN_DROPOUT_LINT_KERAS="2")
        worker = _Worker(
            subprocess.Popen(
                [sys.executable, "-m", "rnn_dropout_lint.runtime.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                start_new_session=True,  # so a timeout kills everything the target started
                env=env,
                preexec_fn=_limit_memory(max_memory) if max_memory else None,
            )
        )
        assert worker.process.stdin is not None
        worker.process.stdin.write(json.dumps(job))
        worker.process.stdin.close()
        worker.start_reader()
        try:
            with _terminate_as_exit():
                _collect(worker, [targets[i] for i in pending], pending, results, timeout, token)
        finally:
            worker.kill()  # and whatever the targets started, also on Ctrl-C or SIGTERM
        pending = [i for i in pending if i not in results]
    return [results[i] for i in range(len(targets))]


def _collect(
    worker: _Worker,
    names: list[str],
    indices: list[int],
    results: dict[int, TargetResult],
    timeout: float,
    token: str,
) -> None:
    current: int | None = None
    deadline = time.monotonic() + timeout + STARTUP_GRACE
    while True:
        try:
            line = worker.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            worker.kill()
            where = indices[current] if current is not None else indices[0]
            name = names[current if current is not None else 0]
            results[where] = TargetResult(name, error=f"timed out after {timeout:g} s")
            return
        if line is None:  # the child is gone
            code = worker.process.wait()
            if current is not None:
                results[indices[current]] = TargetResult(
                    names[current], error=f"the process building the model died (exit status {code})"
                )
            elif not any(i in results for i in indices):
                results[indices[0]] = TargetResult(
                    names[0], error=f"the runtime checker failed (exit status {code})"
                )
            return
        try:
            event = json.loads(line)
        except ValueError:
            continue  # not the worker's: the user's code wrote to an inherited pipe
        if not isinstance(event, dict) or event.get("token") != token:
            continue
        if event["event"] == "start":
            current = event["index"]
            deadline = time.monotonic() + timeout
        else:
            results[indices[event["index"]]] = _result(names[event["index"]], event)
            current = None
            deadline = time.monotonic() + timeout + STARTUP_GRACE


def _result(target: str, event: dict[str, Any]) -> TargetResult:
    if event.get("error"):
        return TargetResult(target, error=event["error"])
    findings = []
    for r in event["findings"]:
        notes = []
        if r["input_shape"] is not None:
            notes.append(f"input {_shape(r['input_shape'])}")
        if r["mask_varies"] is not None:
            notes.append("mask varies over time" if r["mask_varies"] else "mask is constant over time")
        findings.append(
            Finding(
                code=r["code"],
                message=r["message"],
                path=_display_path(r["path"]),
                row=r["row"],
                col=r["col"],
                end_row=r["row"],
                end_col=r["col"],
                certain=r["certain"],
                verification="; ".join(notes) or None,
                layer=r.get("layer"),
                short=r.get("short"),
                help=tuple(r.get("help") or ()),
            )
        )
    return TargetResult(target, tuple(findings), tuple(event["layers"]))


def _shape(dims: list[int | None]) -> str:
    inner = ", ".join("None" if d is None else str(d) for d in dims)
    return f"({inner},)" if len(dims) == 1 else f"({inner})"


def _display_path(path: str) -> str:
    if path.startswith("<"):
        return path
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def cross_check(static: list[Finding], results: list[TargetResult]) -> list[Finding]:
    """Each static finding confirmed, refuted or static-only; runtime-only findings added."""

    def key(path: str, row: int) -> tuple[str, int]:
        return os.path.realpath(path), row

    runtime = {key(f.path, f.row): f for r in results for f in r.findings}
    built = {key(layer["path"], layer["row"]): layer for r in results for layer in r.layers}
    out = []
    matched = set()
    for found in static:
        k = key(found.path, found.row)
        if k in runtime:
            matched.add(k)
            seen = runtime[k]
            note = f"confirmed: {seen.verification}" if seen.verification else "confirmed"
            out.append(replace(found, certain=True, verification=note))
        elif k in built:
            shape = built[k]["input_shape"]
            why = f"its input is {_shape(shape)}" if shape else "the live model has no such path"
            out.append(replace(found, verification=f"refuted: {why}"))
        else:
            out.append(replace(found, verification="static-only: no layer was built from this line"))
    for k, seen in runtime.items():
        if k not in matched:
            out.append(
                replace(seen, verification=f"runtime-only: {seen.verification or 'found in the live model'}")
            )
    return out
