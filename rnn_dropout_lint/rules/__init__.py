"""The rule registry: every code, its rule, and which codes a selection enables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..findings import Finding
from ..graph import LayerGraph
from . import rdl001, rdl002, rdl003, rdl004, rdl901
from ._rule import PROJECT_URL, Rule
from .sites import dropout_sites

RULES: Mapping[str, Rule] = {
    rule.code: rule for rule in (m.RULE for m in (rdl001, rdl002, rdl003, rdl004, rdl901))
}
PREFIX = "RDL"


def project_url() -> str:
    return PROJECT_URL


class SelectionError(ValueError):
    """A code or prefix that matches no rule."""


def _validate(prefixes: Iterable[str]) -> tuple[str, ...]:
    out = []
    for raw in prefixes:
        prefix = raw.strip().upper()
        if not prefix:
            continue
        if not any(code.startswith(prefix) for code in RULES):
            known = ", ".join(RULES)
            raise SelectionError(f"unknown rule code or prefix {raw!r} (known: {known})")
        out.append(prefix)
    return tuple(out)


def _longest(prefixes: Iterable[str], code: str) -> int:
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)


@dataclass(frozen=True)
class Selection:
    """Which rules run, with flake8's prefix semantics: the longest matching entry wins.

    Opinionated rules (RDL9xx) need an entry of at least ``RDL9``: ``--select RDL``
    alone does not turn them on.
    """

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    @classmethod
    def parse(
        cls,
        select: Iterable[str] | None = None,
        extend_select: Iterable[str] = (),
        ignore: Iterable[str] = (),
    ) -> Selection:
        return cls(
            _validate(select) if select is not None else None,
            _validate(extend_select),
            _validate(ignore),
        )

    def enabled(self, code: str) -> bool:
        chosen = (self.select if self.select is not None else (PREFIX,)) + self.extend_select
        selected = _longest(chosen, code)
        if selected < 0:
            return False
        if RULES[code].opinionated and selected < len(PREFIX) + 1:
            return False
        return selected > _longest(self.ignore, code)  # a tie goes to ignore

    def with_ignored(self, codes: Iterable[str]) -> Selection:
        return Selection(self.select, self.extend_select, (*self.ignore, *codes))

    def rules(self) -> tuple[Rule, ...]:
        return tuple(rule for code, rule in RULES.items() if self.enabled(code))


__all__ = ["RULES", "Rule", "Selection", "SelectionError"]


def check(graph: LayerGraph, selection: Selection, report_uncertain: bool) -> list[Finding]:
    """The selected rules' findings on a graph, one per code and place, in source order."""
    best: dict[tuple[object, ...], Finding] = {}
    for rule in selection.rules():
        for found in rule.check(graph):
            # The same line can be reached in several contexts. Runtime nodes without a source
            # line are told apart by their layer name.
            name = found.node.name if found.node is not None else None
            key = (found.code, found.path, found.row, found.col, found.cell, name)
            kept = best.get(key)
            if kept is None or (found.certain and not kept.certain):
                best[key] = found
    untraced = {
        site.dropout.id
        for site in dropout_sites(graph)
        if site.sources and not site.from_input and all(not r.node.kind for r in site.sources)
    }
    findings = [
        f for f in best.values() if (f.certain or report_uncertain) and not _subsumed(f, best, untraced)
    ]
    return sorted(findings, key=lambda f: f.sort_key)


def _subsumed(found: Finding, best: dict[tuple[object, ...], Finding], untraced: set[int]) -> bool:
    """RDL002 after an untraced tensor where the same call is also RDL001: a function run on
    its own (unknown arguments) and the same function called with a recurrent layer's
    sequence. One problem, told once, by the more precise code."""
    if found.code != "RDL002" or found.node is None or found.node.id not in untraced:
        return False
    other = best.get(("RDL001", found.path, found.row, found.col, found.cell, found.node.name))
    return other is not None and (other.certain or not found.certain)
