"""Python builtins the interpreter evaluates (`range`, `enumerate`, `zip`, `len`, ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .data_files import open_builtin
from .symbolic import as_symint
from .values import (
    TOP,
    Const,
    DictVal,
    Opaque,
    SymSeq,
    TupleVal,
)


def _builtin_range(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
    if len(pos) in (1, 2):
        # An unknown stop: the loop's positions are still known (see .symbolic).
        start = pos[0] if len(pos) == 2 else Const(0)
        stop = as_symint(pos[-1])
        if stop is not None and isinstance(start, Const) and type(start.value) is int:
            return SymSeq("range", (start.value, stop))
    if not pos or not all(isinstance(p, Const) and type(p.value) is int for p in pos):
        return TOP
    try:
        values = range(*(p.value for p in pos))
    except (TypeError, ValueError):
        return TOP
    return Const(tuple(values)) if len(values) <= 1000 else TOP


def _builtin_enumerate(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
    items = interp.exact_items(pos[0]) if pos else None
    if items is None:
        return SymSeq("enumerate", (pos[0],)) if pos and isinstance(pos[0], (Opaque, SymSeq)) else TOP
    return TupleVal(tuple(TupleVal((Const(i), item)) for i, item in enumerate(items)))


def _builtin_zip(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
    columns = [interp.exact_items(p) for p in pos]
    symbolic = [isinstance(p, (Opaque, SymSeq)) for p in pos]
    if any(symbolic) and all(c is not None or sym for c, sym in zip(columns, symbolic, strict=True)):
        return SymSeq("zip", tuple(pos))
    if not columns or any(c is None for c in columns):
        return TOP
    return TupleVal(tuple(TupleVal(tuple(row)) for row in zip(*columns, strict=False)))


def _builtin_tuple(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
    items = interp.exact_items(pos[0]) if pos else None
    return TupleVal(tuple(items)) if items is not None else TOP


def _builtin_list(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
    """A new list at this call site: ``list(head)`` of a tuple, a copy of another list."""
    if not pos:
        return interp._new_list(("list", site), [])
    items = interp.exact_items(pos[0])
    if items is not None:
        return interp._new_list(("list", site), items)
    loose = [item for item in interp.loose_items(pos[0]) if item is not TOP]
    return interp._new_list(("list", site), loose, exact=False)


def _builtin_reversed(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
    items = interp.exact_items(pos[0]) if pos else None
    return TupleVal(tuple(reversed(items))) if items is not None else TOP


def _builtin_len(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
    items = interp.exact_items(pos[0]) if pos else None
    if items is not None:
        return Const(len(items))
    return interp.length_of(pos[0]) if pos and isinstance(pos[0], (Opaque, SymSeq)) else TOP


def _builtin_dict(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
    """``dict(**kw)`` and ``dict(base, **overrides)``: later keys win."""
    if len(pos) > 1 or (pos and not isinstance(pos[0], DictVal)):
        return TOP
    merged = dict(pos[0].items) if pos else {}
    merged.update(kw)
    return DictVal(tuple(merged.items()))


def _builtin_getattr(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
    """``getattr(layers, "LSTM")`` with a literal name."""
    if len(pos) >= 2 and isinstance(pos[1], Const) and isinstance(pos[1].value, str):
        return interp.attribute(pos[0], pos[1].value)
    return TOP


def _builtin_bool(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
    if not pos:
        return Const(False)
    decided = interp.truth(pos[0])
    return decided if isinstance(decided, Const) else TOP


BUILTINS: dict[str, Callable[[Any, list[Any], dict[str, Any], Any], Any]] = {
    "bool": _builtin_bool,
    "dict": _builtin_dict,
    "getattr": _builtin_getattr,
    "range": _builtin_range,
    "enumerate": _builtin_enumerate,
    "zip": _builtin_zip,
    "list": _builtin_list,
    "tuple": _builtin_tuple,
    "reversed": _builtin_reversed,
    "len": _builtin_len,
    "open": open_builtin,
}
