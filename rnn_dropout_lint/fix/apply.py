"""Applying fixes: to a text until nothing fixable is left, then to files, atomically."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import libcst as cst

from .. import notebook
from ..engine import (
    Analysis,
    LintError,
    Settings,
    analyze,
    check_decodable,
    internal_error,
    parse,
    read_bytes,
)
from ..files import discover, replace_file
from ..findings import CellProblem, FileResult, Finding, Fix
from ..output import shown
from .imports import drop_imports_left_unused
from .text import (
    ChangedUnderneath,
    SourceFile,
    apply_edits,
    overlaps,
    remove_stale_temporaries,
)

MAX_PASSES = 25  # each pass applies every fix that does not overlap an earlier one


def applies(fix: Fix, unsafe: bool) -> bool:
    return fix.applicability == "safe" or (unsafe and fix.applicability == "unsafe")


@dataclass(frozen=True)
class FixOutcome:
    path: str
    before: str = ""
    after: str = ""
    fixed: tuple[Finding, ...] = ()
    left: tuple[Finding, ...] = ()
    error: str | None = None
    problems: tuple[CellProblem, ...] = ()  # notebook cells that could not be analysed (nor fixed)

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                fromfile=shown(self.path),
                tofile=shown(self.path),
            )
        )


def _choose(findings: Iterable[Finding], unsafe: bool) -> list[Finding]:
    """The findings whose fixes apply in this pass: applicable, and not overlapping each other."""
    chosen: list[Finding] = []
    for found in findings:
        fix = found.fix
        if fix is None or not applies(fix, unsafe):
            continue
        if any(
            e.cell == o.cell and overlaps([e], [o])
            for other in chosen
            if other.fix
            for e in fix.edits
            for o in other.fix.edits
        ):
            continue  # the next pass sees it again, on the updated text
        chosen.append(found)
    return chosen


def fix_text(
    text: str, path: str, settings: Settings, unsafe: bool = False
) -> tuple[str, list[Finding], list[Finding]]:
    """(fixed text, findings fixed, findings left). Raises LintError if the text cannot be parsed."""
    settings = replace(settings, fix_style=settings.fix_style or "spatial", fix_edits=True)
    fixed: list[Finding] = []
    current = text
    first: Analysis | None = None
    for _ in range(MAX_PASSES):
        try:
            analysis = analyze(current, path, settings)
        except LintError:
            if current is text:
                raise
            raise LintError("a fix produced code that does not parse; nothing was written") from None
        first = first or analysis
        findings = analysis.findings
        chosen = _choose(findings, unsafe)
        if not chosen:
            break
        current = apply_edits(current, [e for f in chosen if f.fix for e in f.fix.edits])
        fixed.extend(chosen)
    else:
        analysis = analyze(current, path, settings)
        findings = analysis.findings
    if fixed and first is not None:
        # The analyses parsed the original and the fixed text already: their trees serve.
        tidy = drop_imports_left_unused(_tree(first, text), _tree(analysis, current))
        if tidy != current:
            current, findings = tidy, analyze(tidy, path, settings).findings
    return current, fixed, findings


def _tree(analysis: Analysis, text: str) -> cst.Module:
    """The analysis's tree of ``text``; a parse where the prefilter skipped building one."""
    return analysis.module if analysis.module is not None else parse(text)[0]


def fix_notebook(text: str, path: str, settings: Settings, unsafe: bool = False) -> FixOutcome:
    """Fix a notebook's code cells; only the JSON strings of the sources that change are rewritten.

    Edits apply to the cells' own sources (cell rows and columns); cells that cannot be
    analysed, IPython lines and Python 2 cells are never touched.
    """
    try:
        book = notebook.load(text)
    except notebook.NotebookError as exc:
        raise LintError(str(exc)) from None
    original = book.code_sources()
    sources, fixed, result = fix_cells(book, original, path, settings, unsafe)
    written = text
    if sources != original:
        try:
            written = notebook.write(book, sources)
        except notebook.NotebookError as exc:
            raise LintError(str(exc)) from None
    left = notebook.with_file_regions(result.findings, book, written)
    return FixOutcome(path, text, written, tuple(fixed), tuple(left), problems=tuple(result.problems))


def fix_cells(
    book: notebook.Notebook, sources: dict[int, str], path: str, settings: Settings, unsafe: bool = False
) -> tuple[dict[int, str], list[Finding], notebook.Result]:
    """(fixed code cell sources, findings fixed, the analysis of the fixed cells)."""
    settings = replace(settings, fix_style=settings.fix_style or "spatial", fix_edits=True)
    result = notebook.analyse(book, sources, path, settings)
    broken = {p.cell for p in result.problems}
    fixed: list[Finding] = []
    for _ in range(MAX_PASSES):
        chosen = _choose(result.findings, unsafe)
        if not chosen:
            break
        sources = notebook.apply_cell_edits(sources, [e for f in chosen if f.fix for e in f.fix.edits])
        fixed.extend(chosen)
        try:
            result = notebook.analyse(book, sources, path, settings)
        except LintError:
            raise LintError("a fix produced code that does not parse; nothing was written") from None
        if {p.cell for p in result.problems} - broken:
            raise LintError("a fix produced code that does not parse; nothing was written")
    return sources, fixed, result


def fix_file(path: str, settings: Settings, unsafe: bool = False, write: bool = True) -> FixOutcome:
    """Fix one file. If it changes while being fixed (another run), start again on what it now holds."""
    remove_stale_temporaries(os.path.dirname(os.path.realpath(path)))  # where the temporary goes
    for _ in range(3):
        try:
            return _fix_file(path, settings, unsafe, write)
        except ChangedUnderneath:
            continue
    return FixOutcome(path, error="the file kept changing while it was being fixed; not written")


def _fix_file(path: str, settings: Settings, unsafe: bool, write: bool) -> FixOutcome:
    try:
        raw = read_bytes(path, settings.max_file_size)
        check_decodable(raw)
        source = SourceFile.decode(raw)
        problems: tuple[CellProblem, ...] = ()
        if path.endswith(".ipynb"):
            outcome = fix_notebook(source.text, path, settings, unsafe)
            after, fixed, left = outcome.after, list(outcome.fixed), list(outcome.left)
            problems = outcome.problems
        else:
            after, fixed, left = fix_text(source.text, path, settings, unsafe)
    except LintError as exc:
        return FixOutcome(path, error=str(exc))
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return FixOutcome(path, error=f"cannot decode the file: {exc}")
    except Exception as exc:  # one bad file must not stop the run, nor be written
        return FixOutcome(path, error=internal_error(exc))
    # Without their graph nodes, findings no longer keep the file's whole CST alive.
    outcome = FixOutcome(
        path,
        source.text,
        after,
        tuple(replace(f, node=None) for f in fixed),
        tuple(replace(f, node=None) for f in left),
        problems=problems,
    )
    if write and outcome.changed:
        try:
            replace_file(path, source.encode(after), expected=raw)  # keeps links, owner, xattrs
        except OSError as exc:
            return replace(outcome, after=source.text, fixed=(), error=f"cannot write: {exc.strerror or exc}")
    return outcome


def fix_paths(
    paths: Iterable[str | os.PathLike[str]],
    settings: Settings,
    exclude: Iterable[str] = (),
    unsafe: bool = False,
    write: bool = True,
) -> Iterator[FixOutcome]:
    for item in discover([Path(p) for p in paths], tuple(exclude)):
        if isinstance(item, FileResult):
            yield FixOutcome(item.path, error=item.error)
        else:
            yield fix_file(str(item), settings, unsafe, write)
