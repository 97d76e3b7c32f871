"""Where each dropout layer sits: what feeds it and which recurrent layers its noise reaches.

Computed once per graph and shared by RDL001-RDL004 and the fix planner. A path keeps going
through transparent layers (normalisation, activations, other dropout layers) and stops at
anything else; it is certain only if every edge on it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..facts import (
    fixes_batch_size,
    is_dropout_family,
    is_recurrent,
    is_transparent,
    is_wrapper,
    noise_shape,
    time_shared_mask,
)
from ..graph import LayerGraph, LayerNode, Tri


@dataclass(frozen=True)
class Reach:
    node: LayerNode
    certain: bool


@dataclass(frozen=True)
class DropoutSite:
    dropout: LayerNode
    sources: tuple[Reach, ...]  # first non-transparent layers upstream
    targets: tuple[Reach, ...]  # recurrent layers downstream
    from_input: bool  # some upstream path ends at the model's input


def dropout_sites(graph: LayerGraph) -> tuple[DropoutSite, ...]:
    return graph.memo("dropout_sites", _compute)


def _compute(graph: LayerGraph) -> tuple[DropoutSite, ...]:
    sites = []
    for node in graph.nodes:
        if not is_dropout_family(node) or node.elsewhere:
            continue
        succs = list(graph.succs(node))
        preds = list(graph.preds(node))
        if not succs and not preds:
            continue  # built but never placed, or wrapped in another layer
        downstream, _ = _walk(node, graph.succs)
        upstream, open_end = _walk(node, graph.preds)
        targets = tuple(r for r in downstream if is_recurrent(r.node))
        sites.append(DropoutSite(node, tuple(upstream), targets, open_end))
    return tuple(sites)


def _walk(
    start: LayerNode, neighbours: Callable[[LayerNode], Iterator[tuple[LayerNode, bool]]]
) -> tuple[list[Reach], bool]:
    """The first non-transparent layers reached from ``start``, and whether a path runs out."""
    best: dict[int, bool] = {}
    stops: dict[int, Reach] = {}
    open_end = False
    todo: list[tuple[LayerNode, bool]] = []
    first = list(neighbours(start))
    if not first:
        return [], True
    todo.extend(first)
    while todo:
        node, certain = todo.pop()
        seen = best.get(node.id)
        if seen is True or (seen is False and not certain):
            continue
        best[node.id] = certain
        if node is not start and is_transparent(node):
            following = list(neighbours(node))
            if not following:
                open_end = True
            todo.extend((nxt, certain and edge) for nxt, edge in following)
        elif node is not start:
            stops[node.id] = Reach(node, certain)
    return sorted(stops.values(), key=lambda r: r.node.id), open_end


def per_step_mask(dropout: LayerNode) -> Tri:
    """YES for a dropout layer with no explicit noise shape that masks each step anew.

    An explicit noise shape is RDL003's business, except inside TimeDistributed,
    where the wrapped layer sees one step at a time whatever its noise shape.
    """
    if is_wrapper(dropout, "TimeDistributed"):
        return Tri.YES
    if noise_shape(dropout) is not None:
        return Tri.NO
    return Tri.YES if time_shared_mask(dropout) is Tri.NO else Tri.NO


def batch_pinned(graph: LayerGraph, node: LayerNode) -> Tri:
    """Whether the model around ``node`` fixes its batch size (so every batch has that size)."""
    return graph.memo("batch_pinned", _pinned_components).get(node.id, Tri.NO)


def _pinned_components(graph: LayerGraph) -> dict[int, Tri]:
    """Per node, the batch pinning of its connected model. Unresolved layers do not connect
    models: every untraced tensor shares one node."""
    result: dict[int, Tri] = {}
    for start in graph.nodes:
        if start.id in result or not start.kind:
            continue
        component, todo, pinned = [], [start], Tri.NO
        result[start.id] = Tri.NO
        while todo:
            node = todo.pop()
            component.append(node)
            layer: LayerNode | None = node
            while layer is not None:
                pinned = max(pinned, fixes_batch_size(layer))
                layer = layer.wrapped
            for nxt, _ in (*graph.preds(node), *graph.succs(node)):
                if nxt.kind and nxt.id not in result:
                    result[nxt.id] = Tri.NO
                    todo.append(nxt)
        for node in component:
            result[node.id] = pinned
    return result
