"""Hyperparameter choices: values that are one of a few options known from the code
(``hp.Int("layers", 1, 3)``, ``trial.suggest_categorical("cell", ["lstm", "gru"])``).

A body that branches or loops on such a value runs once per option (a configuration),
each run with its own layer nodes, and the states are joined where the body ends. A layer
is bad if some configuration makes it bad, and what one run decides stays consistent
within that run (``if n == 1`` and ``range(n - 1)`` agree), which a join at every branch
would lose.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import libcst as cst

from ..keras_table import SEARCH_SPACES
from .state import InterpreterBase
from .values import TOP, Choice, Const, ListState, Qual, Ref, TupleVal, is_unknown

MAX_CONFIGURATIONS = 8  # runs of one body; choices past this stay unknown
MAX_OPTIONS = 6
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_BINDINGS = (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For)


@dataclass(frozen=True)
class _Fork:
    name: str | None  # the name the choice is bound to in this body, if any
    site: cst.Call | None  # a search-space call in the body, pinned while a run uses an option
    options: tuple[Any, ...]


@dataclass(frozen=True)
class _Shape:
    """What a body's text says about choices: computed once per body."""

    sites: tuple[tuple[cst.Call, str | None, bool], ...]  # call, the name it is bound to, in a decision
    decisions: frozenset[str]  # names read by tests, loop iterables and comparisons
    assigned: frozenset[str]


class ChoicesMixin(InterpreterBase):
    pins: dict[int, Any]
    search_calls: bool  # the file names a search-space method at all
    _shapes: dict[int, _Shape]

    def search_space(self, expr: cst.Call, receiver: Any, method: str) -> Any | None:
        """The value of ``receiver.method(...)`` when it is a search-space call, else None."""
        if not _search_receiver(receiver, self.table.is_keras_module):
            return None
        pinned = self.pins.get(id(expr))
        if pinned is not None:
            return pinned
        return Choice(("choice", self.ctx, id(expr)), self._options(expr, SEARCH_SPACES[method]))

    def exec_configurations(self, body: Any, run: Callable[[], None]) -> None:
        """Run ``body`` (through ``run``) once per configuration of the choices it decides on."""
        forks = self._forks(body) if self.search_calls else []
        if not forks:
            run()
            return
        frame = self.frame
        base = self.snapshot()
        saved_ctx, saved_pins = self.ctx, self.pins
        joined: Any = None
        returns: Any = None
        for number, config in enumerate(itertools.product(*(fork.options for fork in forks))):
            self.restore(base)
            frame.returns = None
            self.ctx = (*saved_ctx, ("configuration", id(body), number))
            self.pins = dict(saved_pins)
            for fork, value in zip(forks, config, strict=True):
                if fork.site is not None:
                    self.pins[id(fork.site)] = value
                elif fork.name is not None:
                    frame.locals[fork.name] = value
            run()
            self.jump = None
            state = self.snapshot()
            joined = state if joined is None else self.join_snapshots(joined, state, base)
            if frame.returns is not None:
                returns = frame.returns if returns is None else self.join(returns, frame.returns)
        self.restore(joined)
        self.ctx, self.pins = saved_ctx, saved_pins
        frame.returns = returns
        for fork in forks:
            if fork.name is None:
                continue
            if fork.site is None:
                del frame.locals[fork.name]  # a shadow of the enclosing scope's choice
            else:
                # Functions defined here and run later still see one value per configuration.
                frame.locals[fork.name] = Choice(("choice", saved_ctx, id(fork.site)), fork.options)

    def _forks(self, body: Any) -> list[_Fork]:
        shape = self._shapes.get(id(body))
        if shape is None:
            shape = self._shapes[id(body)] = _shape(body)
        forks: list[_Fork] = []
        count = 1
        for call, name, in_decision in shape.sites:
            func = call.func
            if not isinstance(func, cst.Attribute) or not _is_path(func.value):
                continue
            value = self.search_space(call, self.eval(func.value), func.attr.value)
            if not isinstance(value, Choice) or not value.options:
                continue
            structural = all(_is_flag_or_object(o) for o in value.options)
            fits = count * len(value.options) <= MAX_CONFIGURATIONS
            if fits and (in_decision or name in shape.decisions or structural):
                forks.append(_Fork(name, call, value.options))
                count *= len(value.options)
        for name in sorted(shape.decisions - shape.assigned):
            value = self.lookup(name)
            if isinstance(value, Choice) and 0 < count * len(value.options) <= MAX_CONFIGURATIONS:
                forks.append(_Fork(name, None, value.options))
                count *= len(value.options)
        return forks

    def _options(self, expr: cst.Call, kind: str) -> tuple[Any, ...]:
        if kind == "bool":
            return (Const(True), Const(False))
        if any(isinstance(n, cst.Call) for arg in expr.args for n in _walk(arg.value)):
            return ()  # options are read without running anything
        pos, kw, _, _ = self.eval_args(expr.args)
        if kind == "int":
            named = [kw.get(k) for k in ("low", "min_value", "high", "max_value")]
            ints = [v.value for v in (*pos, *named) if isinstance(v, Const) and type(v.value) is int]
            step = kw.get("step")
            stride = step.value if isinstance(step, Const) and type(step.value) is int else 1
            if len(ints) < 2 or ints[1] < ints[0]:
                return ()
            low, high = ints[0], ints[1]
            # First, second and last: what ``n == 1``, ``i < n - 1`` and ``range(n)`` tell apart.
            return tuple(Const(v) for v in sorted({low, min(low + max(stride, 1), high), high}))
        for value in (*pos, kw.get("values"), kw.get("choices"), kw.get("options")):
            items = self._sequence(value)
            if items is not None:
                return items if 0 < len(items) <= MAX_OPTIONS and not any(map(is_unknown, items)) else ()
        return ()

    def _sequence(self, value: Any) -> tuple[Any, ...] | None:
        if isinstance(value, Const) and isinstance(value.value, tuple):
            return tuple(Const(v) for v in value.value)
        if isinstance(value, TupleVal):
            return value.items
        if isinstance(value, Ref) and value.kind == "list":
            state = self.heap.get(value.key)
            if isinstance(state, ListState) and state.exact:
                return state.items
        return None


