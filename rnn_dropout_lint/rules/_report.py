"""Turning a graph position into a Finding: layer names, line numbers, remedies."""

from __future__ import annotations

from collections.abc import Iterable

from ..facts import accepts_dropout, inner, is_input, is_wrapper, rate_text, sequence_rank
from ..findings import Finding, LayerRef
from ..graph import LayerGraph, LayerNode, Tri
from .sites import Reach


def label(node: LayerNode) -> str:
    """``LSTM``, ``Bidirectional(LSTM)``; unresolved layers get a description instead."""
    if not node.kind:
        return "an untraced layer or tensor"
    if node.wrapped is not None:
        return f"{node.kind}({label(node.wrapped)})"
    return node.kind


def line_of(graph: LayerGraph, node: LayerNode) -> str:
    span = graph.span(node)
    if span is not None and node.elsewhere:
        return f" ({span.path}, line {span.row})"  # built by another module of the project
    if span is not None:
        return f" (cell {span.cell}, line {span.row})" if span.cell is not None else f" (line {span.row})"
    return f" ('{node.name}')" if node.name else ""


def named(graph: LayerGraph, node: LayerNode) -> str:
    return label(node) + line_of(graph, node)


def listing(graph: LayerGraph, reaches: Iterable[Reach]) -> str:
    """Layers a dropout sits between, as alternatives: ``LSTM (line 3) or GRU/LSTM (line 9)``."""
    by_line: dict[str, list[str]] = {}
    for reach in reaches:
        kinds = by_line.setdefault(line_of(graph, reach.node), [])
        if label(reach.node) not in kinds:
            kinds.append(label(reach.node))
    return " or ".join("/".join(kinds) + line for line, kinds in by_line.items())


def layer_name(node: LayerNode) -> str | None:
    """The name the layer was given (``name="drop"`` as a literal), or a live layer's name where
    there is no line to point at (a saved model; Keras names every layer, ``dropout_3``)."""
    if node.name and node.span is None:
        return node.name
    name = node.args.get("name")
    return name if isinstance(name, str) and name else None


def dropout_named(node: LayerNode) -> str:
    """``Dropout(0.2)``, and its name where it has one: ``Dropout(0.2) ('drop_1')``."""
    name = layer_name(node)
    return dropout_call(node) + (f" ('{name}')" if name else "")


def between(graph: LayerGraph, node: LayerNode, sources: Iterable[Reach], targets: Iterable[Reach]) -> str:
    """``between LSTM (line 4) and LSTM (line 6)``; a stack a loop builds is said to be one."""
    before, after = listing(graph, sources), listing(graph, targets)
    if node.in_loop and before == after:
        kinds, _, line = before.partition(" (")
        return f"between the {kinds} layers a loop stacks" + (f" ({line}" if line else "")
    return f"between {before} and {after}"


def dropout_call(node: LayerNode) -> str:
    """The dropout layer as written, with its rate: ``Dropout(0.2)``, ``TimeDistributed(Dropout(r))``."""
    work = inner(node)
    call = f"{work.kind}({rate_text(node)})"
    return f"{node.kind}({call})" if work is not node else call


def drawing(certainty: Tri) -> str:
    return "draws" if certainty is Tri.YES else "possibly draws"


def loop_note(node: LayerNode) -> str:
    """Findings on a stack built by a loop hold on every run that reaches a second iteration."""
    return " (in a loop: this holds whenever the loop runs at least twice)" if node.in_loop else ""


def time_shared_shape(rank: int) -> str:
    return "(None, 1" + ", None" * (rank - 2) + ")"


def remedies(graph: LayerGraph, dropout: LayerNode, targets: list[Reach]) -> str:
    """Concrete fixes for a per-step dropout in front of ``targets``, in one clause."""
    return ", ".join(remedy_lines(graph, dropout, targets))


def remedy_lines(graph: LayerGraph, dropout: LayerNode, targets: list[Reach]) -> list[str]:
    """Concrete fixes for a per-step dropout in front of ``targets``, one per line."""
    rate = rate_text(dropout)
    work = inner(dropout)
    rank = sequence_rank(targets[0].node)
    shape = time_shared_shape(rank)
    if is_wrapper(targets[0].node, "TimeDistributed"):
        shape = "(None, None, 1" + ", None" * (rank - 3) + ")"  # the wrapped layer's time is axis 2
        rank = 0  # SpatialDropout1D shares over axis 1: it does not fit
    shared = f"{work.kind}({rate}, noise_shape={shape})"
    if dropout.stepped:
        # Inside a model TimeDistributed runs, the layer sees one step: no time axis to share.
        spatial = f"SpatialDropout1D({rate}) or " if rank == 3 else ""
        text = f"drop it from that model and apply {spatial}{shared} after TimeDistributed"
    elif work.kind == "AlphaDropout":
        # tf.keras 2.x's AlphaDropout cannot fill None entries of a noise shape.
        text = f"use {shared} (Keras 3; on tf.keras 2.x write the feature sizes instead of None)"
    else:
        spatial = f"SpatialDropout1D({rate}) or " if rank == 3 else ""
        text = f"use {spatial}{shared} (one mask per sequence on every Keras version)"
    lines = [text]
    target = targets[0].node
    if accepts_dropout(target):
        where = "its cell" if inner(target).kind == "RNN" else label(inner(target))
        lines.append(
            f"or dropout={rate} on {where}{line_of(graph, target)}"
            " (one mask per sequence in Keras 3, per step on tf.keras 2.x's cuDNN path)"
        )
    return lines


def source_phrase(graph: LayerGraph, sources: list[Reach], from_input: bool) -> str:
    if not sources:
        return "the model input"
    described = [
        f"Input{line_of(graph, r.node)}" if is_input(r.node) else named(graph, r.node) for r in sources
    ]
    if from_input:
        described.append("the model input")
    described = list(dict.fromkeys(described))
    return ", ".join(described[:-1]) + " and " + described[-1] if len(described) > 1 else described[0]


def finding(
    graph: LayerGraph,
    code: str,
    node: LayerNode,
    message: str,
    certainty: Tri,
    related: Iterable[tuple[str, LayerNode]] = (),
    short: str | None = None,
    help: Iterable[str] = (),
) -> Finding:
    span = graph.span(node)
    refs = [("dropout" if code != "RDL901" else "recurrent", node), *related]
    layers = []
    for role, layer in refs:
        where = graph.span(layer)
        elsewhere = where.path if where is not None and layer.elsewhere else None
        row, col = (where.row, where.col) if where is not None else (None, None)
        cell = where.cell if where is not None and elsewhere is None else None
        layers.append(LayerRef(role, label(layer), row, col, elsewhere, cell))
    if node.via is not None:
        message += f" (as {node.via} uses it)"
        short = f"{short} (as {node.via} uses it)" if short is not None else None
    return Finding(
        code=code,
        message=message,
        path=span.path if span is not None else graph.path,
        row=span.row if span is not None else 1,
        col=span.col if span is not None else 1,
        end_row=span.end_row if span is not None else 1,
        end_col=span.end_col if span is not None else 1,
        certain=certainty is Tri.YES,
        cell=span.cell if span is not None else None,
        layers=tuple(layers),
        node=node,
        short=short,
        help=tuple(help),
    )


def path_tri(*reaches: Reach) -> Tri:
    return Tri.YES if all(r.certain for r in reaches) else Tri.UNKNOWN
