"""What Keras calls mean for the layer graph: building a layer, placing it in a model,
feeding it tensors."""

from __future__ import annotations

from typing import Any

import libcst as cst

from ..graph import UNKNOWN, LayerNode, Options
from ..keras_table import KERAS1_KEYWORDS, LayerSpec, Role
from .state import InterpreterBase
from .values import (
    NO_SOURCES,
    TOP,
    UNTRACED,
    Args,
    Const,
    DictVal,
    Instance,
    Layers,
    LayerVal,
    ListState,
    ModelState,
    OneOf,
    Qual,
    Ref,
    Sources,
    Tensor,
    TupleVal,
    is_unknown,
    merge_sources,
)

# Arguments whose source text the messages quote ("the rate as written").
_QUOTED_ARGS = ("rate", "noise_shape", "recurrent_dropout")


class KerasCallsMixin(InterpreterBase):
    def relevant(self, value: Any, depth: int = 0) -> bool:
        """A value through which code can reach the layer graph."""
        if isinstance(value, Qual):
            name = value.name
            return (
                self.table.is_framework(name)
                or self.table.lookup(name) is not None
                or any(q.startswith(name + ".") for q in self.table.custom)
            )
        if value is None or isinstance(value, Const) or is_unknown(value) or depth > 3:
            return False
        if isinstance(value, Ref) and value.kind == "list":
            state = self.heap.get(value.key)
            items = state.items if isinstance(state, ListState) else ()
            return any(self.relevant(item, depth + 1) for item in items)
        if isinstance(value, TupleVal):
            return any(self.relevant(item, depth + 1) for item in value.items)
        if isinstance(value, DictVal):
            items = (*(item for _, item in value.items), *value.unkeyed)
            return any(self.relevant(item, depth + 1) for item in items)
        return True

    def construct(self, expr: cst.Call, spec: LayerSpec, qualname: str, args: Args) -> Any:
        pos, kw, exprs, unknown_kwargs = args
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
        if spec.role is Role.FUNCTIONAL:
            return self.functional_model(expr, pos, kw)
        args = dict(kw)
        arg_exprs = {k: v for k, v in exprs.items() if isinstance(k, str)}
        for old, new in KERAS1_KEYWORDS.get(spec.role, {}).items():
            if old in args and new not in args:
                args[new] = args.pop(old)
                if old in arg_exprs:
                    arg_exprs[new] = arg_exprs.pop(old)
        for index, value in enumerate(pos[: len(spec.positional)]):
            name = spec.positional[index]
            args.setdefault(name, value)
            if index in exprs:
                arg_exprs.setdefault(name, exprs[index])
        wrapped = None
        if spec.role is Role.WRAPPER or spec.name == "RNN":
            inner = args.get("layer", args.get("cell"))
            if spec.name == "TimeDistributed" and isinstance(inner, Ref) and inner.kind == "model":
                return self.stepped_model(inner)
            if isinstance(inner, Ref):
                listed = self.exact_items(inner)
                inner = listed[0] if listed else None
            if isinstance(inner, LayerVal):
                wrapped = inner
                self.placed.add(inner.key)
            elif isinstance(inner, Layers):
                # One of several layers wrapped: one of several wrappers, one per layer.
                self.placed.update(option.key for option in inner.options)
                # In construction order: the wrappers' own order numbers do not depend on hashing.
                options = sorted(inner.options, key=lambda option: option.order)
                return Layers(
                    frozenset(
                        self._layer_val(expr, spec, qualname, args, arg_exprs, unknown_kwargs, option)
                        for option in options
                    )
                )
        val = self._layer_val(expr, spec, qualname, args, arg_exprs, unknown_kwargs, wrapped)
        if spec.name == "Input":
            node = self.node_for(val, id(expr))
            return Tensor(frozenset({(node.id, True)}))
        return val

    def _layer_val(
        self,
        expr: cst.Call,
        spec: LayerSpec,
        qualname: str,
        args: dict[str, Any],
        arg_exprs: dict[str, cst.BaseExpression],
        unknown_kwargs: bool,
        wrapped: LayerVal | None,
    ) -> LayerVal:
        self.chains.setdefault(id(expr), self.chain)
        unit = self.current_unit()
        if unit is not None:
            self.locator.units[id(expr)] = unit
        key: tuple[Any, ...] = ("layer", self.ctx, id(expr), spec.name)
        val = LayerVal(
            key if wrapped is None else (*key, wrapped.key),
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
        return val

    def functional_model(self, expr: cst.Call, pos: list[Any], kw: dict[str, Any]) -> Any:
        """``Model(inputs, outputs)``: called on a tensor (or nested in another model), data
        enters the layers its inputs feed and leaves from its outputs."""
        inputs = pos[0] if pos else kw.get("inputs")
        outputs = pos[1] if len(pos) > 1 else kw.get("outputs")
        if inputs is None or outputs is None:
            return TOP
        heads: list[tuple[int, bool]] = []
        for nid, _ in self.sources_of(inputs):
            if nid != UNTRACED:
                heads.extend((succ.id, certain) for succ, certain in self.graph.succs(self.graph.nodes[nid]))
        ref = Ref("model", ("model", self.ctx, id(expr)))
        self.heap[ref.key] = ModelState(merge_sources(heads), self.sources_of(outputs))
        return ref

    def stepped_model(self, ref: Ref) -> Ref:
        """``TimeDistributed(model)``: the model run at every step. Its first layers take each
        step and its last layers' output is the step's, so data flows through it as through the
        model; only those last layers' outputs gain the time axis (a fix there cannot work)."""
        state = self.heap.get(ref.key)
        if isinstance(state, ModelState):
            for nid, _ in state.tails:
                if nid != UNTRACED:
                    self.graph.nodes[nid].stepped = True
        return ref

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
        if isinstance(func, Instance):
            if self._is_sequential_instance(func):
                return self.apply(self.instance_model(func), sources, site)
            result = self.call_layer_instance(func, Tensor(sources), site)
            if result is not TOP:
                return NO_SOURCES, self.sources_of(result)
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
        layers, history = state.layers, state.history
        # ``keras.Input`` in a Sequential's list is not one of its layers.
        is_input = isinstance(layer, Tensor) or (
            isinstance(layer, LayerVal) and layer.spec.role is Role.INPUT
        )
        if layers is not None and not is_input:
            layers, history = (*layers, layer), (*history, state.tails)
        self.heap[ref.key] = ModelState(heads, out, layers, history)

    def model_pop(self, ref: Ref) -> Any:
        """``model.pop()``: the last layer leaves; what fed it is the model's output again."""
        state = self.heap.get(ref.key)
        if not isinstance(state, ModelState) or not state.layers:
            if isinstance(state, ModelState):
                self.heap[ref.key] = ModelState(state.heads, state.tails, None)
            return TOP
        self.heap[ref.key] = ModelState(state.heads, state.history[-1], state.layers[:-1], state.history[:-1])
        return state.layers[-1]

    def model_layers(self, ref: Ref) -> Any:
        """``model.layers``: a new list of the layers added so far, where all were seen."""
        state = self.heap.get(ref.key)
        if not isinstance(state, ModelState) or state.layers is None:
            return TOP
        key = ("layers", ref.key, len(state.layers))
        self.heap[key] = ListState(state.layers)
        return Ref("list", key)

    def connect(self, sources: Sources, node: LayerNode, certain: bool = True) -> None:
        here = self.node_branches.get(node.id)
        for nid, edge_certain in sources:
            source = self._untraced_node() if nid == UNTRACED else self.graph.nodes[nid]
            there = self.node_branches.get(source.id) if here else None
            if there and not (there <= here or here <= there):
                # Each exists only for some items of a loop's data (``if spec["type"] ==
                # "dropout"`` one iteration, ``== "lstm"`` the next): that they meet is data.
                edge_certain = False
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
            if self.item_branches:
                self.node_branches[node.id] = frozenset(self.item_branches)
        return node

    def make_node(self, val: LayerVal) -> LayerNode:
        self.placed.add(val.key)
        wrapped = self.make_node(val.wrapped) if val.wrapped is not None else None
        args = {name: self.graph_value(value) for name, value in val.args.items()}
        if val.star_kwargs:
            args["**"] = UNKNOWN
        positions = self.locator.positions_for(val.call)
        text = {name: positions.text(val.arg_exprs[name]) for name in _QUOTED_ARGS if name in val.arg_exprs}
        return self.graph.add_node(
            val.spec.name,
            val.spec,
            args=args,
            text=text,
            wrapped=wrapped,
            qualname=val.qualname,
            origin=val.call,
            in_loop=self.positional > 0,
            via=self.driver,
            elsewhere=id(val.call) in self.locator.units,
        )

    def graph_value(self, value: Any) -> Any:
        """An abstract value as a graph argument: a literal, a tuple, or UNKNOWN."""
        if isinstance(value, Const):
            return value.value
        if isinstance(value, OneOf):
            return Options(frozenset(option.value for option in value.options))
        items = self.exact_items(value)
        if items is not None:
            return tuple(self.graph_value(item) for item in items)
        return UNKNOWN
