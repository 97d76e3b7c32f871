"""Source -> layer graph: a small abstract interpreter over a libcst module.

It walks the module once, in execution order, tracking what each name holds
(imports resolved to qualified names, layer instances, tensors, Sequential
models, lists), and records a graph node each time a layer is placed in a
model: ``model.add(layer)``, ``Sequential([...])``, ``layer(tensor)``.

Control flow is followed rather than guessed: branches are run from the same
state and joined; a loop body runs twice so its last layer feeds its first;
short literal loops are unrolled; calls to functions and methods defined in
the file are inlined with their arguments. Every function also runs on its
own afterwards (entry points such as ``build_model`` or a subclassed model's
``call`` first): with its defaults, and again with its option defaults (flags,
names) unknown. Hyperparameter choices fork a body per option (see .choices).
Nothing is imported or executed.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Callable
from typing import Any

import libcst as cst

from ..graph import LayerGraph, LayerNode, Span
from ..keras_table import DEFAULT_TABLE, SEARCH_SPACES, KerasTable, Role
from .calls import CallsMixin, is_option
from .choices import ChoicesMixin
from .containers import ContainersMixin
from .expressions import ExpressionsMixin
from .imports import ImportsMixin
from .keras_calls import KerasCallsMixin
from .loops import LoopsMixin
from .positions import Positions
from .project import Project, Unit, called_names
from .state import Frame, Heap, InterpreterBase
from .statements import StatementsMixin
from .values import ClassVal, Descriptor, Func, Instance, LayerVal

_FRAMEWORK_METHODS = frozenset({"__init__", "build", "call", "__call__"})


# A search-space method called on something (``hp.Int(``, ``trial.suggest_int (``): the only
# form the interpreter reads as a choice. ``choices=`` of argparse does not make a file pay.
_SEARCH_CALL = re.compile(rb"\.\s*(?:" + b"|".join(n.encode() for n in SEARCH_SPACES) + rb")\s*\(")


class _Locator:
    """Source spans of layer calls, for the graph to resolve lazily (static positions cost a render).

    It refers to the graph's node list, not to the graph, so no reference cycle keeps a
    parsed module alive after the analysis.
    """

    def __init__(self, positions: Positions, chains: dict[int, tuple[cst.CSTNode, ...]], path: str) -> None:
        self.positions = positions
        self.chains = chains
        self.path = path
        self.nodes: list[LayerNode] = []
        self.cell_of: Callable[[int], tuple[int | None, int]] | None = None
        self.units: dict[int, Unit] = {}  # layer call -> the other project module it is in
        self._wanted = False

    def positions_for(self, call: cst.CSTNode) -> Positions:
        """The positions of the module a layer call is in (this one, or another of the project)."""
        unit = self.units.get(id(call))
        return unit.positions if unit is not None else self.positions

    def __call__(self, node: LayerNode) -> Span | None:
        if not isinstance(node.origin, cst.CSTNode):
            return None
        if not self._wanted:
            # Every layer call is marked in one render of each statement (see static.positions).
            calls = [n.origin for n in self.nodes if isinstance(n.origin, cst.CSTNode)]
            self.positions.want(c for c in calls if id(c) not in self.units)
            for unit in {id(u): u for u in self.units.values()}.values():
                unit.positions.want(c for c in calls if self.units.get(id(c)) is unit)
            self._wanted = True
        unit = self.units.get(id(node.origin))
        positions = self.positions_for(node.origin)
        chain = self.chains.get(id(node.origin))
        rng = positions.span_in(node.origin, chain) if chain else None
        if rng is None:
            rng = positions.span(node.origin)
        if rng is None:
            return None
        start, end, cell = rng.start.line, rng.end.line, None
        if unit is not None:
            return Span(start, rng.start.column + 1, end, rng.end.column + 1, unit.path)
        if self.cell_of is not None:
            cell, start = self.cell_of(rng.start.line)
            end = self.cell_of(rng.end.line)[1]
        return Span(start, rng.start.column + 1, end, rng.end.column + 1, self.path, cell)


def _takes_arguments(params: cst.Parameters) -> bool:
    named = [*params.posonly_params, *params.params, *params.kwonly_params]
    return bool(named) or isinstance(params.star_arg, cst.Param) or params.star_kwarg is not None


def _has_option_defaults(params: cst.Parameters) -> bool:
    return any(is_option(p.default) for p in (*params.posonly_params, *params.params, *params.kwonly_params))


def build_graph(
    module: cst.Module,
    source: bytes,
    path: str = "-",
    table: KerasTable = DEFAULT_TABLE,
    positions: Positions | None = None,
    cell_of: Callable[[int], tuple[int | None, int]] | None = None,
    project: Project | None = None,
) -> LayerGraph:
    """The layer graph of one parsed module; ``cell_of`` maps rows of a notebook's script to cells.
    With a ``project``, imports of its modules are followed and its files importing this one run."""
    interpreter = _Interpreter(module, source, path, table, positions or Positions(module), project)
    interpreter.locator.cell_of = cell_of
    return interpreter.run()


class _Interpreter(
    StatementsMixin,
    LoopsMixin,
    ExpressionsMixin,
    ContainersMixin,
    CallsMixin,
    ChoicesMixin,
    KerasCallsMixin,
    ImportsMixin,
    InterpreterBase,
):
    def __init__(
        self,
        module: cst.Module,
        source: bytes,
        path: str,
        table: KerasTable,
        positions: Positions,
        project: Project | None,
    ) -> None:
        self.module = module
        self.chain: tuple[cst.CSTNode, ...] = ()  # the statements being executed, outermost first
        self.chains: dict[int, tuple[cst.CSTNode, ...]] = {}  # layer call -> its statements
        self.table = table
        self.locator = _Locator(positions, self.chains, path)
        self.graph = LayerGraph(path, locate=self.locator)
        self.locator.nodes = self.graph.nodes
        self.called = called_names(source)
        self.frame = Frame(None)
        self.frames = [self.frame]
        self.heap = Heap({}, [])
        self.ctx: tuple[Any, ...] = ()
        self.nodes: dict[Any, LayerNode] = {}
        self.constructed: dict[Any, LayerVal] = {}
        self.placed: set[Any] = set()
        self.class_attrs: dict[tuple[int, Any], dict[str, Any]] = {}
        self.class_ns: dict[int, dict[str, Any]] = {}
        self.class_bases: dict[int, list[ClassVal]] = {}
        self.classes: dict[int, ClassVal] = {}  # every class the program defined, by key
        self.sequential_classes: set[int] = set()
        self.deferred: list[Func] = []
        self.inlined: set[int] = set()
        self.stack: list[int] = []
        self.steps = 0
        self.unroll_nesting = 0
        self.loop_nesting = 0
        self.positional = 0
        self.loop_syms: set[Any] = set()
        self.item_roots = set()
        self.item_branches = ()
        self.branch_runs = 0
        self.node_branches = {}
        self.jump: str | None = None
        self.pins: dict[int, Any] = {}
        self.search_calls = _SEARCH_CALL.search(source) is not None
        self._shapes = {}
        self._untraced: LayerNode | None = None
        self.project = project
        self.home = os.path.realpath(path) if project is not None else ""
        self.modules = {self.home: self.frame} if self.home else {}
        self.unit_of = {}
        self.drivers = set()
        self.driver = None
        self.judged: set[int] = set()
        self.touched = self.decided = 0
        self.inert: set[int] = set()
        self.active: set[int] = set()

    def run(self) -> LayerGraph:
        body = self.module.body
        self.exec_configurations(body, lambda: self.exec_block(body))
        self.run_deferred()
        self.run_importers()
        for key, val in self.constructed.items():
            if key not in self.placed and val.spec.role is Role.RECURRENT:
                # Built but never placed where we can see it: its own arguments still count.
                self.make_node(val)
        # A function and the scope that defines it refer to each other; unlinking the scopes
        # lets reference counting free the analysis at once, without the cyclic collector.
        for frame in self.frames:
            frame.locals.clear()
            frame.returns = None  # a returned closure refers to its frame too
        return self.graph

    def run_deferred(self) -> None:
        done = self.judged
        seen = 0  # how much of self.deferred has been sorted into entry points and the rest
        waiting: deque[Func] = deque()  # functions the file calls, in the order they were defined
        while True:
            # Entry points first, so that helpers they call are analysed with real arguments;
            # then the first function still waiting. Only functions defined since the last
            # round can be new entry points (which names the file calls does not change here).
            roots = []
            for func in self.deferred[seen:]:
                if func.key not in done:
                    (roots if self._is_entry_point(func) else waiting).append(func)
            seen = len(self.deferred)
            while not roots and waiting:
                func = waiting.popleft()
                if func.key not in done:
                    roots.append(func)
            if not roots:
                self.driver = None
                return
            for func in roots:
                if func.key in done:
                    continue
                done.add(func.key)
                params = func.node.params
                first = self._first_argument(func)
                if func.key in self.inlined and first is None and not _takes_arguments(params):
                    # Called already, and a call without arguments is the same on its own; a
                    # method ran on the instances built, not on the any-instance judged here.
                    continue
                if func.owner is None and func.key in self.inert and func.key not in self.active:
                    continue  # its calls touched no layer, model or Keras name, and decided nothing
                pos: list[Any] = [first] if first is not None else []
                unit = self.unit_in(func.scope)
                self.driver = unit.path if unit is not None else None
                # A function the file calls already ran for real; on its own it is judged, and
                # what it writes to module state (a registry, a global) is not kept.
                state = self.snapshot()
                self.run_function(func, pos, {}, (("fn", func.key),), standalone=True)
                if func.key in self.inlined:
                    self.restore(state)
                if _has_option_defaults(params) or params.star_kwarg is not None:
                    # The other options it offers callers count too (``arch="single"``,
                    # ``use_gru=True``, ``**overrides``); sizes keep their defaults.
                    state = self.snapshot()
                    self.run_function(func, pos, {}, (("fn", func.key, "open"),), True, defaults=False)
                    self.restore(state)

    def _first_argument(self, func: Func) -> Instance | ClassVal | None:
        """What a method judged on its own gets first: an instance, its class (a classmethod)
        or nothing (a staticmethod, a function)."""
        if func.owner is None:
            return None
        bound = self.class_ns.get(func.owner.key, {}).get(func.node.name.value)
        if isinstance(bound, Descriptor) and bound.func is func and bound.kind != "property":
            return func.owner if bound.kind == "classmethod" else None
        return Instance(func.owner)

    def _is_entry_point(self, func: Func) -> bool:
        name = func.node.name.value
        if func.owner is not None and name in _FRAMEWORK_METHODS:
            return True
        return name not in self.called

    def _frame(self, parent: Frame, is_class: bool = False) -> Frame:
        frame = Frame(parent, is_class)
        self.frames.append(frame)
        return frame