def _search_receiver(receiver: Any, is_keras_module: Callable[[str], bool]) -> bool:
    """``hp``/``trial`` parameters (unknown) and modules such as ``hyperopt.hp`` or ``random``."""
    if isinstance(receiver, Qual):
        return not is_keras_module(receiver.name)
    return receiver is TOP or (is_unknown(receiver) and not isinstance(receiver, Choice))


def _is_path(expr: cst.BaseExpression) -> bool:
    """``hp``, ``self.hp``: reading it runs nothing."""
    while isinstance(expr, cst.Attribute):
        expr = expr.value
    return isinstance(expr, cst.Name)


def _is_flag_or_object(option: Any) -> bool:
    """Options that choose structure (a flag, a layer class) rather than a size or a rate."""
    return not isinstance(option, Const) or option.value is None or isinstance(option.value, bool)


def _walk(node: cst.CSTNode) -> list[cst.CSTNode]:
    """``node`` and what it contains in source order, not entering nested functions, classes or lambdas."""
    out, todo = [], [node]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(reversed([c for c in current.children if not isinstance(c, _SCOPES)]))
    return out


def _decision_parts(node: cst.CSTNode) -> Sequence[cst.CSTNode]:
    if isinstance(node, (cst.If, cst.While, cst.IfExp)):
        return (node.test,)
    if isinstance(node, (cst.For, cst.CompFor)):
        return (node.iter,)
    if isinstance(node, cst.Match):
        return (node.subject,)
    if isinstance(node, cst.Comparison):
        return (node,)
    return ()


def _shape(body: Any) -> _Shape:
    nodes = [n for stmt in (body if isinstance(body, Sequence) else (body,)) for n in _walk(stmt)]
    decision_nodes: set[int] = set()
    decisions: set[str] = set()
    assigned: set[str] = set()
    bound_to: dict[int, str] = {}
    for node in nodes:
        for part in _decision_parts(node):
            for inner in _walk(part):
                decision_nodes.add(id(inner))
                if isinstance(inner, cst.Name):
                    decisions.add(inner.value)
        target = getattr(node, "target", None) if isinstance(node, _BINDINGS) else None
        if isinstance(target, cst.Name):
            assigned.add(target.value)
        if isinstance(node, cst.Assign) and len(node.targets) == 1:
            first = node.targets[0].target
            if isinstance(first, cst.Name):
                bound_to[id(node.value)] = first.value
    sites = tuple(
        (node, bound_to.get(id(node)), id(node) in decision_nodes)
        for node in nodes
        if isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in SEARCH_SPACES
    )
    return _Shape(sites, frozenset(decisions), frozenset(assigned))
