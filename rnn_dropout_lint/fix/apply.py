"""Applying fixes: to a text until nothing fixable is left, then to files, atomically."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .. import notebook
from ..engine import LintError, Settings, analyze, check_decodable, internal_error, read_bytes
from ..files import discover
from ..findings import FileResult, Finding, Fix
from ..notebook import Script
from .text import (
    ChangedUnderneath,
    SourceFile,
    apply_edits,
    overlaps,
    remove_stale_temporaries,
    write_atomic,
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

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                fromfile=self.path,
                tofile=self.path,
            )
        )


def fix_text(
    text: str, path: str, settings: Settings, unsafe: bool = False, script: Script | None = None
) -> tuple[str, list[Finding], list[Finding]]:
    """(fixed text, findings fixed, findings left). Raises LintError if the text cannot be parsed.

    ``script`` marks ``text`` as a notebook's code cells (see notebook.Script).
    """
    settings = replace(settings, fix_style=settings.fix_style or "spatial")
    fixed: list[Finding] = []
    current = text
    for _ in range(MAX_PASSES):
        try:
            findings = analyze(current, path, settings, script and script.reindex(current)).findings
        except LintError:
            if current is text:
                raise
            raise LintError("a fix produced code that does not parse; nothing was written") from None
        chosen: list[Finding] = []
        for found in findings:
            fix = found.fix
            if fix is None or not applies(fix, unsafe):
                continue
            if any(overlaps(fix.edits, other.fix.edits) for other in chosen if other.fix):
                continue  # the next pass sees it again, on the updated text
            chosen.append(found)
        if not chosen:
            return current, fixed, findings
        current = apply_edits(current, [e for f in chosen if f.fix for e in f.fix.edits])
        fixed.extend(chosen)
    return current, fixed, analyze(current, path, settings, script and script.reindex(current)).findings


def fix_notebook(text: str, path: str, settings: Settings, unsafe: bool = False) -> FixOutcome:
    """Fix a notebook's code cells; only the sources of the cells that change are rewritten."""
    try:
        data = notebook.load(text)
    except notebook.NotebookError as exc:
        raise LintError(str(exc)) from None
    script = notebook.script_of(data)
    after, fixed, left = fix_text(script.text, path, settings, unsafe, script)
    if after == script.text:
        return FixOutcome(path, text, text, tuple(fixed), tuple(left))
    sources = notebook.cell_sources(script, after)
    try:
        written = notebook.dumps_like(text, notebook.with_cells(data, sources))
    except notebook.NotebookError as exc:
        raise LintError(str(exc)) from None
    return FixOutcome(path, text, written, tuple(fixed), tuple(left))


def fix_file(path: str, settings: Settings, unsafe: bool = False, write: bool = True) -> FixOutcome:
    """Fix one file. If it changes while being fixed (another run), start again on what it now holds."""
    remove_stale_temporaries(os.path.dirname(os.path.abspath(path)))
    for _ in range(3):
        try:
            return _fix_file(path, settings, unsafe, write)
        except ChangedUnderneath:
            continue
    return FixOutcome(path, error="the file kept changing while it was being fixed; not written")


def _fix_file(path: str, settings: Settings, unsafe: bool, write: bool) -> FixOutcome:
    try:
        raw = read_bytes(path)
        check_decodable(raw)
        source = SourceFile.decode(raw)
        if path.endswith(".ipynb"):
            outcome = fix_notebook(source.text, path, settings, unsafe)
            after, fixed, left = outcome.after, list(outcome.fixed), list(outcome.left)
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
    )
    if write and outcome.changed:
        try:
            write_atomic(path, source.encode(after), expected=raw)
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
