"""Expressions: names, attributes, literals and operators."""

from __future__ import annotations

import codecs
import operator
import re
from collections.abc import Callable
from typing import Any

import libcst as cst

from .state import MAX_CONST_LENGTH, Frame, InterpreterBase
from .symbolic import compare, shift
from .values import (
    TOP,
    BoundMethod,
    Classes,
    ClassVal,
    Const,
    Descriptor,
    DictVal,
    Func,
    Instance,
    LambdaVal,
    Layers,
    LayerVal,
    LazyName,
    ListState,
    MidIndex,
    ModuleVal,
    Objects,
    OneOf,
    Opaque,
    Qual,
    Ref,
    Super,
    SymInt,
    Top,
    TupleVal,
)

_CONSTANTS = {"True": Const(True), "False": Const(False), "None": Const(None)}
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


def _too_long(func: Callable[[Any, Any], Any], left: Any, right: Any) -> bool:
    """Whether ``left func right`` would build a string or tuple past the limit (checked first,
    since building it could exhaust memory)."""
    if func is operator.mul:
        count, sequence = (left, right) if isinstance(left, int) else (right, left)
        if isinstance(sequence, (str, tuple)) and isinstance(count, int):
            return len(sequence) * count > MAX_CONST_LENGTH
        return False
    if func is operator.mod and isinstance(left, str):  # ``"%0999999999d" % 1``
        specs = re.findall(r"%[^a-zA-Z%]*", left)  # flags, width and precision of each field
        sizes = [int(n) for spec in specs for n in re.findall(r"\d+", spec)]
        return any("*" in spec for spec in specs) or any(n > MAX_CONST_LENGTH for n in sizes)
    return False


def _string(literal: str) -> Any:
    """A string or bytes literal's value, decoded here: ``ast.literal_eval`` would compile each
    one and leave reference cycles behind."""
    start = min(i for i in (literal.find('"'), literal.find("'")) if i >= 0)
    prefix = literal[:start].lower()
    quote = 3 if literal[start : start + 3] in ('"""', "'''") else 1
    body = literal[start + quote : len(literal) - quote].replace("\r\n", "\n").replace("\r", "\n")
    try:
        if "r" in prefix or "\\" not in body:
            return Const(body.encode("ascii") if "b" in prefix else body)
        if "b" in prefix:
            return Const(codecs.escape_decode(body.encode("ascii"))[0])
        return Const(body.encode("latin-1", "backslashreplace").decode("unicode_escape"))
    except Exception:  # what Python refuses (b"é", "\\N{NO SUCH NAME}"), or a warning made an error
        return TOP


def is_string(expr: cst.BaseExpression) -> bool:
    """A string literal, implicit concatenations included (an f-string is no literal)."""
    if isinstance(expr, cst.ConcatenatedString):
        return is_string(expr.left) and is_string(expr.right)
    return isinstance(expr, cst.SimpleString)


