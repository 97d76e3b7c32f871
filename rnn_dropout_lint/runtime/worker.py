"""The child process of ``verify``: builds each target's model and reports its findings.

It runs the user's code, so it runs apart from the linter: a target that raises,
hangs or dies takes only this process down. Results go to the parent as JSON
lines on a private copy of stdout; whatever the user's code prints goes to stderr.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
from typing import Any, TextIO

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


class TargetError(Exception):
    """A target that cannot be built; the message is one line."""


def load_model(target: str, call_args: dict[str, Any], index: int) -> Any:
    if target.endswith((".keras", ".h5")) and ":" not in target:
        if not os.path.exists(target):
            raise TargetError(f"no such model file: {target}")
        import keras

        return keras.saving.load_model(target, compile=False)
    module_part, sep, function = target.rpartition(":")
    if not sep or not module_part or not function:
        raise TargetError("expected path/to/file.py:function, package.module:function or a .keras/.h5 file")
    if module_part.endswith(".py") or os.sep in module_part:
        path = os.path.abspath(module_part)
        if not os.path.isfile(path):
            raise TargetError(f"no such file: {module_part}")
        sys.path.insert(0, os.path.dirname(path))
        spec = importlib.util.spec_from_file_location(f"rnn_dropout_lint_target_{index}", path)
        if spec is None or spec.loader is None:
            raise TargetError(f"cannot load {module_part}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    else:
        if os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())
        try:
            module = importlib.import_module(module_part)
        except ModuleNotFoundError as exc:
            raise TargetError(f"no module named {exc.name!r}") from None
    builder = getattr(module, function, None)
    if builder is None or not callable(builder):
        raise TargetError(f"{module_part} has no function {function!r}")
    return builder(**call_args)


def run_target(target: str, job: dict[str, Any], index: int, recorder: Any) -> dict[str, Any]:
    from ..engine import Settings, check_graph
    from ..facts import inner, is_dropout_family
    from ..rules import RULES, Selection
    from .tracing import keras_modules, trace

    try:
        model = load_model(target, job.get("call_args") or {}, index)
    except (ModuleNotFoundError, ValueError, TypeError, AttributeError) as exc:
        hint = _keras2_hint(exc)
        if hint is None:
            raise
        raise TargetError(f"raised {type(exc).__name__}: {_first_line(exc)}; {hint}") from None
    if not any(isinstance(model, module.Model) for module in keras_modules()):
        raise TargetError(f"returned {type(model).__name__}, not a Keras model")
    if job.get("input_shape") and not _built(model):
        import numpy as np

        model(np.zeros([2, *job["input_shape"]], "float32"), training=False)  # builds it
    graph = trace(model, recorder)
    settings = Settings(selection=Selection(select=tuple(RULES)), report_uncertain=True)
    findings = []
    for found in check_graph(graph, settings):
        node = found.node
        # A layer built by Keras itself (loaded from a saved model) has no line of the user's:
        # it is named in the file it came from.
        unplaced = found.path.startswith("<") and node is not None and node.name
        record = {
            "code": found.code,
            "message": found.message,
            "short": found.short,
            "help": list(found.help),
            "path": os.path.abspath(_target_file(target)) if unplaced else found.path,
            "layer": node.name if unplaced and node is not None else None,
            "row": found.row,
            "col": found.col,
            "certain": found.certain,
            "input_shape": list(node.input_shape) if node is not None and node.input_shape else None,
            "mask_varies": None,
        }
        if job.get("probe_mask") and node is not None and is_dropout_family(node):
            record["mask_varies"] = probe_mask(node.origin, node.input_shape)
        findings.append(record)
    built = [
        {"path": n.span.path, "row": n.span.row, "kind": inner(n).kind, "input_shape": n.input_shape}
        for n in graph.nodes
        if n.span is not None and is_dropout_family(n)
    ]
    return {"findings": findings, "layers": built}


KERAS2_ONLY = (
    "keras.layers.recurrent",
    "keras.layers.core",
    "keras.layers.embeddings",
    "keras.layers.wrappers",
    "keras.layers.cudnn_recurrent",
    "'lr'",
    "lr=",
    "input_dim",
    "CuDNNLSTM",
    "CuDNNGRU",
)


def _keras2_hint(exc: BaseException) -> str | None:
    """Keras 2 code run under Keras 3 fails in a few common ways: say what to do."""
    if os.environ.get("RNN_DROPOUT_LINT_KERAS") == "2":
        return None
    text = f"{type(exc).__name__}: {exc} {getattr(exc, 'name', '') or ''}"
    if any(marker in text for marker in KERAS2_ONLY):
        return "this looks like Keras 2 (tf.keras 2.x) code: run verify with --keras 2"
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else ""


def _built(model: Any) -> bool:
    return bool(getattr(model, "inputs", None) or getattr(model, "_build_shapes_dict", None)) or bool(
        getattr(model, "built", False) and getattr(model, "_build_input_shape", None) is not None
    )


def _target_file(target: str) -> str:
    """The file a target names: the model file, or the .py file of ``file.py:function``."""
    if target.endswith((".keras", ".h5")) and ":" not in target:
        return target
    module_part = target.rpartition(":")[0]
    return module_part if module_part.endswith(".py") or os.sep in module_part else target


def probe_mask(layer: Any, input_shape: Any) -> bool:
    """Apply the layer alone in training mode to ones: does its mask change along the time axis?"""
    import numpy as np

    shape = [2] + [4 if d is None else int(d) for d in (input_shape or (None, 4, 4))[1:]]
    out = np.asarray(layer(np.ones(shape, "float32"), training=True))
    return not bool(np.all(out == out[:, :1]))


def _die_with_parent() -> None:
    """Ctrl-C or SIGTERM on ``verify`` must not leave this process running the user's code."""
    import ctypes
    import signal

    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def _end_target_processes() -> None:
    """Every process the target started (our process group, but us) is gone when it ends."""
    import signal

    me, group = os.getpid(), os.getpgrp()
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            if int(fields[2]) == group:
                os.kill(int(entry), signal.SIGKILL)
        except (OSError, IndexError, ValueError):
            continue


def main() -> None:
    _die_with_parent()
    protocol: TextIO = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the user's prints must not reach the protocol
    job = json.loads(sys.stdin.read())
    # Each protocol line carries the run's token: a line the user's code writes is not one.
    token = job.get("token", "")
    cwd = job.get("cwd") or os.getcwd()
    os.chdir(cwd)
    if os.environ.get("RNN_DROPOUT_LINT_KERAS") == "2":
        import tf_keras

        sys.modules["keras"] = tf_keras  # `import keras` means Keras 2, as it did with TensorFlow 2.15
    from .tracing import Recorder

    recorder = Recorder()
    recorder.install()  # imports Keras and TensorFlow, once for every target
    for index, target in enumerate(job["targets"]):
        os.chdir(cwd)  # a target that changed folder does not move the next one
        protocol.write(json.dumps({"event": "start", "index": index, "token": token}) + "\n")
        try:
            result = run_target(target, job, index, recorder)
        except TargetError as exc:
            result = {"error": str(exc)}
        except BaseException as exc:
            result = {"error": f"raised {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"}
        _end_target_processes()
        protocol.write(json.dumps({"event": "result", "index": index, "token": token, **result}) + "\n")
    protocol.flush()
    os._exit(0)  # threads the user's code left running do not hold the run


if __name__ == "__main__":
    main()
