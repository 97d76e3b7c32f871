"""Jupyter notebooks: read as Jupyter reads them, analysed cell by cell and together, fixed in place.

Reading is lenient: any JSON object with nbformat 4 ``cells`` (or nbformat 3
``worksheets``) whose code cells have a string or list-of-strings source is a
notebook; outputs and metadata are never validated (Colab's outputs do not pass the
strict schema, and only the cells matter here).

Each code cell is read as IPython reads it (:mod:`.ipython_syntax`): IPython lines
become plain Python of the same shape, so the Python keeps its rows and columns.
The cells are analysed together, in order (the imports of cell 1 serve the model of
cell 5), as one script with a line of our own in front of each cell (``pass``, or
``if True:`` for a cell IPython dedents). That line also ends whatever the previous
cell left open, so a broken cell cannot swallow the next. Where the script does not
parse, each cell is parsed alone: a cell that still does not parse (after the same
Python 2 repair as scripts get) is reported on its own and left out; the others are
analysed. Which row of the script belongs to which cell is kept in a table, never
in the text, so nothing a user writes in a cell can change how cells are split back.

Fixes are edits to rows and columns of the cells, applied to the cells' own sources
(never to the IPython lines or to Python 2 cells), and the file is rewritten by
replacing only the JSON strings of the changed sources: every other byte stays.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from typing import Any

from .findings import CellProblem, Edit, Finding
from .ipython_syntax import Reading, read_cell, split_rows

MAX_REASON = 160  # characters of a reason quoted from the input or a parser


class NotebookError(ValueError):
    """Not a notebook we can read; one short line."""


def _short(text: str, limit: int = MAX_REASON) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


# ---------------------------------------------------------------------------------------
# Loading


@dataclass
class Notebook:
    """The parts of a notebook file that matter here."""

    text: str
    data: dict[str, Any]
    version: int  # 4, or 3 (worksheets)
    cells: list[dict[str, Any]]  # every cell in order; nbformat 3 worksheets flattened
    python: bool  # its kernel's language is Python (or not stated)

    def source_key(self, cell: Mapping[str, Any]) -> str:
        return "input" if self.version == 3 and cell.get("cell_type") == "code" else "source"

    def code_sources(self) -> dict[int, str]:
        """Cell index (1-based among all cells) -> source, for the code cells."""
        return {
            index: _joined(cell[self.source_key(cell)])
            for index, cell in enumerate(self.cells, start=1)
            if cell.get("cell_type") == "code"
        }

    @property
    def was_run(self) -> bool:
        return any(_execution_count(c) is not None for c in self.cells if c.get("cell_type") == "code")


def _joined(source: str | list[str]) -> str:
    return source if isinstance(source, str) else "".join(source)


def load(text: str) -> Notebook:
    """The notebook in ``text``; :class:`NotebookError` (one short line) if it is none."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise NotebookError(f"not valid JSON: {_short(exc)}") from None
    except RecursionError:
        raise NotebookError("not a notebook: the JSON is nested too deeply") from None
    if not isinstance(data, dict):
        raise NotebookError("not a notebook: the JSON is not an object")
    version = data.get("nbformat")
    if version == 4 and not isinstance(version, bool):
        cells = data.get("cells")
        if not isinstance(cells, list):
            raise NotebookError('not a notebook: nbformat 4 without a "cells" list')
    elif version == 3 and not isinstance(version, bool):
        worksheets = data.get("worksheets")
        if not isinstance(worksheets, list) or not all(
            isinstance(w, dict) and isinstance(w.get("cells", []), list) for w in worksheets
        ):
            raise NotebookError('not a notebook: nbformat 3 without a "worksheets" list of cell lists')
        cells = [cell for w in worksheets for cell in w.get("cells", [])]
    else:
        raise NotebookError(f"not an nbformat 4 or 3 notebook (nbformat: {_short(repr(version), 40)})")
    notebook = Notebook(text, data, version, cells, _is_python(data))
    for index, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise NotebookError(f'not a notebook: cell {index} is not an object with a "cell_type"')
        if cell["cell_type"] != "code":
            continue
        key = notebook.source_key(cell)
        source = cell.get(key)
        lines = isinstance(source, list) and all(isinstance(s, str) for s in source)
        if not (isinstance(source, str) or lines):
            raise NotebookError(f'not a notebook: code cell {index} has no "{key}" string or list of strings')
    return notebook


