"""Loops: `for` and `while` statements and comprehensions.

A loop over known items is unrolled. A loop over items of unknown number runs its body at
three positions, first, a middle one and last (:mod:`.symbolic` decides index tests such
as ``i < n - 1`` there), so a stack built by a loop is seen as it is on every run that
reaches a second iteration. Any other loop runs its body twice, so its last layer also
feeds its first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import libcst as cst

from .state import MAX_TWO_PASS_NESTING, MAX_UNROLL, MAX_UNROLL_NESTING, STEP_BUDGET, InterpreterBase
from .symbolic import shift
from .values import (
    TOP,
    Const,
    DictVal,
    ListState,
    MidIndex,
    Opaque,
    Ref,
    SymInt,
    SymSeq,
    TupleVal,
)


class LoopsMixin(InterpreterBase):
    def exec_for(self, node: cst.For) -> None:
        iterable = self.eval(node.iter)
        items = self.exact_items(iterable)
        if items is not None and not items:
            self.decided += 1  # a loop over an empty sequence never runs its body
        elif items is not None and self._may_unroll(items):
            self.unroll_nesting += 1
            outer_ctx = self.ctx
            for index, item in enumerate(items):
                self.ctx = (*outer_ctx, ("iter", id(node), index))
                self.bind(node.target, item)
                self.exec_suite(node.body)
                if self.end_iteration() == "break":
                    break
            self.ctx = outer_ctx
            self.unroll_nesting -= 1
        elif self._may_walk(iterable):
            # A list grown in a loop: its items in order, repeats sharing nodes.
            self.unroll_nesting += 1
            for item in self.loose_items(iterable):
                self.bind(node.target, item)
                self.exec_suite(node.body)
                self.end_iteration()
            self.unroll_nesting -= 1
        elif self._may_position(iterable):
            self._exec_positions(node, iterable)
        else:
            element = self.element_of(iterable)
            root = ("item", id(node))
            if element is TOP:  # an item of data: branches on it are told apart (reads_loop_item)
                element = Opaque((root, "[]", "mid"))

            def bind_element() -> None:
                self.bind(node.target, element)

            self.item_roots.add(root)
            self._exec_loop(node.body, bind_element, guaranteed=bool(items))
            self.item_roots.discard(root)
        if node.orelse is not None:
            self.exec_suite(node.orelse.body)

    def _may_position(self, iterable: Any) -> bool:
        return (
            isinstance(iterable, (SymSeq, Opaque))
            and self.loop_nesting < MAX_TWO_PASS_NESTING
            and self.steps < STEP_BUDGET
        )

    def _exec_positions(self, node: cst.For, iterable: Any) -> None:
        """First, middle (twice: it also follows itself), then last iteration."""
        before = self.snapshot()
        outer_ctx = self.ctx
        self.loop_nesting += 1
        self.positional += 1
        added = self._loop_terms(iterable) - self.loop_syms
        self.loop_syms |= added
        roots = {iterable.key} - self.item_roots if isinstance(iterable, Opaque) else set()
        self.item_roots |= roots
        after: list[Any] = []
        marks = (-1, -1)
        for position in ("first", "mid", "mid", "last"):
            if position == "mid" and (self.touched, self.decided) == marks:
                break  # the first iteration named nothing of Keras and took every branch: inert
            if position == "last":
                # With two iterations the first is followed by the last.
                self.restore(self.join_snapshots(after[0], after[-1], before))
            self.ctx = (*outer_ctx, ("pos", id(node), position))
            marks = self.touched, self.decided
            self.bind(node.target, self.position_value(iterable, position))
            self.exec_suite(node.body)
            self.end_iteration()
            after.append(self.snapshot())
        self.ctx = outer_ctx
        self.loop_syms -= added
        self.item_roots -= roots
        self.positional -= 1
        self.loop_nesting -= 1
        # Zero iterations: what came before may flow straight past the loop.
        self.restore(self.join_snapshots(self.downgrade(before), self.snapshot(), before))

    def reads_loop_item(self, expr: cst.BaseExpression) -> bool:
        """Whether ``expr`` reads an item of a loop over an unknown sequence (``spec["type"]``
        in ``for spec in config["layers"]``), run at its positions or twice: data that may
        differ at every iteration."""
        return any(self._is_item(self._lookup(name)) for name in _names(expr))

    def _is_item(self, value: Any) -> bool:
        key = value.key if isinstance(value, Opaque) else None
        while isinstance(key, tuple) and len(key) == 3:
            if key[1] == "[]" and key[0] in self.item_roots:
                return True
            key = key[0]
        return False

    def position_value(self, iterable: Any, position: str) -> Any:
        """What a loop over ``iterable`` binds at ``position`` (first, mid or last)."""
        if isinstance(iterable, SymSeq):
            if iterable.kind == "range":
                start, stop = iterable.parts
                if position == "first":
                    return Const(start)
                return MidIndex(start, stop) if position == "mid" else shift(stop, -1)
            if iterable.kind == "enumerate":
                inner = iterable.parts[0]
                index = self.position_value(SymSeq("range", (0, self.length_of(inner))), position)
                return TupleVal((index, self.position_value(inner, position)))
            if iterable.kind == "zip":
                return TupleVal(tuple(self.position_value(part, position) for part in iterable.parts))
        if isinstance(iterable, Opaque):
            return Opaque((iterable.key, "[]", {"first": 0, "mid": "mid", "last": -1}[position]))
        items = self.exact_items(iterable)
        if items:
            if position != "mid" or len(items) < 3:
                return items[0] if position == "first" else items[-1]
            return self.element_of(TupleVal(tuple(items[1:-1])))
        return self.element_of(iterable)

    def _loop_terms(self, iterable: Any) -> set[Any]:
        """The unknowns a loop's run count speaks of: its bound, its list."""
        if isinstance(iterable, SymSeq):
            if iterable.kind == "range":
                return {iterable.parts[1].sym}
            return set().union(*(self._loop_terms(part) for part in iterable.parts))
        if isinstance(iterable, Opaque):
            return {iterable.key, self.length_of(iterable).sym}
        return set()

    def length_of(self, iterable: Any) -> SymInt:
        if isinstance(iterable, SymSeq):
            if iterable.kind == "range" and iterable.parts[0] == 0:
                return iterable.parts[1]
            if iterable.kind == "enumerate":
                return self.length_of(iterable.parts[0])
        if isinstance(iterable, Opaque):
            return SymInt(("len", iterable.key), 0)
        return SymInt(("len", iterable), 0)

    def exec_while(self, node: cst.While) -> None:
        test = self.truth(self.eval(node.test))
        if isinstance(test, Const):
            self.decided += 1
        # A condition the interpreter can evaluate runs the loop as written (``while i < 3``).
        runs, outer_ctx = 0, self.ctx
        while isinstance(test, Const) and test.value and runs < MAX_UNROLL and self.steps < STEP_BUDGET:
            self.ctx = (*outer_ctx, ("iter", id(node), runs))
            self.exec_suite(node.body)
            runs += 1
            if self.end_iteration() == "break":
                test = Const(False)
                break
            test = self.truth(self.eval(node.test))
        self.ctx = outer_ctx
        if not isinstance(test, Const) or test.value:
            guaranteed = runs > 0 or (isinstance(test, Const) and bool(test.value))
            self._exec_loop(node.body, lambda: None, guaranteed)
        if node.orelse is not None:
            self.exec_suite(node.orelse.body)

    def end_iteration(self) -> str | None:
        """After a body: a ``break`` or ``continue`` ends here; a ``return`` goes on leaving."""
        jump = self.jump
        if jump in ("break", "continue"):
            self.jump = None
        return jump

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
        self.end_iteration()
        if self.loop_nesting <= MAX_TWO_PASS_NESTING and self.steps < STEP_BUDGET:
            self.restore(self.join_snapshots(before, self.snapshot(), before))
            bind_element()
            self.exec_suite(body)
            self.end_iteration()
        self.loop_nesting -= 1
        if not guaranteed:
            # Zero iterations: what came before may flow straight past the loop.
            self.restore(self.join_snapshots(self.downgrade(before), self.snapshot(), before))

    def eval_listcomp(self, expr: cst.ListComp | cst.GeneratorExp) -> Any:
        """A comprehension (nested ``for`` and ``if`` clauses too) as the list it builds, in order."""
        values, exact = self._comprehension(lambda: self.eval(expr.elt), expr.for_in)
        key = ("list", self.ctx, id(expr))
        self.heap[key] = ListState(tuple(values), exact=exact)
        return Ref("list", key)

    def eval_dictcomp(self, expr: cst.DictComp) -> Any:
        """``{name: [cls(units), Dropout(rate)] for name, cls, ... in SPECS}``: a dict whose
        keys the comprehension names with literals."""
        pairs, exact = self._comprehension(lambda: (self.eval(expr.key), self.eval(expr.value)), expr.for_in)
        if not exact or not all(isinstance(k, Const) and isinstance(k.value, str) for k, _ in pairs):
            return TOP
        return DictVal(tuple(dict((k.value, v) for k, v in pairs).items()))

    def _comprehension(self, produce: Callable[[], Any], comp: cst.CompFor) -> tuple[list[Any], bool]:
        """What ``produce`` gives per item, in order, in the comprehension's own scope; and
        whether their number is known exactly."""
        outer_frame, outer_ctx = self.frame, self.ctx
        self.frame = self._frame(outer_frame)
        values: list[Any] = []
        try:
            exact = self._comprehend(produce, comp, values)
        finally:
            self.frame, self.ctx = outer_frame, outer_ctx
        return values, exact

    def _comprehend(self, produce: Callable[[], Any], comp: cst.CompFor, values: list[Any]) -> bool:
        """Append the items ``comp`` produces; False when their number is not known exactly."""
        iterable = self.eval(comp.iter)
        items = self.exact_items(iterable)
        outer_ctx = self.ctx
        if items is not None and self._may_unroll(items) and len(values) + len(items) <= 4 * MAX_UNROLL:
            bindings = [(("iter", id(comp), index), item) for index, item in enumerate(items)]
            exact = True
        elif self._may_position(iterable):
            # One item per position, in order: a stack built by a comprehension.
            bindings = [
                (("pos", id(comp), p), self.position_value(iterable, p)) for p in ("first", "mid", "last")
            ]
            exact = False
        else:
            bindings = [(("elem", id(comp)), self.element_of(iterable))]
            exact = False
        for ctx, item in bindings:
            self.ctx = (*outer_ctx, ctx)
            self.bind(comp.target, item)
            tests = [self.truth(self.eval(clause.test)) for clause in comp.ifs]
            if any(isinstance(t, Const) and not t.value for t in tests):
                self.decided += 1
                continue
            exact = exact and all(isinstance(t, Const) for t in tests)
            if comp.inner_for_in is not None:
                exact = self._comprehend(produce, comp.inner_for_in, values) and exact
            else:
                values.append(produce())
        self.ctx = outer_ctx
        return exact


def _names(expr: cst.CSTNode) -> list[str]:
    """The variables ``expr`` reads (not attribute names or keywords)."""
    found: list[str] = []
    todo = [expr]
    while todo:
        node = todo.pop()
        if isinstance(node, cst.Name):
            found.append(node.value)
        elif isinstance(node, (cst.Attribute, cst.Arg)):
            todo.append(node.value)
        else:
            todo.extend(node.children)
    return found
