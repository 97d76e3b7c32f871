"""rnn-dropout-lint: find dropout that draws a new mask per time step in front of Keras recurrent layers."""

from __future__ import annotations

from .engine import LintError, Settings, check_graph, graph_of, lint_file, lint_paths, lint_source
from .findings import FileResult, Finding, LayerRef
from .graph import LayerGraph, LayerNode
from .rules import RULES, Selection

__version__ = "0.1.0"

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
