"""Text-level plumbing for fixes: decoding files as Python does, applying edits, writing safely."""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass

from ..findings import Edit

_NEWLINE = re.compile(r"\r\n|\r|\n")


class EditConflict(ValueError):
    """Two edits overlap."""


@dataclass(frozen=True)
class SourceFile:
    """A file's text and what it takes to write it back byte for byte (encoding, BOM)."""

    text: str
    encoding: str  # "utf-8-sig" keeps a BOM

    @classmethod
    def decode(cls, raw: bytes) -> SourceFile:
        """Decode as the interpreter would: BOM, then the coding cookie, then UTF-8."""
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return cls(raw.decode(encoding), encoding)

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)


def line_starts(text: str) -> list[int]:
    """Offsets where each line starts, splitting only where Python (and libcst) do."""
    return [0, *(m.end() for m in _NEWLINE.finditer(text))]


def split_lines(text: str) -> list[str]:
    return _NEWLINE.split(text)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits; raises EditConflict when two overlap."""
    starts = line_starts(text)

    def offset(row: int, col: int) -> int:  # a row past the end means the end of the text
        return starts[row - 1] + col - 1 if row <= len(starts) else len(text)

    spans = sorted(
        ((offset(e.row, e.col), offset(e.end_row, e.end_col), e.content) for e in edits),
        reverse=True,
    )
    out = text
    previous_start = len(text) + 1
    for start, end, content in spans:
        if end > previous_start:
            raise EditConflict(f"overlapping edits at offset {start}")
        out = out[:start] + content + out[end:]
        previous_start = start
    return out


def overlaps(a: Iterable[Edit], b: Iterable[Edit]) -> bool:
    def key(e: Edit) -> tuple[tuple[int, int], tuple[int, int]]:
        return (e.row, e.col), (e.end_row, e.end_col)

    return any((key(x)[0] < key(y)[1] and key(y)[0] < key(x)[1]) or key(x) == key(y) for x in a for y in b)


TEMP_PREFIX = ".rnn-dropout-lint-"
TEMP_SUFFIX = ".tmp"


class ChangedUnderneath(Exception):
    """The file changed since it was read: another run (or an editor) got there first."""


def write_atomic(path: str, data: bytes, expected: bytes | None = None) -> None:
    """Replace ``path`` with ``data`` in one step, keeping its permissions: old or new, never half.

    With ``expected``, the file must still hold those bytes right before the replace, else
    :class:`ChangedUnderneath` is raised and nothing is written.
    """
    folder = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode
    # The pid in the name lets a later run tell a dead run's leftover from a live one's file.
    handle, temporary = tempfile.mkstemp(
        prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=TEMP_SUFFIX, dir=folder
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode & 0o7777)
        if expected is not None:
            with open(path, "rb") as current:
                if current.read() != expected:
                    raise ChangedUnderneath(path)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def remove_stale_temporaries(folder: str) -> None:
    """Delete temporary files left in ``folder`` by runs that were killed (their pid is gone)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not (name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)):
            continue
        pid = name[len(TEMP_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and _alive(int(pid)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(folder, name))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