def _is_python(data: dict[str, Any]) -> bool:
    """False for notebooks of other kernels (R, Julia, ...): they hold no Python to check."""
    meta = data.get("metadata")
    if not isinstance(meta, dict):
        return True
    info, spec = meta.get("language_info"), meta.get("kernelspec")
    for language in (
        info.get("name") if isinstance(info, dict) else None,
        spec.get("language") if isinstance(spec, dict) else None,
        meta.get("language"),
    ):
        if isinstance(language, str) and language.strip():
            return language.strip().lower().startswith(("python", "ipython"))
    return True


def _execution_count(cell: Mapping[str, Any]) -> Any:
    return cell.get("execution_count", cell.get("prompt_number"))


# ---------------------------------------------------------------------------------------
# Cells read as IPython reads them, and the script they make together


@dataclass
class CodeCell:
    index: int
    source: str
    reading: Reading
    rows: list[str] = field(default_factory=list)  # the Python analysed, row for row
    verbatim: list[int | None] = field(default_factory=list)  # see Reading.verbatim
    legacy: bool = False  # read as Python 2: analysed, never fixed
    problem: str | None = None  # why it is not analysed

    @property
    def analysed(self) -> bool:
        return self.problem is None and self.reading.skipped is None

    def text(self) -> str:
        """The cell alone, as it goes into the script."""
        return ("if True:\n" if self.reading.indented else "pass\n") + "\n".join(self.rows) + "\n"


def read_code_cell(index: int, source: str) -> CodeCell:
    from .engine import MAX_NESTING

    reading = read_cell(source)
    cell = CodeCell(index, source, reading, list(reading.rows), list(reading.verbatim))
    if "\x00" in source:
        cell.problem = "contains a NUL character"
    elif reading.depth > MAX_NESTING:
        cell.problem = f"nested too deeply to parse (more than {MAX_NESTING} levels of brackets)"
    return cell


@dataclass
class Script:
    """The analysed code cells as one Python text, and where each of its rows comes from."""

    text: str
    places: list[tuple[int, int]]  # script row - 1 -> (cell index, row in the cell); row 0: our line
    first: dict[int, int]  # cell index -> the script row of the cell's row 1

    def locate(self, row: int) -> tuple[int | None, int]:
        """Script row -> (cell index, row inside the cell)."""
        if 1 <= row <= len(self.places):
            return self.places[row - 1]
        if not self.places:
            return None, row
        cell, last = self.places[-1]
        return cell, last + row - len(self.places)

    def script_row(self, cell: int | None, row: int) -> int:
        """(cell index, row inside the cell) -> script row."""
        return self.first[cell] + row - 1 if cell in self.first else row


def build_script(cells: Iterable[CodeCell]) -> Script:
    lines: list[str] = []
    places: list[tuple[int, int]] = []
    first: dict[int, int] = {}
    for cell in cells:
        if not cell.analysed:
            continue
        lines.append("if True:" if cell.reading.indented else "pass")
        places.append((cell.index, 0))
        first[cell.index] = len(lines) + 1
        lines.extend(cell.rows)
        places.extend((cell.index, row) for row in range(1, len(cell.rows) + 1))
    return Script("\n".join(lines) + "\n", places, first)


