"""``rnn-dropout-lint server``: the Language Server Protocol adapter (pygls, over stdio).

Each open Python file or notebook is analysed in one worker thread, off the event loop:
at once on open and save, after a short pause while it is being typed into. A result for
a version older than the buffer's is dropped; a buffer that does not parse keeps its last
good diagnostics. Settings come from the file's ``pyproject.toml`` as the CLI resolves
them, with the client's settings (fix style, uncertain findings, unsafe fixes) on top.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls import uris
from pygls.lsp.server import LanguageServer

from .. import config as cfg
from .._version import __version__
from ..engine import LintError, Settings, internal_error
from ..findings import Edit, Finding
from ..fix.styles import STYLES
from ..noqa import noqa_edit
from ..rules import RULES
from . import documents
from .documents import Cell, Checked

NAME = "rnn-dropout-lint"
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.{NAME}"
DEBOUNCE = 0.03  # seconds of quiet typing before a changed buffer is analysed
_ROLES = {"source": "fed by {}", "target": "feeds {}"}
_T = TypeVar("_T")
_WARNING, _INFORMATION = types.DiagnosticSeverity.Warning, types.DiagnosticSeverity.Information


@dataclass(frozen=True)
class ClientSettings:
    """What the client may set (``initializationOptions`` or ``workspace/configuration``)."""

    fix_style: str | None = None
    report_uncertain: bool | None = None
    unsafe_fixes: bool = False

    @classmethod
    def read(cls, raw: Any) -> tuple[ClientSettings, list[str]]:
        """The settings in ``raw`` (flat, or under ``"rnn-dropout-lint"``) and what was wrong."""
        if isinstance(raw, dict) and isinstance(raw.get(NAME), dict):
            raw = raw[NAME]
        if not isinstance(raw, dict):
            return cls(), []
        problems = []
        style = raw.get("fixStyle")
        if style is not None and style not in STYLES:
            problems.append(f"fixStyle must be one of {', '.join(STYLES)}, not {style!r}")
            style = None
        flags = {}
        for key in ("reportUncertain", "unsafeFixes"):
            value = raw.get(key)
            if value is not None and not isinstance(value, bool):
                problems.append(f"{key} must be true or false, not {value!r}")
                value = None
            flags[key] = value
        return cls(style, flags["reportUncertain"], bool(flags["unsafeFixes"])), problems


@dataclass
class _Snapshot:
    """A buffer as it was when its analysis started (the worker never reads the live one)."""

    uri: str  # the text document, or the notebook
    version: int | None
    path: str
    text: str | None = None  # a Python file
    cells: list[Cell] | None = None  # a notebook
    uris: list[str] = field(default_factory=list)  # the notebook's cell documents, in order
    split: dict[str, list[str]] = field(default_factory=dict, repr=False)  # uri -> its lines

    def lines(self, uri: str) -> list[str]:
        """The lines of the buffer, or of its cell ``uri``, split once (every position needs them)."""
        if uri not in self.split:
            if self.text is not None:
                self.split[uri] = _lines(self.text)
            else:
                self.split[uri] = (
                    _lines(self.cells[self.uris.index(uri)].text) if self.cells is not None else []
                )
        return self.split[uri]


@dataclass
class _State:
    snapshot: _Snapshot  # the last one analysed successfully
    checked: Checked
    published: dict[str, list[types.Diagnostic]]


class RdlServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            NAME,
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=types.NotebookDocumentSyncOptions(
                notebook_selector=[
                    types.NotebookDocumentFilterWithCells(
                        notebook="*", cells=[types.NotebookCellLanguage(language="python")]
                    )
                ],
                save=True,
            ),
        )
        self.client_settings = ClientSettings()
        self.resolver = self._resolver()
        self.worker = ThreadPoolExecutor(1, thread_name_prefix="rdl-analysis")
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.tasks: set[asyncio.Future[None]] = set()
        self.states: dict[str, _State] = {}
        self.told: set[str] = set()  # configuration errors shown already

    # -- settings ----------------------------------------------------------------------------
    def _resolver(self) -> cfg.SettingsResolver:
        client = self.client_settings
        overrides = cfg.Overrides(report_uncertain=client.report_uncertain, fix_style=client.fix_style)
        return cfg.SettingsResolver(overrides)

    def configure(self, raw: Any) -> None:
        settings, problems = ClientSettings.read(raw)
        for problem in problems:
            self.tell(f"{NAME}: settings: {problem}", types.MessageType.Warning)
        if settings != self.client_settings:
            self.client_settings = settings
            self.reload()

    def reload(self) -> None:
        """Read the configuration files afresh and analyse every open buffer again."""
        self.resolver = self._resolver()
        self.told.clear()
        for key in self.open_keys():
            self.schedule(key, 0)

    def settings_for(self, path: str) -> Settings | None:
        try:
            return self.resolver.for_path(Path(path))
        except (cfg.ConfigError, ValueError) as exc:
            self.tell(f"{NAME}: {exc}", types.MessageType.Error)
            return None

    def tell(self, message: str, kind: types.MessageType) -> None:
        if message not in self.told:
            self.told.add(message)
            self.window_show_message(types.ShowMessageParams(kind, message))
        self.window_log_message(types.LogMessageParams(kind, message))

    # -- buffers -----------------------------------------------------------------------------
    def open_keys(self) -> list[str]:
        notebooks = self.workspace.notebook_documents
        cells = {c.document for nb in notebooks.values() for c in nb.cells}
        texts = [uri for uri in self.workspace.text_documents if uri not in cells]
        return [*texts, *notebooks]

    def key_of(self, uri: str) -> str:
        """The buffer a document belongs to: a notebook for a cell, else the document itself."""
        book = self.workspace.get_notebook_document(cell_uri=uri)
        return book.uri if book is not None else uri

    def snapshot(self, key: str) -> _Snapshot | None:
        book = self.workspace.get_notebook_document(notebook_uri=key)
        if book is not None:
            cells, cell_uris = [], []
            for cell in book.cells:
                code = cell.kind == types.NotebookCellKind.Code
                text = self.workspace.get_text_document(cell.document).source if code else ""
                order = cell.execution_summary.execution_order if cell.execution_summary else None
                cells.append(Cell("code" if code else "markdown", text, order))
                cell_uris.append(cell.document)
            return _Snapshot(key, book.version, _path(key, ".ipynb"), cells=cells, uris=cell_uris)
        doc = self.workspace.text_documents.get(key)
        if doc is None or (doc.language_id != "python" and not key.endswith((".py", ".pyi"))):
            return None
        return _Snapshot(key, doc.version, _path(key, ".py"), text=doc.source)

    def current_version(self, key: str) -> int | None:
        book = self.workspace.get_notebook_document(notebook_uri=key)
        if book is not None:
            return book.version
        doc = self.workspace.text_documents.get(key)
        return doc.version if doc is not None else None

    # -- analysis ----------------------------------------------------------------------------
    def schedule(self, key: str, delay: float) -> None:
        """Analyse ``key`` after ``delay`` seconds; a later call for it replaces this one."""
        timer = self.timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        self.timers[key] = asyncio.get_running_loop().call_later(delay, self._start, key)

    def _start(self, key: str) -> None:
        task = asyncio.ensure_future(self.analyse(key))
        self.tasks.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self.tasks.discard)

    async def run(self, work: Callable[[], _T]) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self.worker, work)

    async def analyse(self, key: str) -> None:
        self.timers.pop(key, None)
        snap = self.snapshot(key)
        if snap is None:
            return
        settings = self.settings_for(snap.path)
        if settings is None:
            return
        try:
            checked = await self.run(lambda: _check(snap, settings))
        except LintError as exc:  # a half-typed buffer: its last good diagnostics stay
            why = f"{snap.path} (version {snap.version}) does not parse, its last diagnostics stay: {exc}"
            self.window_log_message(types.LogMessageParams(types.MessageType.Info, why))
            return
        except Exception as exc:  # never let one buffer stop the server
            self.window_log_message(types.LogMessageParams(types.MessageType.Error, internal_error(exc)))
            return
        if self.current_version(key) != snap.version:
            return  # stale: the buffer changed meanwhile and its own analysis is on its way
        self.publish(key, snap, checked)

    def publish(self, key: str, snap: _Snapshot, checked: Checked) -> None:
        old = self.states.get(key)
        published: dict[str, list[types.Diagnostic]] = {}
        targets = snap.uris if snap.cells is not None else [snap.uri]
        for index, uri in enumerate(targets, start=1):
            if index in checked.broken and old is not None:
                published[uri] = old.published.get(uri, [])  # this cell's last good diagnostics
                continue
            found = [f for f in checked.findings if snap.cells is None or f.cell == index]
            published[uri] = [self.diagnostic(f, snap, uri) for f in found]
        for uri in old.published if old is not None else ():
            if uri not in published:
                published[uri] = []  # a cell that is gone
        for uri, diagnostics in published.items():
            version = snap.version if snap.cells is None else None
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, diagnostics, version))
        self.states[key] = _State(snap, checked, {u: d for u, d in published.items() if u in targets})

    def forget(self, key: str) -> None:
        timer = self.timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        state = self.states.pop(key, None)
        for uri in state.published if state is not None else ():
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    # -- protocol values ---------------------------------------------------------------------
    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    def range(self, lines: list[str], row: int, col: int, end_row: int, end_col: int) -> types.Range:
        return types.Range(
            _position(lines, row, col, self.encoding), _position(lines, end_row, end_col, self.encoding)
        )

    def diagnostic(self, found: Finding, snap: _Snapshot, uri: str) -> types.Diagnostic:
        rule = RULES.get(found.code)
        return types.Diagnostic(
            range=self.range(snap.lines(uri), found.row, found.col, found.end_row, found.end_col),
            message=found.short or found.message,
            severity=_WARNING if found.certain else _INFORMATION,
            code=found.code,
            code_description=types.CodeDescription(href=rule.url) if rule is not None else None,
            source=NAME,
            related_information=self.related(found, snap, uri) or None,
        )

    def related(self, found: Finding, snap: _Snapshot, uri: str) -> list[types.DiagnosticRelatedInformation]:
        out = []
        for layer in found.layers:
            if layer.role not in _ROLES or layer.row is None or layer.col is None:  # the finding's own
                continue
            where, lines = uri, snap.lines(uri)
            if layer.path is not None:
                where, lines = uris.from_fs_path(os.path.abspath(layer.path)) or uri, []
            elif layer.cell is not None and snap.cells is not None and layer.cell <= len(snap.uris):
                where = snap.uris[layer.cell - 1]
                lines = snap.lines(where)
            spot = self.range(lines, layer.row, layer.col, layer.row, layer.col)
            text = _ROLES[layer.role].format(layer.kind)
            out.append(types.DiagnosticRelatedInformation(types.Location(where, spot), text))
        return out

    def workspace_edit(self, snap: _Snapshot, edits: Iterable[tuple[str, Edit]]) -> types.WorkspaceEdit:
        by_uri: dict[str, list[types.TextEdit]] = {}
        for uri, e in edits:
            spot = self.range(snap.lines(uri), e.row, e.col, e.end_row, e.end_col)
            by_uri.setdefault(uri, []).append(types.TextEdit(spot, e.content))
        caps = self.client_capabilities.workspace
        if caps and caps.workspace_edit and caps.workspace_edit.document_changes:
            version = snap.version if snap.cells is None else None
            return types.WorkspaceEdit(
                document_changes=[
                    types.TextDocumentEdit(types.OptionalVersionedTextDocumentIdentifier(u, version), list(c))
                    for u, c in by_uri.items()
                ]
            )
        return types.WorkspaceEdit(changes=by_uri)

    # -- code actions ------------------------------------------------------------------------
    async def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        key = self.key_of(uri)
        state = self.states.get(key)
        if state is None or state.snapshot.version != self.current_version(key):
            return []  # only the findings of the buffer as it is now have edits that fit it
        snap, unsafe = state.snapshot, self.client_settings.unsafe_fixes
        index = snap.uris.index(uri) + 1 if snap.cells is not None and uri in snap.uris else None
        wanted = params.context.only
        actions: list[types.CodeAction] = []
        checked = await self.with_edits(state)
        if snap.version != self.current_version(key):
            return []
        if _wants(wanted, types.CodeActionKind.QuickFix):
            source = "".join(snap.lines(uri))
            for found in checked.findings:
                if index is not None and found.cell != index:
                    continue
                diagnostic = self.diagnostic(found, snap, uri)
                given = any(
                    d.code == found.code and d.range == diagnostic.range for d in params.context.diagnostics
                )
                if not given and not _overlaps(diagnostic.range, params.range):
                    continue
                if documents.fixable(found, unsafe):
                    assert found.fix is not None
                    edits = [(snap.uris[e.cell - 1] if e.cell else uri, e) for e in found.fix.edits]
                    actions.append(
                        types.CodeAction(
                            title=f"{NAME} ({found.code}): {found.fix.message}",
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diagnostic],
                            edit=self.workspace_edit(snap, edits),
                            is_preferred=found.fix.applicability == "safe",
                        )
                    )
                silence = noqa_edit(source, found.row, found.code)
                if silence is not None:
                    actions.append(
                        types.CodeAction(
                            title=f"{NAME} ({found.code}): add noqa for this line",
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diagnostic],
                            edit=self.workspace_edit(snap, [(uri, silence)]),
                        )
                    )
        if _wants(wanted, FIX_ALL) and any(documents.fixable(f, unsafe) for f in checked.findings):
            fix_all = await self.fix_all(state, unsafe)
            if fix_all is not None:
                actions.append(fix_all)
        return actions

    async def with_edits(self, state: _State) -> Checked:
        """The state's findings with their fixes' edits (an analysis of the same snapshot)."""
        if state.checked.edits or not state.checked.findings:
            return state.checked
        settings = self.settings_for(state.snapshot.path)
        if settings is None:
            return state.checked
        with contextlib.suppress(LintError):  # it parsed a moment ago, with the same settings
            state.checked = await self.run(lambda: _check(state.snapshot, settings, edits=True))
        return state.checked

    async def fix_all(self, state: _State, unsafe: bool) -> types.CodeAction | None:
        snap = state.snapshot
        settings = self.settings_for(snap.path)
        if settings is None:
            return None
        try:
            if snap.text is not None:
                text = snap.text
                after = await self.run(lambda: documents.fix_all_text(text, snap.path, settings, unsafe))
                edits = [(snap.uri, documents.smallest_edit(text, after))] if after != text else []
            else:
                cells = snap.cells or []
                changed = await self.run(lambda: documents.fix_all_cells(cells, snap.path, settings, unsafe))
                edits = []
                for i, fixed in changed.items():
                    edits.append((snap.uris[i - 1], documents.smallest_edit(cells[i - 1].text, fixed)))
        except LintError:
            return None
        if not edits or self.current_version(snap.uri) != snap.version:
            return None
        return types.CodeAction(
            title=f"{NAME}: fix all findings", kind=FIX_ALL, edit=self.workspace_edit(snap, edits)
        )


def _check(snap: _Snapshot, settings: Settings, edits: bool = False) -> Checked:
    if snap.text is not None:
        return documents.check_text(snap.text, snap.path, settings, edits)
    return documents.check_cells(snap.cells or [], snap.path, settings, edits)


def _path(uri: str, suffix: str) -> str:
    """The file a buffer is (or would be saved as): its settings and project are found from it."""
    path = uris.to_fs_path(uri)
    if path is not None and not uri.startswith("untitled:"):
        return path
    name = re.sub(r"[^\w.-]", "_", uri.rsplit("/", 1)[-1].rsplit(":", 1)[-1]) or "untitled"
    return os.path.join(os.getcwd(), name if name.endswith(suffix) else name + suffix)


def _lines(text: str) -> list[str]:
    """Lines as LSP and Python count them: ``\\n``, ``\\r\\n`` and ``\\r`` end a line."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def _position(lines: list[str], row: int, col: int, encoding: str) -> types.Position:
    """A 1-based code-point (row, col) as a 0-based LSP position in the client's units."""
    if row > len(lines):
        return types.Position(len(lines), 0)
    before = lines[row - 1].rstrip("\r\n")[: col - 1]
    if encoding == types.PositionEncodingKind.Utf8:
        units = len(before.encode("utf-8", "surrogatepass"))
    elif encoding == types.PositionEncodingKind.Utf32:
        units = len(before)
    else:
        units = len(before) + sum(1 for c in before if ord(c) > 0xFFFF)
    return types.Position(row - 1, units)


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def at(p: types.Position) -> tuple[int, int]:
        return p.line, p.character

    return at(a.start) <= at(b.end) and at(b.start) <= at(a.end)


