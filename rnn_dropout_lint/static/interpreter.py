"""Source -> layer graph: a small abstract interpreter over a libcst module.

It walks the module once, in execution order, tracking what each name holds
(imports resolved to qualified names, layer instances, tensors, Sequential
models, lists), and records a graph node each time a layer is placed in a
model: ``model.add(layer)``, ``Sequential([...])``, ``layer(tensor)``.

Control flow is followed rather than guessed: branches are run from the same
state and joined; a loop body runs twice so its last layer feeds its first;
short literal loops are unrolled; calls to functions and methods defined in
the file are inlined with their arguments. Functions that nothing calls
(``build_model``, a subclassed model's ``call``) run on their own afterwards,
with unknown parameters. Nothing is imported or executed.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import libcst as cst
from libcst.helpers import get_full_name_for_node

from ..graph import UNKNOWN, LayerGraph, LayerNode, Span
from ..keras_table import DEFAULT_TABLE, KerasTable, LayerSpec, Role
from .positions import Positions
from .values import (
    NO_SOURCES,
    TOP,
    UNTRACED,
    BoundMethod,
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
    Qual,
    Ref,
    Sources,
    Tensor,
    TupleVal,
    merge_sources,
    uncertain,
)

MAX_INLINE_DEPTH = 6
MAX_UNROLL = 8  # literal loops up to this length run once per item
MAX_UNROLL_NESTING = 2
MAX_TWO_PASS_NESTING = 4  # deeper loops run their body once
MAX_LAYER_OPTIONS = 8
STEP_BUDGET = 200_000  # past this, stop inlining and unrolling (keeps huge files linear)

# Arguments whose source text the messages quote ("the rate as written").
_QUOTED_ARGS = ("rate", "noise_shape", "recurrent_dropout")
_CONSTANTS = {"True": Const(True), "False": Const(False), "None": Const(None)}
_FRAMEWORK_METHODS = frozenset({"__init__", "build", "call", "__call__"})
# The lookbehind starts a match only at the start of a word: linear even on a 10 MB identifier.
_CALLED_NAME = re.compile(rb"(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*)\s*\(")

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    cst.Add: operator.add,
    cst.Subtract: operator.sub,
    cst.Multiply: operator.mul,
    cst.Divide: operator.truediv,
    cst.FloorDivide: operator.floordiv,
    cst.Modulo: operator.mod,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    cst.LessThan: operator.lt,
    cst.LessThanEqual: operator.le,
    cst.GreaterThan: operator.gt,
    cst.GreaterThanEqual: operator.ge,
    cst.Equal: operator.eq,
    cst.NotEqual: operator.ne,
    cst.Is: operator.is_,
    cst.IsNot: operator.is_not,
}


class Frame:
    """The names of one scope. Class scopes are skipped by the functions they define."""

    __slots__ = ("is_class", "locals", "parent", "returns", "star_modules")

    def __init__(self, parent: Frame | None, is_class: bool = False) -> None:
        self.locals: dict[str, Any] = {}
        self.parent = parent
        self.is_class = is_class
        self.returns: Any = None
        # ``from keras.layers import *``: names bound nowhere else come from these modules.
        self.star_modules: list[str] = []


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
        self._wanted = False

    def __call__(self, node: LayerNode) -> Span | None:
        if not isinstance(node.origin, cst.CSTNode):
            return None
        if not self._wanted:
            # Every layer call is marked in one render of each statement (see static.positions).
            self.positions.want(n.origin for n in self.nodes if isinstance(n.origin, cst.CSTNode))
            self._wanted = True
        chain = self.chains.get(id(node.origin))
        rng = self.positions.span_in(node.origin, chain) if chain else None
        if rng is None:
            rng = self.positions.span(node.origin)
        if rng is None:
            return None
        start, end, cell = rng.start.line, rng.end.line, None
        if self.cell_of is not None:
            cell, start = self.cell_of(rng.start.line)
            end = self.cell_of(rng.end.line)[1]
        return Span(start, rng.start.column + 1, end, rng.end.column + 1, self.path, cell)


def _string(literal: str) -> Any:
    """A string literal's value. Plain ones are sliced: ``ast.literal_eval`` compiles each one
    and leaves reference cycles behind."""
    start = min(i for i in (literal.find('"'), literal.find("'")) if i >= 0)
    prefix = literal[:start].lower()
    quote = 3 if literal[start : start + 3] in ('"""', "'''") else 1
    body = literal[start + quote : len(literal) - quote]
    if prefix in ("", "u", "r") and "\r" not in body and ("\\" not in body or prefix == "r"):
        return Const(body)
    import ast

    try:
        return Const(ast.literal_eval(literal))
    except Exception:  # an odd prefix or escape is not worth a crash
        return TOP


def called_names(source: bytes) -> frozenset[str]:
    """Identifiers that appear in call position somewhere in the file (a cheap ordering hint)."""
    return frozenset(m.decode() for m in _CALLED_NAME.findall(source))


def build_graph(
    module: cst.Module,
    source: bytes,
    path: str = "-",
    table: KerasTable = DEFAULT_TABLE,
    positions: Positions | None = None,
    cell_of: Callable[[int], tuple[int | None, int]] | None = None,
) -> LayerGraph:
    """The layer graph of one parsed module; ``cell_of`` maps rows of a notebook's script to cells."""
    interpreter = _Interpreter(module, source, path, table, positions or Positions(module))
    interpreter.locator.cell_of = cell_of
    return interpreter.run()


