"""Program state of the interpreter: scopes, the state lattice (copy at a branch, join where
branches meet) and the budgets that keep the analysis linear."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import libcst as cst

from ..graph import LayerGraph, LayerNode
from ..keras_table import KerasTable
from .values import (
    NEVER,
    OBJECT_KINDS,
    TOP,
    UNTRACED,
    Classes,
    ClassVal,
    Const,
    DictVal,
    Func,
    Instance,
    Layers,
    LayerVal,
    ListState,
    ModelState,
    Objects,
    OneOf,
    Opaque,
    Qual,
    Ref,
    Tensor,
    TupleVal,
    is_unknown,
    merge_sources,
    uncertain,
)

MAX_INLINE_DEPTH = 6
MAX_UNROLL = 16  # literal loops up to this length run once per item
MAX_UNROLL_NESTING = 2
MAX_TWO_PASS_NESTING = 4  # deeper loops run their body once
MAX_LAYER_OPTIONS = 8
MAX_JOINED_LIST = 16
MAX_CONST_LENGTH = 1_000  # longer strings and tuples are not built or worked on: ``"=" * 10**10``
STEP_BUDGET = 200_000  # past this, stop inlining and unrolling (keeps huge files linear)


class Heap(dict):
    """Lists and models by key. Every write is logged, so that the states two branches reach
    from a common one are joined on the keys written since, not on the whole heap (which
    holds every list a project's modules ever built)."""

    __slots__ = ("log",)

    def __init__(self, items: dict[Any, Any], log: list[Any]) -> None:
        super().__init__(items)
        self.log = log

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.log.append(key)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]


# A program state: the current scope's names, the heap, and the heap log's length then.
Snapshot = tuple[dict[str, Any], dict[Any, Any], int]


class Frame:
    """The names of one scope. Class scopes are skipped by the functions they define."""

    __slots__ = ("declared", "is_class", "locals", "method", "parent", "returns", "star_modules")

    def __init__(self, parent: Frame | None, is_class: bool = False) -> None:
        self.locals: dict[str, Any] = {}
        self.parent = parent
        self.is_class = is_class
        self.returns: Any = None
        # ``from keras.layers import *``: names bound nowhere else come from these modules.
        self.star_modules: list[str] = []
        # In a method: the class that defines it and the instance it runs on (for ``super()``).
        self.method: tuple[ClassVal, Instance] | None = None
        # Names a ``global`` or ``nonlocal`` statement gives to an outer scope (None: none).
        self.declared: dict[str, str] | None = None

    def owner_of(self, name: str) -> Frame:
        """The scope an assignment to ``name`` here binds it in."""
        kind = self.declared.get(name) if self.declared is not None else None
        if kind == "global":
            frame = self
            while frame.parent is not None:
                frame = frame.parent
            return frame
        if kind == "nonlocal":
            frame = self.parent
            while frame is not None and (frame.is_class or name not in frame.locals):
                frame = frame.parent
            return frame if frame is not None else self
        return self


def _joined(
    a: dict[Any, Any], b: dict[Any, Any], keys: Iterable[Any], join: Callable[[Any, Any], Any]
) -> dict[Any, Any]:
    """``a`` with ``b``'s values for ``keys`` joined in (the only keys where they may differ)."""
    out = dict(a)
    for key in keys:
        if key in b:
            value = b[key]
            if key not in out:
                out[key] = value
            elif out[key] is not value:
                out[key] = join(out[key], value)
    return out


def _members(value: Any, several: type) -> frozenset[Any]:
    """The options of a one-of-several value (``Layers``, ``Classes``, ``OneOf``), or the value."""
    return value.options if isinstance(value, several) else frozenset({value})


def _objects(value: Any) -> tuple[Any, ...]:
    return value.options if isinstance(value, Objects) else (value,)


def _at(state: ListState) -> tuple[Any, ...] | None:
    """A list's items by index where every path knows them."""
    return state.items if state.exact else state.at or None


def _short_and_known(state: Any) -> bool:
    """A list literal's worth of known items: what two branches' lists are joined by index
    (longer or looser lists stay unknown, which keeps joins in nested loops cheap)."""
    if not isinstance(state, ListState):
        return False
    known = _at(state)
    return known is not None and len(known) <= MAX_JOINED_LIST


