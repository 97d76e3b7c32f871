"""The pipeline: source -> CST -> layer graph -> findings, for strings, files and trees."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from .files import discover
from .findings import FileResult, Finding
from .graph import LayerGraph
from .keras_table import DEFAULT_TABLE, IMPORT_MARKERS, KerasTable, layer_markers
from .rules import Selection
from .static.interpreter import build_graph
from .static.legacy import python2_to_3


@dataclass(frozen=True)
class Settings:
    """What to check and how."""

    selection: Selection = field(default_factory=Selection)
    report_uncertain: bool = False
    table: KerasTable = DEFAULT_TABLE
    # Skip files that cannot hold a finding before parsing them (never changes results).
    prefilter: bool = True


class LintError(Exception):
    """A file that could not be read or parsed; the message is one line."""


def might_contain_finding(source: bytes, table: KerasTable = DEFAULT_TABLE) -> bool:
    """A cheap byte test: every finding needs a Keras import and a dropout or recurrent layer."""
    if table.custom:
        markers: Iterable[bytes] = (*IMPORT_MARKERS, *(q.encode() for q in table.custom))
        if not any(m in source for m in markers):
            return False
    elif not any(m in source for m in IMPORT_MARKERS):
        return False
    return any(m in source for m in layer_markers(table))


def _text(source: bytes | str) -> str:
    if isinstance(source, str):
        return source
    try:
        return source.decode("utf-8-sig")
    except UnicodeDecodeError:
        return source.decode("latin-1")


def _raw(source: bytes | str) -> bytes:
    return source.encode("utf-8", "surrogatepass") if isinstance(source, str) else source


def parse(source: bytes | str, legacy: bool = False) -> cst.Module:
    """The libcst module; with ``legacy``, Python 2 scripts are rewritten (see static.legacy)."""
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        error = LintError(
            f"syntax error at line {exc.raw_line}, column {exc.raw_column + 1}: {exc.message}"
        )
        rewritten = python2_to_3(_text(source)) if legacy else None
        if rewritten is None:
            raise error from None
        try:
            return cst.parse_module(rewritten)
        except cst.ParserSyntaxError:
            raise error from None
    except UnicodeDecodeError as exc:
        raise LintError(f"cannot decode the file ({exc.reason}); declare its encoding") from None
    except (SyntaxError, LookupError) as exc:
        raise LintError(f"cannot decode the file: {exc}") from None
    except RecursionError:
        raise LintError("nested too deeply to parse") from None


def graph_of(source: bytes | str, path: str = "-", table: KerasTable = DEFAULT_TABLE) -> LayerGraph:
    """The static layer graph of a source text."""
    module = parse(source, legacy=True)
    raw = _raw(source)
    try:
        return build_graph(module, raw, path, table)
    except RecursionError:
        raise LintError("nested too deeply to analyse") from None


def check_graph(graph: LayerGraph, settings: Settings = Settings()) -> list[Finding]:
    """Run the selected rules over a graph, however it was built."""
    best: dict[tuple[str, int, int, int | None], Finding] = {}
    for rule in settings.selection.rules():
        for found in rule.check(graph):
            # One finding per code and place: the same line can be reached in several contexts.
            key = (found.code, found.row, found.col, found.cell)
            kept = best.get(key)
            if kept is None or (found.certain and not kept.certain):
                best[key] = found
    findings = [f for f in best.values() if f.certain or settings.report_uncertain]
    return sorted(findings, key=lambda f: f.sort_key)


def lint_source(source: bytes | str, path: str = "-", settings: Settings = Settings()) -> list[Finding]:
    """Findings for one source text. Raises :class:`LintError` when it cannot be parsed."""
    raw = _raw(source)
    if settings.prefilter and not might_contain_finding(raw, settings.table):
        return []
    return check_graph(graph_of(source, path, settings.table), settings)


def lint_file(path: str | os.PathLike[str], settings: Settings = Settings()) -> FileResult:
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            source = handle.read()
    except OSError as exc:
        return FileResult(name, error=exc.strerror or str(exc))
    try:
        return FileResult(name, tuple(lint_source(source, name, settings)))
    except LintError as exc:
        return FileResult(name, error=str(exc))
    except Exception as exc:  # one bad file must not stop the run
        return FileResult(name, error=f"internal error, please report it: {type(exc).__name__}: {exc}")


def lint_paths(
    paths: Iterable[str | os.PathLike[str]],
    settings: Settings = Settings(),
    exclude: Iterable[str] = (),
) -> Iterator[FileResult]:
    """Lint files and folders (recursing into ``*.py``), in a deterministic order."""
    for item in discover([Path(p) for p in paths], tuple(exclude)):
        if isinstance(item, FileResult):
            yield item
        else:
            yield lint_file(item, settings)
