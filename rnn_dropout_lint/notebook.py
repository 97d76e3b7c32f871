"""Jupyter notebooks: code cells in, cell-relative positions out, cells written back in place.

The code cells are joined into one script (cells share their names: the imports
of cell 1 serve the model of cell 5), each behind a marker comment that no fix
can touch, so a fixed script splits back into its cells. IPython lines (``%magic``,
``!shell``, ``%%cell`` magics) become ``pass`` on the same line and come back
unchanged. The notebook file is rewritten only in the cells that changed, in the
file's own JSON formatting.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from .findings import Edit, Finding

_MARKER = "# rnn-dropout-lint: cell {index}"
_MARKER_RE = re.compile(r"^# rnn-dropout-lint: cell (\d+)$")
_MAGIC_RE = re.compile(r"^([ \t]*)([%!].*|.*\?)$")
_PLACEHOLDER = "pass  # rnn-dropout-lint: ipython {n}"
_PLACEHOLDER_RE = re.compile(r"pass  # rnn-dropout-lint: ipython (\d+)")
# Cell magics whose body is still Python.
_PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture", "%%prun")


class NotebookError(ValueError):
    """Not a notebook we can read; one line."""


@dataclass
class Script:
    """The code cells of a notebook as one Python text."""

    text: str
    cells: list[tuple[int, int]]  # (1-based index among all cells, first script row of its body)
    magics: list[str]  # the IPython lines replaced by numbered placeholders

    def reindex(self, text: str) -> Script:
        """The same notebook's script after edits: where each cell starts now."""
        cells = []
        for row, line in enumerate(text.split("\n"), start=1):
            marker = _MARKER_RE.match(line)
            if marker:
                cells.append((int(marker.group(1)), row + 1))
        return Script(text, cells, self.magics)

    def script_row(self, cell: int | None, row: int) -> int:
        """(cell index, row inside the cell) -> script row."""
        for index, first in self.cells:
            if index == cell:
                return first + row - 1
        return row

    def locate(self, row: int) -> tuple[int | None, int]:
        """Script row -> (cell index, row inside the cell)."""
        cell, start = None, 1
        for index, first in self.cells:
            if first <= row:
                cell, start = index, first
        return cell, row - start + 1


def load(text: str) -> dict[str, Any]:
    import nbformat

    try:
        data = json.loads(text)
    except ValueError as exc:
        raise NotebookError(f"not valid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        raise NotebookError("not an nbformat 4 notebook")
    try:
        nbformat.validate(nbformat.from_dict(data), version=4)
    except nbformat.ValidationError as exc:
        raise NotebookError(f"not a valid nbformat 4 notebook: {str(exc).splitlines()[0]}") from None
    return data


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def script_of(data: dict[str, Any]) -> Script:
    lines: list[str] = []
    cells: list[tuple[int, int]] = []
    magics: list[str] = []
    for index, cell in enumerate(data.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        lines.append(_MARKER.format(index=index))
        cells.append((index, len(lines) + 1))
        body = _source(cell).split("\n")
        whole_cell_magic = body[0].startswith("%%") and not body[0].startswith(_PYTHON_CELL_MAGICS)
        for line in body:
            match = _MAGIC_RE.match(line)
            if whole_cell_magic or (match and not line.lstrip().startswith("#")):
                indent = "" if whole_cell_magic or match is None else match.group(1)
                lines.append(indent + _PLACEHOLDER.format(n=len(magics)))
                magics.append(line)
            else:
                lines.append(line)
    return Script("\n".join(lines) + "\n", cells, magics)


def cell_sources(script: Script, text: str) -> dict[int, str]:
    """Split a (fixed) script back into cell sources, IPython lines restored."""
    out: dict[int, list[str]] = {}
    current: int | None = None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline script_of added at the very end
    for line in lines:
        marker = _MARKER_RE.match(line)
        if marker:
            current = int(marker.group(1))
            out[current] = []
        elif current is not None:
            out[current].append(_restore(script, line))
    return {index: "\n".join(body) for index, body in out.items()}


def _restore(script: Script, line: str) -> str:
    match = _PLACEHOLDER_RE.search(line)
    return script.magics[int(match.group(1))] if match else line


def edits_to_cells(script: Script, findings: list[Finding]) -> list[Finding]:
    """Findings whose fix edits use cell-relative rows, like the findings themselves."""
    mapped = []
    for f in findings:
        if f.fix is not None and f.fix.edits:
            edits = tuple(
                Edit(e.content, script.locate(e.row)[1], e.col, script.locate(e.end_row)[1], e.end_col)
                for e in f.fix.edits
            )
            f = replace(f, fix=replace(f.fix, edits=edits))
        mapped.append(f)
    return mapped


def dumps_like(original: str, data: dict[str, Any]) -> str:
    """Serialise ``data`` in the formatting of ``original`` (indent, escaping, final newline)."""
    parsed = json.loads(original)
    for indent in (1, 2, 4, None, 0, 3):
        for ensure_ascii in (False, True):
            for separators in ((",", ": "), (", ", ": "), (",", ":")):
                attempt = json.dumps(parsed, indent=indent, ensure_ascii=ensure_ascii, separators=separators)
                tail = original[len(attempt) :] if original.startswith(attempt) else None
                if tail is not None and tail.strip() == "":
                    return (
                        json.dumps(data, indent=indent, ensure_ascii=ensure_ascii, separators=separators)
                        + tail
                    )
    raise NotebookError("cannot write it back in its own JSON formatting; not changed")


def with_cells(data: dict[str, Any], sources: dict[int, str]) -> dict[str, Any]:
    """A copy of the notebook with new sources for the given cells, in their on-disk shape."""
    cells = []
    for index, cell in enumerate(data.get("cells", []), start=1):
        if index in sources and sources[index] != _source(cell):
            cell = dict(cell)
            new = sources[index]
            cell["source"] = new.splitlines(keepends=True) if isinstance(cell.get("source"), list) else new
        cells.append(cell)
    return {**data, "cells": cells}
