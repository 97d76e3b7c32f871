"""The pipeline: source -> CST -> layer graph -> findings, for strings, files and trees."""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from . import depth, rules
from .ast_cst import Origins, Unsupported, cst_from_ast
from .files import DEFAULT_MAX_FILE_SIZE, discover, read_regular
from .findings import CellProblem, FileResult, Finding
from .graph import LayerGraph
from .keras_table import DEFAULT_TABLE, KerasTable, might_contain_finding
from .native_parse import parse_native
from .noqa import apply_noqa
from .rules import Selection
from .static.interpreter import build_graph
from .static.positions import Positions
from .static.project import Loader, project_for

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
    # Larger files are not read (0: no limit); a tenth of it may be code (see depth.code_size).
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    # The line length the project's ruff/black/flake8 enforce: fix-added imports wrap to it.
    line_length: int | None = None
    # Compute each fix's edits, not only whether there is one (text output needs the ``[*]``
    # only; edits need every node's position, which costs a render of the module).
    fix_edits: bool = True
    # Follow imports of the project's own modules, and run the files that import this one
    # (read from disk, never imported or executed).
    follow_imports: bool = True


class LintError(Exception):
    """A file that could not be read or parsed; the message is one line."""


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


def _parse_module(source: bytes | str) -> cst.Module:
    """``libcst.parse_module``, never on a source nested deeper than its native parser can
    take (raises :class:`~.depth.TooDeep`); a deep one runs on a large stack. Under
    :func:`analyze` the depth is checked once, before the parse."""
    if depth.checked():
        return parse_native(source)
    found = depth.check(_raw(source))
    return depth.call_deep(found.depth, lambda: parse_native(source))


def parse(source: bytes | str, legacy: bool = False, nesting: bool = True) -> tuple[cst.Module, str | None]:
    """The libcst module, and what was rewritten for analysis only (Python 2 statements, tab
    indentation, IPython syntax) when libcst could not read the text as written.

    ``nesting=False``: the caller has measured the bracket nesting already (a notebook's
    cells, each on its own).
    """
    if nesting and _nesting(_raw(source)) > MAX_NESTING:
        raise LintError(f"nested too deeply to parse (more than {MAX_NESTING} levels of brackets)")
    try:
        return _parse_module(source), None
    except cst.ParserSyntaxError as exc:
        row, col, message = syntax_error_position(_text(source), exc)
        error = LintError(f"syntax error at line {row}, column {col}: {message}")
        from .static.legacy import repaired  # the rewriter is needed only by files libcst rejects

        rewritten = repaired(_text(source), python2=legacy)
        if rewritten is None:
            raise error from None
        try:
            return _parse_module(rewritten[0]), rewritten[1]
        except cst.ParserSyntaxError:
            raise error from None
    except UnicodeDecodeError as exc:
        raise LintError(f"cannot decode the file ({exc.reason}); declare its encoding") from None
    except (SyntaxError, LookupError) as exc:
        raise LintError(f"cannot decode the file: {exc}") from None
    except depth.TooDeep as exc:
        raise LintError(str(exc)) from None
    except RecursionError:
        raise LintError("nested too deeply to parse") from None


_LIBCST_POSITION = re.compile(r"^(?:parser error: )?error at (\\d+):(\\d+): ")


def syntax_error_position(text: str, exc: cst.ParserSyntaxError) -> tuple[int, int, str]:
    """One position and one message for a source libcst cannot parse (1-based row, column).

    libcst's message repeats a second position of its own ("error at 3:4: expected one of
    ..."); CPython's error names the place people look at, as ruff and flake8 show it.
    """
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as error:
        if error.lineno and error.msg:
            return error.lineno, max(error.offset or 1, 1), error.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    # CPython accepts it (or cannot say where): libcst's own position, said once.
    message = exc.message
    match = _LIBCST_POSITION.match(message)
    if match is None:
        return exc.raw_line, exc.raw_column + 1, message
    return int(match[1]), max(int(match[2]), 1), message[match.end() :]