def _syntax_error(text: str, shift: int = 0) -> str | None:
    """Why ``text`` does not parse, or None; rows counted from ``shift`` + 1.

    libcst decides (it is what the analysis parses with); the position and message come
    from CPython's parser where it agrees that the text is not Python, as libcst's
    tokenizer errors all point at line 1, column 1.
    """
    import libcst as cst

    from .engine import _parse_module, syntax_error_position

    try:
        _parse_module(text)
        return None
    except cst.ParserSyntaxError as exc:
        row, col, message = syntax_error_position(text, exc)
    except RecursionError:
        return "nested too deeply to parse"
    except Exception as exc:  # whatever the parser raises, it concerns this cell only
        return _short(f"cannot parse it: {type(exc).__name__}: {exc}")
    return f"syntax error at line {max(row - shift, 1)}, column {col}: {_short(message)}"


_PRINT_CONTINUED = re.compile(r"^(?P<head>[ \t]*print)(?P<space>[ \t]+)(?![ \t]*\()(?P<rest>.*\\)$")
_TRAILING_COMMENT = re.compile(r"[ \t]+#[^'\"]*$")


def _python2(text: str) -> str | None:
    """The analysis-only Python 2 repair of scripts, plus ``print`` statements that go on over
    backslash-continued lines (``print "a", \\`` ... ``b``), which it leaves alone."""
    from .static.legacy import python2_to_3

    rows = split_rows(text)
    changed = False
    for row, line in enumerate(rows):
        match = _PRINT_CONTINUED.match(line)
        if match is None:
            continue
        last = row
        while last + 1 < len(rows) and rows[last].endswith("\\"):
            last += 1
        if last == row:
            continue
        rows[row] = f"{match['head']}({match['rest']}"
        comment = _TRAILING_COMMENT.search(rows[last])
        cut = comment.start() if comment else len(rows[last])
        rows[last] = rows[last][:cut] + ")" + rows[last][cut:]
        changed = True
    repaired = python2_to_3("\n".join(rows))
    return repaired if repaired is not None else "\n".join(rows) if changed else None


def check_alone(cell: CodeCell) -> None:
    """Parse the cell on its own; repair Python 2 or record why it cannot be analysed."""
    text = cell.text()
    error = _syntax_error(text, shift=1)  # our line in front of the cell
    if error is None:
        return
    repaired = _python2(text)
    if repaired is not None and _syntax_error(repaired) is None:
        rows = split_rows(repaired)[1 : len(cell.rows) + 1]
        if len(rows) == len(cell.rows):
            changes = zip(rows, cell.rows, cell.verbatim, strict=True)
            cell.verbatim = [None if new != old else v for new, old, v in changes]
            cell.rows, cell.legacy = rows, True
            return
    cell.problem = error


# ---------------------------------------------------------------------------------------
# Analysis


@dataclass
class Result:
    findings: list[Finding]
    problems: list[CellProblem]
    cells: dict[int, CodeCell]


_SYNTAX_ERRORS = ("SyntaxError", "IndentationError", "TabError")
_SKIP_TAGS = ("raises-exception", "skip-execution")


def excuse(notebook: Notebook, index: int) -> str:
    """What shows the cell was not meant to run as it is ('' if nothing does)."""
    cell = notebook.cells[index - 1]
    meta = cell.get("metadata")
    tags = meta.get("tags") if isinstance(meta, dict) else None
    for tag in _SKIP_TAGS:
        if isinstance(tags, list) and tag in tags:
            return f"tagged {tag}"
    outputs = cell.get("outputs")
    for output in outputs if isinstance(outputs, list) else ():
        if (
            isinstance(output, dict)
            and output.get("output_type") in ("error", "pyerr")
            and output.get("ename") in _SYNTAX_ERRORS
        ):
            return f"its saved output is a {output['ename']}"
    if _execution_count(cell) is None and notebook.was_run:
        return "never run, while the notebook's other cells were"
    return ""


