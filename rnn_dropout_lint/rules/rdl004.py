"""RDL004: a noise shape that hard-codes the batch size."""

from __future__ import annotations

from collections.abc import Iterator

from ..facts import emits_sequence, hard_coded_batch, inner, is_recurrent
from ..findings import Finding
from ..graph import LayerGraph, Tri
from ._report import dropout_named, finding, path_tri
from ._rule import Rule
from .sites import batch_pinned, dropout_sites


def check(graph: LayerGraph) -> Iterator[Finding]:
    for site in dropout_sites(graph):
        dropout = site.dropout
        batch = hard_coded_batch(dropout)
        if batch is Tri.NO:
            continue
        # Applied to a sequence: it feeds a recurrent layer or reads a recurrent sequence.
        position = max(
            [path_tri(t) for t in site.targets]
            + [min(path_tri(s), emits_sequence(s.node)) for s in site.sources if is_recurrent(s.node)],
            default=Tri.NO,
        )
        # A model that pins its batch size only ever sees batches of that size.
        pinned = batch_pinned(graph, dropout)
        certainty = min(batch, position, Tri(Tri.YES - pinned))
        if certainty is Tri.NO:
            continue
        written = inner(dropout).text.get("noise_shape", "...")
        hedge = "" if certainty is Tri.YES else "possibly "
        short = f"{dropout_named(dropout)} {hedge}hard-codes the batch size in noise_shape={written}"
        help = (
            "any other batch size, such as the last partial batch of an epoch, fails",
            "use None for axis 0",
        )
        message = f"{short}: {'; '.join(help)}"
        yield finding(graph, RULE.code, dropout, message, certainty, short=short, help=help)


RULE = Rule(
    code="RDL004",
    name="noise-shape-hard-codes-batch",
    summary="A dropout noise_shape on a sequence fixes the batch dimension to a number.",
    what_it_does="""
Flags a `noise_shape` on a dropout-family layer applied to a sequence (fed by a
recurrent layer's sequence, or feeding a recurrent layer) whose batch entry (axis 0)
is an integer instead of `None`, in a model that does not fix its batch size. A model
that does (`Input(batch_shape=...)`, `batch_input_shape=` or `batch_size=` on its first
layer, a `stateful=True` recurrent layer) only ever sees batches of that size, so a
hard-coded batch entry cannot break there and is not reported.
""",
    why_bad="""
The mask must broadcast against the input. With a fixed batch size, any batch of
another size fails at run time, typically the last, smaller batch of an epoch or a
single example at inference.
""",
    example="""
x = layers.Dropout(0.2, noise_shape=(32, 1, 64))(x)
x = layers.LSTM(32)(x)
""",
    use_instead="""
x = layers.Dropout(0.2, noise_shape=(None, 1, 64))(x)
x = layers.LSTM(32)(x)
""",
    fix_safety="Safe fix where the noise shape is a literal: its batch entry becomes `None`.",
    check=check,
)