def _wants(only: list[str] | None, kind: str) -> bool:
    """Whether a request limited to ``only`` kinds asks for ``kind`` (kinds are hierarchical)."""
    return only is None or any(kind == k or kind.startswith(f"{k}.") for k in only)


def create() -> RdlServer:
    server = RdlServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: RdlServer, params: types.InitializeParams) -> None:
        ls.configure(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: RdlServer, params: types.InitializedParams) -> None:
        caps = ls.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps is not None else None
        if watched is not None and watched.dynamic_registration:
            patterns = ("**/pyproject.toml", "**/*.py", "**/*.json")  # configs the analysis reads
            await ls.client_register_capability_async(
                types.RegistrationParams(
                    [
                        types.Registration(
                            f"{NAME}-files",
                            types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            types.DidChangeWatchedFilesRegistrationOptions(
                                [types.FileSystemWatcher(glob_pattern=p) for p in patterns]
                            ),
                        )
                    ]
                )
            )
        if caps is not None and caps.configuration:
            await _pull_configuration(ls)

    # Python files and notebooks go through the same four events; a buffer is known by its uri.
    for method, document, event in (
        (types.TEXT_DOCUMENT_DID_OPEN, "text_document", _opened),
        (types.TEXT_DOCUMENT_DID_CHANGE, "text_document", _changed),
        (types.TEXT_DOCUMENT_DID_SAVE, "text_document", _saved),
        (types.TEXT_DOCUMENT_DID_CLOSE, "text_document", RdlServer.forget),
        (types.NOTEBOOK_DOCUMENT_DID_OPEN, "notebook_document", _opened),
        (types.NOTEBOOK_DOCUMENT_DID_CHANGE, "notebook_document", _changed),
        (types.NOTEBOOK_DOCUMENT_DID_SAVE, "notebook_document", _saved),
        (types.NOTEBOOK_DOCUMENT_DID_CLOSE, "notebook_document", RdlServer.forget),
    ):
        server.feature(method)(_on_buffer(document, event))

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def configuration(ls: RdlServer, params: types.DidChangeConfigurationParams) -> None:
        caps = ls.client_capabilities.workspace
        if params.settings or caps is None or not caps.configuration:
            ls.configure(params.settings)
        else:
            await _pull_configuration(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: RdlServer, params: types.DidChangeWatchedFilesParams) -> None:
        # A configuration file, or a module other buffers import, changed on disk.
        ls.reload()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    async def code_action(ls: RdlServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return await ls.code_actions(params)

    return server


def _on_buffer(document: str, event: Callable[[RdlServer, str], None]) -> Callable[[RdlServer, Any], None]:
    def handler(ls: RdlServer, params: Any) -> None:
        event(ls, getattr(params, document).uri)

    return handler


def _opened(ls: RdlServer, key: str) -> None:
    ls.schedule(key, 0)


def _changed(ls: RdlServer, key: str) -> None:
    ls.schedule(key, DEBOUNCE)


def _saved(ls: RdlServer, key: str) -> None:
    ls.schedule(key, 0)
    for other in ls.open_keys():  # a saved module can change what the buffers importing it find
        if other != key:
            ls.schedule(other, DEBOUNCE)


async def _pull_configuration(ls: RdlServer) -> None:
    try:
        answer = await ls.workspace_configuration_async(
            types.ConfigurationParams([types.ConfigurationItem(section=NAME)])
        )
    except Exception as exc:  # a client that does not answer: keep what we have
        ls.window_log_message(types.LogMessageParams(types.MessageType.Warning, f"configuration: {exc}"))
        return
    if answer and isinstance(answer[0], dict):
        ls.configure(answer[0])


def serve() -> None:
    logging.basicConfig(level=logging.WARNING)
    create().start_io()
