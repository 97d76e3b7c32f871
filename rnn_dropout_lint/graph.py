"""The layer graph: what every front end builds and every rule reads.

Nodes are layer applications (a layer instance placed in a model); edges are
data flow from one node's output to another's input. The static front end
builds it from source, the runtime front end from a live Keras model; rules
see no difference.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .keras_table import LayerSpec


class Tri(enum.IntEnum):
    """A three-valued fact: ``min`` is *and*, ``max`` is *or*."""

    NO = 0
    UNKNOWN = 1
    YES = 2


class _Unknown:
    """An argument whose value the front end could not determine."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class Options:
    """An argument that is one of these literals, each on some path the front end takes as
    reachable (``return_sequences=rs`` where branches set ``rs`` to True or False). Facts
    read it as UNKNOWN unless they ask for every path (see facts.arg)."""

    values: frozenset[Any]


@dataclass(frozen=True)
class Span:
    """Where a layer was built: 1-based rows and columns, end exclusive."""

    row: int
    col: int
    end_row: int
    end_col: int
    path: str = "-"
    cell: int | None = None


@dataclass(eq=False)
class LayerNode:
    """One layer application. ``args`` holds literals or :data:`UNKNOWN`; absent means default."""

    id: int
    kind: str  # canonical class name; "" for a layer the front end could not resolve
    spec: LayerSpec | None
    args: Mapping[str, Any] = field(default_factory=dict)
    # Source text of arguments as written, for messages (e.g. {"rate": "DROP_RATE"}).
    text: Mapping[str, str] = field(default_factory=dict)
    wrapped: LayerNode | None = None
    # The class as the code names it, e.g. "tensorflow.keras.layers.Dropout".
    qualname: str | None = None
    # The layer's name, where known (runtime graphs): messages use it when there is no line.
    name: str | None = None
    # Front-end handle: a libcst Call for static graphs, a layer object for runtime ones.
    origin: Any = None
    span: Span | None = None
    # Built in a loop whose stack the analysis followed position by position.
    in_loop: bool = False
    # Static graphs: the other file of the project whose code built it (an importer that
    # calls a function of the checked file); None when the checked file's own code did.
    via: str | None = None
    # Static graphs: built by code of another file of the project (a neighbour of this file's
    # layers; that file's own check reports on it).
    elsewhere: bool = False
    # Static graphs: the last layer of a model that TimeDistributed runs at every step; its
    # own input has no time axis, its output becomes one step of a sequence.
    stepped: bool = False
    # Runtime graphs only: real shapes, batch axis included, None for unknown dims.
    input_shape: tuple[int | None, ...] | None = None
    output_shape: tuple[int | None, ...] | None = None


class LayerGraph:
    """Layer nodes and certainty-tagged data-flow edges."""

    def __init__(self, path: str = "-", locate: Callable[[LayerNode], Span | None] | None = None) -> None:
        self.path = path
        self.nodes: list[LayerNode] = []
        self._succ: dict[int, dict[int, bool]] = {}
        self._pred: dict[int, dict[int, bool]] = {}
        self._locate = locate
        self._memo: dict[str, Any] = {}

    def add_node(self, kind: str, spec: LayerSpec | None, **fields: Any) -> LayerNode:
        node = LayerNode(len(self.nodes), kind, spec, **fields)
        self.nodes.append(node)
        return node

    def add_edge(self, src: LayerNode, dst: LayerNode, certain: bool = True) -> None:
        """Record that ``src``'s output feeds ``dst``; a certain edge wins over an uncertain one."""
        succ = self._succ.setdefault(src.id, {})
        succ[dst.id] = succ.get(dst.id, False) or certain
        pred = self._pred.setdefault(dst.id, {})
        pred[src.id] = pred.get(src.id, False) or certain

    def preds(self, node: LayerNode) -> Iterator[tuple[LayerNode, bool]]:
        for nid, certain in self._pred.get(node.id, {}).items():
            yield self.nodes[nid], certain

    def succs(self, node: LayerNode) -> Iterator[tuple[LayerNode, bool]]:
        for nid, certain in self._succ.get(node.id, {}).items():
            yield self.nodes[nid], certain

    def span(self, node: LayerNode) -> Span | None:
        """The node's source span, resolved lazily (static positions cost a re-render)."""
        if node.span is None and self._locate is not None:
            node.span = self._locate(node)
        return node.span

    def memo(self, key: str, compute: Callable[[LayerGraph], Any]) -> Any:
        """A derived result computed once per graph and shared by the rules."""
        if key not in self._memo:
            self._memo[key] = compute(self)
        return self._memo[key]