def analyse(notebook: Notebook, sources: Mapping[int, str], path: str, settings: Any) -> Result:
    """Findings (cell rows, fix edits in cells) and the cells that could not be analysed.

    Raises LintError when the notebook as a whole cannot be analysed.
    """
    from .engine import LintError, analyze

    if not notebook.python:
        return Result([], [], {})
    cells = {index: read_code_cell(index, source) for index, source in sources.items()}
    for cell in cells.values():
        if cell.analysed and not cell.reading.complete:
            check_alone(cell)  # it ends inside a string, brackets or a continuation
    script = build_script(cells.values())
    try:
        analysis = analyze(script.text, path, settings, script)
    except LintError:
        for cell in cells.values():
            if cell.analysed:
                check_alone(cell)
        script = build_script(cells.values())
        analysis = analyze(script.text, path, settings, script)
    findings = [_edits_to_cells(f, script, cells) for f in analysis.findings]
    problems = []
    for cell in cells.values():
        if cell.problem is not None:
            why = excuse(notebook, cell.index)
            problems.append(CellProblem(cell.index, cell.problem, bool(why), why))
    return Result(findings, problems, cells)


def lint(text: str, path: str, settings: Any) -> tuple[list[Finding], list[CellProblem]]:
    """Findings with cell positions (and their place in the file), and the broken cells."""
    notebook = load(text)
    result = analyse(notebook, notebook.code_sources(), path, settings)
    return with_file_regions(result.findings, notebook), result.problems


def _edits_to_cells(found: Finding, script: Script, cells: Mapping[int, CodeCell]) -> Finding:
    """Fix edits in cell rows, tagged with their cell; the fix is dropped where it cannot
    apply to the cell's own text (an IPython line, our line, a Python 2 cell)."""
    if found.fix is None:
        return found
    cell = cells.get(found.cell) if found.cell is not None else None
    edits = []
    for edit in found.fix.edits:
        mapped = _edit_to_cell(edit, script, cells)
        if mapped is None or cell is None or cell.legacy:  # the finding stays, unfixed
            why = "its cell is read as Python 2" if cell is not None and cell.legacy else None
            why = why or "the fix would edit an IPython line (a magic, a shell command) or another cell's"
            return replace(found, fix=None, no_fix=why)
        edits.append(mapped)
    return replace(found, fix=replace(found.fix, edits=tuple(edits)))


def _point(script: Script, row: int, col: int) -> tuple[int, int, int] | None:
    """A script position as (cell, row, col); the start of our line is the end of the cell before."""
    if row > len(script.places):
        if not script.places or col != 1:
            return None
        cell, last = script.places[-1]
        return cell, last + 1, 1
    cell, inside = script.places[row - 1]
    if inside:
        return cell, inside, col
    if col != 1 or row == 1:
        return None
    cell, last = script.places[row - 2]
    return (cell, last + 1, 1) if last else None


def _edit_to_cell(edit: Edit, script: Script, cells: Mapping[int, CodeCell]) -> Edit | None:
    start, end = _point(script, edit.row, edit.col), _point(script, edit.end_row, edit.end_col)
    if start is None or end is None or start[0] != end[0]:
        return None
    cell = cells[start[0]]
    if cell.legacy:  # Python 2, repaired for the analysis only
        return None
    (_, row, col), (_, end_row, end_col) = start, end
    verbatim = cell.verbatim
    if row > len(verbatim) or verbatim[row - 1] is None or col - 1 < verbatim[row - 1]:  # type: ignore[operator]
        return None
    for inside in range(row + 1, min(end_row, len(verbatim)) + 1):
        if verbatim[inside - 1] != 0 and not (inside == end_row and end_col == 1):
            return None
    return Edit(edit.content, row, col, end_row, end_col, cell=cell.index)


def apply_cell_edits(sources: Mapping[int, str], edits: Iterable[Edit]) -> dict[int, str]:
    """The sources with the edits applied to their cells."""
    from .fix.text import apply_edits

    by_cell: dict[int, list[Edit]] = {}
    for edit in edits:
        assert edit.cell is not None
        by_cell.setdefault(edit.cell, []).append(edit)
    out = dict(sources)
    for index, cell_edits in by_cell.items():
        source = out[index]
        newline = re.search(r"\r\n|\r|\n", source)
        if newline is not None and newline.group() != "\n":
            cell_edits = [replace(e, content=e.content.replace("\n", newline.group())) for e in cell_edits]
        out[index] = apply_edits(source, cell_edits)
    return out


