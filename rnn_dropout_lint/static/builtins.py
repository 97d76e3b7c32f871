"""Python builtins the interpreter evaluates (`range`, `enumerate`, `zip`, `len`, ...).

The pure ones (`sum`, `min`, `max`, `any`, `all`, `int`, ...) compute what Python would
where their arguments are known; elsewhere their result is the same unknown an unknown
call gives (so ``int(n)`` of an unknown count is still that count).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .data_files import open_builtin
from .state import MAX_CONST_LENGTH
from .symbolic import as_symint
from .values import (
    TOP,
    Classes,
    ClassVal,
    Const,
    DictVal,
    Func,
    LambdaVal,
    Layers,
    LayerVal,
    MidIndex,
    Opaque,
    Qual,
    Ref,
    SymInt,
    SymSeq,
    TupleVal,
    builtin_name,
    call_result,
)

_SIMPLE = (bool, int, float, str, type(None))


def _const(result: Any) -> Const | None:
    simple = isinstance(result, _SIMPLE)
    if simple or (isinstance(result, tuple) and all(isinstance(v, _SIMPLE) for v in result)):
        return Const(result)
    return None


def _constants(interp: Any, value: Any) -> list[Any] | None:
    """The plain values an iterable holds, when every item is known."""
    items = interp.exact_items(value)
    if items is None or not all(isinstance(item, Const) for item in items):
        return None
    return [item.value for item in items]


def _compute(site: Any, fn: Callable[..., Any], *args: Any) -> Any:
    """Python's answer as a constant; TOP where Python raises (the line does not run), the
    site's unknown where the answer is not a plain value."""
    try:
        result = _const(fn(*args))
    except Exception:  # whatever it raises: a bad literal, an unknown codec, ...
        return TOP
    return result if result is not None else call_result(site)


