"""Loops: `for` and `while` statements and comprehensions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import libcst as cst

from .state import MAX_TWO_PASS_NESTING, MAX_UNROLL, MAX_UNROLL_NESTING, STEP_BUDGET, InterpreterBase
from .values import (
    Const,
    ListState,
    Ref,
)


class LoopsMixin(InterpreterBase):
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