# ---------------------------------------------------------------------------------------
# Where the cell sources are in the file's text


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _ws(text: str, at: int) -> int:
    return _WHITESPACE.match(text, at).end()  # type: ignore[union-attr]


def _members(text: str, at: int) -> dict[str, tuple[int, int]]:
    """Key -> (start, end) of each value of the JSON object at ``text[at]`` (the last one wins)."""
    from json.decoder import scanstring

    members: dict[str, tuple[int, int]] = {}
    at = _ws(text, at + 1)
    if text[at] == "}":
        return members
    while True:
        key, at = scanstring(text, at + 1)
        at = _ws(text, _ws(text, at) + 1)  # past the colon
        end = _DECODER.raw_decode(text, at)[1]
        members[key] = (at, end)
        at = _ws(text, end)
        if text[at] != ",":
            return members
        at = _ws(text, at + 1)


def _elements(text: str, at: int) -> list[tuple[int, int]]:
    """(start, end) of each element of the JSON array at ``text[at]``."""
    elements: list[tuple[int, int]] = []
    at = _ws(text, at + 1)
    if text[at] == "]":
        return elements
    while True:
        end = _DECODER.raw_decode(text, at)[1]
        elements.append((at, end))
        at = _ws(text, end)
        if text[at] != ",":
            return elements
        at = _ws(text, at + 1)


def _cell_spans(text: str, version: int) -> list[dict[str, tuple[int, int]]]:
    """For each cell in order, where the values of its keys are in ``text``."""
    top = _members(text, _ws(text, 0))
    if version == 4:
        arrays = [top["cells"]]
    else:
        sheets = [_members(text, start) for start, _ in _elements(text, top["worksheets"][0])]
        arrays = [sheet["cells"] for sheet in sheets if "cells" in sheet]
    return [_members(text, start) for array in arrays for start, _ in _elements(text, array[0])]


@dataclass
class _RawSource:
    """A cell's source value in the file: one JSON string, or a list of them."""

    text: str
    start: int
    end: int
    pieces: list[tuple[int, int]]  # the strings (one when the value is a string)
    is_list: bool

    @classmethod
    def at(cls, text: str, start: int, end: int) -> _RawSource:
        if text[start] == "[":
            return cls(text, start, end, _elements(text, start), True)
        return cls(text, start, end, [(start, end)], False)

    def decoded(self) -> list[str]:
        return [json.loads(self.text[a:b]) for a, b in self.pieces]

    def raw_offset(self, offset: int) -> int:
        """Where character ``offset`` of the joined source is in the file."""
        for (a, _), piece in zip(self.pieces, self.decoded(), strict=True):
            if offset < len(piece):
                return _raw_index(self.text, a, offset)
            offset -= len(piece)
        if self.pieces:
            return self.pieces[-1][1] - 1  # the end: the closing quote of the last string
        return self.start + 1


def _raw_index(text: str, quote: int, index: int) -> int:
    """Where the ``index``-th decoded character of the JSON string at ``text[quote]`` starts."""
    at = quote + 1
    for _ in range(index):
        if text[at] != "\\":
            at += 1
        elif text[at + 1] != "u":
            at += 2
        else:
            code = int(text[at + 2 : at + 6], 16)
            at += 6
            if 0xD800 <= code < 0xDC00 and text.startswith("\\u", at):
                low = int(text[at + 2 : at + 6], 16)
                if 0xDC00 <= low < 0xE000:
                    at += 6
    return at


