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
    """The findings the static checker would report, decided on the live model."""
    return check_graph(model_graph(model), settings or Settings())


__all__ = ["check_model", "model_graph"]
