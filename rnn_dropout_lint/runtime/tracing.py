"""Live Keras model -> layer graph, by watching the model run.

While a target builds its model, every layer records where it was constructed
(the user's file, line and column). Then one forward pass on a small sample
input records each layer call and the tensors that flow between calls, so
Sequential, functional and subclassed models all give the same kind of graph,
with real shapes. Nothing here is imported unless TensorFlow is installed.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..graph import LayerGraph, LayerNode, Span
from ..keras_table import DEFAULT_TABLE, KerasTable, Role

SITE = "_rnn_dropout_lint_site"
_THIS_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def keras_modules() -> list[Any]:
    """The Keras packages whose layers we can watch: Keras 3, and tf_keras if installed."""
    found: list[Any] = []
    for name in ("keras", "tf_keras"):
        try:
            module = __import__(name)
        except ImportError:
            continue
        if all(module is not other for other in found):  # `keras` is tf_keras under --keras 2
            found.append(module)
    return found


def _library_dirs(modules: list[Any]) -> tuple[str, ...]:
    dirs = [_THIS_PACKAGE]
    for name in ("keras", "tf_keras", "tensorflow", "absl", "optree"):
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__file__", None):
            dirs.append(os.path.dirname(os.path.abspath(module.__file__)))
    return tuple(dirs)


def _construction_site(library: tuple[str, ...]) -> tuple[str, int, int] | None:
    """The first frame outside Keras/TensorFlow: where the user's code built the layer."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(library) and not filename.startswith("<"):
            row, col = frame.f_lineno, 1
            with contextlib.suppress(Exception):  # positions are a nicety (Python 3.11+)
                positions = list(frame.f_code.co_positions())[frame.f_lasti // 2]
                if positions[0] is not None and positions[2] is not None:
                    row, col = positions[0], positions[2] + 1
            return os.path.abspath(filename), row, col
        frame = frame.f_back
    return None


@dataclass
class _Call:
    layer: Any
    inputs: list[Any]
    outputs: list[Any] = field(default_factory=list)
    children: int = 0


class Recorder:
    """Patches Layer.__new__ (sites) and Layer.__call__ (calls) of each Keras it finds."""

    def __init__(self, table: KerasTable = DEFAULT_TABLE) -> None:
        self.table = table
        self.modules = keras_modules()
        self.library = _library_dirs(self.modules)
        self.calls: list[_Call] = []
        self._stack: list[_Call] = []
        self._tracing = False
        self._patched: list[tuple[type, str, Any]] = []

    def install(self) -> None:
        for module in self.modules:
            base = module.layers.Layer
            self._patch_new(base)
            self._patch_call(base)

    def uninstall(self) -> None:
        for cls, attribute, original in reversed(self._patched):
            setattr(cls, attribute, original)
        self._patched.clear()

    def _patch_new(self, base: type) -> None:
        original = base.__dict__.get("__new__")
        recorder = self

        def new(cls: type, *args: Any, **kwargs: Any) -> Any:
            obj = original(cls, *args, **kwargs) if original is not None else super(base, cls).__new__(cls)
            if SITE not in getattr(obj, "__dict__", {}):
                with contextlib.suppress(Exception):
                    object.__setattr__(obj, SITE, _construction_site(recorder.library))
            return obj

        self._patched.append((base, "__new__", original if original is not None else object.__new__))
        base.__new__ = staticmethod(new)  # type: ignore[assignment]

    def _patch_call(self, base: type) -> None:
        original = base.__call__
        recorder = self

        def call(layer: Any, *args: Any, **kwargs: Any) -> Any:
            if not recorder._tracing or (recorder._stack and recorder.is_leaf(recorder._stack[-1].layer)):
                return original(layer, *args, **kwargs)
            data = args[0] if args else kwargs.get("inputs")
            record = _Call(layer, _flatten(data))
            if recorder._stack:
                recorder._stack[-1].children += 1
            recorder.calls.append(record)
            recorder._stack.append(record)
            try:
                out = original(layer, *args, **kwargs)
            finally:
                recorder._stack.pop()
            if any(out is tensor for tensor in record.inputs):
                # Identity at inference (Dropout): a new tensor object keeps the data flow apart.
                import tensorflow as tf

                out = tf.identity(out)
            record.outputs = _flatten(out)
            return out

        self._patched.append((base, "__call__", original))
        base.__call__ = call  # type: ignore[method-assign]

    def is_leaf(self, layer: Any) -> bool:
        """Known Keras layers are nodes; models and unknown custom layers are looked into."""
        if _is_model(layer, self.modules):
            return False
        spec = self.table.lookup(_qualname(layer))
        return spec is not None and spec.role not in (Role.SEQUENTIAL, Role.FUNCTIONAL)

    @contextlib.contextmanager
    def tracing(self) -> Iterator[None]:
        self.calls.clear()
        self._tracing = True
        try:
            yield
        finally:
            self._tracing = False


def _is_model(layer: Any, modules: list[Any]) -> bool:
    return any(isinstance(layer, module.Model) for module in modules)


def _qualname(obj: Any) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__name__}"


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return [item for part in value for item in _flatten(part)]
    if isinstance(value, dict):
        return [item for part in value.values() for item in _flatten(part)]
    return [] if value is None else [value]


