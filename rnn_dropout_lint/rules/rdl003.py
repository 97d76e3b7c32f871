"""RDL003: an explicit noise shape that does not share the mask over time."""

from __future__ import annotations

from collections.abc import Iterator

from ..facts import inner, is_wrapper, noise_shape, time_shared_mask
from ..findings import Finding
from ..graph import UNKNOWN, LayerGraph, Tri
from ._report import drawing, dropout_call, finding, listing, path_tri
from ._rule import Rule
from ._sites import dropout_sites


def check(graph: LayerGraph) -> Iterator[Finding]:
    for site in dropout_sites(graph):
        dropout = site.dropout
        shape = noise_shape(dropout)
        if shape is None or is_wrapper(dropout, "TimeDistributed") or not site.targets:
            continue
        shared = time_shared_mask(dropout)
        if shared is Tri.YES:
            continue
        mask = Tri.YES if shared is Tri.NO else Tri.UNKNOWN
        best = max(path_tri(t) for t in site.targets)
        targets = [t for t in site.targets if path_tri(t) == best]
        certainty = min(mask, best)
        written = inner(dropout).text.get("noise_shape", "...")
        if shape is UNKNOWN or len(shape) < 2:
            problem = "may not be 1 on the time axis (axis 1)"
        else:
            problem = f"has {_entry(shape[1])} on the time axis (axis 1), not 1"
        message = (
            f"{dropout_call(dropout)} {drawing(certainty)} a new mask at every time step "
            f"in front of {listing(graph, targets)}: noise_shape={written} {problem}; "
            "set axis 1 to 1 so one mask is shared by all steps of a sequence"
        )
        related = [("target", r.node) for r in targets]
        yield finding(graph, RULE.code, dropout, message, certainty, related)


def _entry(value: object) -> str:
    return "a value the linter cannot read" if value is UNKNOWN else repr(value)


RULE = Rule(
    code="RDL003",
    name="noise-shape-not-shared-over-time",
    summary="A dropout noise_shape in front of a recurrent layer does not share its mask over time.",
    what_it_does="""
In the positions RDL001 and RDL002 look at (a dropout layer whose output reaches a
recurrent layer through transparent layers), flags an explicit `noise_shape` whose
time entry (axis 1) is not the literal `1`: `(None, timesteps, 1)`,
`[None, None, 64]`, and so on.
""",
    why_bad="""
A noise shape broadcasts the mask over the axes where it is 1. Only a 1 on axis 1
shares the mask across time steps; any other entry still draws a separate mask per
step, so the author's attempt at variational dropout does not do what it says.
""",
    example="""
x = layers.Dropout(0.2, noise_shape=(None, timesteps, 1))(x)
x = layers.LSTM(32)(x)
""",
    use_instead="""
x = layers.Dropout(0.2, noise_shape=(None, 1, None))(x)
x = layers.LSTM(32)(x)
""",
    fix_safety="Safe fix where the noise shape is a literal: its time entry becomes `1`.",
    check=check,
)
