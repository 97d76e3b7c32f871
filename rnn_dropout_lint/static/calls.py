"""Calls: arguments, method calls on models and lists, inlining functions and methods,
instantiating classes defined in the file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import libcst as cst

from ..keras_table import SEARCH_SPACES
from .builtins import BUILTINS, const_method
from .data_files import READERS as DATA_READERS
from .expressions import is_string
from .state import MAX_INLINE_DEPTH, MAX_LAYER_OPTIONS, STEP_BUDGET, Frame, InterpreterBase
from .values import (
    COPY_NAMES,
    DICT_NAMES,
    NEVER,
    PARTIAL_NAMES,
    REDUCE_NAMES,
    TOP,
    Args,
    BoundMethod,
    Classes,
    ClassVal,
    Const,
    DictVal,
    Func,
    Instance,
    KerasInit,
    LambdaVal,
    Layers,
    LayerVal,
    ListState,
    ModelState,
    Objects,
    Opaque,
    Partial,
    Qual,
    Ref,
    Super,
    Tensor,
    TupleVal,
    call_result,
    is_unknown,
)


def _has_attributes(value: Any) -> bool:
    """Values whose ``.add`` is something other than a Sequential's (modules, our classes)."""
    return isinstance(value, (Qual, Instance, ClassVal, Const))