class ExpressionsMixin(InterpreterBase):
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
        if kind is cst.ConcatenatedString:  # ``"lstm" "_1"``, as Python joins them
            left, right = self.eval(expr.left), self.eval(expr.right)
            if isinstance(left, Const) and isinstance(right, Const) and type(left.value) is type(right.value):
                return Const(left.value + right.value)
            return TOP
        if kind is cst.Tuple:
            items, exact = self._elements(expr.elements)
            if not exact:
                return self._new_list(("list", self.ctx, id(expr)), items, exact)
            if all(isinstance(i, Const) for i in items):
                return Const(tuple(i.value for i in items))
            return TupleVal(tuple(items))
        if kind is cst.List:
            items, exact = self._elements(expr.elements)
            return self._new_list(("list", self.ctx, id(expr)), items, exact)
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
            decided = self.truth(left)
            if isinstance(decided, Const):
                if isinstance(expr.operator, cst.And):
                    return left if not decided.value else right
                return left if decided.value else right
            return TOP
        if kind is cst.IfExp:
            test = self.truth(self.eval(expr.test))
            if isinstance(test, Const):
                self.decided += 1
                return self.eval(expr.body if test.value else expr.orelse)
            return self.join(self.eval(expr.body), self.eval(expr.orelse))
        if kind is cst.NamedExpr:
            value = self.eval(expr.value)
            self.bind(expr.target, value)
            return value
        if kind is cst.Subscript:
            return self.eval_subscript(expr)
        if kind is cst.ListComp or kind is cst.GeneratorExp:
            return self.eval_listcomp(expr)
        if kind is cst.DictComp:
            return self.eval_dictcomp(expr)
        if kind is cst.Lambda:
            return LambdaVal(expr, self.frame, id(expr))
        return TOP

    def lookup(self, name: str) -> Any:
        value = self._lookup(name)
        if not isinstance(value, (Const, Opaque, Top)) and self.relevant(value):
            self.touched += 1  # see interpreter.run_deferred: code that never does this is inert
        return value

    def _lookup(self, name: str) -> Any:
        frame: Frame | None = self.frame
        stars: list[str] = []
        while frame is not None:
            value = frame.locals.get(name)
            if value is not None:
                return self.settle(frame, name) if type(value) is LazyName else value
            stars.extend(frame.star_modules)
            frame = frame.parent
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        for module in stars:
            qualname = f"{module}.{name}"
            if self.table.lookup(qualname) is not None:
                return Qual(qualname)
        conventional = None if stars else self.table.unbound(name)
        if conventional is not None:
            return Qual(conventional)  # a snippet that left its Keras imports out
        # Bound where we cannot see (a notebook's other kernel, exec, a star import).
        return Opaque(("name", name))

    def attribute(self, base: Any, name: str) -> Any:
        if isinstance(base, Qual):
            return Qual(f"{base.name}.{name}")
        if isinstance(base, Ref) and base.kind == "model" and name == "layers":
            return self.model_layers(base)
        if isinstance(base, Instance):
            return self.instance_attribute(base, name)
        if isinstance(base, ClassVal):
            return self.class_attribute(base, name)
        if isinstance(base, Super):
            return self.super_attribute(base, name)
        if isinstance(base, Opaque):
            return Opaque((base.key, name))  # ``args.n_layers``, read twice, is one value
        if isinstance(base, ModuleVal):
            return self.module_attribute(base, name)
        if isinstance(base, Objects):
            return self.join_all(self.attribute(option, name) for option in base.options)
        return TOP

    def instance_attribute(self, inst: Instance, name: str) -> Any:
        own = self.attrs_holding(inst, name)
        if own is not None:
            return own[name]
        for cls in self._mro(inst.cls):
            attrs = self.class_attrs.get((cls.key, None), {})
            if name in attrs:
                return attrs[name]
            value = self.class_ns.get(cls.key, {}).get(name)
            if isinstance(value, Func):
                return BoundMethod(value, inst)
            if isinstance(value, Descriptor):
                if value.kind == "property":
                    return self.inline_at(value.func, ("property", id(value.func.node)), inst, [], {})
                return self.unwrap(value, cls)
            if value is not None:
                return value
        return TOP

    @staticmethod
    def unwrap(value: Descriptor, cls: ClassVal) -> Any:
        """A static or class method as reached from its class or an instance."""
        if value.kind == "staticmethod":
            return value.func
        return BoundMethod(value.func, cls) if value.kind == "classmethod" else TOP

    def class_attribute(self, cls: ClassVal, name: str) -> Any:
        """``Config.UNITS``: what the class body, or a base class's, binds."""
        for klass in self._mro(cls):
            namespace = self.class_ns.get(klass.key, {})
            if name in namespace:
                value = namespace[name]
                return self.unwrap(value, cls) if isinstance(value, Descriptor) else value
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

    def _loop_term(self, value: Any) -> bool:
        if isinstance(value, MidIndex):
            return True
        if isinstance(value, SymInt):
            return value.sym in self.loop_syms
        if isinstance(value, Opaque):
            key = value.key
            return key in self.loop_syms or (len(key) == 3 and key[1] == "[]" and key[0] in self.loop_syms)
        return False

    def truth(self, value: Any) -> Any:
        """``bool(value)`` as a Const where it is known (a list of known length is true when it
        is not empty, a layer or a class is always true); otherwise the value itself."""
        if isinstance(value, Const):
            return Const(bool(value.value))
        if isinstance(value, Ref):
            state = self.heap.get(value.key)
            if value.kind == "model" or (isinstance(state, ListState) and state.exact):
                return Const(value.kind == "model" or bool(state.items))
        if isinstance(value, TupleVal):
            return Const(bool(value.items))
        if isinstance(value, DictVal):
            return Const(bool(value.items or value.unkeyed))
        if isinstance(value, (LayerVal, Layers, Qual, Classes, ClassVal, Func, LambdaVal)):
            return Const(True)
        if isinstance(value, OneOf):
            truths = {bool(option.value) for option in value.options}
            return Const(truths.pop()) if len(truths) == 1 else value
        return value

    def eval_unary(self, expr: cst.UnaryOperation) -> Any:
        value = self.eval(expr.expression)
        if isinstance(expr.operator, cst.Not):
            value = self.truth(value)
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
        return self.binary(type(expr.operator), left, right, id(expr))

    def binary(self, op: type, left: Any, right: Any, site: int) -> Any:
        """``left op right``, for a binary operator or an augmented assignment (``+=``)."""
        if op is cst.Add and isinstance(left, Ref) and isinstance(right, Ref):
            a, b = self.exact_items(left), self.exact_items(right)
            if a is not None and b is not None:
                return self._new_list(("list", self.ctx, site), a + b)
            # A list grown in a loop: its items still come in this order.
            key = ("list", self.ctx, site)
            self.heap[key] = ListState((*self.loose_items(left), *self.loose_items(right)), exact=False)
            return Ref("list", key)
        func = _BINARY.get(op)
        if func in (operator.add, operator.sub):
            # A symbolic count plus or minus a constant: ``n - 1``, ``len(units) - 1``.
            moved = None
            if isinstance(right, Const) and type(right.value) is int:
                moved = shift(left, right.value if func is operator.add else -right.value)
            elif func is operator.add and isinstance(left, Const) and type(left.value) is int:
                moved = shift(right, left.value)
            if moved is not None:
                return moved
        if func is None or not (isinstance(left, Const) and isinstance(right, Const)):
            return TOP
        if not all(isinstance(v.value, (int, float, tuple, str)) for v in (left, right)):
            return TOP
        if _too_long(func, left.value, right.value):
            return TOP
        try:
            result = func(left.value, right.value)
        except (TypeError, ValueError, ArithmeticError):
            return TOP
        if isinstance(result, (str, tuple)) and len(result) > MAX_CONST_LENGTH:
            return TOP
        return Const(result)

    def _contains(self, container: Any, item: Any) -> bool | None:
        """``item in container`` where both are known: a string, or a sequence of literals."""
        if not isinstance(item, Const):
            return None
        if isinstance(container, Const) and isinstance(container.value, (str, tuple)):
            try:
                return item.value in container.value
            except TypeError:
                return None
        if isinstance(container, DictVal):
            found = item.value in dict(container.items)
            return True if found else (None if container.unkeyed else False)
        items = self.exact_items(container)
        if items is None or not all(isinstance(i, Const) for i in items):
            return None
        return any(i.value == item.value for i in items)

    def eval_comparison(self, expr: cst.Comparison) -> Any:
        left = self.eval(expr.left)
        values = [left] + [self.eval(t.comparator) for t in expr.comparisons]
        result = True
        for index, target in enumerate(expr.comparisons):
            a, b = values[index], values[index + 1]
            if isinstance(target.operator, (cst.In, cst.NotIn)):
                found = self._contains(b, a)
                if found is None:
                    return TOP
                result = result and found is isinstance(target.operator, cst.In)
                continue
            func = _COMPARE.get(type(target.operator))
            if func is None:
                return TOP
            if not (isinstance(a, Const) and isinstance(b, Const)):
                # A loop index against its bound, at one position; other unknowns stay unknown.
                decided = compare(func, a, b) if self._loop_term(a) or self._loop_term(b) else None
                if decided is None:
                    return TOP
                result = result and bool(decided.value)
                continue
            try:
                result = result and bool(func(a.value, b.value))
            except TypeError:
                return TOP
        return Const(result)
