"""The language server, driven over stdio by a real LSP client (pytest-lsp's, on pygls).

Every test starts the installed ``rnn-dropout-lint server`` process, speaks the protocol to
it as an editor would (capabilities recorded from VS Code and Neovim, or JupyterLab's
notebook sync), applies the edits it answers with to its own copy of the text, and sends
the result back, as an editor does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls import uris
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, default_converter, register_lsp_features

WAIT = 120  # seconds: a guard against a hung server, never a performance expectation

BUGGY = """\
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    layers.LSTM(64, return_sequences=True),
    layers.Dropout(0.3),
    layers.LSTM(32),
    layers.Dense(1),
])
"""
DROPOUT_LINE = 5  # 0-based


class Editor:
    """A client session plus what an editor keeps: its buffers, versions and every message."""

    def __init__(self, client: LanguageClient, root: Path) -> None:
        self.client, self.root = client, root
        self.published: list[types.PublishDiagnosticsParams] = []
        self.logs: list[str] = []
        self.registrations: list[types.Registration] = []
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}
        self.waiters: list[tuple[Any, asyncio.Future[Any]]] = []

    # -- what arrives ------------------------------------------------------------------------
    def arrived(self, item: Any) -> None:
        for test, future in list(self.waiters):
            if not future.done() and test(item):
                future.set_result(item)
                self.waiters.remove((test, future))

    async def until(self, test: Any, *, start: int = 0) -> Any:
        """The first message from ``start`` on (published diagnostics or log text) that passes."""
        for item in [*self.published[start:], *self.logs]:
            if test(item):
                return item
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiters.append((test, future))
        return await asyncio.wait_for(future, WAIT)

    async def diagnostics(
        self, uri: str, version: int | None = None, start: int = 0
    ) -> list[types.Diagnostic]:
        def test(item: Any) -> bool:
            return (
                isinstance(item, types.PublishDiagnosticsParams)
                and item.uri == uri
                and (version is None or item.version == version)
            )

        return list((await self.until(test, start=start)).diagnostics)

    # -- what an editor sends ----------------------------------------------------------------
    def open(self, name: str, text: str, language: str = "python") -> str:
        path = self.root / name
        path.write_text(text)
        uri = uris.from_fs_path(str(path))
        assert uri is not None
        self.texts[uri], self.versions[uri] = text, 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, language, 1, text))
        )
        return uri

    def change(self, uri: str, text: str) -> int:
        self.versions[uri] += 1
        self.texts[uri] = text
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(self.versions[uri], uri),
                [types.TextDocumentContentChangeWholeDocument(text)],
            )
        )
        return self.versions[uri]

    async def actions(self, uri: str, line: int, only: list[str] | None = None) -> list[types.CodeAction]:
        answer = await self.client.text_document_code_action_async(
            types.CodeActionParams(
                types.TextDocumentIdentifier(uri),
                types.Range(types.Position(line, 0), types.Position(line + 1, 0)),
                types.CodeActionContext([], only=only),
            )
        )
        return [a for a in answer or [] if isinstance(a, types.CodeAction)]

    def apply(self, edit: types.WorkspaceEdit) -> dict[str, str]:
        """The texts the edit turns the buffers into (applied as an editor applies them)."""
        changes: dict[str, list[types.TextEdit]] = {}
        for doc in edit.document_changes or []:
            assert isinstance(doc, types.TextDocumentEdit)
            changes.setdefault(doc.text_document.uri, []).extend(doc.edits)  # type: ignore[arg-type]
        for uri, edits in (edit.changes or {}).items():
            changes.setdefault(uri, []).extend(edits)
        return {uri: apply_edits(self.texts[uri], edits) for uri, edits in changes.items()}


def offset(text: str, position: types.Position) -> int:
    """A UTF-16 LSP position as an index into ``text``."""
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = index = 0
    while units < position.character and index < len(line):
        units += 2 if ord(line[index]) > 0xFFFF else 1
        index += 1
    return start + index


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    spans = sorted(
        ((offset(text, e.range.start), offset(text, e.range.end), e.new_text) for e in edits), reverse=True
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def server_command() -> list[str]:
    found = shutil.which("rnn-dropout-lint", path=os.path.dirname(sys.executable))
    assert found, "the rnn-dropout-lint entry point is not installed"
    return [found, "server"]


@contextlib.asynccontextmanager
async def session(
    root: Path,
    editor: str = "visual-studio-code",
    options: Any = None,
    configuration: dict[str, Any] | None = None,
    command: list[str] | None = None,
) -> AsyncIterator[Editor]:
    client = LanguageClient(converter_factory=default_converter)
    ed = Editor(client, root)

    def publish(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        ed.published.append(params)
        ed.arrived(params)

    def log(ls: LanguageClient, params: types.LogMessageParams) -> None:
        ed.logs.append(params.message)
        ed.arrived(params.message)

    def register(ls: LanguageClient, params: types.RegistrationParams) -> None:
        ed.registrations.extend(params.registrations)

    register_lsp_features(
        client,
        {
            **DEFAULT_CLIENT_FEATURES,
            types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish,
            types.WINDOW_LOG_MESSAGE: log,
            types.CLIENT_REGISTER_CAPABILITY: register,
        },
    )
    if configuration is not None:
        client.set_configuration(configuration)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    await client.start_io(*(command or server_command()), cwd=str(root), env=env)
    caps = client_capabilities(editor) if editor != "minimal" else types.ClientCapabilities()
    await client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            root_uri=uris.from_fs_path(str(root)),
            workspace_folders=[types.WorkspaceFolder(uris.from_fs_path(str(root)) or "", root.name)],
            initialization_options=options,
        )
    )
    try:
        yield ed
    finally:
        process = client._server
        await client.shutdown_session()
        if process is not None:
            assert await asyncio.wait_for(process.wait(), WAIT) == 0  # shutdown leaves no process behind


# -- Python files ------------------------------------------------------------------------------


async def test_diagnostic_quick_fix_and_the_diagnostic_goes(tmp_path: Path) -> None:
    async with session(tmp_path) as ed:
        uri = ed.open("model.py", BUGGY)
        (diag,) = await ed.diagnostics(uri, 1)
        assert diag.code == "RDL001" and diag.source == "rnn-dropout-lint"
        assert diag.range.start == types.Position(DROPOUT_LINE, 4)
        assert diag.code_description is not None and "rdl001" in diag.code_description.href.lower()
        assert diag.severity == types.DiagnosticSeverity.Warning
        related = {(r.message, r.location.range.start.line) for r in diag.related_information or []}
        assert related == {("fed by LSTM", 4), ("feeds LSTM", 6)}

        actions = await ed.actions(uri, DROPOUT_LINE)
        fixes = [a for a in actions if a.kind == types.CodeActionKind.QuickFix and "noqa" not in a.title]
        assert len(fixes) == 1 and fixes[0].is_preferred
        assert fixes[0].diagnostics and fixes[0].diagnostics[0].code == "RDL001"
        fixed = ed.apply(fixes[0].edit)[uri]  # type: ignore[arg-type]
        assert "SpatialDropout1D(0.3)" in fixed and "layers.Dropout(" not in fixed
        version = ed.change(uri, fixed)
        assert await ed.diagnostics(uri, version) == []


async def test_the_same_edits_as_check_fix(tmp_path: Path, cli: str) -> None:
    """The quick fix and "fix all" write what ``check --fix`` writes, in the chosen style."""
    on_disk = tmp_path / "cli" / "model.py"
    on_disk.parent.mkdir()
    on_disk.write_text(BUGGY)
    subprocess.run([cli, "check", "--fix", "--fix-style", "noise-shape", str(on_disk)], capture_output=True)
    async with session(tmp_path, options={"fixStyle": "noise-shape"}) as ed:
        uri = ed.open("model.py", BUGGY)
        await ed.diagnostics(uri, 1)
        (fix_all,) = await ed.actions(uri, 0, only=[types.CodeActionKind.SourceFixAll])
        assert fix_all.kind == "source.fixAll.rnn-dropout-lint"
        assert ed.apply(fix_all.edit)[uri] == on_disk.read_text()  # type: ignore[arg-type]
        quick = [a for a in await ed.actions(uri, DROPOUT_LINE) if "noqa" not in a.title]
        assert ed.apply(quick[0].edit)[uri] == on_disk.read_text()  # type: ignore[arg-type]


async def test_add_noqa_silences_the_line(tmp_path: Path) -> None:
    async with session(tmp_path) as ed:
        uri = ed.open("model.py", BUGGY)
        await ed.diagnostics(uri, 1)
        (noqa,) = [a for a in await ed.actions(uri, DROPOUT_LINE) if "noqa" in a.title]
        silenced = ed.apply(noqa.edit)[uri]  # type: ignore[arg-type]
        assert silenced.splitlines()[DROPOUT_LINE] == "    layers.Dropout(0.3),  # noqa: RDL001"
        version = ed.change(uri, silenced)
        assert await ed.diagnostics(uri, version) == []


async def test_a_half_typed_buffer_keeps_its_last_good_diagnostics(tmp_path: Path) -> None:
    async with session(tmp_path) as ed:
        uri = ed.open("model.py", BUGGY)
        good = await ed.diagnostics(uri, 1)
        half = BUGGY.replace("layers.Dense(1),", "layers.Dense(1,")
        start = len(ed.published)
        broken = ed.change(uri, half)
        await ed.until(lambda m: isinstance(m, str) and f"version {broken}" in m and "does not parse" in m)
        assert all(p.version != broken for p in ed.published[start:])  # nothing replaced them
        assert await ed.actions(uri, DROPOUT_LINE) == []  # no edits for a text they do not fit
        again = ed.change(uri, BUGGY.replace("0.3", "0.4"))
        assert [d.code for d in await ed.diagnostics(uri, again)] == [d.code for d in good]


async def test_rapid_changes_publish_only_the_newest(tmp_path: Path) -> None:
    async with session(tmp_path) as ed:
        uri = ed.open("model.py", BUGGY)
        await ed.diagnostics(uri, 1)
        start = len(ed.published)
        for rate in range(1, 30):
            last = ed.change(uri, BUGGY.replace("0.3", f"0.{rate}"))
        await ed.diagnostics(uri, last, start=start)
        versions = [p.version for p in ed.published[start:] if p.uri == uri]
        assert versions == sorted(versions) and versions[-1] == last


async def test_configuration_file_and_client_settings(tmp_path: Path) -> None:
    uncertain = BUGGY.replace(
        "layers.LSTM(64, return_sequences=True)", "layers.LSTM(64, return_sequences=flag)"
    )
    uncertain = "import sys\nflag = len(sys.argv) > 1\n" + uncertain
    async with session(tmp_path, configuration={"rnn-dropout-lint": {}}) as ed:
        uri = ed.open("model.py", uncertain)
        assert await ed.diagnostics(uri, 1) == []  # uncertain findings are off by default
        (tmp_path / "pyproject.toml").write_text("[tool.rnn-dropout-lint]\nreport-uncertain = true\n")
        start = len(ed.published)
        ed.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                [
                    types.FileEvent(
                        uris.from_fs_path(str(tmp_path / "pyproject.toml")) or "",
                        types.FileChangeType.Created,
                    )
                ]
            )
        )
        (diag,) = await ed.diagnostics(uri, 1, start=start)
        assert diag.code == "RDL001" and diag.severity == types.DiagnosticSeverity.Information
        # The client's settings override the file's.
        ed.client.set_configuration({"rnn-dropout-lint": {"reportUncertain": False}})
        start = len(ed.published)
        ed.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        assert await ed.diagnostics(uri, 1, start=start) == []
    assert any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES for r in ed.registrations)


CLEAN_STACK = {
    "layers": [{"type": "lstm", "units": 64}, {"type": "dropout", "rate": 0.2}, {"type": "dense", "units": 1}]
}


async def test_a_changed_json_configuration_rechecks_open_buffers(tmp_path: Path) -> None:
    # stack.py's layers come from configs/stack.json, which train.py (an importer) reads.
    project = tmp_path / "project"
    shutil.copytree(Path(__file__).parent / "projects" / "json_config", project)
    config = project / "configs" / "stack.json"
    async with session(project) as ed:
        uri = ed.open("models/stack.py", (project / "models" / "stack.py").read_text())
        (diag,) = await ed.diagnostics(uri, 1)
        assert diag.code == "RDL001" and diag.range.start.line == 11
        config.write_text(json.dumps(CLEAN_STACK))  # the dropout now follows the last LSTM
        start = len(ed.published)
        event = types.FileEvent(uris.from_fs_path(str(config)) or "", types.FileChangeType.Changed)
        ed.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([event]))
        assert await ed.diagnostics(uri, 1, start=start) == []
    watchers = [
        r.register_options for r in ed.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    ]
    assert "**/*.json" in str(watchers)


async def test_a_broken_configuration_is_one_clear_message(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.rnn-dropout-lint]\nselect = ["RDL999"]\n')
    async with session(tmp_path) as ed:
        ed.open("model.py", BUGGY)
        message = await ed.until(lambda m: isinstance(m, str) and "RDL999" in m)
        assert "pyproject.toml" in message or "RDL999" in message


async def test_only_python_buffers_are_analysed(tmp_path: Path) -> None:
    async with session(tmp_path) as ed:
        ed.open("notes.md", BUGGY, language="markdown")
        uri = ed.open("model.py", BUGGY)
        await ed.diagnostics(uri, 1)
        assert {p.uri for p in ed.published} == {uri}


# -- notebooks ---------------------------------------------------------------------------------

CELLS = [
    ("code", "from tensorflow import keras\nfrom tensorflow.keras import layers\n"),
    ("markdown", "# The model"),
    ("code", "model = keras.Sequential()\nmodel.add(layers.LSTM(64, return_sequences=True))\n"),
    ("code", "model.add(layers.Dropout(0.3))\nmodel.add(layers.LSTM(32))\n"),
]


def open_notebook(ed: Editor, name: str, cells: list[tuple[str, str]]) -> list[str]:
    path = ed.root / name
    nb_uri = uris.from_fs_path(str(path)) or ""
    cell_uris = [f"vscode-notebook-cell:{path}#cell{i}" for i in range(len(cells))]
    for uri, (_, text) in zip(cell_uris, cells, strict=True):
        ed.texts[uri], ed.versions[uri] = text, 1
    ed.versions[nb_uri] = 1
    ed.client.notebook_document_did_open(
        types.DidOpenNotebookDocumentParams(
            types.NotebookDocument(
                nb_uri,
                "jupyter-notebook",
                1,
                [
                    types.NotebookCell(
                        types.NotebookCellKind.Code if kind == "code" else types.NotebookCellKind.Markup, uri
                    )
                    for uri, (kind, _) in zip(cell_uris, cells, strict=True)
                ],
            ),
            [
                types.TextDocumentItem(uri, "python" if kind == "code" else "markdown", 1, text)
                for uri, (kind, text) in zip(cell_uris, cells, strict=True)
            ],
        )
    )
    return [nb_uri, *cell_uris]


def change_cell(ed: Editor, nb_uri: str, cell_uri: str, text: str) -> int:
    ed.versions[nb_uri] += 1
    ed.versions[cell_uri] += 1
    ed.texts[cell_uri] = text
    ed.client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            types.VersionedNotebookDocumentIdentifier(ed.versions[nb_uri], nb_uri),
            types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    text_content=[
                        types.NotebookDocumentCellContentChanges(
                            types.VersionedTextDocumentIdentifier(ed.versions[cell_uri], cell_uri),
                            [types.TextDocumentContentChangeWholeDocument(text)],
                        )
                    ]
                )
            ),
        )
    )
    return ed.versions[nb_uri]


async def test_notebook_cells_get_their_own_diagnostics_and_fixes(tmp_path: Path) -> None:
    async with session(tmp_path) as ed:
        nb_uri, *cell_uris = open_notebook(ed, "model.ipynb", CELLS)
        (diag,) = await ed.diagnostics(cell_uris[3])
        assert diag.code == "RDL001" and diag.range.start == types.Position(0, 10)  # row in its cell
        related = {(r.location.uri, r.location.range.start.line) for r in diag.related_information or []}
        assert related == {(cell_uris[2], 1), (cell_uris[3], 1)}
        fixes = [a for a in await ed.actions(cell_uris[3], 0) if "noqa" not in a.title]
        fixed = ed.apply(fixes[0].edit)  # type: ignore[arg-type]
        assert set(fixed) == {cell_uris[3]} and "SpatialDropout1D(0.3)" in fixed[cell_uris[3]]
        start = len(ed.published)
        change_cell(ed, nb_uri, cell_uris[3], fixed[cell_uris[3]])
        assert await ed.diagnostics(cell_uris[3], start=start) == []


async def test_notebook_fix_all_and_a_broken_cell(tmp_path: Path) -> None:
    cells = [*CELLS, ("code", "model.add(layers.Dropout(0.2))\nmodel.add(layers.GRU(8))\n")]
    async with session(tmp_path) as ed:
        nb_uri, *cell_uris = open_notebook(ed, "model.ipynb", cells)
        assert len(await ed.diagnostics(cell_uris[4])) == 1
        # A half-typed cell keeps its diagnostics; the other cells are still analysed.
        start = len(ed.published)
        change_cell(ed, nb_uri, cell_uris[4], "model.add(layers.Dropout(0.2)\nmodel.add(layers.GRU(8))\n")
        await ed.diagnostics(cell_uris[3], start=start)
        assert len(await ed.diagnostics(cell_uris[4], start=start)) == 1
        start = len(ed.published)
        change_cell(ed, nb_uri, cell_uris[4], cells[4][1])
        await ed.diagnostics(cell_uris[4], start=start)
        (fix_all,) = await ed.actions(cell_uris[3], 0, only=["source.fixAll"])
        fixed = ed.apply(fix_all.edit)  # type: ignore[arg-type]
        assert set(fixed) == {cell_uris[3], cell_uris[4]}
        assert all("SpatialDropout1D" in text for text in fixed.values())


# -- editors, as the README configures them ----------------------------------------------------


def readme_block(marker: str) -> str:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    start = readme.index(marker)
    fence = readme.index("```", start)
    body = readme.index("\n", fence) + 1
    return readme[body : readme.index("```", body)]


@pytest.mark.parametrize("editor", ["visual-studio-code", "neovim"])
async def test_editor_snippets_from_the_readme(tmp_path: Path, editor: str) -> None:
    if editor == "neovim":
        block = readme_block("<!-- lsp-neovim -->")
        command = json.loads("[" + block.split("cmd = {", 1)[1].split("}", 1)[0] + "]")
        settings = {"fixStyle": block.split('fixStyle = "', 1)[1].split('"', 1)[0]}
    else:
        block = json.loads(readme_block("<!-- lsp-vscode -->"))
        command = [block["glspc.server.command"], *block["glspc.server.commandArguments"]]
        settings = block["glspc.server.initializationOptions"]
    assert command[0] == "rnn-dropout-lint"
    command[0] = server_command()[0]
    async with session(tmp_path, editor=editor, options=settings, command=command) as ed:
        uri = ed.open("model.py", BUGGY)
        assert [d.code for d in await ed.diagnostics(uri, 1)] == ["RDL001"]
        fixes = [a for a in await ed.actions(uri, DROPOUT_LINE) if "noqa" not in a.title]
        assert settings["fixStyle"] in ("spatial", "noise-shape")
        expected = "SpatialDropout1D" if settings["fixStyle"] == "spatial" else "noise_shape=(None, 1, None)"
        assert expected in ed.apply(fixes[0].edit)[uri]  # type: ignore[arg-type]


async def test_jupyterlab_lsp_snippet_from_the_readme(tmp_path: Path) -> None:
    """jupyterlab-lsp sends a notebook as one Python document of its code cells (a virtual
    document beside the notebook), with no client capabilities beyond the basic ones."""
    spec = json.loads(readme_block("<!-- lsp-jupyterlab -->"))
    server = spec["LanguageServerManager"]["language_servers"]["rnn-dropout-lint"]
    assert server["languages"] == ["python"] and server["argv"][0] == "rnn-dropout-lint"
    command = [server_command()[0], *server["argv"][1:]]
    (tmp_path / ".virtual_documents").mkdir()
    joined = "\n\n\n".join(text for kind, text in CELLS if kind == "code")
    async with session(tmp_path, editor="minimal", command=command) as ed:
        uri = ed.open(".virtual_documents/model.ipynb", joined)
        (diag,) = await ed.diagnostics(uri, 1)
        assert diag.code == "RDL001"
        assert joined.splitlines()[diag.range.start.line] == "model.add(layers.Dropout(0.3))"
        (noqa,) = [a for a in await ed.actions(uri, diag.range.start.line) if "noqa" in a.title]
        assert "# noqa: RDL001" in ed.apply(noqa.edit)[uri]  # type: ignore[arg-type]


def test_check_never_imports_the_server(cli: str, tmp_path: Path) -> None:
    code = (
        "import sys, runpy; sys.argv = ['rnn-dropout-lint', 'check', sys.argv[1]]\n"
        "try:\n    runpy.run_module('rnn_dropout_lint', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')))"
    )
    (tmp_path / "model.py").write_text(BUGGY)
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "model.py")], capture_output=True, text=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