def graph_of(source: bytes | str, path: str = "-", table: KerasTable = DEFAULT_TABLE) -> LayerGraph:
    """The static layer graph of a source text."""
    graph = analyze(source, path, Settings(table=table, prefilter=False, noqa=False)).graph
    assert graph is not None
    return graph


def check_graph(graph: LayerGraph, settings: Settings = Settings()) -> list[Finding]:
    """Run the selected rules over a graph, however it was built."""
    return rules.check(graph, settings.selection, settings.report_uncertain)


@dataclass
class Analysis:
    """One source text through the pipeline; ``module`` is None when the prefilter skipped it."""

    findings: list[Finding]
    module: cst.Module | None = None
    graph: LayerGraph | None = None
    legacy: bool = False  # analysed through a rewritten copy (Python 2, tabs, IPython), never fixed


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
    try:  # before libcst's native parser, which a deep source crashes (SIGSEGV)
        nested = depth.check(_raw(source))
    except depth.TooDeep as exc:
        raise LintError(str(exc)) from None
    _check_size(_raw(source), settings.max_file_size)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return depth.call_deep(nested.depth, lambda: _analyze(source, path, settings, script, tree))
    except depth.TooDeep as exc:
        raise LintError(str(exc)) from None
    except RecursionError:
        raise LintError("nested too deeply to analyse") from None
    except ValueError as exc:
        if "integer string conversion" not in str(exc):
            raise
        raise LintError(_long_integer(_text(source))) from None
    finally:
        if collecting:
            gc.enable()


def _check_size(raw: bytes, max_file_size: int) -> None:
    """Memory grows with the code, about 800 bytes per byte: a file whose code is over a
    tenth of the size limit is refused before it is parsed, whoever read it."""
    from .files import _size

    limit = max_file_size // depth.CODE_SHARE
    if not limit or len(raw) <= limit:
        return
    code = depth.code_size(raw)
    if code > limit:
        raise LintError(
            f"too much code to analyse in bounded memory: {_size(code)} outside strings and "
            f"comments, over the {_size(limit)} a {_size(max_file_size)} --max-file-size allows"
        )


def _long_integer(text: str) -> str:
    """Why a file with an integer literal over Python's digit limit is not analysed."""
    import sys

    digits = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 4300
    match = re.search(rf"(?<![\w.])\d[\d_]{{{digits},}}", text)
    row = text.count("\n", 0, match.start()) + 1 if match else 0
    where = f" at line {row}" if row else ""
    return f"an integer literal of more than {digits:,} digits{where}, which Python refuses too"


def _analyze(
    source: bytes | str, path: str, settings: Settings, script: Script | None, tree: ast.Module | None
) -> Analysis:
    built = _from_tree(tree, source) if tree is not None and settings.fix_style is None else None
    origins: Origins | None = None
    rewritten: str | None = None
    if built is not None:
        module, origins = built
    else:
        module, rewritten = parse(source, legacy=script is None, nesting=script is None)
    legacy = rewritten is not None
    positions = Positions(module, source, None if legacy else tree, origins)
    cell_of = script.locate if script is not None else None
    project = None
    if settings.follow_imports:
        project = project_for(path, _module_loader(settings), settings.table.is_framework)
    graph = build_graph(module, _raw(source), path, settings.table, positions, cell_of, project)
    # Layers of other project files count as neighbours; their own findings are theirs to report.
    findings = [f for f in check_graph(graph, settings) if f.path == path]
    if settings.noqa:
        findings = apply_noqa(findings, _text(source), script.script_row if script is not None else None)
    if settings.fix_style is not None and findings and legacy:
        reason = f"analysed with its {rewritten} rewritten; such files are never fixed"
        findings = [replace(f, no_fix=reason) for f in findings]
    elif settings.fix_style is not None and findings:
        from .fix.planner import FixContext, plan_fixes

        context = FixContext(
            module,
            graph,
            positions,
            _text(source),
            settings.fix_style,
            settings.line_length,
            edits=settings.fix_edits,
        )
        findings = plan_fixes(findings, context)
    return Analysis(findings, module, graph, legacy)


