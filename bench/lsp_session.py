"""Drive ``rnn-dropout-lint server`` as an editor would and time it (used by bench/run.py).

Opens one model file, then changes it ``changes`` times, one keystroke-sized edit at a time,
each sent once the diagnostics of the one before arrived: the time from a change to its
diagnostics is what a user waits for. The server's resident memory is read after the first
tenth of the changes and at the end. Prints one JSON object.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls import uris
from pygls.lsp.client import LanguageClient


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def session(server: list[str], path: Path, changes: int) -> dict[str, float]:
    client = LanguageClient("rdl-bench", "1")
    arrived: dict[int, float] = {}
    waiting: dict[int, asyncio.Future[None]] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None:
            arrived[params.version] = time.perf_counter()
            future = waiting.pop(params.version, None)
            if future is not None and not future.done():
                future.set_result(None)

    async def until(version: int) -> None:
        if version not in arrived:
            waiting[version] = asyncio.get_running_loop().create_future()
            await asyncio.wait_for(waiting[version], 60)

    await client.start_io(*server, cwd=str(path.parent))
    root = uris.from_fs_path(str(path.parent))
    await client.initialize_async(
        types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=root)
    )
    client.initialized(types.InitializedParams())
    uri = uris.from_fs_path(str(path)) or ""
    text = path.read_text()
    opened = types.TextDocumentItem(uri, "python", 1, text)
    client.text_document_did_open(types.DidOpenTextDocumentParams(opened))
    await until(1)
    pid = client._server.pid  # type: ignore[union-attr]
    lines = text.splitlines(keepends=True)
    latencies, early = [], 0.0
    for version in range(2, changes + 2):
        # Type a comment character at the end of the first line, then take it back.
        line = lines[0].rstrip("\n") + ("#" if version % 2 == 0 else "")
        change = types.TextDocumentContentChangePartial(
            types.Range(types.Position(0, 0), types.Position(1, 0)), line + "\n"
        )
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(version, uri), [change])
        )
        await until(version)
        latencies.append(arrived[version] - sent)
        if version == changes // 10 + 1:
            early = rss_mb(pid)
    late = rss_mb(pid)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {
        "lines": len(lines),
        "median_ms": statistics.median(latencies) * 1000,
        "p90_ms": sorted(latencies)[int(len(latencies) * 0.9)] * 1000,
        "rss_early_mb": early,
        "rss_late_mb": late,
    }


if __name__ == "__main__":
    command, target, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    print(json.dumps(asyncio.run(session([command, "server"], target, count))))
