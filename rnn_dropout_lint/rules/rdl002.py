"""RDL002: per-step dropout in front of a recurrent layer, fed by something else."""

from __future__ import annotations

from collections.abc import Iterator

from ..facts import emits_sequence, is_recurrent
from ..findings import Finding
from ..graph import LayerGraph, Tri
from ._report import drawing, dropout_named, finding, listing, loop_note, remedy_lines, source_phrase
from ._rule import PER_STEP_FIX_SAFETY, Rule
from .sites import dropout_sites, per_step_mask


def check(graph: LayerGraph) -> Iterator[Finding]:
    for site in dropout_sites(graph):
        mask = per_step_mask(site.dropout)
        if mask is Tri.NO or not site.targets:
            continue
        if any(is_recurrent(s.node) and emits_sequence(s.node) is not Tri.NO for s in site.sources):
            continue  # fed by a recurrent sequence (maybe): RDL001's case
        certain_targets = [t for t in site.targets if t.certain]
        targets = certain_targets or list(site.targets)
        certainty = min(mask, Tri.YES if certain_targets else Tri.UNKNOWN)
        named = dropout_named(site.dropout)
        after = source_phrase(graph, list(site.sources), site.from_input)
        help = remedy_lines(graph, site.dropout, targets)
        message = (
            f"{named} after {after} {drawing(certainty)} a new mask at every time step"
            f"{loop_note(site.dropout)} of the sequence it feeds to {listing(graph, targets)}; "
            f"{', '.join(help)}"
        )
        short = (
            f"{named} after {after} {drawing(certainty)} a new mask at every time step "
            f"in front of {listing(graph, targets)}"
        )
        related = [("source", r.node) for r in site.sources] + [("target", r.node) for r in targets]
        yield finding(graph, RULE.code, site.dropout, message, certainty, related, short, help)


RULE = Rule(
    code="RDL002",
    name="per-step-dropout-before-recurrent-layer",
    summary="Dropout in front of a recurrent layer draws a new mask at every time step.",
    what_it_does="""
Flags a `Dropout` or `AlphaDropout` layer (or either inside `TimeDistributed`) without
a time-shared `noise_shape` whose output reaches a recurrent layer through transparent
layers only, when its input is not a recurrent layer's sequence: an `Embedding`, an
`Input`, a `Conv1D`, a `Dense` applied per step, and so on.
""",
    why_bad="""
The recurrent layer reads a sequence in which every time step was masked
independently, so the same input unit is dropped at some steps and kept at others.
Variational dropout (Gal & Ghahramani, 2016, arXiv:1512.05287) drops the same units
at every step of a sequence.
`SpatialDropout1D(rate)` or `Dropout(rate, noise_shape=(None, 1, None))` draw one mask
per sequence on every Keras version; the recurrent layer's own `dropout=` does in
Keras 3 but not on tf.keras 2.x's cuDNN path (keras-team/keras#19993).
""",
    example="""
x = layers.Embedding(20000, 128)(tokens)
x = layers.Dropout(0.3)(x)
x = layers.LSTM(64)(x)
""",
    use_instead="""
x = layers.Embedding(20000, 128)(tokens)
x = layers.SpatialDropout1D(0.3)(x)
x = layers.LSTM(64)(x)
""",
    fix_safety=PER_STEP_FIX_SAFETY,
    check=check,
)
