"""RDL001: per-step dropout between two recurrent layers."""

from __future__ import annotations

from collections.abc import Iterator

from ..facts import emits_sequence, is_recurrent
from ..findings import Finding
from ..graph import LayerGraph, Tri
from ._report import between, drawing, dropout_named, finding, loop_note, path_tri, remedy_lines
from ._rule import PER_STEP_FIX_SAFETY, Rule
from .sites import Reach, dropout_sites, per_step_mask


def check(graph: LayerGraph) -> Iterator[Finding]:
    for site in dropout_sites(graph):
        mask = per_step_mask(site.dropout)
        if mask is Tri.NO or not site.targets:
            continue
        best = Tri.NO
        sources: list[Reach] = []
        targets: list[Reach] = []
        for source in site.sources:
            if not is_recurrent(source.node):
                continue
            emits = emits_sequence(source.node)
            for target in site.targets:
                certainty = min(mask, emits, path_tri(source, target))
                if certainty > best:
                    best, sources, targets = certainty, [], []
                if certainty == best and certainty is not Tri.NO:
                    sources.append(source)
                    targets.append(target)
        if best is Tri.NO:
            continue
        named, where = dropout_named(site.dropout), between(graph, site.dropout, sources, targets)
        help = remedy_lines(graph, site.dropout, targets)
        message = (
            f"{named} {drawing(best)} a new mask at every time step{loop_note(site.dropout)} "
            f"{where}; {', '.join(help)}"
        )
        short = f"{named} {where} {drawing(best)} a new mask at every time step"
        related = [("source", r.node) for r in sources] + [("target", r.node) for r in targets]
        yield finding(graph, RULE.code, site.dropout, message, best, related, short, help)


RULE = Rule(
    code="RDL001",
    name="per-step-dropout-between-recurrent-layers",
    summary="Dropout between two recurrent layers draws a new mask at every time step.",
    what_it_does="""
Flags a `Dropout` or `AlphaDropout` layer (or either inside `TimeDistributed`) that
has no time-shared `noise_shape`, whose input is the sequence output of a recurrent
layer (`return_sequences=True`) and whose output reaches another recurrent layer,
through transparent layers only (normalisation, activations, noise, other dropout).
""",
    why_bad="""
On a `(batch, time, features)` tensor, `Dropout(rate)` samples an independent mask
for every time step. Between recurrent layers that is not the variational dropout of
Gal & Ghahramani (2016, arXiv:1512.05287), which drops the same units at every step
of a sequence and is what Keras recurrent layers implement with `dropout=` and
`recurrent_dropout=`. The per-step noise is what the variational scheme was designed
to avoid. `SpatialDropout1D(rate)` or `Dropout(rate, noise_shape=(None, 1, None))`
draw one mask per sequence on every Keras version. The next layer's `dropout=` does
too in Keras 3, but in tf.keras 2.x (and `tf_keras`) its cuDNN path draws the input
mask per step (keras-team/keras#19993).
""",
    example="""
model = keras.Sequential([
    layers.LSTM(64, return_sequences=True),
    layers.Dropout(0.2),
    layers.LSTM(32),
])
""",
    use_instead="""
model = keras.Sequential([
    layers.LSTM(64, return_sequences=True),
    layers.SpatialDropout1D(0.2),
    layers.LSTM(32),
])
""",
    fix_safety=PER_STEP_FIX_SAFETY,
    check=check,
)