class InterpreterBase:
    """What every part of the interpreter shares: the graph being built, the current scope
    and heap, the calling context, and the state lattice. The parts are mixins over it."""

    module: cst.Module
    table: KerasTable
    graph: LayerGraph
    frame: Frame
    frames: list[Frame]
    heap: Heap
    ctx: tuple[Any, ...]
    chain: tuple[cst.CSTNode, ...]
    chains: dict[int, tuple[cst.CSTNode, ...]]
    nodes: dict[Any, LayerNode]
    constructed: dict[Any, LayerVal]
    placed: set[Any]
    class_attrs: dict[tuple[int, Any], dict[str, Any]]  # (class key, instance site) -> attributes
    class_ns: dict[int, dict[str, Any]]
    class_bases: dict[int, list[ClassVal]]
    classes: dict[int, ClassVal]
    sequential_classes: set[int]  # classes derived from Keras Sequential
    deferred: list[Func]
    inlined: set[int]
    stack: list[int]
    steps: int
    unroll_nesting: int
    loop_nesting: int
    positional: int  # loops being run at their first, middle and last positions
    loop_syms: set[Any]  # the unknown counts and lists those loops run over
    item_roots: set[Any]  # the unknown sequences loops now run over: their items are data
    item_branches: tuple[int, ...]  # the branches on a loop item's data being run (one id per run)
    branch_runs: int
    node_branches: dict[int, frozenset[int]]  # a node built in such branches -> their ids
    jump: str | None  # "return", "break" or "continue" reached for sure: the block ends

    def snapshot(self) -> Snapshot:
        return dict(self.frame.locals), dict(self.heap), len(self.heap.log)

    def restore(self, snap: Snapshot) -> None:
        self.frame.locals = dict(snap[0])
        self.heap = Heap(snap[1], self.heap.log)

    def join_snapshots(self, a: Snapshot, b: Snapshot, since: Snapshot) -> Snapshot:
        """The state after either of two paths that both started from ``since``."""
        names = _joined(a[0], b[0], b[0], self.join)
        heap = _joined(a[1], b[1], set(self.heap.log[since[2] :]), self.join_heap)
        for name, value in names.items():
            if value is not TOP:
                continue
            # Each path bound the name to a list of its own (``seq = [False]`` / ``seq = [True,
            # False]``): it is now one list that is either.
            left, right = a[0].get(name), b[0].get(name)
            if isinstance(left, Ref) and isinstance(right, Ref):
                states = a[1].get(left.key), b[1].get(right.key)
                if left.kind == right.kind == "list" and all(_short_and_known(state) for state in states):
                    key = ("joined", hash((left.key, right.key)))  # flat: joins nest in loops
                    heap[key] = self.join_heap(*states)
                    self.heap.log.append(key)
                    names[name] = Ref("list", key)
        return names, heap, len(self.heap.log)

    def downgrade(self, snap: Snapshot) -> Snapshot:
        """The state of a path that may not be taken: its data flow becomes uncertain (the
        models written since ``snap`` was taken; the others are the same on every path)."""
        names = {k: Tensor(uncertain(v.sources)) if isinstance(v, Tensor) else v for k, v in snap[0].items()}
        heap = dict(snap[1])
        for key in set(self.heap.log[snap[2] :]):
            value = heap.get(key)
            if isinstance(value, ModelState):
                heap[key] = ModelState(value.heads, uncertain(value.tails), None)
        return names, heap, snap[2]

    def attrs_holding(self, inst: Instance, name: str) -> dict[str, Any] | None:
        """The attributes of ``inst`` that hold ``name``: its own (set where it was built), else
        those every instance of its class sees; None when neither does."""
        for site in (inst.site, None):
            attrs = self.class_attrs.get((inst.cls.key, site))
            if attrs is not None and name in attrs:
                return attrs
        return None

    def join(self, a: Any, b: Any) -> Any:
        if a == b or b is NEVER:
            return a
        if a is NEVER:
            return b
        if isinstance(a, (Const, OneOf)) and isinstance(b, (Const, OneOf)):
            options = _members(a, OneOf) | _members(b, OneOf)
            return OneOf(options) if len(options) <= MAX_LAYER_OPTIONS else TOP
        if type(a) is Opaque and type(b) is Opaque:
            # ``x = p["a"] if c else p["b"]``: still one value, whichever it is, so that
            # ``for i in range(len(x))`` and ``i < len(x) - 1`` speak of the same ``x``.
            return Opaque((a.key, "|", b.key))
        if is_unknown(a) or is_unknown(b):
            other = b if is_unknown(a) else a
            if isinstance(other, Tensor):
                return Tensor(merge_sources(other.sources, ((UNTRACED, True),)))
            if isinstance(other, Ref) and other.kind == "model":
                return other  # an unknown receiver that ``.add`` turned into a Sequential
            return TOP
        if isinstance(a, Tensor) and isinstance(b, Tensor):
            return Tensor(merge_sources(a.sources, b.sources))
        if isinstance(a, (LayerVal, Layers)) and isinstance(b, (LayerVal, Layers)):
            options = _members(a, Layers) | _members(b, Layers)
            return Layers(options) if len(options) <= MAX_LAYER_OPTIONS else TOP
        if isinstance(a, Qual) and isinstance(b, Qual) and self._same_keras_name(a.name, b.name):
            return a
        if isinstance(a, (Qual, Classes)) and isinstance(b, (Qual, Classes)):
            options = _members(a, Classes) | _members(b, Classes)
            keras_only = all(self.table.lookup(q.name) is not None for q in options)
            return Classes(options) if keras_only and len(options) <= MAX_LAYER_OPTIONS else TOP
        if isinstance(a, OBJECT_KINDS) and isinstance(b, OBJECT_KINDS):
            objects = dict.fromkeys((*_objects(a), *_objects(b)))  # ordered: runs are too
            return Objects(tuple(objects)) if len(objects) <= MAX_LAYER_OPTIONS else TOP
        if isinstance(a, DictVal) and isinstance(b, DictVal):
            # The keys of either (a key that one path lacks is not read on that path).
            left, right = dict(a.items), dict(b.items)
            items = {**left, **right}
            for key in left.keys() & right.keys():
                items[key] = self.join(left[key], right[key])
            unkeyed = tuple(dict.fromkeys((*a.unkeyed, *b.unkeyed)))
            return DictVal(tuple(items.items()), unkeyed) if len(unkeyed) <= MAX_LAYER_OPTIONS else TOP
        if isinstance(a, TupleVal) and isinstance(b, TupleVal) and len(a.items) == len(b.items):
            return TupleVal(tuple(self.join(x, y) for x, y in zip(a.items, b.items, strict=True)))
        return TOP

    def join_all(self, values: Iterable[Any]) -> Any:
        """What any of ``values`` may be (TOP for none)."""
        result: Any = None
        for value in values:
            result = value if result is None else self.join(result, value)
        return TOP if result is None else result

    def join_over_time(self, old: Any, new: Any) -> Any:
        """An attribute that held ``old`` and was later set to ``new`` where the analysis does
        not keep the order: either may be read, but neither is the value of a path."""
        joined = self.join(old, new)
        return TOP if isinstance(joined, OneOf) else joined

    def join_heap(self, a: Any, b: Any) -> Any:
        if a == b:
            return a
        if isinstance(a, ModelState) and isinstance(b, ModelState):
            # Branches that built different stacks: the layer list is no longer known.
            same = a.layers == b.layers and a.history == b.history
            layers, history = (a.layers, a.history) if same else (None, ())
            heads, tails = merge_sources(a.heads, b.heads), merge_sources(a.tails, b.tails)
            return ModelState(heads, tails, layers, history)
        if isinstance(a, ListState) and isinstance(b, ListState):
            if a.exact and b.exact and len(a.items) == len(b.items):
                items = tuple(self.join(x, y) for x, y in zip(a.items, b.items, strict=True))
                return ListState(items)
            # Lists that grew differently (a loop): keep every item, in order of appearance.
            extra = tuple(item for item in b.items if item not in a.items)
            common = 0
            while common < min(a.known, b.known) and a.items[common] == b.items[common]:
                common += 1
            return ListState(a.items + extra, False, common, self._join_at(_at(a), _at(b)))
        return b

    def _join_at(self, a: tuple[Any, ...] | None, b: tuple[Any, ...] | None) -> tuple[Any, ...]:
        """Index by index, the values of two lists whose items are known on every path."""
        if a is None or b is None:
            return ()
        short, long = sorted((a, b), key=len)
        return tuple(self.join(x, y) for x, y in zip(short, long, strict=False)) + long[len(short) :]

    def _same_keras_name(self, a: str, b: str) -> bool:
        """``tensorflow.keras.layers.LSTM`` and ``keras.layers.LSTM`` (import fallbacks) agree."""
        spec_a, spec_b = self.table.lookup(a), self.table.lookup(b)
        if spec_a is not None or spec_b is not None:
            return spec_a == spec_b
        return (
            self.table.is_keras_module(a)
            and self.table.is_keras_module(b)
            and a.rsplit(".", 1)[-1] == b.rsplit(".", 1)[-1]
        )
