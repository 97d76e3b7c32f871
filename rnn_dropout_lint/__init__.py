"""rnn-dropout-lint: find dropout that draws a new mask per time step in front of Keras recurrent layers.

The public API is loaded on first use, so that ``rnn-dropout-lint --version``
does not pay for importing libcst.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .engine import LintError, Settings, check_graph, graph_of, lint_file, lint_paths, lint_source
    from .findings import FileResult, Finding, LayerRef
    from .graph import LayerGraph, LayerNode
    from .rules import RULES, Selection

_EXPORTS = {
    "LintError": "engine",
    "Settings": "engine",
    "check_graph": "engine",
    "graph_of": "engine",
    "lint_file": "engine",
    "lint_paths": "engine",
    "lint_source": "engine",
    "FileResult": "findings",
    "Finding": "findings",
    "LayerRef": "findings",
    "LayerGraph": "graph",
    "LayerNode": "graph",
    "RULES": "rules",
    "Selection": "rules",
}

__all__ = [
    "RULES",
    "FileResult",
    "Finding",
    "LayerGraph",
    "LayerNode",
    "LayerRef",
    "LintError",
    "Selection",
    "Settings",
    "__version__",
    "check_graph",
    "graph_of",
    "lint_file",
    "lint_paths",
    "lint_source",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