class _Interpreter:
    def __init__(
        self, module: cst.Module, source: bytes, path: str, table: KerasTable, positions: Positions
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
        self.heap: dict[Any, Any] = {}
        self.ctx: tuple[Any, ...] = ()
        self.nodes: dict[Any, LayerNode] = {}
        self.constructed: dict[Any, LayerVal] = {}
        self.placed: set[Any] = set()
        self.class_attrs: dict[int, dict[str, Any]] = {}
        self.class_ns: dict[int, dict[str, Any]] = {}
        self.class_bases: dict[int, list[ClassVal]] = {}
        self.deferred: list[Func] = []
        self.inlined: set[int] = set()
        self.stack: list[int] = []
        self.steps = 0
        self.unroll_nesting = 0
        self.loop_nesting = 0
        self._untraced: LayerNode | None = None

    # ----------------------------------------------------------------- driver
    def run(self) -> LayerGraph:
        self.exec_block(self.module.body)
        self.run_deferred()
        for key, val in self.constructed.items():
            if key not in self.placed and val.spec.role is Role.RECURRENT:
                # Built but never placed where we can see it: its own arguments still count.
                self.make_node(val)
        # A function and the scope that defines it refer to each other; unlinking the scopes
        # lets reference counting free the analysis at once, without the cyclic collector.
        for frame in self.frames:
            frame.locals.clear()
        return self.graph

    def run_deferred(self) -> None:
        done: set[int] = set()
        while True:
            pending = [f for f in self.deferred if f.key not in done and f.key not in self.inlined]
            if not pending:
                return
            # Entry points first, so that helpers they call are analysed with real arguments.
            roots = [f for f in pending if self._is_entry_point(f)] or pending[:1]
            for func in roots:
                if func.key in self.inlined or func.key in done:
                    continue
                done.add(func.key)
                pos: list[Any] = []
                if func.owner is not None:
                    pos.append(Instance(func.owner))
                self.run_function(func, pos, {}, (("fn", func.key),), standalone=True)

    def _is_entry_point(self, func: Func) -> bool:
        name = func.node.name.value
        if func.owner is not None and name in _FRAMEWORK_METHODS:
            return True
        return name not in self.called

    def _frame(self, parent: Frame, is_class: bool = False) -> Frame:
        frame = Frame(parent, is_class)
        self.frames.append(frame)
        return frame

    # ------------------------------------------------------------------ state
    def snapshot(self) -> tuple[dict[str, Any], dict[Any, Any]]:
        return dict(self.frame.locals), dict(self.heap)

    def restore(self, snap: tuple[dict[str, Any], dict[Any, Any]]) -> None:
        self.frame.locals = dict(snap[0])
        self.heap = dict(snap[1])

    def join_snapshots(
        self, a: tuple[dict[str, Any], dict[Any, Any]], b: tuple[dict[str, Any], dict[Any, Any]]
    ) -> tuple[dict[str, Any], dict[Any, Any]]:
        return self._join_dicts(a[0], b[0], self.join), self._join_dicts(a[1], b[1], self.join_heap)

    @staticmethod
    def _join_dicts(a: dict[Any, Any], b: dict[Any, Any], join: Callable[[Any, Any], Any]) -> dict[Any, Any]:
        out = dict(a)
        for key, value in b.items():
            if key in out:
                if out[key] is not value:
                    out[key] = join(out[key], value)
            else:
                out[key] = value
        return out

    @staticmethod
    def downgrade(snap: tuple[dict[str, Any], dict[Any, Any]]) -> tuple[dict, dict]:
        """The state of a path that may not be taken: its data flow becomes uncertain."""
        names = {k: Tensor(uncertain(v.sources)) if isinstance(v, Tensor) else v for k, v in snap[0].items()}
        heap = {
            k: ModelState(v.heads, uncertain(v.tails)) if isinstance(v, ModelState) else v
            for k, v in snap[1].items()
        }
        return names, heap

    def join(self, a: Any, b: Any) -> Any:
        if a == b:
            return a
        if a is TOP or b is TOP:
            other = b if a is TOP else a
            if isinstance(other, Tensor):
                return Tensor(merge_sources(other.sources, ((UNTRACED, True),)))
            if isinstance(other, Ref) and other.kind == "model":
                return other  # an unknown receiver that ``.add`` turned into a Sequential
            return TOP
        if isinstance(a, Tensor) and isinstance(b, Tensor):
            return Tensor(merge_sources(a.sources, b.sources))
        if isinstance(a, (LayerVal, Layers)) and isinstance(b, (LayerVal, Layers)):
            options = _options(a) | _options(b)
            return Layers(options) if len(options) <= MAX_LAYER_OPTIONS else TOP
        if isinstance(a, Qual) and isinstance(b, Qual) and self._same_keras_name(a.name, b.name):
            return a
        if isinstance(a, (Qual, Classes)) and isinstance(b, (Qual, Classes)):
            options = _classes(a) | _classes(b)
            keras_only = all(self.table.lookup(q.name) is not None for q in options)
            return Classes(options) if keras_only and len(options) <= MAX_LAYER_OPTIONS else TOP
        if isinstance(a, TupleVal) and isinstance(b, TupleVal) and len(a.items) == len(b.items):
            return TupleVal(tuple(self.join(x, y) for x, y in zip(a.items, b.items, strict=True)))
        return TOP

    def join_heap(self, a: Any, b: Any) -> Any:
        if a == b:
            return a
        if isinstance(a, ModelState) and isinstance(b, ModelState):
            return ModelState(merge_sources(a.heads, b.heads), merge_sources(a.tails, b.tails))
        if isinstance(a, ListState) and isinstance(b, ListState):
            if a.exact and b.exact and len(a.items) == len(b.items):
                items = tuple(self.join(x, y) for x, y in zip(a.items, b.items, strict=True))
                return ListState(items)
            # Lists that grew differently (a loop): keep every item, in order of appearance.
            extra = tuple(item for item in b.items if item not in a.items)
            return ListState(a.items + extra, exact=False)
        return b

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

    # ------------------------------------------------------------- statements
    def exec_block(self, body: Sequence[cst.CSTNode]) -> None:
        for stmt in body:
            self.exec_stmt(stmt)

    def exec_suite(self, suite: cst.BaseSuite) -> None:
        if isinstance(suite, cst.SimpleStatementSuite):
            for small in suite.body:
                self.exec_small(small)
        else:
            self.exec_block(suite.body)

    def exec_stmt(self, stmt: cst.CSTNode) -> None:
        outer = self.chain
        self.chain = (*outer, stmt)
        self._exec_stmt(stmt)
        self.chain = outer

    def _exec_stmt(self, stmt: cst.CSTNode) -> None:
        self.steps += 1
        kind = type(stmt)
        if kind is cst.SimpleStatementLine:
            for small in stmt.body:
                self.exec_small(small)
        elif kind is cst.If:
            self.exec_if(stmt)
        elif kind is cst.For:
            self.exec_for(stmt)
        elif kind is cst.While:
            self.exec_while(stmt)
        elif kind in (cst.Try, cst.TryStar):
            self.exec_try(stmt)
        elif kind is cst.With:
            for item in stmt.items:
                value = self.eval(item.item)
                if item.asname is not None:
                    self.bind(item.asname.name, TOP if isinstance(value, Const) else value)
            self.exec_suite(stmt.body)
        elif kind is cst.FunctionDef:
            self.define_function(stmt)
        elif kind is cst.ClassDef:
            self.define_class(stmt)
        elif kind is cst.Match:
            self.eval(stmt.subject)
            before = self.snapshot()
            joined = before
            for case in stmt.cases:
                self.restore(before)
                self.exec_suite(case.body)
                joined = self.join_snapshots(joined, self.snapshot())
            self.restore(joined)

    def exec_small(self, small: cst.CSTNode) -> None:
        kind = type(small)
        if kind is cst.Expr:
            self.eval(small.value)
        elif kind is cst.Assign:
            value = self.eval(small.value)
            for target in small.targets:
                self.bind(target.target, value)
        elif kind is cst.AnnAssign:
            if small.value is not None:
                self.bind(small.target, self.eval(small.value))
        elif kind is cst.AugAssign:
            self.exec_augassign(small)
        elif kind is cst.Import:
            for alias in small.names:
                full = get_full_name_for_node(alias.name) or ""
                if alias.asname is not None:
                    self.bind(alias.asname.name, Qual(full))
                else:
                    head = full.split(".", 1)[0]
                    self.frame.locals[head] = Qual(head)
        elif kind is cst.ImportFrom:
            self.exec_import_from(small)
        elif kind is cst.Return:
            value = self.eval(small.value) if small.value is not None else Const(None)
            previous = self.frame.returns
            self.frame.returns = value if previous is None else self.join(previous, value)

    def exec_import_from(self, node: cst.ImportFrom) -> None:
        module = get_full_name_for_node(node.module) if node.module is not None else None
        relative = bool(node.relative) or module is None
        if isinstance(node.names, cst.ImportStar):
            if not relative and self.table.exports_layers(module):
                self.frame.star_modules.append(module)
            return
        for alias in node.names:
            name = get_full_name_for_node(alias.name) or ""
            local = alias.asname.name if alias.asname is not None else alias.name
            self.bind(local, TOP if relative else Qual(f"{module}.{name}"))

    def exec_augassign(self, node: cst.AugAssign) -> None:
        value = self.eval(node.value)
        current = self.eval(node.target)
        if isinstance(node.operator, cst.AddAssign) and isinstance(current, Ref) and current.kind == "list":
            self._extend_list(current, value)
            return
        self.bind(node.target, TOP)

    def exec_if(self, node: cst.If) -> None:
        test = self.eval(node.test)
        if isinstance(test, Const):
            # A constant condition (a config flag bound to a literal) picks its branch.
            if test.value:
                self.exec_suite(node.body)
            elif node.orelse is not None:
                self._exec_orelse(node.orelse)
            return
        before = self.snapshot()
        self.exec_suite(node.body)
        after_body = self.snapshot()
        self.restore(before)
        if node.orelse is not None:
            self._exec_orelse(node.orelse)
        self.restore(self.join_snapshots(after_body, self.snapshot()))

    def _exec_orelse(self, orelse: cst.If | cst.Else) -> None:
        if isinstance(orelse, cst.If):
            self.exec_if(orelse)
        else:
            self.exec_suite(orelse.body)

    def exec_try(self, node: cst.Try | cst.TryStar) -> None:
        before = self.snapshot()
        self.exec_suite(node.body)
        if node.orelse is not None:
            self.exec_suite(node.orelse.body)
        joined = self.snapshot()
        for handler in node.handlers:
            # A handler may run after any part of the body: start from the state before it.
            self.restore(before)
            self.exec_suite(handler.body)
            joined = self.join_snapshots(joined, self.snapshot())
        self.restore(joined)
        if node.finalbody is not None:
            self.exec_suite(node.finalbody.body)

    def exec_for(self, node: cst.For) -> None:
        iterable = self.eval(node.iter)
        items = self.exact_items(iterable)
        if items is not None and self._may_unroll(items):
            self.unroll_nesting += 1
            outer_ctx = self.ctx
            for index, item in enumerate(items):
                self.ctx = (*outer_ctx, ("iter", id(node), index))
                self.bind(node.target, item)
                self.exec_suite(node.body)
            self.ctx = outer_ctx
            self.unroll_nesting -= 1
        elif self._may_walk(iterable):
            # A list grown in a loop: its items in order, repeats sharing nodes.
            self.unroll_nesting += 1
            for item in self.loose_items(iterable):
                self.bind(node.target, item)
                self.exec_suite(node.body)
            self.unroll_nesting -= 1
        else:
            element = self.element_of(iterable)

            def bind_element() -> None:
                self.bind(node.target, element)

            self._exec_loop(node.body, bind_element, guaranteed=bool(items))
        if node.orelse is not None:
            self.exec_suite(node.orelse.body)

    def exec_while(self, node: cst.While) -> None:
        test = self.eval(node.test)
        guaranteed = isinstance(test, Const) and bool(test.value)
        self._exec_loop(node.body, lambda: None, guaranteed)
        if node.orelse is not None:
            self.exec_suite(node.orelse.body)

    def _may_unroll(self, items: list[Any]) -> bool:
        return (
            0 < len(items) <= MAX_UNROLL
            and self.unroll_nesting < MAX_UNROLL_NESTING
            and self.steps < STEP_BUDGET
        )

    def _may_walk(self, iterable: Any) -> bool:
        if not isinstance(iterable, Ref):
            return False
        state = self.heap.get(iterable.key)
        return (
            isinstance(state, ListState)
            and 0 < len(state.items) <= 4 * MAX_UNROLL
            and self.unroll_nesting < MAX_UNROLL_NESTING
            and self.steps < STEP_BUDGET
        )

    def _exec_loop(self, body: cst.BaseSuite, bind_element: Callable[[], None], guaranteed: bool) -> None:
        """Run a loop body twice, so that its last layer also feeds its first."""
        before = self.snapshot()
        self.loop_nesting += 1
        bind_element()
        self.exec_suite(body)
        if self.loop_nesting <= MAX_TWO_PASS_NESTING and self.steps < STEP_BUDGET:
            self.restore(self.join_snapshots(before, self.snapshot()))
            bind_element()
            self.exec_suite(body)
        self.loop_nesting -= 1
        if not guaranteed:
            # Zero iterations: what came before may flow straight past the loop.
            self.restore(self.join_snapshots(self.downgrade(before), self.snapshot()))

    def define_function(self, node: cst.FunctionDef, owner: ClassVal | None = None) -> Func:
        chain = self.chain if self.chain and self.chain[-1] is node else (*self.chain, node)
        func = Func(node, self.frame, owner, id(node), chain)
        self.frame.locals[node.name.value] = func
        if owner is None:
            self.deferred.append(func)
        return func

    def define_class(self, node: cst.ClassDef) -> None:
        cls = ClassVal(node, id(node))
        bases = [self.eval(arg.value) for arg in node.bases]
        self.class_bases[cls.key] = [b for b in bases if isinstance(b, ClassVal)]
        outer = self.frame
        self.frame = self._frame(outer, is_class=True)
        methods: list[Func] = []
        for stmt in _body_of(node.body):
            if isinstance(stmt, cst.FunctionDef):
                methods.append(self.define_function(stmt, owner=cls))
            else:
                self.exec_stmt(stmt)
        self.class_ns[cls.key] = self.frame.locals
        self.frame = outer
        outer.locals[node.name.value] = cls
        # Keras runs __init__, then build, then call: analyse methods in that order.
        order = {"__init__": 0, "build": 1}
        methods.sort(key=lambda f: order.get(f.node.name.value, 2))
        self.deferred.extend(methods)

    # --------------------------------------------------------------- binding
    def bind(self, target: cst.CSTNode, value: Any) -> None:
        kind = type(target)
        if kind is cst.Name:
            self.frame.locals[target.value] = value
        elif kind is cst.Attribute:
            owner = self.eval(target.value)
            if isinstance(owner, Instance):
                attrs = self.class_attrs.setdefault(owner.cls.key, {})
                name = target.attr.value
                old = attrs.get(name)
                # ``self.x = None`` placeholders do not hide the layer assigned later.
                if old is None or old == Const(None):
                    attrs[name] = value
                elif value != Const(None):
                    attrs[name] = self.join(old, value)
        elif kind in (cst.Tuple, cst.List):
            elements = target.elements
            items = self.exact_items(value)
            for index, element in enumerate(elements):
                if isinstance(element, cst.StarredElement):
                    item = TOP
                elif items is not None and len(items) == len(elements):
                    item = items[index]
                elif isinstance(value, Tensor) and index == 0:
                    # ``seq, h, c = LSTM(..., return_state=True)(x)``: the first is the output.
                    item = value
                else:
                    item = TOP
                self.bind(element.value, item)

    # ------------------------------------------------------------ expressions
    def eval(self, expr: cst.CSTNode) -> Any:
        kind = type(expr)
        if kind is cst.Name:
            return self.lookup(expr.value)
        if kind is cst.Attribute:
            return self.attribute(self.eval(expr.value), expr.attr.value)
        if kind is cst.Call:
            return self.call(expr)
        if kind is cst.Integer:
            return Const(int(expr.value, 0) if not expr.value.lstrip("0_").isdigit() else int(expr.value))
        if kind is cst.Float:
            return Const(float(expr.value))
        if kind is cst.SimpleString:
            return _string(expr.value)
        if kind is cst.Tuple:
            items = self._elements(expr.elements)
            if items is None:
                return TOP
            if all(isinstance(i, Const) for i in items):
                return Const(tuple(i.value for i in items))
            return TupleVal(tuple(items))
        if kind is cst.List:
            items = self._elements(expr.elements)
            return self._new_list(("list", self.ctx, id(expr)), items)
        if kind is cst.Dict:
            return self.eval_dict(expr)
        if kind is cst.UnaryOperation:
            return self.eval_unary(expr)
        if kind is cst.BinaryOperation:
            return self.eval_binary(expr)
        if kind is cst.Comparison:
            return self.eval_comparison(expr)
        if kind is cst.BooleanOperation:
            left, right = self.eval(expr.left), self.eval(expr.right)
            if isinstance(left, Const) and isinstance(right, Const):
                if isinstance(expr.operator, cst.And):
                    return left if not left.value else right
                return left if left.value else right
            return TOP
        if kind is cst.IfExp:
            test = self.eval(expr.test)
            if isinstance(test, Const):
                return self.eval(expr.body if test.value else expr.orelse)
            return self.join(self.eval(expr.body), self.eval(expr.orelse))
        if kind is cst.NamedExpr:
            value = self.eval(expr.value)
            self.bind(expr.target, value)
            return value
        if kind is cst.Subscript:
            return self.eval_subscript(expr)
        if kind is cst.ListComp:
            return self.eval_listcomp(expr)
        return TOP

    def lookup(self, name: str) -> Any:
        frame: Frame | None = self.frame
        stars: list[str] = []
        while frame is not None:
            value = frame.locals.get(name)
            if value is not None:
                return value
            stars.extend(frame.star_modules)
            frame = frame.parent
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        for module in stars:
            qualname = f"{module}.{name}"
            if self.table.lookup(qualname) is not None:
                return Qual(qualname)
        return TOP

    def attribute(self, base: Any, name: str) -> Any:
        if isinstance(base, Qual):
            return Qual(f"{base.name}.{name}")
        if isinstance(base, Instance):
            return self.instance_attribute(base, name)
        return TOP

    def instance_attribute(self, inst: Instance, name: str) -> Any:
        for cls in self._mro(inst.cls):
            attrs = self.class_attrs.get(cls.key, {})
            if name in attrs:
                return attrs[name]
            value = self.class_ns.get(cls.key, {}).get(name)
            if isinstance(value, Func):
                return BoundMethod(value, inst)
            if value is not None:
                return value
        return TOP

    def _mro(self, cls: ClassVal) -> list[ClassVal]:
        order: list[ClassVal] = []
        todo = [cls]
        while todo:
            current = todo.pop(0)
            if current not in order:
                order.append(current)
                todo.extend(self.class_bases.get(current.key, []))
        return order

    def _elements(self, elements: Sequence[cst.BaseElement]) -> list[Any] | None:
        items = []
        for element in elements:
            if isinstance(element, cst.StarredElement):
                spread = self.exact_items(self.eval(element.value))
                if spread is None:
                    return None
                items.extend(spread)
            else:
                items.append(self.eval(element.value))
        return items

    def _new_list(self, key: Any, items: list[Any] | None) -> Ref:
        ref = Ref("list", key)
        self.heap[key] = ListState(tuple(items or ()), exact=items is not None)
        return ref

    def eval_dict(self, expr: cst.Dict) -> Any:
        items: list[tuple[str, Any]] = []
        for element in expr.elements:
            if isinstance(element, cst.StarredDictElement):
                return TOP
            key = self.eval(element.key)
            value = self.eval(element.value)
            if not (isinstance(key, Const) and isinstance(key.value, str)):
                return TOP
            items.append((key.value, value))
        return DictVal(tuple(items))

    def eval_unary(self, expr: cst.UnaryOperation) -> Any:
        value = self.eval(expr.expression)
        if not isinstance(value, Const):
            return TOP
        op = expr.operator
        try:
            if isinstance(op, cst.Minus):
                return Const(-value.value)
            if isinstance(op, cst.Plus):
                return Const(+value.value)
            if isinstance(op, cst.Not):
                return Const(not value.value)
        except TypeError:
            return TOP
        return TOP

    def eval_binary(self, expr: cst.BinaryOperation) -> Any:
        left, right = self.eval(expr.left), self.eval(expr.right)
        if isinstance(expr.operator, cst.Add) and isinstance(left, Ref) and isinstance(right, Ref):
            a, b = self.exact_items(left), self.exact_items(right)
            combined = a + b if a is not None and b is not None else None
            return self._new_list(("list", self.ctx, id(expr)), combined)
        func = _BINARY.get(type(expr.operator))
        if func is None or not (isinstance(left, Const) and isinstance(right, Const)):
            return TOP
        if not all(isinstance(v.value, (int, float, tuple, str)) for v in (left, right)):
            return TOP
        try:
            result = func(left.value, right.value)
        except (TypeError, ValueError, ArithmeticError):
            return TOP
        if isinstance(result, (str, tuple)) and len(result) > 1000:
            return TOP
        return Const(result)

    def eval_comparison(self, expr: cst.Comparison) -> Any:
        left = self.eval(expr.left)
        values = [left] + [self.eval(t.comparator) for t in expr.comparisons]
        if not all(isinstance(v, Const) for v in values):
            return TOP
        result = True
        for index, target in enumerate(expr.comparisons):
            func = _COMPARE.get(type(target.operator))
            if func is None:
                return TOP
            try:
                result = result and bool(func(values[index].value, values[index + 1].value))
            except TypeError:
                return TOP
        return Const(result)

    def eval_subscript(self, expr: cst.Subscript) -> Any:
        base = self.eval(expr.value)
        if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
            return TOP
        index = self.eval(expr.slice[0].slice.value)
        if isinstance(base, DictVal):
            if isinstance(index, Const):
                return dict(base.items).get(index.value, TOP)
            # An unknown key: any of the values (``{"lstm": LSTM, "gru": GRU}[cell]``).
            result: Any = None
            for _, value in base.items:
                result = value if result is None else self.join(result, value)
            return TOP if result is None else result
        items = self.exact_items(base)
        if items is None or not isinstance(index, Const) or type(index.value) is not int:
            return TOP
        try:
            return items[index.value]
        except IndexError:
            return TOP

    def eval_listcomp(self, expr: cst.ListComp) -> Any:
        comp = expr.for_in
        iterable = self.eval(comp.iter)
        items = self.exact_items(iterable)
        outer_frame, outer_ctx = self.frame, self.ctx
        self.frame = self._frame(outer_frame)
        try:
            if items is not None and not comp.ifs and comp.inner_for_in is None and self._may_unroll(items):
                values = []
                for index, item in enumerate(items):
                    self.ctx = (*outer_ctx, ("iter", id(comp), index))
                    self.bind(comp.target, item)
                    values.append(self.eval(expr.elt))
                self.ctx = outer_ctx
                return self._new_list(("list", outer_ctx, id(expr)), values)
            self.bind(comp.target, self.element_of(iterable))
            value = self.eval(expr.elt)
            key = ("list", outer_ctx, id(expr))
            self.heap[key] = ListState((value,), exact=False)
            return Ref("list", key)
        finally:
            self.frame, self.ctx = outer_frame, outer_ctx

    # ------------------------------------------------------------ containers
    def exact_items(self, value: Any) -> list[Any] | None:
        """The items of a value whose contents are known exactly, else None."""
        if isinstance(value, Const) and isinstance(value.value, (tuple, list)):
            return [Const(v) for v in value.value]
        if isinstance(value, TupleVal):
            return list(value.items)
        if isinstance(value, Ref) and value.kind == "list":
            state = self.heap.get(value.key)
            if isinstance(state, ListState) and state.exact:
                return list(state.items)
        return None

    def loose_items(self, value: Any) -> Sequence[Any]:
        """The items of a list in order, even when their number is not exact."""
        if isinstance(value, Ref):
            state = self.heap.get(value.key)
            if isinstance(state, ListState):
                return state.items
        return (TOP,)

    def element_of(self, value: Any) -> Any:
        """What a loop over ``value`` binds when its items are not known one by one."""
        items: Iterable[Any] | None = self.exact_items(value)
        if items is None and isinstance(value, Ref):
            state = self.heap.get(value.key)
            items = state.items if isinstance(state, ListState) else None
        if not items:
            return TOP
        result: Any = None
        for item in items:
            result = item if result is None else self.join(result, item)
        return result

    def _extend_list(self, ref: Ref, value: Any) -> None:
        state = self.heap.get(ref.key)
        if not isinstance(state, ListState):
            return
        extra = self.exact_items(value)
        if extra is None:
            self.heap[ref.key] = ListState((*state.items, self.element_of(value)), exact=False)
        else:
            self.heap[ref.key] = ListState(state.items + tuple(extra), state.exact)

    # ------------------------------------------------------------------ calls
    def eval_args(
        self, args: Sequence[cst.Arg]
    ) -> tuple[list[Any], dict[str, Any], dict[Any, cst.BaseExpression], bool]:
        """Positional values, keyword values, the expressions behind them, and **unknown."""
        pos: list[Any] = []
        kw: dict[str, Any] = {}
        exprs: dict[Any, cst.BaseExpression] = {}
        unknown_kwargs = False
        for arg in args:
            value = self.eval(arg.value)
            if arg.star == "*":
                spread = self.exact_items(value)
                pos.extend(spread if spread is not None else [TOP] * 8)
            elif arg.star == "**":
                if isinstance(value, DictVal):
                    kw.update(value.items)
                else:
                    unknown_kwargs = True
            elif arg.keyword is not None:
                kw[arg.keyword.value] = value
                exprs[arg.keyword.value] = arg.value
            else:
                exprs[len(pos)] = arg.value
                pos.append(value)
        return pos, kw, exprs, unknown_kwargs

    def call(self, expr: cst.Call) -> Any:
        self.steps += 1
        func_expr = expr.func
        if type(func_expr) is cst.Attribute:
            receiver = self.eval(func_expr.value)
            method = func_expr.attr.value
            if isinstance(receiver, Ref) or (method == "add" and not _has_attributes(receiver)):
                return self.method_call(expr, receiver, method)
            func = self.attribute(receiver, method)
        elif type(func_expr) is cst.Name:
            func = self.lookup(func_expr.value)
            if func is TOP and func_expr.value in _BUILTINS:
                pos, kw, _, _ = self.eval_args(expr.args)
                return _BUILTINS[func_expr.value](self, pos, kw)
        else:
            func = self.eval(func_expr)
        return self.call_value(expr, func)

    def method_call(self, expr: cst.Call, receiver: Any, method: str) -> Any:
        """``model.add(...)``, ``layers.append(...)`` and friends."""
        pos, kw, _, _ = self.eval_args(expr.args)
        first = pos[0] if pos else kw.get("layer", TOP)
        if isinstance(receiver, Ref) and receiver.kind == "list":
            state = self.heap.get(receiver.key)
            if isinstance(state, ListState):
                if method == "append" and pos:
                    self.heap[receiver.key] = ListState((*state.items, first), state.exact)
                elif method == "extend" and pos:
                    self._extend_list(receiver, first)
                elif method in ("insert", "pop", "remove", "reverse", "sort", "clear"):
                    self.heap[receiver.key] = ListState(state.items, exact=False)
            return TOP
        if method != "add":
            return TOP
        if isinstance(receiver, Ref) and receiver.kind == "model":
            self.model_add(receiver, first, id(expr))
            return Const(None)
        if isinstance(first, (LayerVal, Layers)) or (isinstance(first, Ref) and first.kind == "model"):
            # ``model.add(layer)`` on a receiver we did not see built: it is a Sequential.
            ref = Ref("model", ("model", self.ctx, id(expr)))
            self.heap[ref.key] = ModelState()
            self.bind(expr.func.value, ref)
            self.model_add(ref, first, id(expr))
            return Const(None)
        return TOP

    def call_value(self, expr: cst.Call, func: Any) -> Any:
        if isinstance(func, Qual):
            spec = self.table.lookup(func.name)
            if spec is None:
                self.eval_args(expr.args)
                return TOP
            return self.construct(expr, spec, func.name)
        if isinstance(func, Classes):
            options = sorted(func.options, key=lambda q: q.name)
            built = [self.construct(expr, self.table.lookup(q.name), q.name) for q in options]
            if built and all(isinstance(b, LayerVal) for b in built):
                return Layers(frozenset(built))
            return TOP
        if isinstance(func, (LayerVal, Layers)) or (isinstance(func, Ref) and func.kind == "model"):
            pos, kw, _, _ = self.eval_args(expr.args)
            tensor = pos[0] if pos else kw.get("inputs", TOP)
            _, out = self.apply(func, self.sources_of(tensor), id(expr))
            return Tensor(out)
        if isinstance(func, Func):
            return self.inline(func, expr, None)
        if isinstance(func, BoundMethod):
            return self.inline(func.func, expr, func.self_value)
        if isinstance(func, ClassVal):
            inst = Instance(func)
            init = self.instance_attribute(inst, "__init__")
            if isinstance(init, BoundMethod):
                self.inline(init.func, expr, inst)
            else:
                self.eval_args(expr.args)
            return inst
        if isinstance(func, Instance):
            for name in ("call", "__call__"):
                method = self.instance_attribute(func, name)
                if isinstance(method, BoundMethod):
                    return self.inline(method.func, expr, func)
        self.eval_args(expr.args)
        return TOP

    def inline(self, func: Func, expr: cst.Call, self_value: Instance | None) -> Any:
        pos, kw, _, _ = self.eval_args(expr.args)
        if len(self.stack) >= MAX_INLINE_DEPTH or func.key in self.stack or self.steps >= STEP_BUDGET:
            return TOP
        self.inlined.add(func.key)
        if self_value is not None:
            pos.insert(0, self_value)
        return self.run_function(func, pos, kw, (*self.ctx, ("call", id(expr))))

    def run_function(
        self,
        func: Func,
        pos: list[Any],
        kw: dict[str, Any],
        ctx: tuple[Any, ...],
        standalone: bool = False,
    ) -> Any:
        scope = func.scope.parent if func.scope.is_class else func.scope
        frame = self._frame(scope)
        params = func.node.params
        kw = dict(kw)
        positional = [*params.posonly_params, *params.params]
        for index, param in enumerate(positional):
            value = pos[index] if index < len(pos) else self._param_default(param, kw, func, standalone)
            frame.locals[param.name.value] = value
        if isinstance(params.star_arg, cst.Param):
            rest = pos[len(positional) :]
            frame.locals[params.star_arg.name.value] = TOP if standalone else TupleVal(tuple(rest))
        for param in params.kwonly_params:
            frame.locals[param.name.value] = self._param_default(param, kw, func, standalone)
        if params.star_kwarg is not None:
            frame.locals[params.star_kwarg.name.value] = TOP if standalone else DictVal(tuple(kw.items()))
        saved = self.frame, self.ctx, self.chain
        self.frame, self.ctx, self.chain = frame, ctx, func.chain
        self.stack.append(func.key)
        try:
            self.exec_suite(func.node.body)
        finally:
            self.stack.pop()
            self.frame, self.ctx, self.chain = saved
        return frame.returns if frame.returns is not None else Const(None)

    def _param_default(self, param: cst.Param, kw: dict[str, Any], func: Func, standalone: bool) -> Any:
        name = param.name.value
        if name in kw:
            return kw.pop(name)
        if param.default is None or standalone:
            return TOP  # a caller may pass anything
        saved = self.frame
        self.frame = func.scope
        try:
            return self.eval(param.default)
        finally:
            self.frame = saved

    # ----------------------------------------------------------------- layers
    def construct(self, expr: cst.Call, spec: LayerSpec, qualname: str) -> Any:
        pos, kw, exprs, unknown_kwargs = self.eval_args(expr.args)
        if spec.role is Role.SEQUENTIAL:
            ref = Ref("model", ("model", self.ctx, id(expr)))
            self.heap[ref.key] = ModelState()
            layers = pos[0] if pos else kw.get("layers")
            if layers is not None and layers != Const(None):
                items = self.exact_items(layers)
                if items is not None:
                    for index, item in enumerate(items):
                        self.model_add(ref, item, (id(expr), index))
                else:
                    # Items known only in order (a list grown in a loop): one node per instance.
                    for item in self.loose_items(layers):
                        self.model_add(ref, item, (id(expr), "*"))
            return ref
        args = dict(kw)
        arg_exprs = {k: v for k, v in exprs.items() if isinstance(k, str)}
        for index, value in enumerate(pos[: len(spec.positional)]):
            name = spec.positional[index]
            args.setdefault(name, value)
            if index in exprs:
                arg_exprs.setdefault(name, exprs[index])
        wrapped = None
        if spec.role is Role.WRAPPER or spec.name == "RNN":
            inner = args.get("layer", args.get("cell"))
            if isinstance(inner, Ref):
                listed = self.exact_items(inner)
                inner = listed[0] if listed else None
            if isinstance(inner, LayerVal):
                wrapped = inner
                self.placed.add(inner.key)
        self.chains.setdefault(id(expr), self.chain)
        val = LayerVal(
            ("layer", self.ctx, id(expr), spec.name),
            spec,
            expr,
            args,
            arg_exprs,
            unknown_kwargs,
            wrapped,
            len(self.constructed),
            qualname,
        )
        self.constructed.setdefault(val.key, val)
        if spec.name == "Input":
            node = self.node_for(val, id(expr))
            return Tensor(frozenset({(node.id, True)}))
        return val

    def sources_of(self, value: Any) -> Sources:
        if isinstance(value, Tensor):
            return value.sources
        items = self.exact_items(value)
        if items is not None:
            # A list of tensors fed to a merge layer.
            return merge_sources(*(self.sources_of(item) for item in items))
        return frozenset({(UNTRACED, True)})

    def apply(self, func: Any, sources: Sources, site: Any) -> tuple[Sources, Sources]:
        """Feed ``sources`` into a layer-like value; return (nodes that received them, output)."""
        if isinstance(func, LayerVal):
            node = self.node_for(func, site)
            self.connect(sources, node)
            out = frozenset({(node.id, True)})
            return out, out
        if isinstance(func, Layers):
            entries, outs = [], []
            for option in sorted(func.options, key=lambda v: v.order):
                entry, out = self.apply(option, sources, site)
                entries.append(entry)
                outs.append(out)
            return merge_sources(*entries), merge_sources(*outs)
        if isinstance(func, Ref) and func.kind == "model":
            state = self.heap.get(func.key, ModelState())
            for nid, certain in state.heads:
                self.connect(sources, self.graph.nodes[nid], certain)
            return state.heads, state.tails or sources
        if isinstance(func, Tensor):  # keras.Input(...) listed in a Sequential
            return NO_SOURCES, func.sources
        key = ("opaque", self.ctx, site)
        node = self.nodes.get(key)
        if node is None:
            node = self.nodes[key] = self.graph.add_node("", None)
        self.connect(sources, node)
        out = frozenset({(node.id, True)})
        return out, out

    def model_add(self, ref: Ref, layer: Any, site: Any) -> None:
        state = self.heap.get(ref.key, ModelState())
        entry, out = self.apply(layer, state.tails, site)
        heads = state.heads if state.tails else merge_sources(state.heads, entry)
        self.heap[ref.key] = ModelState(heads, out)

    def connect(self, sources: Sources, node: LayerNode, certain: bool = True) -> None:
        for nid, edge_certain in sources:
            source = self._untraced_node() if nid == UNTRACED else self.graph.nodes[nid]
            self.graph.add_edge(source, node, certain and edge_certain)

    def _untraced_node(self) -> LayerNode:
        if self._untraced is None:
            self._untraced = self.graph.add_node("", None)
        return self._untraced

    def node_for(self, val: LayerVal, site: Any) -> LayerNode:
        key = (self.ctx, site, val.key)
        node = self.nodes.get(key)
        if node is None:
            node = self.nodes[key] = self.make_node(val)
        return node

    def make_node(self, val: LayerVal) -> LayerNode:
        self.placed.add(val.key)
        wrapped = self.make_node(val.wrapped) if val.wrapped is not None else None
        args = {name: self.graph_value(value) for name, value in val.args.items()}
        if val.star_kwargs:
            args["**"] = UNKNOWN
        text = {
            name: self.module.code_for_node(val.arg_exprs[name]).strip()
            for name in _QUOTED_ARGS
            if name in val.arg_exprs
        }
        return self.graph.add_node(
            val.spec.name,
            val.spec,
            args=args,
            text=text,
            wrapped=wrapped,
            qualname=val.qualname,
            origin=val.call,
        )

    def graph_value(self, value: Any) -> Any:
        """An abstract value as a graph argument: a literal, a tuple, or UNKNOWN."""
        if isinstance(value, Const):
            return value.value
        items = self.exact_items(value)
        if items is not None:
            return tuple(self.graph_value(item) for item in items)
        return UNKNOWN


def _options(value: LayerVal | Layers) -> frozenset[LayerVal]:
    return value.options if isinstance(value, Layers) else frozenset({value})


def _classes(value: Qual | Classes) -> frozenset[Qual]:
    return value.options if isinstance(value, Classes) else frozenset({value})


def _has_attributes(value: Any) -> bool:
    """Values whose ``.add`` is something other than a Sequential's (modules, our classes)."""
    return isinstance(value, (Qual, Instance, ClassVal, Const))


def _body_of(suite: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return suite.body


def _builtin_range(interp: _Interpreter, pos: list[Any], kw: dict[str, Any]) -> Any:
    if not pos or not all(isinstance(p, Const) and type(p.value) is int for p in pos):
        return TOP
    try:
        values = range(*(p.value for p in pos))
    except (TypeError, ValueError):
        return TOP
    return Const(tuple(values)) if len(values) <= 1000 else TOP


def _builtin_enumerate(interp: _Interpreter, pos: list[Any], kw: dict[str, Any]) -> Any:
    items = interp.exact_items(pos[0]) if pos else None
    if items is None:
        return TOP
    return TupleVal(tuple(TupleVal((Const(i), item)) for i, item in enumerate(items)))


def _builtin_zip(interp: _Interpreter, pos: list[Any], kw: dict[str, Any]) -> Any:
    columns = [interp.exact_items(p) for p in pos]
    if not columns or any(c is None for c in columns):
        return TOP
    return TupleVal(tuple(TupleVal(tuple(row)) for row in zip(*columns, strict=False)))


def _builtin_copy(interp: _Interpreter, pos: list[Any], kw: dict[str, Any]) -> Any:
    items = interp.exact_items(pos[0]) if pos else None
    return TupleVal(tuple(items)) if items is not None else TOP


def _builtin_reversed(interp: _Interpreter, pos: list[Any], kw: dict[str, Any]) -> Any:
    items = interp.exact_items(pos[0]) if pos else None
    return TupleVal(tuple(reversed(items))) if items is not None else TOP


def _builtin_len(interp: _Interpreter, pos: list[Any], kw: dict[str, Any]) -> Any:
    items = interp.exact_items(pos[0]) if pos else None
    return Const(len(items)) if items is not None else TOP


def _builtin_dict(interp: _Interpreter, pos: list[Any], kw: dict[str, Any]) -> Any:
    return DictVal(tuple(kw.items())) if not pos else TOP


_BUILTINS: dict[str, Callable[[_Interpreter, list[Any], dict[str, Any]], Any]] = {
    "dict": _builtin_dict,
    "range": _builtin_range,
    "enumerate": _builtin_enumerate,
    "zip": _builtin_zip,
    "list": _builtin_copy,
    "tuple": _builtin_copy,
    "reversed": _builtin_reversed,
    "len": _builtin_len,
}