def _builtin_int(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
    """``int(x)``: a constant converted; an unknown count (``int(args.layers)``) stays itself,
    so a loop over ``range(int(n))`` still meets ``i < n - 1``."""
    if len(pos) == 1 and not kw:
        if isinstance(pos[0], Const):
            return _compute(site, int, pos[0].value)
        if isinstance(pos[0], (Opaque, SymInt, MidIndex)):
            return pos[0]
    return call_result(site)


def _on_constants(
    fn: Callable[..., Any], most: int = 1
) -> Callable[[Any, list[Any], dict[str, Any], Any], Any]:
    """``float(x)``, ``abs(x)``, ``str(x)``, ``round(x, n)``: Python's answer on known arguments
    (``str(data, encoding)`` is not computed: it would look a codec up)."""

    def run(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
        if 0 < len(pos) <= most and not kw and all(isinstance(p, Const) for p in pos):
            return _compute(site, fn, *(p.value for p in pos))
        return call_result(site)

    return run


def _builtin_sum(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
    """``sum(flags)``: the sum of known items (booleans count as 0 and 1)."""
    values = _constants(interp, pos[0]) if len(pos) in (1, 2) and not kw else None
    start = pos[1] if len(pos) == 2 else Const(0)
    if values is None or not isinstance(start, Const):
        return call_result(site)
    return _compute(site, sum, values, start.value)


def _extreme(fn: Callable[..., Any]) -> Callable[[Any, list[Any], dict[str, Any], Any], Any]:
    """``min``/``max`` of known items, or of known arguments (no ``key=``/``default=``)."""

    def run(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
        if kw or not pos:
            return call_result(site)
        if len(pos) == 1:
            values = _constants(interp, pos[0])
        else:
            values = [p.value for p in pos] if all(isinstance(p, Const) for p in pos) else None
        return _compute(site, fn, values) if values else call_result(site)

    return run


def _truths(interp: Any, pos: list[Any], kw: dict[str, Any]) -> list[Any] | None:
    items = interp.exact_items(pos[0]) if len(pos) == 1 and not kw else None
    return [interp.truth(item) for item in items] if items is not None else None


def _builtin_any(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
    """``any(flags)``: true once a known item is true, false when all are known false."""
    truths = _truths(interp, pos, kw)
    if truths is None:
        return call_result(site)
    if any(isinstance(t, Const) and t.value for t in truths):
        return Const(True)
    return Const(False) if all(isinstance(t, Const) for t in truths) else call_result(site)


def _builtin_all(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
    """``all(flags)``: false once a known item is false, true when all are known true."""
    truths = _truths(interp, pos, kw)
    if truths is None:
        return call_result(site)
    if any(isinstance(t, Const) and not t.value for t in truths):
        return Const(False)
    return Const(True) if all(isinstance(t, Const) for t in truths) else call_result(site)


def _builtin_sorted(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
    """``sorted(units, reverse=True)`` of known items: a new list."""
    values = _constants(interp, pos[0]) if len(pos) == 1 and set(kw) <= {"reverse"} else None
    reverse = kw.get("reverse", Const(False))
    if values is None or not isinstance(reverse, Const):
        return call_result(site)
    try:
        ordered = sorted(values, reverse=bool(reverse.value))
    except TypeError:
        return TOP
    return interp._new_list(("list", site), [Const(v) for v in ordered])


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
    return Const(tuple(values)) if len(values) <= MAX_CONST_LENGTH else TOP


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


_TYPES = {"bool": bool, "int": int, "float": float, "str": str, "list": list, "tuple": tuple, "dict": dict}


def _builtin_isinstance(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
    """``isinstance(sizes, int)`` against builtin types (``sizes = [sizes]`` for one number)."""
    if len(pos) != 2 or kw:
        return call_result(site)
    kinds = list(pos[1].items) if isinstance(pos[1], TupleVal) else [pos[1]]
    names = [builtin_name(kind) for kind in kinds]
    if not all(name in _TYPES for name in names):
        return call_result(site)
    types = tuple(_TYPES[name] for name in names)
    value = pos[0]
    if isinstance(value, Const) and not isinstance(value.value, tuple):  # a range is a Const too
        return Const(isinstance(value.value, types))
    if isinstance(value, DictVal) or (isinstance(value, Ref) and value.kind == "list"):
        return Const((dict if isinstance(value, DictVal) else list) in types)
    if isinstance(value, (LayerVal, Layers, Qual, Classes, ClassVal, Func, LambdaVal)):
        return Const(False)
    return call_result(site)


# Methods of a known string that give a plain value: ``CELL.lower() == "gru"``.
_STR_METHODS = frozenset(
    {
        *("lower", "upper", "casefold", "title", "capitalize", "strip", "lstrip", "rstrip"),
        *("startswith", "endswith", "replace", "split", "rsplit", "count", "find"),
        *("isdigit", "isalpha", "isalnum", "isupper", "islower", "removeprefix", "removesuffix"),
    }
)


def const_method(
    interp: Any, receiver: Const, method: str, pos: list[Any], kw: dict[str, Any], site: Any
) -> Any:
    """A method of a known string, where ``method`` is one of the pure ones (else None)."""
    if not isinstance(receiver.value, str) or method not in _STR_METHODS:
        return None
    args = (*pos, *kw.values())
    if not all(isinstance(v, Const) for v in args):
        return call_result(site)
    texts = (receiver.value, *(a.value for a in args))
    if any(isinstance(v, str) and len(v) > MAX_CONST_LENGTH for v in texts):
        return call_result(site)  # ``replace`` grows with the product of its texts' lengths
    try:
        result = getattr(receiver.value, method)(
            *(p.value for p in pos), **{k: v.value for k, v in kw.items()}
        )
    except Exception:  # whatever Python raises there: the line does not run
        return TOP
    if isinstance(result, list):  # ``split``: a new list of strings
        return interp._new_list(("list", site), [Const(v) for v in result])
    return Const(result)


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
    "int": _builtin_int,
    "float": _on_constants(float),
    "abs": _on_constants(abs),
    "round": _on_constants(round, most=2),
    "str": _on_constants(str),
    "sum": _builtin_sum,
    "min": _extreme(min),
    "max": _extreme(max),
    "any": _builtin_any,
    "all": _builtin_all,
    "sorted": _builtin_sorted,
    "isinstance": _builtin_isinstance,
}
