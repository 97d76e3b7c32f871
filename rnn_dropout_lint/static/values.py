"""Abstract values of the static interpreter.

Every value is immutable and hashable, so a program state is two plain dicts
(names and heap) that can be copied at a branch and joined where branches meet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from ..keras_table import LayerSpec

# A tensor's possible producers: graph node id -> whether that data flow is certain.
# Node id -1 stands for a tensor the interpreter could not trace.
Sources = frozenset[tuple[int, bool]]
UNTRACED = -1
NO_SOURCES: Sources = frozenset()


def merge_sources(*groups: Iterable[tuple[int, bool]]) -> Sources:
    best: dict[int, bool] = {}
    for group in groups:
        for nid, certain in group:
            best[nid] = best.get(nid, False) or certain
    return frozenset(best.items())


def uncertain(sources: Sources) -> Sources:
    return frozenset((nid, False) for nid, _ in sources)


class Top:
    """Anything: a value the interpreter does not follow."""

    _instance: Top | None = None

    def __new__(cls) -> Top:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "TOP"


TOP = Top()


class Never(Top):
    """What a call that always raises gives: no value at all. Joined with another value it
    is that value; anywhere else it is unknown, as TOP."""

    _instance: Top | None = None

    def __repr__(self) -> str:
        return "NEVER"


NEVER = Never()


@dataclass(frozen=True)
class Const:
    """A literal: None, bool, int, float, str, bytes or a tuple of those."""

    value: Any


@dataclass(frozen=True)
class OneOf:
    """One of a few literals, each the value on some path: ``rs`` after ``if deep: rs = True``
    / ``else: rs = False``. Unknown as data (a branch is decided on it only where every option
    has the same truth), but an argument that is bad with one option is bad on the path that
    gives it."""

    options: frozenset[Const]


@dataclass(frozen=True)
class Qual:
    """A module or an attribute reached from an import: a fully qualified name."""

    name: str


@dataclass(frozen=True)
class ModuleVal:
    """A module of the user's project (see :mod:`.project`): its names are read from its
    source. ``path`` is None for a folder without ``__init__.py`` (a namespace package);
    ``folder`` is set for packages, where submodules are looked up."""

    name: str
    path: str | None
    folder: str | None


@dataclass(frozen=True)
class LazyName:
    """``from module import name`` in a module that is only imported: read on first use."""

    module: ModuleVal
    name: str


@dataclass(frozen=True)
class Classes:
    """One of several Keras classes (``GRU if use_gru else LSTM``)."""

    options: frozenset[Qual]


@dataclass(frozen=True)
class LayerVal:
    """A layer instance built by a call to a Keras class (not yet placed in a model)."""

    key: tuple[Any, ...]
    spec: LayerSpec = field(compare=False)
    call: cst.Call = field(compare=False)
    args: Mapping[str, Any] = field(compare=False)  # name -> abstract value
    arg_exprs: Mapping[str, cst.BaseExpression] = field(compare=False)
    star_kwargs: bool = field(compare=False, default=False)
    wrapped: LayerVal | None = field(compare=False, default=None)
    order: int = field(compare=False, default=0)  # construction order, for deterministic output
    qualname: str | None = field(compare=False, default=None)


@dataclass(frozen=True)
class Layers:
    """One of several layer instances (branches assigned different layers to a name)."""

    options: frozenset[LayerVal]


@dataclass(frozen=True)
class Tensor:
    sources: Sources


@dataclass(frozen=True)
class Ref:
    """A mutable object on the heap: a Sequential model or a list."""

    kind: str  # "model" | "list"
    key: tuple[Any, ...]


@dataclass(frozen=True)
class ModelState:
    heads: Sources = NO_SOURCES  # nodes that receive the model's input
    tails: Sources = NO_SOURCES  # nodes whose output is the model's output
    # A Sequential's layers in order and the tails before each ``add``, where every add was
    # seen: ``model.layers`` and ``model.pop()`` follow them. None once unknown.
    layers: tuple[Any, ...] | None = ()
    history: tuple[Sources, ...] = ()


@dataclass(frozen=True)
class ListState:
    items: tuple[Any, ...]
    exact: bool = True  # False once branches disagree on the contents
    # Of an inexact list: how many leading items every path agrees on (``inputs[0]``).
    prefix: int = 0
    # Of an inexact list that branches built with known items: the value at each index on
    # the paths where the list is that long (``[False]`` or ``[True, False]``: index 1 is
    # False wherever reading it does not raise).
    at: tuple[Any, ...] = ()

    @property
    def known(self) -> int:
        """How many leading items are certain."""
        return len(self.items) if self.exact else self.prefix


@dataclass(frozen=True)
class TupleVal:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class DictVal:
    items: tuple[tuple[str, Any], ...]
    # Values stored under a key only known at run time (``self.cache[name] = layer``): a read
    # by any key may give one of them.
    unkeyed: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Func:
    node: cst.FunctionDef = field(compare=False)
    scope: Any = field(compare=False)  # the defining Frame
    owner: ClassVal | None = field(compare=False, default=None)
    key: int = 0  # id of the FunctionDef
    # The statements that enclose the body, outermost first (the def included): see positions.
    chain: tuple[Any, ...] = field(compare=False, default=())


@dataclass(frozen=True)
class ClassVal:
    node: cst.ClassDef = field(compare=False)
    key: int = 0


@dataclass(frozen=True)
class Instance:
    """An instance of a class of the program. ``site`` is where it was built (the call's
    context and node): instances built apart keep their attributes apart. None: any instance
    (a method judged on its own), whose attributes every instance of the class falls back to."""

    cls: ClassVal
    site: Any = None


@dataclass(frozen=True)
class LambdaVal:
    node: cst.Lambda = field(compare=False)
    scope: Any = field(compare=False)  # the defining Frame
    key: int = 0


@dataclass(frozen=True)
class Objects:
    """One of several functions, classes or instances of the program (``build = build_lstm if
    deep else build_gru``, a registry dict read with a key only known at run time): a call or
    an attribute is taken on each, and gives what any of them may."""

    options: tuple[Any, ...]  # in order of appearance: runs follow it


@dataclass(frozen=True)
class DataFile:
    """A file opened by a literal path to be read (``open("config.json")``), not yet read."""

    path: str


@dataclass(frozen=True)
class Partial:
    """``functools.partial(func, *pos, **kw)``."""

    func: Any
    pos: tuple[Any, ...]
    kw: tuple[tuple[str, Any], ...]


PARTIAL_NAMES = frozenset({"functools.partial"})
REDUCE_NAMES = frozenset({"functools.reduce"})
COPY_NAMES = frozenset({"copy.copy", "copy.deepcopy"})
DICT_NAMES = frozenset({"collections.OrderedDict"})  # a dict to the analysis

# Evaluated call arguments: positional values, keyword values, the expressions behind them
# (by position or keyword), and whether ``**unknown`` may add more keywords.
Args = tuple[list[Any], dict[str, Any], dict[Any, cst.BaseExpression], bool]


@dataclass(frozen=True)
class Super:
    """``super()`` in a method of ``owner`` called on ``inst``."""

    owner: ClassVal
    inst: Instance


@dataclass(frozen=True)
class KerasInit:
    """``super().__init__`` of a class derived from Keras ``Sequential``: it takes the layers."""

    inst: Instance


@dataclass(frozen=True)
class BoundMethod:
    func: Func
    self_value: Instance | ClassVal  # a classmethod's first argument is its class


OBJECT_KINDS = (Func, LambdaVal, BoundMethod, Partial, ClassVal, Instance, Objects)


@dataclass(frozen=True)
class Descriptor:
    """A method under ``@property``, ``@staticmethod`` or ``@classmethod``."""

    kind: str
    func: Func


@dataclass(frozen=True)
class Opaque:
    """An unknown value with an identity (a parameter, ``args.n_layers``, an unknown list), so
    that two reads of it agree: ``range(n)`` and ``i < n - 1`` speak of the same ``n``."""

    key: tuple[Any, ...]


def call_result(site: tuple[Any, int]) -> Opaque:
    """What a call at ``site`` (calling context, id of the call) gives when its callee is not
    followed: one unknown per site, so that two reads of it agree."""
    return Opaque(("call", *site))


def builtin_name(value: Any) -> str | None:
    """The name of a builtin read as a value (``int``, ``property``): a name bound nowhere
    the analysis sees reads as the unknown of that name (see expressions._lookup)."""
    return value.key[1] if isinstance(value, Opaque) and value.key[:1] == ("name",) else None


@dataclass(frozen=True)
class Choice(Opaque):
    """A hyperparameter: one of a few ``options`` known from the call (``hp.Int('n', 1, 3)``),
    which one decided at run time. Empty ``options``: too many or not literal."""

    options: tuple[Any, ...] = ()


@dataclass(frozen=True)
class SymInt:
    """``sym + offset`` for an unknown count ``sym`` (an Opaque key, ``len`` of an unknown list).
    Counts are taken to be larger than any constant the code compares them with."""

    sym: Any
    offset: int


@dataclass(frozen=True)
class MidIndex:
    """A loop index strictly between its first and last value: ``start < i < stop - 1``."""

    start: int
    stop: SymInt


@dataclass(frozen=True)
class SymSeq:
    """An iterable of unknown length whose items are known per position (first, middle, last):
    ``range(n)``, an unknown list, ``enumerate``/``zip`` of those."""

    kind: str  # "range" | "enumerate" | "zip" (an unknown list itself is an Opaque)
    parts: tuple[Any, ...]  # range: (start, stop SymInt); enumerate/zip: the iterables


UNKNOWNS = (Top, Opaque, SymInt, MidIndex, SymSeq, OneOf)


def is_unknown(value: Any) -> bool:
    """Values the interpreter cannot use as data (TOP and the symbolic values)."""
    return isinstance(value, UNKNOWNS)
