"""Containers: lists (on the heap), tuples and dicts, their items, subscripts and growth."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import libcst as cst

from .state import MAX_LAYER_OPTIONS, Frame, InterpreterBase
from .values import (
    TOP,
    Const,
    DictVal,
    Instance,
    ListState,
    Opaque,
    Qual,
    Ref,
    TupleVal,
    call_result,
)


class ContainersMixin(InterpreterBase):
    def _elements(self, elements: Sequence[cst.BaseElement]) -> tuple[list[Any], bool]:
        """The items of a literal, and whether they are known exactly (a ``*spread`` of a list
        grown in a loop gives its items in order, not their number)."""
        items: list[Any] = []
        exact = True
        for element in elements:
            if isinstance(element, cst.StarredElement):
                value = self.eval(element.value)
                spread = self.exact_items(value)
                if spread is None:
                    exact = False
                    spread = [item for item in self.loose_items(value) if item is not TOP]
                items.extend(spread)
            else:
                items.append(self.eval(element.value))
        return items, exact

    def _new_list(self, key: Any, items: list[Any] | None, exact: bool = True) -> Ref:
        ref = Ref("list", key)
        self.heap[key] = ListState(tuple(items or ()), exact=exact and items is not None)
        return ref

    def eval_dict(self, expr: cst.Dict) -> Any:
        items: list[tuple[str, Any]] = []
        for element in expr.elements:
            if isinstance(element, cst.StarredDictElement):
                spread = self.eval(element.value)  # ``{**defaults, **kwargs}``
                if not isinstance(spread, DictVal):
                    return TOP
                items.extend(spread.items)
                continue
            key = self.eval(element.key)
            value = self.eval(element.value)
            if not (isinstance(key, Const) and isinstance(key.value, str)):
                return TOP
            items.append((key.value, value))
        return DictVal(tuple(dict(items).items()))

    def dict_method(
        self, target: cst.BaseExpression, receiver: DictVal, method: str, pos: list[Any], kw: dict[str, Any]
    ) -> Any:
        """``d.values()``, ``d.get(key, default)``, ``d.copy()``; ``d.update(...)``, ``d.pop(key)``
        and ``d.setdefault(...)`` change the dict ``target`` names."""
        items = dict(receiver.items)
        key = pos[0].value if pos and isinstance(pos[0], Const) and isinstance(pos[0].value, str) else None
        if method == "values":
            return TupleVal((*items.values(), *receiver.unkeyed))
        if receiver.unkeyed and method in ("keys", "items"):
            return TOP  # the keys are not all known
        if method == "keys":
            return TupleVal(tuple(Const(k) for k in items))
        if method == "items":
            return TupleVal(tuple(TupleVal((Const(k), v)) for k, v in items.items()))
        if method == "get" and pos and isinstance(pos[0], Const):
            return self.read_item(receiver, pos[0], pos[1] if len(pos) > 1 else Const(None))
        if method == "copy":
            return receiver  # a dict is a value here: its copy is the same
        if method == "update" and len(pos) <= 1 and (not pos or isinstance(pos[0], DictVal)):
            other = dict(pos[0].items) if pos else {}
            merged = {**items, **other, **kw}
            unkeyed = receiver.unkeyed + (pos[0].unkeyed if pos else ())
            self._rebind(target, DictVal(tuple(merged.items()), unkeyed))
            return Const(None)
        if method == "setdefault" and key is not None and not receiver.unkeyed:
            if key not in items:
                items[key] = pos[1] if len(pos) > 1 else Const(None)
                self._rebind(target, DictVal(tuple(items.items())))
            return items[key]
        if method == "pop" and key is not None and not receiver.unkeyed and (key in items or len(pos) > 1):
            value = items.pop(key, pos[1] if len(pos) > 1 else TOP)
            self._rebind(target, DictVal(tuple(items.items())))
            return value
        if method in ("update", "setdefault", "pop", "popitem", "clear"):
            self._rebind(target, TOP)  # changed in a way not followed
        return TOP

    def _rebind(self, target: cst.BaseExpression, value: Any) -> None:
        """A dict changed in place: the name that holds it, where it is bound, holds ``value``."""
        frame = self._holder(target.value) if isinstance(target, cst.Name) else None
        if frame is not None:
            frame.locals[target.value] = value

    def _holder(self, name: str) -> Frame | None:
        """The scope ``name`` is bound in, as seen from here."""
        frame: Frame | None = self.frame
        while frame is not None and name not in frame.locals:
            frame = frame.parent
        return frame

    def copied(self, value: Any, site: Any) -> Any:
        """``copy.copy(x)`` / ``copy.deepcopy(x)``: values are themselves, a list is a new list."""
        if isinstance(value, (Const, TupleVal, DictVal)):
            return value
        items = self.exact_items(value) if isinstance(value, Ref) and value.kind == "list" else None
        if items is not None:
            return self._new_list(("list", site), items)
        return call_result(site)

    def set_item(self, target: cst.Subscript, value: Any) -> None:
        """``REGISTRY[name] = fn``, ``self.cache[name] = layer``: a dict bound to a name (where
        the name is bound) or held by an attribute of an instance gets the item."""
        if len(target.slice) != 1:
            return
        part = target.slice[0].slice
        holder = target.value
        if isinstance(holder, cst.Name):
            frame = self._holder(holder.value)
            if frame is None or not isinstance(self.settle(frame, holder.value), DictVal):
                return
            store, name = frame.locals, holder.value
        elif isinstance(holder, cst.Attribute):
            owner = self.eval(holder.value)
            if not isinstance(owner, Instance):
                return
            name = holder.attr.value
            held = self.attrs_holding(owner, name)
            if held is None or not isinstance(held[name], DictVal):
                return
            store = held
        else:
            return
        key = self.eval(part.value) if isinstance(part, cst.Index) else TOP
        store[name] = with_item(store[name], key, value)

    def eval_subscript(self, expr: cst.Subscript) -> Any:
        base = self.eval(expr.value)
        if len(expr.slice) != 1:
            return TOP
        part = expr.slice[0].slice
        if isinstance(part, cst.Slice):
            return self.eval_slice(expr, base, part)
        if not isinstance(part, cst.Index):
            return TOP
        index = self.eval(part.value)
        if isinstance(base, Qual) and base.name.endswith(".__dict__") and isinstance(index, Const):
            return Qual(f"{base.name[: -len('.__dict__')]}.{index.value}")  # ``layers.__dict__["GRU"]``
        if isinstance(base, Opaque) and isinstance(index, Const):
            return Opaque((base.key, "[]", index.value))  # ``UNITS[-1]``, ``config["units"]``
        if isinstance(base, DictVal):
            return self.read_item(base, index)
        items = self.exact_items(base)
        if items is None and isinstance(index, Const) and type(index.value) is int and index.value >= 0:
            state = self.heap.get(base.key) if isinstance(base, Ref) else None
            if isinstance(state, ListState) and index.value < state.known:
                return state.items[index.value]  # a list that grew differently, read where all agree
            if isinstance(state, ListState) and index.value < len(state.at):
                return state.at[index.value]  # lists that branches built: the item of each
        if items is None or not isinstance(index, Const) or type(index.value) is not int:
            return TOP
        try:
            return items[index.value]
        except IndexError:
            return TOP

    def read_item(self, base: DictVal, key: Any, missing: Any = TOP) -> Any:
        """``d[key]``: the value of a known key (or ``missing``), joined with the values stored
        under unknown keys; for an unknown key, any of the values (``{"lstm": LSTM, "gru":
        GRU}[cell]``)."""
        if isinstance(key, Const):
            items = dict(base.items)
            found = [items[key.value]] if key.value in items else []
            return self.join_all([*found, *base.unkeyed] or [missing])
        return self.join_all([*(value for _, value in base.items), *base.unkeyed])

    def eval_slice(self, expr: cst.Subscript, base: Any, part: cst.Slice) -> Any:
        """``layers[1:]``, ``units[:-1]`` of a list whose items are known."""
        items = self.exact_items(base)
        bounds = [self.eval(b) if b is not None else Const(None) for b in (part.lower, part.upper, part.step)]
        if items is None or not all(
            isinstance(b, Const) and (b.value is None or type(b.value) is int) for b in bounds
        ):
            return TOP
        try:
            picked = items[slice(*(b.value for b in bounds))]
        except ValueError:
            return TOP
        if isinstance(base, Ref):
            return self._new_list(("list", self.ctx, id(expr)), picked)
        return TupleVal(tuple(picked))

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
        if isinstance(value, TupleVal):
            return value.items
        return (TOP,)

    def element_of(self, value: Any) -> Any:
        """What a loop over ``value`` binds when its items are not known one by one."""
        items: Iterable[Any] | None = self.exact_items(value)
        if items is None and isinstance(value, Ref):
            state = self.heap.get(value.key)
            items = state.items if isinstance(state, ListState) else None
        return self.join_all(items or ())

    def _extend_list(self, ref: Ref, value: Any) -> None:
        state = self.heap.get(ref.key)
        if not isinstance(state, ListState):
            return
        extra = self.exact_items(value)
        if extra is None:
            self.heap[ref.key] = ListState((*state.items, self.element_of(value)), False, state.known)
        else:
            self.heap[ref.key] = ListState(state.items + tuple(extra), state.exact, state.prefix)


def with_item(base: DictVal, key: Any, value: Any) -> Any:
    """``base`` after ``base[key] = value``."""
    if isinstance(key, Const) and isinstance(key.value, str):
        return DictVal(tuple({**dict(base.items), key.value: value}.items()), base.unkeyed)
    if value in base.unkeyed:
        return base
    if len(base.unkeyed) >= MAX_LAYER_OPTIONS:
        return TOP
    return DictVal(base.items, (*base.unkeyed, value))
