"""Arithmetic and comparisons on symbolic counts and loop indices.

A loop over ``range(n)`` with an unknown ``n`` is run at three positions (first, a middle
one, last). The index is then ``0``, a :class:`MidIndex` or ``n - 1``, and comparisons
such as ``i < n - 1`` or ``i != len(units) - 1`` are decided at each position, assuming
the loop runs at least three times (so that a middle iteration exists).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from .values import Const, MidIndex, Opaque, SymInt

# A point on the number line: (symbol or None, offset).
_Point = tuple[Any, int]


def as_symint(value: Any) -> SymInt | None:
    if isinstance(value, SymInt):
        return value
    if isinstance(value, Opaque):
        return SymInt(value.key, 0)
    return None


def shift(value: Any, delta: int) -> Any:
    """``value + delta`` for a symbolic count, else None."""
    sym = as_symint(value)
    return SymInt(sym.sym, sym.offset + delta) if sym is not None else None


def _points(value: Any) -> tuple[_Point, _Point] | None:
    """The lowest and highest value as points; None when not an int-like value."""
    if isinstance(value, Const) and type(value.value) is int:
        return (None, value.value), (None, value.value)
    sym = as_symint(value)
    if sym is not None:
        return (sym.sym, sym.offset), (sym.sym, sym.offset)
    if isinstance(value, MidIndex):
        return (None, value.start + 1), (value.stop.sym, value.stop.offset - 2)
    return None


def _order(a: _Point, b: _Point) -> int | None:
    """-1, 0, 1 for a <, ==, > b; None when unknown. Symbols exceed every constant."""
    if a[0] == b[0]:
        return (a[1] > b[1]) - (a[1] < b[1])
    if a[0] is None:
        return -1
    if b[0] is None:
        return 1
    return None


def compare(op: Callable[[Any, Any], Any], left: Any, right: Any) -> Const | None:
    """Decide ``left op right`` for symbolic ints, or None when it cannot be decided."""
    if isinstance(left, Opaque) and isinstance(right, Opaque):
        return _compare_items(op, left, right)
    lhs, rhs = _points(left), _points(right)
    if lhs is None or rhs is None:
        return None
    if op in (operator.eq, operator.ne):
        low, high = _order(lhs[0], rhs[1]), _order(lhs[1], rhs[0])
        if (low is not None and low > 0) or (high is not None and high < 0):
            return Const(op is operator.ne)  # disjoint ranges
        if lhs[0] == lhs[1] and rhs[0] == rhs[1] and _order(lhs[0], rhs[0]) == 0:
            return Const(op is operator.eq)
        return None
    # For an order test, it holds everywhere if it holds at both extreme pairs.
    results = set()
    for a, b in ((lhs[0], rhs[1]), (lhs[1], rhs[0]), (lhs[0], rhs[0]), (lhs[1], rhs[1])):
        order = _order(a, b)
        if order is None:
            return None
        results.add(bool(op(order, 0)))
    return Const(results.pop()) if len(results) == 1 else None


def _compare_items(op: Callable[[Any, Any], Any], left: Any, right: Any) -> Const | None:
    """Items of the same unknown list at known positions: ``units != UNITS[-1]``."""
    if op not in (operator.eq, operator.ne, operator.is_, operator.is_not):
        return None
    if not (isinstance(left, Opaque) and isinstance(right, Opaque)):
        return None
    if left == right:
        return Const(op in (operator.eq, operator.is_))
    a, b = left.key, right.key
    if len(a) == 3 and len(b) == 3 and a[1] == b[1] == "[]" and a[0] == b[0]:
        # Distinct positions of one list are taken to hold distinct values.
        return Const(op in (operator.ne, operator.is_not))
    return None