class CallsMixin(InterpreterBase):
    def eval_args(self, args: Sequence[cst.Arg]) -> Args:
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
                unknown_kwargs = unknown_kwargs or not isinstance(value, DictVal) or bool(value.unkeyed)
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
            if method in SEARCH_SPACES and self.search_calls:
                choice = self.search_space(expr, receiver, method)
                if choice is not None:
                    return choice
            if method == "add" and isinstance(receiver, Instance) and self._is_sequential_instance(receiver):
                receiver = self.instance_model(receiver)
            if isinstance(receiver, Ref) or (method == "add" and not _has_attributes(receiver)):
                return self.method_call(expr, receiver, method)
            if isinstance(receiver, DictVal):
                pos, kw, _, _ = self.eval_args(expr.args)
                return self.dict_method(func_expr.value, receiver, method, pos, kw)
            if isinstance(receiver, Const):
                pos, kw, _, _ = args = self.eval_args(expr.args)
                known = const_method(self, receiver, method, pos, kw, (self.ctx, id(expr)))
                return known if known is not None else self.call_value(expr, TOP, args)
            func = self.attribute(receiver, method)
        elif type(func_expr) is cst.Name:
            func = self.lookup(func_expr.value)
            if func_expr.value == "super" and is_unknown(func):
                return self.super_of(expr)
            if is_unknown(func) and func_expr.value == "map":
                return self.map_items(expr, self.eval_args(expr.args)[0])
            if is_unknown(func) and func_expr.value in BUILTINS:
                pos, kw, _, _ = self.eval_args(expr.args)
                return BUILTINS[func_expr.value](self, pos, kw, (self.ctx, id(expr)))
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
                    self.heap[receiver.key] = ListState((*state.items, first), state.exact, state.prefix)
                elif method == "extend" and pos:
                    self._extend_list(receiver, first)
                elif method == "insert" and len(pos) == 2 and _int(pos[0]) is not None and state.exact:
                    items = list(state.items)
                    items.insert(_int(pos[0]), pos[1])
                    self.heap[receiver.key] = ListState(tuple(items))
                elif (
                    method == "pop" and state.exact and state.items and (not pos or _int(pos[0]) is not None)
                ):
                    items = list(state.items)
                    popped = items.pop(_int(pos[0]) if pos else -1)
                    self.heap[receiver.key] = ListState(tuple(items))
                    return popped
                elif method in ("insert", "pop", "remove", "reverse", "sort", "clear"):
                    self.heap[receiver.key] = ListState(state.items, exact=False)  # no prefix is sure
            return TOP
        if method == "pop" and isinstance(receiver, Ref) and receiver.kind == "model" and not pos:
            return self.model_pop(receiver)
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

    def call_value(self, expr: cst.Call, func: Any, args: Args | None = None) -> Any:
        """Call ``func`` at ``expr``; its arguments are evaluated once, here or by the caller."""
        args = args if args is not None else self.eval_args(expr.args)
        pos, kw, exprs, unknown_kwargs = args
        if isinstance(func, Partial):
            shifted = {k + len(func.pos) if isinstance(k, int) else k: v for k, v in exprs.items()}
            merged = ([*func.pos, *pos], {**dict(func.kw), **kw}, shifted, unknown_kwargs)
            return self.call_value(expr, func.func, merged)
        if isinstance(func, Qual):
            if func.name in PARTIAL_NAMES and pos:
                return Partial(pos[0], tuple(pos[1:]), tuple(kw.items()))
            if func.name in REDUCE_NAMES and len(pos) >= 2:
                # ``reduce(lambda x, layer: layer(x), layers, inputs)``: each item in order.
                items = list(self.loose_items(pos[1]))
                acc = pos[2] if len(pos) > 2 else (items.pop(0) if items else TOP)
                for item in items:
                    acc = self.call_value(expr, pos[0], ([acc, item], {}, {}, False))
                return acc
            if func.name in DICT_NAMES:
                return BUILTINS["dict"](self, pos, kw, (self.ctx, id(expr)))
            if func.name in COPY_NAMES and len(pos) == 1:
                return self.copied(pos[0], (self.ctx, id(expr)))
            reader = DATA_READERS.get(func.name)
            if reader is not None:
                return reader(self, pos)
            spec = self.table.lookup(func.name)
            if spec is None:
                return call_result((self.ctx, id(expr)))  # ``parser.parse_args()``: read it twice
            return self.construct(expr, spec, func.name, args)
        if isinstance(func, Classes):
            options = sorted(func.options, key=lambda q: q.name)
            built = [self.construct(expr, self.table.lookup(q.name), q.name, args) for q in options]
            if built and all(isinstance(b, LayerVal) for b in built):
                return Layers(frozenset(built))
            return TOP
        if isinstance(func, (LayerVal, Layers)) or (isinstance(func, Ref) and func.kind == "model"):
            tensor = pos[0] if pos else kw.get("inputs", TOP)
            _, out = self.apply(func, self.sources_of(tensor), id(expr))
            return Tensor(out)
        if isinstance(func, Func):
            return self.inline(func, expr, None, pos, kw, unknown_kwargs)
        if isinstance(func, LambdaVal):
            return self.call_lambda(func, pos, kw, unknown_kwargs)
        if isinstance(func, Objects):
            return self.join_all([self.call_value(expr, option, args) for option in func.options])
        if isinstance(func, BoundMethod):
            return self.inline(func.func, expr, func.self_value, pos, kw, unknown_kwargs)
        if isinstance(func, KerasInit):
            layers = pos[0] if pos else kw.get("layers")
            ref = self.instance_model(func.inst)
            for index, item in enumerate(self.exact_items(layers) or self.loose_items(layers)):
                if item is not TOP:
                    self.model_add(ref, item, (id(expr), index))
            return Const(None)
        if isinstance(func, ClassVal):
            inst = Instance(func, (self.ctx, id(expr)))
            init = self.instance_attribute(inst, "__init__")
            if isinstance(init, BoundMethod):
                self.inline(init.func, expr, inst, pos, kw, unknown_kwargs)
            return inst
        if isinstance(func, Instance):
            if self._is_sequential_instance(func):
                return self.call_value(expr, self.instance_model(func), args)
            for name in ("call", "__call__"):
                method = self.instance_attribute(func, name)
                if isinstance(method, BoundMethod):
                    return self.inline(method.func, expr, func, pos, kw, unknown_kwargs)
        return call_result((self.ctx, id(expr)))

    def map_items(self, expr: cst.Call, pos: list[Any]) -> Any:
        """``map(fn, units)`` over known items: ``fn`` called on each, in order."""
        columns = [self.exact_items(p) for p in pos[1:]]
        if not columns or any(c is None for c in columns):
            return call_result((self.ctx, id(expr)))
        outer = self.ctx
        results = []
        try:
            for index, row in enumerate(zip(*columns, strict=False)):
                self.ctx = (*outer, ("map", id(expr), index))  # each item builds its own layers
                results.append(self.call_value(expr, pos[0], (list(row), {}, {}, False)))
        finally:
            self.ctx = outer
        return TupleVal(tuple(results))

    def call_lambda(self, lam: LambdaVal, pos: list[Any], kw: dict[str, Any], open_kw: bool = False) -> Any:
        frame = self._frame(lam.scope)
        default = partial(self._param_default, scope=lam.scope, key=lam.key)
        self.bind_arguments(frame, lam.node.params, pos, kw, default, open_kw=open_kw)
        saved = self.frame
        self.frame = frame
        try:
            return self.eval(lam.node.body)
        finally:
            self.frame = saved

    def bind_arguments(
        self,
        frame: Frame,
        params: cst.Parameters,
        pos: list[Any],
        kw: dict[str, Any],
        default: Callable[[cst.Param], Any],
        unknown_rest: bool = False,
        open_kw: bool = False,
    ) -> None:
        """A call's arguments bound to ``params`` as Python binds them; ``default(param)`` for a
        parameter no argument gives. ``unknown_rest``: ``*args``/``**kwargs`` are unknown;
        ``open_kw``: the caller spread a dict of unknown keys, which may give any parameter."""
        kw = dict(kw)

        def keyword(param: cst.Param) -> Any:
            name = param.name.value
            if name in kw:
                return kw.pop(name)
            return TOP if open_kw else default(param)

        positional = [*params.posonly_params, *params.params]
        for index, param in enumerate(positional):
            frame.locals[param.name.value] = pos[index] if index < len(pos) else keyword(param)
        if isinstance(params.star_arg, cst.Param):
            rest = TOP if unknown_rest else TupleVal(tuple(pos[len(positional) :]))
            frame.locals[params.star_arg.name.value] = rest
        for param in params.kwonly_params:
            frame.locals[param.name.value] = keyword(param)
        if params.star_kwarg is not None:  # ``lambda **params: LSTM(**params)``
            unknown = unknown_rest or open_kw
            frame.locals[params.star_kwarg.name.value] = TOP if unknown else DictVal(tuple(kw.items()))

    def instances_of(self, classes: list[ClassVal], site: cst.Call) -> Any:
        """One of the program's instances of ``classes`` or their subclasses, each built with no
        arguments (as a class nobody instantiates is judged with its defaults); TOP if too many."""
        found = [c for c in self.classes.values() if any(k in classes for k in self._mro(c))]
        if not found or len(found) > MAX_LAYER_OPTIONS:
            return TOP
        built = [self.call_value(site, cls, ([], {}, {}, False)) for cls in found]
        return built[0] if len(built) == 1 else Objects(tuple(built))

    def super_of(self, expr: cst.Call) -> Any:
        self.eval_args(expr.args)
        frame = self.frame
        while frame is not None and frame.method is None:
            frame = frame.parent
        return Super(*frame.method) if frame is not None and frame.method is not None else TOP

    def super_attribute(self, sup: Super, name: str) -> Any:
        """What ``super().name`` finds: the next class in the instance's MRO that defines it."""
        mro = self._mro(sup.inst.cls)
        after = mro[mro.index(sup.owner) + 1 :] if sup.owner in mro else []
        for cls in after:
            value = self.class_ns.get(cls.key, {}).get(name)
            if isinstance(value, Func):
                return BoundMethod(value, sup.inst)
        if name == "__init__" and self._is_sequential_instance(sup.inst):
            return KerasInit(sup.inst)
        return TOP

    def _is_sequential_instance(self, inst: Instance) -> bool:
        return inst.cls.key in self.sequential_classes

    def instance_model(self, inst: Instance) -> Ref:
        """The Sequential model an instance of a ``Sequential`` subclass is."""
        ref = Ref("model", ("instance-model", inst.cls.key))
        self.heap.setdefault(ref.key, ModelState())
        return ref

    def inline(
        self,
        func: Func,
        expr: cst.CSTNode,
        self_value: Instance | None,
        pos: list[Any],
        kw: dict[str, Any],
        open_kw: bool = False,
    ) -> Any:
        return self.inline_at(func, id(expr), self_value, pos, kw, open_kw)

    def inline_at(
        self,
        func: Func,
        site: Any,
        self_value: Instance | None,
        pos: list[Any],
        kw: dict[str, Any],
        open_kw: bool = False,
    ) -> Any:
        """Run ``func`` with these arguments in the context of the call site ``site``."""
        pos = list(pos)
        if len(self.stack) >= MAX_INLINE_DEPTH or func.key in self.stack or self.steps >= STEP_BUDGET:
            return TOP
        self.inlined.add(func.key)
        if self_value is not None:
            pos.insert(0, self_value)
        before = self.touched, self.decided
        result = self.run_function(func, pos, kw, (*self.ctx, ("call", site)), open_kw=open_kw)
        # A call that named nothing of Keras and took every branch: the function is inert.
        (self.inert if (self.touched, self.decided) == before else self.active).add(func.key)
        return result

    def call_layer_instance(self, inst: Instance, tensor: Any, site: Any) -> Any:
        """A custom layer (or subclassed model) of this file applied to a tensor: its ``call``."""
        for name in ("call", "__call__"):
            method = self.instance_attribute(inst, name)
            if isinstance(method, BoundMethod):
                return self.inline_at(method.func, site, inst, [tensor], {})
        return TOP

    def run_function(
        self,
        func: Func,
        pos: list[Any],
        kw: dict[str, Any],
        ctx: tuple[Any, ...],
        standalone: bool = False,
        defaults: bool = True,
        open_kw: bool = False,
    ) -> Any:
        scope = func.scope.parent if func.scope.is_class else func.scope
        frame = self._frame(scope)
        if func.owner is not None and pos and isinstance(pos[0], Instance):
            frame.method = (func.owner, pos[0])
        default = partial(
            self._param_default, scope=func.scope, key=func.key, standalone=standalone, defaults=defaults
        )
        # On its own, a function runs as called with nothing more (``build()``).
        unknown_rest = standalone and not defaults
        self.bind_arguments(frame, func.node.params, pos, kw, default, unknown_rest, open_kw)
        params = func.node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            name = param.name.value
            if frame.locals.get(name) is TOP:  # an unknown argument is still one value in here
                frame.locals[name] = Opaque(("arg", ctx, func.key, name))
        saved = self.frame, self.ctx, self.chain
        self.frame, self.ctx, self.chain = frame, ctx, func.chain
        self.stack.append(func.key)
        try:
            self.exec_configurations(func.node.body, lambda: self.exec_suite(func.node.body))
            raised = self.jump == "raise"  # on every path (``raise NotImplementedError()``)
        finally:
            self.jump = None
            self.stack.pop()
            self.frame, self.ctx, self.chain = saved
        if frame.returns is None:
            return NEVER if raised else Const(None)
        return frame.returns

    def _param_default(
        self, param: cst.Param, scope: Frame, key: int, standalone: bool = False, defaults: bool = True
    ) -> Any:
        if param.default is None or (not defaults and is_option(param.default)):
            # A caller may pass anything; reads of the parameter still agree with each other.
            return Opaque(("param", key, param.name.value)) if standalone else TOP
        saved = self.frame
        self.frame = scope
        try:
            return self.eval(param.default)
        finally:
            self.frame = saved


def is_option(default: cst.BaseExpression | None) -> bool:
    """A parameter default that names an option (a flag, ``None``, a string such as an
    architecture name) rather than a size."""
    if isinstance(default, cst.Name):
        return default.value in ("True", "False", "None")
    return is_string(default)


def _int(value: Any) -> int | None:
    return value.value if isinstance(value, Const) and type(value.value) is int else None