def _from_tree(tree: ast.Module, source: bytes | str) -> tuple[cst.Module, Origins] | None:
    """CPython has parsed the source (flake8 does for its plugins) and no fix will be written:
    the CST is built from its tree, a tenth of libcst's parse (see ast_cst)."""
    try:
        return cst_from_ast(tree, _text(source))
    except Unsupported:
        return None


def _module_loader(settings: Settings) -> Loader:
    """How the project's other modules are read: as the checked files are, with their limits,
    and None for one that cannot be analysed (the importer goes on with what is known)."""

    def load(path: str) -> tuple[cst.Module, bytes] | None:
        try:
            raw = read_regular(path, settings.max_file_size)
            check_decodable(raw)
            if not depth.shallow(raw):
                return None  # parsed on this stack only when shallow
            _check_size(raw, settings.max_file_size)
            return parse(raw, legacy=True)[0], raw
        except (LintError, OSError, ValueError, RecursionError):
            return None

    return load


_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def _wide_encoding(raw: bytes) -> str | None:
    """UTF-16 or UTF-32 text (by its BOM, or ASCII with a NUL after or before every
    character), which Python cannot read source in."""
    for bom, name in _WIDE_BOMS:
        if raw.startswith(bom):
            return name
    head = raw[:400]
    if len(head) >= 4 and head[1::2].count(0) == len(head) // 2 and head[0::2].count(0) == 0:
        return "UTF-16"
    if len(head) >= 4 and head[0::2].count(0) == (len(head) + 1) // 2 and head[1::2].count(0) == 0:
        return "UTF-16"
    return None


def check_decodable(raw: bytes) -> None:
    """Binary files and undecodable text are errors, even where the prefilter would skip them."""
    wide = _wide_encoding(raw)
    if wide is not None:
        raise LintError(
            f"{wide}-encoded text; Python reads source as UTF-8 or an ASCII-based encoding it declares"
        )
    if b"\x00" in raw:
        raise LintError("a binary file, not Python source (it contains NUL bytes)")
    import io
    import tokenize

    try:  # the cookie counts even when the bytes are UTF-8: ``coding: utf-16`` on ASCII text
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:
        raise LintError(f"cannot decode the file: {exc}") from None
    if not _ascii_based(encoding):
        raise LintError(
            f"declares the encoding {encoding}, which Python cannot read source in (it is not ASCII-based)"
        )
    try:
        raw.decode("utf-8")
        return
    except UnicodeDecodeError as exc:
        position = exc.start
    if encoding in ("utf-8", "utf-8-sig"):
        raise LintError(f"cannot decode the file: not valid UTF-8 (byte {position}) and no encoding declared")
    try:
        raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise LintError(f"not valid {encoding}, the encoding it declares: {exc}") from None


def _ascii_based(encoding: str) -> bool:
    """Whether ASCII text reads as itself in ``encoding``, as CPython requires of a cookie."""
    sample = b"# -*- coding: x -*-\nimport keras\n"
    try:
        return sample.decode(encoding) == sample.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        return False


def lint_source(
    source: bytes | str, path: str = "-", settings: Settings = Settings(), tree: ast.Module | None = None
) -> list[Finding]:
    """Findings for one source text. Raises :class:`LintError` when it cannot be parsed.

    ``tree``, the stdlib ``ast`` of the same source if the caller already has it, saves a parse.
    """
    return analyze(source, path, settings, tree=tree).findings


def read_bytes(path: str, limit: int = DEFAULT_MAX_FILE_SIZE) -> bytes:
    """A regular file's bytes (never a FIFO or a device), at most ``limit`` of them."""
    try:
        return read_regular(path, limit)
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
        raw = read_bytes(name, settings.max_file_size)
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
