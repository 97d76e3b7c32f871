"""The runtime checker: build the real model with TensorFlow and run the same rules on it.

Needs the ``runtime`` extra (TensorFlow). Static checking never imports this package.

    from rnn_dropout_lint.runtime import check_model
    assert check_model(build_model()) == []
"""

from __future__ import annotations

from typing import Any

from ..engine import Settings, check_graph
from ..findings import Finding
from ..graph import LayerGraph


def model_graph(model: Any) -> LayerGraph:
    """The layer graph of a built (or called) Keras model, with real shapes."""
    from .tracing import Recorder, trace

    recorder = Recorder()
    recorder.install()
    try:
        return trace(model, recorder)
    finally:
        recorder.uninstall()


def check_model(model: Any, settings: Settings | None = None) -> list[Finding]:
    """The findings the static checker would report, decided on the live model.

    Layers built before the check have no recorded line: they are named instead
    (``<sequential>:layer 'dropout': RDL001 ...``)."""
    from dataclasses import replace

    findings = check_graph(model_graph(model), settings or Settings())
    return [
        replace(f, layer=f.node.name) if f.path.startswith("<") and f.node is not None and f.node.name else f
        for f in findings
    ]


class RnnDropoutError(AssertionError):
    """A model with dropout that draws a new mask at every time step; the message lists it."""


class RnnDropoutWarning(UserWarning):
    """The warning :class:`RnnDropoutCheck` gives (``warnings.simplefilter("error", ...)`` works)."""


def describe(findings: list[Finding]) -> str:
    """A readable report: how many, then one lint line each."""
    lines = "".join(f"\n  {found}" for found in findings)
    return f"rnn-dropout-lint: {len(findings)} finding(s) in the model:{lines}"


def assert_no_findings(model: Any, settings: Settings | None = None) -> None:
    """For test suites: raises :class:`RnnDropoutError` (an AssertionError) listing the findings."""
    findings = check_model(model, settings)
    if findings:
        raise RnnDropoutError(describe(findings))


def __getattr__(name: str) -> Any:
    # The callback subclasses Keras's Callback: built on first use, so importing this package
    # does not import Keras.
    if name == "RnnDropoutCheck":
        from .callback import RnnDropoutCheck

        return RnnDropoutCheck
    raise AttributeError(name)


__all__ = [
    "RnnDropoutCheck",
    "RnnDropoutError",
    "RnnDropoutWarning",
    "assert_no_findings",
    "check_model",
    "describe",
    "model_graph",
]