def _shape(tensor: Any) -> tuple[int | None, ...] | None:
    shape = getattr(tensor, "shape", None)
    if shape is None:
        return None
    dims = tuple(None if d is None else int(d) for d in shape)
    return (None, *dims[1:]) if dims else dims


def sample_inputs(model: Any) -> Any:
    """A small input for one forward pass: batch 2, unknown sizes 4, zeros of the right dtype."""
    import numpy as np

    def zeros(shape: Any, dtype: Any = "float32") -> Any:
        given = list(shape)
        dims = [4 if d is None else int(d) for d in given[1:]]
        # A model that pins its batch (batch_shape, stateful layers) runs only with that batch.
        batch = int(given[0]) if given and given[0] is not None else 2
        return np.zeros([batch, *dims], dtype=getattr(dtype, "name", dtype))

    inputs = getattr(model, "inputs", None)
    if inputs:
        samples = [zeros(t.shape, t.dtype) for t in inputs]
        return samples[0] if len(samples) == 1 else samples
    # Subclassed models know the shape they were first called with.
    shapes = getattr(model, "_build_shapes_dict", None)  # Keras 3
    if shapes:
        shape = next(iter(shapes.values()))
        if isinstance(shape, (tuple, list)) and all(d is None or isinstance(d, int) for d in shape):
            return zeros(shape)
    spec = getattr(model, "_saved_model_inputs_spec", None)  # tf_keras (Keras 2)
    if spec is not None and hasattr(spec, "shape"):
        return zeros(spec.shape, spec.dtype)
    shape = getattr(model, "_build_input_shape", None)
    if shape is not None and hasattr(shape, "as_list"):
        return zeros(shape.as_list())
    raise ValueError("the model was never built or called, so its input shape is unknown")


def trace(model: Any, recorder: Recorder) -> LayerGraph:
    """Run the model once on a sample input and build its layer graph."""
    import tensorflow as tf

    sample = tf.nest.map_structure(tf.convert_to_tensor, sample_inputs(model))
    with recorder.tracing():
        model(sample, training=False)
    batches = [_batch(t) for t in getattr(model, "inputs", None) or ()]
    name = getattr(model, "name", "model")
    return build_from_calls(recorder.calls, _flatten(sample), recorder, name, batches)


def _batch(tensor: Any) -> int | None:
    dims = list(getattr(tensor, "shape", None) or ())
    return dims[0] if dims and isinstance(dims[0], int) else None


def build_from_calls(
    calls: list[_Call], inputs: list[Any], recorder: Recorder, name: str, batches: list[int | None] = ()
) -> LayerGraph:
    graph = LayerGraph(f"<{name}>")
    producer: dict[int, LayerNode] = {}
    for index, tensor in enumerate(inputs):
        # The model's own input (``Input(batch_shape=(16, ...))``) says whether its batch is pinned.
        batch = batches[index] if index < len(batches) else None
        args = {"batch_shape": (batch, *(_shape(tensor) or ())[1:])} if batch is not None else {}
        source = graph.add_node("Input", DEFAULT_TABLE.specs["Input"], name="input", args=args)
        source.output_shape = _shape(tensor)
        producer[id(tensor)] = source
    untraced: LayerNode | None = None
    for record in calls:
        if record.children and not recorder.is_leaf(record.layer):
            continue  # a model or custom layer we looked into: its inner calls are the nodes
        node = layer_node(graph, record.layer, recorder.table)
        node.input_shape = _shape(record.inputs[0]) if record.inputs else None
        node.output_shape = _shape(record.outputs[0]) if record.outputs else None
        for tensor in record.inputs:
            source = producer.get(id(tensor))
            if source is None:
                if untraced is None:
                    untraced = graph.add_node("", None)
                source = untraced
            graph.add_edge(source, node)
        for tensor in record.outputs:
            producer[id(tensor)] = node
    return graph


def layer_node(graph: LayerGraph, layer: Any, table: KerasTable) -> LayerNode:
    """A graph node for a live layer: its kind, config, wrapped layer and construction site."""
    spec = table.lookup(_qualname(layer))
    config = {}
    with contextlib.suppress(Exception):
        config = {
            k: _literal(v)
            for k, v in layer.get_config().items()
            if not isinstance(v, dict) and k != "name"  # Keras names every layer: node.name has it
        }
    wrapped = None
    inner = (
        getattr(layer, "forward_layer", None) or getattr(layer, "layer", None) or getattr(layer, "cell", None)
    )
    if inner is not None and spec is not None and (spec.role is Role.WRAPPER or spec.name == "RNN"):
        wrapped = layer_node(graph, inner, table)
    text = {"rate": repr(config["rate"])} if "rate" in config else {}
    if "recurrent_dropout" in config:
        text["recurrent_dropout"] = repr(config["recurrent_dropout"])
    if config.get("noise_shape") is not None:
        text["noise_shape"] = repr(config["noise_shape"])
    site = getattr(layer, SITE, None)
    span = Span(site[1], site[2], site[1], site[2], site[0]) if site else None
    return graph.add_node(
        spec.name if spec is not None else "",
        spec,
        args=config,
        text=text,
        wrapped=wrapped,
        qualname=_qualname(layer),
        name=getattr(layer, "name", None),
        origin=layer,
        span=span,
    )


def _literal(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_literal(v) for v in value)
    return value
