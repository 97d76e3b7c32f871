"""What the language server asks of the core, for buffers as an editor holds them.

Nothing here knows the protocol: a Python buffer is a text, a notebook is its cells in order,
and the answers are the core's own findings and edits (1-based rows and columns in code
points, notebook rows relative to their cell). The server turns them into LSP messages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from .. import notebook
from ..engine import Settings, analyze
from ..findings import Edit, Finding
from ..fix.apply import applies, fix_cells, fix_text


@dataclass(frozen=True)
class Cell:
    """A notebook cell as the client sends it."""

    kind: str  # "code" or "markdown"
    text: str
    order: int | None = None  # its execution order, when the client knows it


@dataclass(frozen=True)
class Checked:
    """One analysis of a buffer: its findings, and the notebook cells (1-based among all
    cells) that could not be analysed (their last good findings stay shown)."""

    findings: tuple[Finding, ...]
    broken: frozenset[int] = frozenset()
    edits: bool = False  # whether the fixes carry their edits (or only say that there is one)


def check_text(text: str, path: str, settings: Settings, edits: bool = False) -> Checked:
    """Raises LintError when the text cannot be analysed (a half-typed line)."""
    analysis = analyze(text, path, _planned(settings, edits))
    return Checked(tuple(replace(f, node=None) for f in analysis.findings), edits=edits)


def check_cells(cells: list[Cell], path: str, settings: Settings, edits: bool = False) -> Checked:
    book = _notebook(cells)
    result = notebook.analyse(book, book.code_sources(), path, _planned(settings, edits))
    broken = frozenset(p.cell for p in result.problems)
    return Checked(tuple(replace(f, node=None) for f in result.findings), broken, edits)


def fix_all_text(text: str, path: str, settings: Settings, unsafe: bool) -> str:
    """The text with every applicable fix applied (as ``check --fix`` would write it)."""
    return fix_text(text, path, settings, unsafe)[0]


def fix_all_cells(cells: list[Cell], path: str, settings: Settings, unsafe: bool) -> dict[int, str]:
    """The code cells (1-based among all cells) whose source every applicable fix changes."""
    book = _notebook(cells)
    before = book.code_sources()
    after = fix_cells(book, before, path, settings, unsafe)[0]
    return {index: text for index, text in after.items() if text != before[index]}


def fixable(found: Finding, unsafe: bool) -> bool:
    return found.fix is not None and applies(found.fix, unsafe)


def smallest_edit(before: str, after: str) -> Edit:
    """One edit turning ``before`` into ``after``: the lines between their common head and tail."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    content = "".join(new[head : len(new) - tail])
    replaced = old[: len(old) - tail]
    if replaced and not replaced[-1].endswith(("\n", "\r")):  # up to the end of a last line
        return Edit(content, head + 1, 1, len(replaced), len(replaced[-1]) + 1)
    return Edit(content, head + 1, 1, len(replaced) + 1, 1)


def _planned(settings: Settings, edits: bool) -> Settings:
    # Edits cost a render of the module (3x the analysis): diagnostics only say a fix exists,
    # a code action asks for the edits.
    return replace(settings, fix_edits=edits, fix_style=settings.fix_style or "spatial")


def _notebook(cells: list[Cell]) -> notebook.Notebook:
    """The cells as a notebook file holds them, read by the same code as a file on disk."""
    data = {
        "cells": [
            {"cell_type": "code", "source": c.text, "metadata": {}, "outputs": [], "execution_count": c.order}
            if c.kind == "code"
            else {"cell_type": "markdown", "source": c.text, "metadata": {}}
            for c in cells
        ],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return notebook.load(json.dumps(data))