def _offset_in(source: str, row: int, col: int) -> int:
    starts = [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", source))]
    if row > len(starts):
        return len(source)
    return min(starts[row - 1] + col - 1, len(source))


def with_file_regions(findings: list[Finding], notebook: Notebook, text: str | None = None) -> list[Finding]:
    """Each finding with the place of its (row, col) .. (end_row, end_col) in the file's text."""
    if not findings:
        return findings
    text = notebook.text if text is None else text
    try:
        spans = _cell_spans(text, notebook.version)
    except (ValueError, KeyError, IndexError):
        return findings
    breaks = [m.start() for m in re.finditer("\n", text)]

    def line_col(offset: int) -> tuple[int, int]:
        line = bisect.bisect_left(breaks, offset)
        return line + 1, offset - (breaks[line - 1] + 1 if line else 0) + 1

    out = []
    for found in findings:
        if found.cell is None or found.cell > len(spans):
            out.append(found)
            continue
        cell = notebook.cells[found.cell - 1]
        place = spans[found.cell - 1].get(notebook.source_key(cell))
        if place is None:
            out.append(found)
            continue
        raw = _RawSource.at(text, *place)
        source = "".join(raw.decoded())
        start = line_col(raw.raw_offset(_offset_in(source, found.row, found.col)))
        end = line_col(raw.raw_offset(_offset_in(source, found.end_row, found.end_col)))
        out.append(replace(found, file_region=(*start, *end)))
    return out


# ---------------------------------------------------------------------------------------
# Writing back


def write(notebook: Notebook, sources: Mapping[int, str]) -> str:
    """The file's text with new sources for the cells that changed; every other byte as it was."""
    text = notebook.text
    spans = _cell_spans(text, notebook.version)
    ascii_file = _ensure_ascii(text, False)
    replacements = []
    for index, new in sources.items():
        cell = notebook.cells[index - 1]
        key = notebook.source_key(cell)
        if new == _joined(cell[key]):
            continue
        raw = _RawSource.at(text, *spans[index - 1][key])
        ascii_only = _ensure_ascii(text[raw.start : raw.end], ascii_file)
        replacements.append((raw.start, raw.end, _render(raw, new, ascii_only)))
    out = text
    for start, end, value in sorted(replacements, reverse=True):
        out = out[:start] + value + out[end:]
    check = load(out)
    for index, cell in enumerate(check.cells, start=1):
        if cell.get("cell_type") == "code" and _joined(cell[check.source_key(cell)]) != sources.get(
            index, _joined(notebook.cells[index - 1][notebook.source_key(cell)])
        ):
            raise NotebookError("cannot write the fixed cells back into the file; not changed")
    return out


_NON_ASCII_ESCAPE = re.compile(r"\\u(?!00[0-7][0-9a-fA-F])[0-9a-fA-F]{4}")


def _ensure_ascii(raw: str, default: bool) -> bool:
    """Whether the JSON text escapes non-ASCII characters (as ``json.dumps`` does by default)."""
    if any(ord(c) > 127 for c in raw):
        return False
    if _NON_ASCII_ESCAPE.search(raw):
        return True
    return default


def _render(raw: _RawSource, new: str, ascii_only: bool) -> str:
    """The JSON for a new source, in the shape and layout of the old one."""
    if not raw.is_list:
        return json.dumps(new, ensure_ascii=ascii_only)
    text, pieces = raw.text, raw.pieces
    old = raw.decoded()
    lines = new.splitlines(keepends=True)  # how nbformat stores a source as a list
    if not pieces:
        return json.dumps(lines, ensure_ascii=ascii_only)
    lead = text[raw.start + 1 : pieces[0][0]]
    trail = text[pieces[-1][1] : raw.end - 1]
    sep = text[pieces[0][1] : pieces[1][0]] if len(pieces) > 1 else "," + (lead or " ")
    rendered: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, lines, autojunk=False).get_opcodes():
        if tag == "equal":
            rendered.extend(text[a:b] for a, b in pieces[i1:i2])
        else:
            rendered.extend(json.dumps(line, ensure_ascii=ascii_only) for line in lines[j1:j2])
    if not rendered:
        return "[]"
    return "[" + lead + sep.join(rendered) + trail + "]"
