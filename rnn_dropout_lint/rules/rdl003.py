"""RDL003: an explicit noise shape that does not share the mask over time."""

from __future__ import annotations

from collections.abc import Iterator

from ..facts import inner, is_wrapper, noise_shape, per_element_over_time
from ..findings import Finding
from ..graph import UNKNOWN, LayerGraph, Tri
from ._report import drawing, dropout_named, finding, listing, path_tri
from ._rule import Rule
from .sites import dropout_sites


def check(graph: LayerGraph) -> Iterator[Finding]:
    for site in dropout_sites(graph):
        dropout = site.dropout
        shape = noise_shape(dropout)
        if shape is None or is_wrapper(dropout, "TimeDistributed") or not site.targets:
            continue
        mask = per_element_over_time(dropout)
        if mask is Tri.NO:
            continue
        best = max(path_tri(t) for t in site.targets)
        targets = [t for t in site.targets if path_tri(t) == best]
        certainty = min(mask, best)
        written = inner(dropout).text.get("noise_shape", "...")
        if shape is UNKNOWN or len(shape) < 3:
            problem = "may not be 1 on the time axis (axis 1)"
        else:
            problem = f"has {_entry(shape[1])} on the time axis (axis 1), not 1, and masks features apart"
        remedy = "set axis 1 to 1 (keeping the feature entries) so one mask is shared by all steps"
        message = (
            f"{dropout_named(dropout)} {drawing(certainty)} a new mask at every time step "
            f"in front of {listing(graph, targets)}: noise_shape={written} {problem}; {remedy}"
        )
        short = (
            f"{dropout_named(dropout)} with noise_shape={written} {drawing(certainty)} a new mask "
            f"at every time step in front of {listing(graph, targets)}"
        )
        help = (f"noise_shape={written} {problem}", remedy)
        related = [("target", r.node) for r in targets]
        yield finding(graph, RULE.code, dropout, message, certainty, related, short, help)


def _entry(value: object) -> str:
    return "a value the linter cannot read" if value is UNKNOWN else repr(value)


RULE = Rule(
    code="RDL003",
    name="noise-shape-not-shared-over-time",
    summary="A dropout noise_shape in front of a recurrent layer does not share its mask over time.",
    what_it_does="""
In the positions RDL001 and RDL002 look at (a dropout layer whose output reaches a
recurrent layer through transparent layers), flags an explicit `noise_shape` that still
draws an independent mask per element at every step: its time entry (axis 1) is not
`1` **and** at least one feature entry is not `1`, as in `(None, None, 64)`,
`[None, T, None]` or a full `(None, T, F)`. A shape whose feature entries are all `1`
and whose time entry is not, `(None, T, 1)` or `(None, None, 1)`, drops whole time
steps on purpose (timestep or word dropout) and is not reported.
""",
    why_bad="""
A noise shape broadcasts the mask over the axes where it is 1. Only a 1 on axis 1
shares the mask across time steps; a shape that leaves both the time axis and a feature
axis open still draws a separate mask per step and feature, so the author's attempt at
variational dropout does not do what it says.
""",
    example="""
x = layers.Dropout(0.2, noise_shape=(None, None, 64))(x)
x = layers.LSTM(32)(x)
""",
    use_instead="""
x = layers.Dropout(0.2, noise_shape=(None, 1, 64))(x)
x = layers.LSTM(32)(x)
""",
    fix_safety="""
Safe fix where the noise shape is a literal: its time entry becomes `1` and every feature
entry stays as written (`(None, None, 64)` becomes `(None, 1, 64)`), so the mask is shared
over time and still drawn per feature where the author left a feature axis open.
""",
    check=check,
)
