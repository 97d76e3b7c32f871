"""Facts about layer nodes that the rules need, derived in one place.

Each fact reads the runtime shapes when the node has them and the arguments
otherwise, so a rule never asks which front end built its graph.
"""

from __future__ import annotations

from typing import Any

from .graph import UNKNOWN, LayerNode, Options, Tri
from .keras_table import Role


def _role(node: LayerNode) -> Role | None:
    return node.spec.role if node.spec is not None else None


def inner(node: LayerNode) -> LayerNode:
    """The layer that does the work: the wrapped layer of a wrapper, else the node itself."""
    while _role(node) is Role.WRAPPER and node.wrapped is not None:
        node = node.wrapped
    return node


def is_wrapper(node: LayerNode, name: str) -> bool:
    return _role(node) is Role.WRAPPER and node.kind == name


def is_recurrent(node: LayerNode) -> bool:
    if _role(node) is Role.RECURRENT:
        return True
    # Bidirectional only ever wraps a recurrent layer, even one we cannot see; TimeDistributed
    # of a recurrent layer runs it over the inner time axis of every outer step.
    if is_wrapper(node, "TimeDistributed"):
        return node.wrapped is not None and is_recurrent(node.wrapped)
    return is_wrapper(node, "Bidirectional")


def is_dropout_family(node: LayerNode) -> bool:
    return _role(inner(node)) is Role.DROPOUT


def is_transparent(node: LayerNode) -> bool:
    """Shape-preserving, element-wise layers that let noise through unchanged in kind."""
    role = _role(inner(node))
    if _role(node) is Role.WRAPPER and not is_wrapper(node, "TimeDistributed"):
        return False
    return role in (Role.TRANSPARENT, Role.DROPOUT)


def is_input(node: LayerNode) -> bool:
    return _role(node) is Role.INPUT


def arg(node: LayerNode, name: str, default: Any = None, *, paths: bool = False) -> Any:
    """An argument as given; UNKNOWN when it may hide in ``**kwargs``; else the default.
    One of several values (:class:`Options`) is UNKNOWN unless ``paths`` asks for them."""
    if name in node.args:
        value = node.args[name]
        return UNKNOWN if isinstance(value, Options) and not paths else value
    return UNKNOWN if "**" in node.args else default


def emits_sequence(node: LayerNode) -> Tri:
    """A recurrent layer's output keeps the time axis (``return_sequences``)."""
    if node.output_shape is not None and node.input_shape is not None:
        return Tri.YES if len(node.output_shape) >= len(node.input_shape) else Tri.NO
    source = node if _role(node) is Role.RECURRENT else inner(node)
    value = arg(source, "return_sequences", False, paths=True)
    if value is UNKNOWN:
        return Tri.UNKNOWN
    # A layer is bad if any real use of it is: one path that keeps the time axis is enough.
    if isinstance(value, Options):
        return Tri.YES if any(value.values) else Tri.NO
    return Tri.YES if value else Tri.NO


def noise_shape(node: LayerNode) -> Any:
    """The explicit noise shape of a dropout layer: a tuple, UNKNOWN, or None when absent."""
    value = arg(inner(node), "noise_shape")
    if value is None or value is UNKNOWN:
        return value
    return tuple(value) if isinstance(value, (tuple, list)) else UNKNOWN


def _is_literal(value: Any, expected: int) -> bool:
    return type(value) is int and value == expected


def time_shared_mask(node: LayerNode) -> Tri:
    """Whether the dropout layer draws one mask per sequence rather than one per step."""
    if is_wrapper(node, "TimeDistributed"):
        return Tri.NO  # the wrapped layer sees one time step at a time
    spec = inner(node).spec
    if spec is not None and spec.time_shared:
        return Tri.YES
    shape = noise_shape(node)
    if shape is None:
        return Tri.NO
    if shape is UNKNOWN or len(shape) < 2:
        return Tri.UNKNOWN
    return Tri.YES if _is_literal(shape[1], 1) else Tri.NO


def per_element_over_time(node: LayerNode) -> Tri:
    """An explicit noise shape that still masks each element anew at every step.

    YES when the time entry (axis 1) is not 1 and some feature entry is not 1. A shape whose
    feature entries are all 1, ``(None, T, 1)``, drops whole time steps on purpose.
    """
    shape = noise_shape(node)
    if shape is None or time_shared_mask(node) is Tri.YES:
        return Tri.NO
    if shape is UNKNOWN or len(shape) < 3:
        return Tri.UNKNOWN
    features = shape[2:]
    if all(_is_literal(entry, 1) for entry in features):
        return Tri.NO
    if shape[1] is UNKNOWN or any(entry is UNKNOWN for entry in features):
        return Tri.UNKNOWN
    return Tri.YES


def hard_coded_batch(node: LayerNode) -> Tri:
    """The noise shape fixes the batch dimension (axis 0) to a number."""
    if is_wrapper(node, "TimeDistributed"):
        return Tri.NO
    shape = noise_shape(node)
    if shape is None or shape is UNKNOWN or not shape:
        return Tri.NO  # nothing written to blame
    first = shape[0]
    if first is UNKNOWN:
        return Tri.UNKNOWN
    return Tri.YES if type(first) is int else Tri.NO


def fixes_batch_size(node: LayerNode) -> Tri:
    """The layer pins the model's batch size: a batch shape with an int batch, or ``stateful``."""
    tri = Tri.NO
    for name in ("batch_input_shape", "batch_shape"):
        value = arg(node, name) if name in node.args else None
        if value is UNKNOWN:
            tri = max(tri, Tri.UNKNOWN)
        elif isinstance(value, tuple) and value:
            first = value[0]
            tri = max(tri, Tri.UNKNOWN if first is UNKNOWN else Tri.YES if type(first) is int else Tri.NO)
    for name, pinned in (("batch_size", lambda v: type(v) is int), ("stateful", lambda v: v is True)):
        value = arg(node, name) if name in node.args else None
        if value is UNKNOWN:
            tri = max(tri, Tri.UNKNOWN)
        elif pinned(value):
            tri = Tri.YES
    return tri


def sequence_rank(node: LayerNode) -> int:
    """Rank of the sequence a recurrent node reads, batch axis included."""
    if node.input_shape is not None:
        return len(node.input_shape)
    spec = inner(node).spec
    rank = spec.sequence_rank if spec is not None else 3
    wrappers = node
    while _role(wrappers) is Role.WRAPPER and wrappers.wrapped is not None:
        rank += is_wrapper(wrappers, "TimeDistributed")  # one more outer axis
        wrappers = wrappers.wrapped
    return rank


def accepts_dropout(node: LayerNode) -> bool:
    """The recurrent layer takes ``dropout=`` (on itself, its wrapped layer or its cell)."""
    work = inner(node)
    if work.kind == "RNN":
        cell = work.wrapped
        return cell is not None and cell.spec is not None and cell.spec.accepts_dropout
    return work.spec is not None and work.spec.accepts_dropout


def rate_text(node: LayerNode) -> str:
    """The rate as written, or its value where it came through ``**kwargs`` (no text)."""
    work = inner(node)
    text = work.text.get("rate")
    if text is not None:
        return text
    rate = arg(work, "rate", UNKNOWN)
    return repr(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) else "?"
