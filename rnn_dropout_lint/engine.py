"""The pipeline: source -> CST -> layer graph -> findings, for strings, files and trees."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from .files import discover
from .findings import CellProblem, FileResult, Finding
from .graph import LayerGraph
from .keras_table import DEFAULT_TABLE, IMPORT_MARKERS, KerasTable
from .noqa import apply_noqa
from .rules import Selection
from .static.interpreter import build_graph
from .static.legacy import repaired
from .static.positions import Positions

if TYPE_CHECKING:
    import ast

    from .notebook import Script


@dataclass(frozen=True)
class Settings:
    """What to check and how."""

    selection: Selection = field(default_factory=Selection)
    report_uncertain: bool = False
    table: KerasTable = DEFAULT_TABLE
    # Skip files that cannot hold a finding before parsing them (never changes results).
    prefilter: bool = True
    # Plan a fix for each finding in this style ("spatial", "noise-shape", "merge"); None: don't.
    fix_style: str | None = None
    # Honour noqa comments (flake8 does that itself for the plugin).
    noqa: bool = True


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
    return any(m in source for m in table.layer_markers)


def _text(source: bytes | str) -> str:
    if isinstance(source, str):
        return source
    try:
        return source.decode("utf-8-sig")
    except UnicodeDecodeError:
        return source.decode("latin-1")


def _raw(source: bytes | str) -> bytes:
    return source.encode("utf-8", "surrogatepass") if isinstance(source, str) else source


MAX_NESTING = 500  # CPython stops at 200 brackets; libcst's native parser crashes near 1,300


def _nesting(raw: bytes) -> int:
    """The deepest bracket nesting, counted naively (strings too): an upper bound, and cheap."""
    depth = deepest = 0
    for byte in raw.translate(None, _NOT_BRACKETS):
        depth += 1 if byte in b"([{" else -1
        deepest = max(deepest, depth)
    return deepest


_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"()[]{}")


_PARSING = threading.Lock()


def _parse_module(source: bytes | str) -> cst.Module:
    """``libcst.parse_module`` without re-validating each node the parser builds.

    Every libcst node validates itself in ``__post_init__``, a sixth of the parse time,
    and the parser only builds valid nodes (libcst's own PERF note says validation
    could be skipped there). The hook is swapped back before anything else runs here;
    the lock keeps two of our threads from saving each other's no-op as the original.
    """
    base = cst.CSTNode
    with _PARSING:
        validate = base.__dict__.get("__post_init__")
        if validate is None:  # a libcst without the hook: nothing to skip
            return cst.parse_module(source)
        base.__post_init__ = _no_validation  # type: ignore[method-assign]
        try:
            return cst.parse_module(source)
        finally:
            base.__post_init__ = validate  # type: ignore[method-assign]


def _no_validation(self: cst.CSTNode) -> None:
    pass


def parse(source: bytes | str, legacy: bool = False, nesting: bool = True) -> tuple[cst.Module, bool]:
    """The libcst module, and whether it is a Python 2 script rewritten for analysis only.

    ``nesting=False``: the caller has measured the bracket nesting already (a notebook's
    cells, each on its own).
    """
    if nesting and _nesting(_raw(source)) > MAX_NESTING:
        raise LintError(f"nested too deeply to parse (more than {MAX_NESTING} levels of brackets)")
    try:
        return _parse_module(source), False
    except cst.ParserSyntaxError as exc:
        error = LintError(f"syntax error at line {exc.raw_line}, column {exc.raw_column + 1}: {exc.message}")
        rewritten = repaired(_text(source), python2=legacy)
        if rewritten is None:
            raise error from None
        try:
            return _parse_module(rewritten), True
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
    graph = analyze(source, path, Settings(table=table, prefilter=False, noqa=False)).graph
    assert graph is not None
    return graph


def check_graph(graph: LayerGraph, settings: Settings = Settings()) -> list[Finding]:
    """Run the selected rules over a graph, however it was built."""
    best: dict[tuple[object, ...], Finding] = {}
    for rule in settings.selection.rules():
        for found in rule.check(graph):
            # One finding per code and place: the same line can be reached in several contexts.
            # Runtime nodes without a source line are told apart by their layer name.
            name = found.node.name if found.node is not None else None
            key = (found.code, found.path, found.row, found.col, found.cell, name)
            kept = best.get(key)
            if kept is None or (found.certain and not kept.certain):
                best[key] = found
    findings = [f for f in best.values() if f.certain or settings.report_uncertain]
    return sorted(findings, key=lambda f: f.sort_key)


@dataclass
class Analysis:
    """One source text through the pipeline; ``module`` is None when the prefilter skipped it."""

    findings: list[Finding]
    module: cst.Module | None = None
    graph: LayerGraph | None = None
    legacy: bool = False  # a Python 2 script, analysed but never fixed


def analyze(
    source: bytes | str,
    path: str = "-",
    settings: Settings = Settings(),
    script: Script | None = None,
    tree: ast.Module | None = None,
) -> Analysis:
    """Parse, build the graph, run the rules and, if asked, plan fixes.

    ``script`` is given for a notebook's code cells: findings then carry cell-relative
    rows, while fix edits keep the rows of the script, which is what gets edited.
    ``tree`` is the stdlib ``ast`` of the same source when the caller has one (flake8 does).
    Raises :class:`LintError` when the source cannot be parsed.
    """
    if isinstance(source, bytes):
        check_decodable(source)
    if settings.prefilter and not might_contain_finding(_raw(source), settings.table):
        return Analysis([])
    # A parse allocates hundreds of thousands of acyclic nodes; the cyclic garbage collector
    # would rescan them over and over (60% of the parse time). It runs again between files.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _analyze(source, path, settings, script, tree)
    except RecursionError:
        raise LintError("nested too deeply to analyse") from None
    finally:
        if collecting:
            gc.enable()


def _analyze(
    source: bytes | str, path: str, settings: Settings, script: Script | None, tree: ast.Module | None
) -> Analysis:
    module, legacy = parse(source, legacy=script is None, nesting=script is None)
    positions = Positions(module, source, None if legacy else tree)
    cell_of = script.locate if script is not None else None
    graph = build_graph(module, _raw(source), path, settings.table, positions, cell_of)
    findings = check_graph(graph, settings)
    if settings.noqa:
        findings = apply_noqa(findings, _text(source), script.script_row if script is not None else None)
    if settings.fix_style is not None and findings and not legacy:
        from .fix.planner import FixContext, plan_fixes

        context = FixContext(module, graph, positions, _text(source), settings.fix_style)
        findings = plan_fixes(findings, context)
    return Analysis(findings, module, graph, legacy)


def check_decodable(raw: bytes) -> None:
    """Binary files and undecodable text are errors, even where the prefilter would skip them."""
    if b"\x00" in raw:
        raise LintError("a binary file, not Python source (it contains NUL bytes)")
    try:
        raw.decode("utf-8")
        return
    except UnicodeDecodeError as exc:
        position = exc.start
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:
        raise LintError(f"cannot decode the file: {exc}") from None
    if encoding in ("utf-8", "utf-8-sig"):
        raise LintError(f"cannot decode the file: not valid UTF-8 (byte {position}) and no encoding declared")
    try:
        raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise LintError(f"not valid {encoding}, the encoding it declares: {exc}") from None


def lint_source(
    source: bytes | str, path: str = "-", settings: Settings = Settings(), tree: ast.Module | None = None
) -> list[Finding]:
    """Findings for one source text. Raises :class:`LintError` when it cannot be parsed.

    ``tree``, the stdlib ``ast`` of the same source if the caller already has it, saves a parse.
    """
    return analyze(source, path, settings, tree=tree).findings


def read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise LintError(exc.strerror or str(exc)) from None


def internal_error(exc: Exception) -> str:
    return f"internal error, please report it: {type(exc).__name__}: {exc}"


def check_notebook(
    text: str, path: str = "-", settings: Settings = Settings()
) -> tuple[list[Finding], list[CellProblem]]:
    """Findings for a notebook's code cells (cell-relative positions), and the cells that
    could not be analysed. Raises :class:`LintError` when the file is not a notebook."""
    from .notebook import NotebookError, lint

    try:
        return lint(text, path, settings)
    except NotebookError as exc:
        raise LintError(str(exc)) from None


def lint_notebook(text: str, path: str = "-", settings: Settings = Settings()) -> list[Finding]:
    """Findings for a notebook's code cells, with cell-relative positions."""
    return check_notebook(text, path, settings)[0]


def lint_file(path: str | os.PathLike[str], settings: Settings = Settings()) -> FileResult:
    name = os.fspath(path)
    try:
        raw = read_bytes(name)
        problems: list[CellProblem] = []
        if name.endswith(".ipynb"):
            found, problems = check_notebook(_text(raw), name, settings)
        else:
            found = lint_source(raw, name, settings)
        # Without their graph nodes, findings no longer keep the file's whole CST alive.
        return FileResult(name, tuple(replace(f, node=None) for f in found), problems=tuple(problems))
    except LintError as exc:
        return FileResult(name, error=str(exc))
    except Exception as exc:  # one bad file must not stop the run
        return FileResult(name, error=internal_error(exc))


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
