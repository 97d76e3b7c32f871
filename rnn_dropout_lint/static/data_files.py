"""Configuration files the code reads by a literal path: ``json.load(open("config.json"))``.

A script that builds its layers from a shipped ``config.json`` is judged with that file's
values, as it runs by default. Only data is read (JSON, through the standard library's
parser), never code; only regular files inside the project (or the reading file's folder),
at most :data:`MAX_DATA_FILE` bytes. A relative path is looked up from the reading file's
folder, then from the project root: the two places a script is usually run from.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from ..files import read_regular
from .values import TOP, Const, DataFile, DictVal, TupleVal

MAX_DATA_FILE = 1 << 20
READ_MODES = frozenset({"r", "rt", "tr"})


def open_builtin(interp: Any, pos: list[Any], kw: dict[str, Any], site: Any) -> Any:
    """``open("config.json")`` / ``open(path, "r")``: a file known by name, opened to read text."""
    path = pos[0] if pos else kw.get("file", TOP)
    mode = pos[1] if len(pos) > 1 else kw.get("mode", Const("r"))
    if not (isinstance(path, Const) and isinstance(path.value, str)):
        return TOP
    if not (isinstance(mode, Const) and mode.value in READ_MODES):
        return TOP
    return DataFile(path.value)


def json_load(interp: Any, pos: list[Any]) -> Any:
    """``json.load(f)`` of a :class:`DataFile`; ``json.loads(text)`` of a literal."""
    if not pos:
        return TOP
    if isinstance(pos[0], Const) and isinstance(pos[0].value, str):
        return _decoded(pos[0].value)
    reader = interp.reading_file()
    if not isinstance(pos[0], DataFile) or not reader:
        return TOP
    located = _locate(pos[0].path, reader, interp.project.root if interp.project else None)
    if located is None:
        return TOP
    try:
        info = os.stat(located)
    except OSError:
        return TOP
    return _load(located, info.st_mtime_ns, info.st_size)


READERS = {"json.load": json_load, "json.loads": json_load}


def _locate(path: str, reader: str, root: str | None) -> str | None:
    """The real path of ``path`` as the file ``reader`` names it; None outside the project."""
    folder = os.path.dirname(reader)
    fence = os.path.realpath(root or folder)
    bases = [folder] if os.path.isabs(path) else [folder, *([root] if root else [])]
    for base in bases:
        candidate = os.path.realpath(os.path.join(base, path))
        if os.path.commonpath([candidate, fence]) == fence and os.path.isfile(candidate):
            return candidate
    return None


@functools.lru_cache(maxsize=64)
def _load(path: str, mtime_ns: int, size: int) -> Any:
    """The decoded file, cached by its stamp (values are immutable, so analyses may share it)."""
    try:
        raw = read_regular(path, MAX_DATA_FILE)
    except OSError:
        return TOP
    try:
        return _decoded(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return TOP


def _decoded(text: str) -> Any:
    import json  # only code that reads JSON pays for the parser

    try:
        return _value(json.loads(text))
    except (ValueError, RecursionError):
        return TOP


def _value(data: Any) -> Any:
    """JSON as the interpreter's values: objects are dicts, arrays tuples, the rest literals."""
    if isinstance(data, dict):
        return DictVal(tuple((key, _value(item)) for key, item in data.items()))
    if isinstance(data, list):
        return TupleVal(tuple(_value(item) for item in data))
    return Const(data)
