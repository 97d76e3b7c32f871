"""Statements and control flow: assignment and binding, imports, `if`, `try`, `with`,
`match`, function and class definitions. Loops live in :mod:`.loops`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import libcst as cst
from libcst.helpers import get_full_name_for_node

from ..keras_table import Role
from .expressions import is_string
from .state import InterpreterBase
from .values import (
    TOP,
    ClassVal,
    Const,
    Descriptor,
    Func,
    Instance,
    LambdaVal,
    Partial,
    Qual,
    Ref,
    Tensor,
    builtin_name,
    is_unknown,
)

_DESCRIPTORS = frozenset({"property", "staticmethod", "classmethod"})


def _body_of(suite: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return suite.body


_SWITCH_OPERATORS = (cst.Equal, cst.NotEqual, cst.In, cst.NotIn, cst.Is, cst.IsNot)


def _is_literal(expr: cst.BaseExpression) -> bool:
    """A string, number, ``True``/``False``/``None``, or a tuple, list or set of them."""
    if isinstance(expr, (cst.Tuple, cst.List, cst.Set)):
        return all(_is_literal(e.value) for e in expr.elements)
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        return _is_literal(expr.expression)
    if isinstance(expr, cst.Name):
        return expr.value in ("True", "False", "None")
    return is_string(expr) or isinstance(expr, (cst.Integer, cst.Float))


def _plain(expr: cst.BaseExpression) -> bool:
    """Names, attributes, literal subscripts, literals and their comparisons: no call."""
    if isinstance(expr, (cst.Attribute, cst.Subscript)):
        return _plain(expr.value) and (isinstance(expr, cst.Attribute) or _is_literal_index(expr))
    if isinstance(expr, cst.Comparison):
        return _plain(expr.left) and all(_plain(c.comparator) for c in expr.comparisons)
    if isinstance(expr, cst.UnaryOperation):
        return _plain(expr.expression)
    if isinstance(expr, cst.BooleanOperation):
        return _plain(expr.left) and _plain(expr.right)
    return isinstance(expr, cst.Name) or _is_literal(expr)


def _is_literal_index(expr: cst.Subscript) -> bool:
    return all(isinstance(e.slice, cst.Index) and _is_literal(e.slice.value) for e in expr.slice)


_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


def _catches_import_error(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    caught = handler.type
    if caught is None:
        return False
    items = [e.value for e in caught.elements] if isinstance(caught, cst.Tuple) else [caught]
    return all(isinstance(item, cst.Name) and item.value in _IMPORT_ERRORS for item in items)


def _imported_modules(statements: Sequence[cst.CSTNode]) -> Iterator[str]:
    """The modules some statements import, at any depth of blocks (not in functions)."""
    for stmt in statements:
        smalls = stmt.body if isinstance(stmt, cst.SimpleStatementLine) else [stmt]
        for small in smalls:
            if isinstance(small, cst.Import):
                yield from (get_full_name_for_node(alias.name) or "" for alias in small.names)
            elif isinstance(small, cst.ImportFrom):
                yield get_full_name_for_node(small.module) if small.module and not small.relative else ""
        if isinstance(stmt, (cst.If, cst.Try, cst.With, cst.For, cst.While)):
            yield from _imported_modules(stmt.body.body)
            orelse = getattr(stmt, "orelse", None)
            if isinstance(orelse, cst.If):
                yield from _imported_modules([orelse])
            elif orelse is not None:
                yield from _imported_modules(orelse.body.body)


_AUGMENTED: dict[type, type] = {
    cst.AddAssign: cst.Add,
    cst.SubtractAssign: cst.Subtract,
    cst.MultiplyAssign: cst.Multiply,
    cst.FloorDivideAssign: cst.FloorDivide,
}


class StatementsMixin(InterpreterBase):
    def exec_block(self, body: Sequence[cst.CSTNode]) -> None:
        for stmt in body:
            if self.jump is not None:
                return  # after a ``return``, ``break`` or ``continue`` that is sure to run
            self.exec_stmt(stmt)

    def exec_suite(self, suite: cst.BaseSuite) -> None:
        if isinstance(suite, cst.SimpleStatementSuite):
            for small in suite.body:
                if self.jump is not None:
                    return
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
            self.exec_match(stmt)

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
        elif kind is cst.Assert:
            narrowed = self.narrowing(small.test)
            self.eval(small.test)
            self._narrow(narrowed, True)
        elif kind is cst.Import:
            self.exec_import(small)
        elif kind is cst.ImportFrom:
            self.exec_import_from(small)
        elif kind is cst.Return:
            value = self.eval(small.value) if small.value is not None else Const(None)
            previous = self.frame.returns
            self.frame.returns = value if previous is None else self.join(previous, value)
            self.jump = "return"
        elif kind is cst.Global or kind is cst.Nonlocal:
            if self.frame.parent is not None:  # ``global`` at module level changes nothing
                declared = self.frame.declared = dict(self.frame.declared or {})
                scope = "global" if kind is cst.Global else "nonlocal"
                declared.update((item.name.value, scope) for item in small.names)
        elif kind is cst.Raise:
            if small.exc is not None:
                self.eval(small.exc)
            self.jump = "raise"
        elif kind is cst.Break:
            self.jump = "break"
        elif kind is cst.Continue:
            self.jump = "continue"

    def exec_augassign(self, node: cst.AugAssign) -> None:
        value = self.eval(node.value)
        current = self.eval(node.target)
        if isinstance(node.operator, cst.AddAssign) and isinstance(current, Ref) and current.kind == "list":
            self._extend_list(current, value)
            return
        # ``i += 1``: the binary operator the augmented one stands for.
        op = _AUGMENTED.get(type(node.operator))
        self.bind(node.target, self.binary(op, current, value, id(node)) if op is not None else TOP)

    def exec_match(self, node: cst.Match) -> None:
        subject = self.eval(node.subject)
        if isinstance(subject, Const):
            self.decided += 1
            # A known subject runs the first case whose pattern is decided to match.
            for case in node.cases:
                matched = self._matches(case.pattern, subject) if case.guard is None else None
                if matched is None:
                    break  # undecidable: run every case
                if matched:
                    self.exec_suite(case.body)
                    return
            else:
                return
        before = self.snapshot()
        joined = before
        for case in node.cases:
            self.restore(before)
            self.exec_suite(case.body)
            self.jump = None
            joined = self.join_snapshots(joined, self.snapshot(), before)
        self.restore(joined)

    def _matches(self, pattern: cst.MatchPattern, subject: Const) -> bool | None:
        if isinstance(pattern, cst.MatchValue):
            value = self.eval(pattern.value)
            return value.value == subject.value if isinstance(value, Const) else None
        if isinstance(pattern, cst.MatchSingleton):
            return self.eval(pattern.value) == subject
        if isinstance(pattern, cst.MatchAs):
            matched = True if pattern.pattern is None else self._matches(pattern.pattern, subject)
            if matched and pattern.name is not None:
                self.bind(pattern.name, subject)
            return matched
        if isinstance(pattern, cst.MatchOr):
            results = [self._matches(p.pattern, subject) for p in pattern.patterns]
            return True if any(results) else None if None in results else False
        return None

    def exec_if(self, node: cst.If) -> None:
        test = self.truth(self.eval(node.test))
        if isinstance(test, Const) and not self.is_setting_test(node.test):
            # A constant condition (``if n_layers > 1``, a local literal) picks its branch.
            self.decided += 1
            if test.value:
                self.exec_suite(node.body)
            elif node.orelse is not None:
                self._exec_orelse(node.orelse)
            return
        data = bool(self.item_roots) and self.reads_loop_item(node.test)
        narrowed = self.narrowing(node.test)

        def body() -> None:
            self._narrow(narrowed, True)
            self.exec_suite(node.body)

        before = self.snapshot()
        self._branch(data, body)
        after_body, body_jump = self.snapshot(), self.jump
        self.restore(before)
        self.jump = None
        self._narrow(narrowed, False)
        if node.orelse is not None:
            orelse = node.orelse
            self._branch(data, lambda: self._exec_orelse(orelse))
        else_jump = self.jump
        # A branch that leaves the block does not flow on: the state after is the other's.
        if body_jump is None and else_jump is not None:
            self.restore(after_body)
        elif body_jump is None or else_jump is not None:
            self.restore(self.join_snapshots(after_body, self.snapshot(), before))
        self.jump = body_jump if body_jump is not None and else_jump is not None else None

    def is_setting_test(self, test: cst.BaseExpression) -> bool:
        """A test of a module-level setting against literals (``if MODEL == "gru":``,
        ``if not USE_GRU:``, ``if Config.CELL in ("lstm", "gru"):``): the author edits the
        setting to pick a branch, so every branch is a real use, whatever value the file
        gives it today. Order comparisons (``if n_layers > 1``) stay decided by the value."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return self.is_setting_test(test.expression)
        if isinstance(test, cst.BooleanOperation):
            # ``SETTING and n > 1``: a side that is no setting must not decide the whole test.
            sides = [(side, self.is_setting_test(side)) for side in (test.left, test.right)]
            others = [side for side, setting in sides if not setting]
            if len(others) == 2 or not all(_plain(side) for side in others):
                return False  # evaluated once more below: no calls
            deciding = Const(isinstance(test.operator, cst.Or))
            return not any(self.truth(self.eval(side)) == deciding for side in others)
        if isinstance(test, cst.Comparison):
            against = test.comparisons
            if not all(
                isinstance(c.operator, _SWITCH_OPERATORS) and _is_literal(c.comparator) for c in against
            ):
                return False
            test = test.left
        return self._is_setting(test)

    def _is_setting(self, expr: cst.BaseExpression) -> bool:
        """``NAME``, ``NAME.attr`` or ``NAME["key"]`` bound at module level to a literal."""
        setting = expr
        while isinstance(expr, (cst.Attribute, cst.Subscript)):
            if isinstance(expr, cst.Subscript) and not _is_literal_index(expr):
                return False
            expr = expr.value
        if not isinstance(expr, cst.Name) or expr.value.startswith("__"):
            return False
        frame = self.frame
        while frame is not None and expr.value not in frame.locals:
            frame = frame.parent
        if frame is None or frame.parent is not None:
            return False
        value = self.eval(setting)
        return isinstance(value, Const) and isinstance(value.value, (str, int, float, type(None)))

    def narrowing(self, test: cst.BaseExpression) -> tuple[cst.Call, str, list[ClassVal], bool] | None:
        """``isinstance(name, C)`` (or its ``not``) on a name whose value is unknown, C classes
        of the program: the call, the name, the classes, and the truth that narrows."""
        holds = True
        while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            test, holds = test.expression, not holds
        if not (
            isinstance(test, cst.Call)
            and isinstance(test.func, cst.Name)
            and test.func.value == "isinstance"
            and len(test.args) == 2
            and isinstance(test.args[0].value, cst.Name)
            and is_unknown(self.lookup("isinstance"))
        ):
            return None
        name = test.args[0].value.value
        if not is_unknown(self.lookup(name)):
            return None
        kinds = self.eval(test.args[1].value)
        classes = [kinds] if isinstance(kinds, ClassVal) else list(self.exact_items(kinds) or ())
        if not classes or not all(isinstance(c, ClassVal) for c in classes):
            return None
        return test, name, classes, holds

    def _narrow(self, narrowed: tuple[cst.Call, str, list[ClassVal], bool] | None, truth: bool) -> None:
        """Where the ``isinstance`` test has this truth, the name is one of the program's
        instances of those classes (each built as its class builds it with no arguments)."""
        if narrowed is not None and narrowed[3] is truth:
            call, name, classes, _ = narrowed
            self.frame.locals[name] = self.instances_of(classes, call)

    def _branch(self, data: bool, run: Callable[[], None]) -> None:
        """Run one branch; one on a loop item's data marks the layers it builds as its own."""
        if not data:
            run()
            return
        outer = self.item_branches
        self.branch_runs += 1
        self.item_branches = (*outer, self.branch_runs)
        try:
            run()
        finally:
            self.item_branches = outer

    def _exec_orelse(self, orelse: cst.If | cst.Else) -> None:
        if isinstance(orelse, cst.If):
            self.exec_if(orelse)
        else:
            self.exec_suite(orelse.body)

    def exec_try(self, node: cst.Try | cst.TryStar) -> None:
        before = self.snapshot()
        self.exec_suite(node.body)
        self.jump = None  # a handler may run instead: go on
        if node.orelse is not None:
            self.exec_suite(node.orelse.body)
        joined = self.snapshot()
        keras_only = None
        for handler in node.handlers:
            if _catches_import_error(handler):
                if keras_only is None:
                    keras_only = self._imports_keras_only(node.body)
                if keras_only:
                    continue  # the fallback for a missing Keras: code is read with Keras installed
            # A handler may run after any part of the body: start from the state before it.
            self.restore(before)
            self.exec_suite(handler.body)
            self.jump = None  # the body may also have gone on without raising
            joined = self.join_snapshots(joined, self.snapshot(), before)
        self.restore(joined)
        if node.finalbody is not None:
            self.exec_suite(node.finalbody.body)

    def _imports_keras_only(self, suite: cst.BaseSuite) -> bool:
        """The suite imports something, and everything it imports is Keras or TensorFlow."""
        names = list(_imported_modules(suite.body))
        return bool(names) and all(self.table.is_framework(name) for name in names)

    def bind(self, target: cst.CSTNode, value: Any) -> None:
        kind = type(target)
        if kind is cst.Name:
            frame = self.frame if self.frame.declared is None else self.frame.owner_of(target.value)
            frame.locals[target.value] = value
        elif kind is cst.Attribute:
            owner = self.eval(target.value)
            if isinstance(owner, Instance):
                attrs = self.class_attrs.setdefault((owner.cls.key, owner.site), {})
                name = target.attr.value
                old = attrs.get(name)
                # ``self.x = None`` placeholders do not hide the layer assigned later; a list or
                # model built anew (another run of ``__init__``) replaces the one before.
                if old is None or old == Const(None) or (isinstance(old, Ref) and isinstance(value, Ref)):
                    attrs[name] = value
                elif value != Const(None):
                    attrs[name] = self.join_over_time(old, value)
            elif isinstance(owner, ClassVal) and owner.key in self.class_ns:
                # ``Config.UNITS = ...``: the class namespace is not part of a branch's state,
                # so a value it had stays possible.
                namespace = self.class_ns[owner.key]
                name = target.attr.value
                namespace[name] = self.join_over_time(namespace[name], value) if name in namespace else value
        elif kind is cst.Subscript:
            self.set_item(target, value)
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

    def define_function(self, node: cst.FunctionDef, owner: ClassVal | None = None) -> Func:
        chain = self.chain if self.chain and self.chain[-1] is node else (*self.chain, node)
        func = Func(node, self.frame, owner, id(node), chain)
        bound: Any = func
        for decorator in reversed(node.decorators):
            # A decorator runs once, on the function: it may register it or wrap it.
            wrapper = self.eval(decorator.decorator)
            name = builtin_name(wrapper)
            if name in _DESCRIPTORS and owner is not None and bound is func:
                bound = Descriptor(name, func)
            elif isinstance(wrapper, (Func, LambdaVal, Partial)):
                result = self.call_value(decorator.decorator, wrapper, ([bound], {}, {}, False))
                bound = result if isinstance(result, (Func, LambdaVal, Partial)) else bound
        self.frame.locals[node.name.value] = bound
        if owner is None and self.judges_functions():
            self.deferred.append(func)
        return func

    def _is_sequential_class(self, base: Any) -> bool:
        if isinstance(base, ClassVal):
            return base.key in self.sequential_classes
        spec = self.table.lookup(base.name) if isinstance(base, Qual) else None
        return spec is not None and spec.role is Role.SEQUENTIAL

    def define_class(self, node: cst.ClassDef) -> None:
        cls = ClassVal(node, id(node))
        bases = [self.eval(arg.value) for arg in node.bases]
        self.class_bases[cls.key] = [b for b in bases if isinstance(b, ClassVal)]
        self.classes[cls.key] = cls
        if any(self._is_sequential_class(b) for b in bases):
            self.sequential_classes.add(cls.key)  # ``self.add(layer)`` builds the model itself
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
        if self.judges_functions():
            self.deferred.extend(methods)
