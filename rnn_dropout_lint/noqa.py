"""``# noqa`` comments, read the way flake8 reads them.

``# noqa`` silences every code on its line, ``# noqa: RDL001,RDL9`` the codes it names
(or starting with them). A comment anywhere in a statement that spans several lines
covers all of them, and a line that is just ``# flake8: noqa`` silences the whole file.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable, Iterable

from .findings import Edit, Finding

_INLINE = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
_SPLIT = re.compile(r"[,\s]+")


def _statement_lines(lines: list[str]) -> dict[int, str]:
    """Line number -> the text of the whole statement (or comment line) it belongs to."""
    mapping: dict[int, str] = {}
    first, last = len(lines) + 2, -1
    try:
        tokens = tokenize.generate_tokens(io.StringIO("".join(lines)).readline)
        for kind, _, (start, _), (end, _), _ in tokens:
            if kind in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            first, last = min(first, start), max(last, end)
            if kind in (tokenize.NL, tokenize.NEWLINE):
                joined = "".join(lines[first - 1 : last])
                mapping.update(dict.fromkeys(range(first, last + 1), joined))
                first, last = len(lines) + 2, -1
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return {n: line for n, line in enumerate(lines, start=1)}
    return mapping


def suppressed(code: str, text: str) -> bool:
    match = _INLINE.search(text)
    if match is None:
        return False
    codes = match.group("codes")
    if codes is None:
        return True
    names = [c for c in _SPLIT.split(codes.strip()) if c]
    return code in names or code.startswith(tuple(names))


def apply_noqa(
    findings: Iterable[Finding], source: str, row_of: Callable[[int | None, int], int] | None = None
) -> list[Finding]:
    """The findings no ``# noqa`` comment silences (``row_of`` maps a notebook cell row to the script)."""
    findings = list(findings)
    if not findings or "noqa" not in source.lower():
        return findings
    lines = source.splitlines(keepends=True)
    if any(_FILE.match(line) for line in lines):
        return []
    statements = _statement_lines(lines)
    return [
        f
        for f in findings
        if not suppressed(f.code, statements.get(row_of(f.cell, f.row) if row_of else f.row, ""))
    ]


def noqa_edit(source: str, row: int, code: str) -> Edit | None:
    """The edit that silences ``code`` reported at ``row``: ``  # noqa: CODE`` at the end of
    the line, or of the first line after it in the same statement that can hold a comment (not
    inside a string, not continued by a backslash); a code list already there gets the code.
    None when the line is silenced already."""
    lines = source.splitlines(keepends=True)
    if not 1 <= row <= len(lines):
        return None
    row = _commentable(lines, row)
    line = lines[row - 1]
    content = line.rstrip("\r\n")
    match = _INLINE.search(content)
    if match is not None:
        if match.group("codes") is None or suppressed(code, content):
            return None
        end = match.end("codes")
        return Edit(f",{code}", row, end + 1, row, end + 1)
    kept = len(content.rstrip())
    return Edit(f"  # noqa: {code}", row, kept + 1, row, len(content) + 1)


def _commentable(lines: list[str], row: int) -> int:
    """The first row from ``row`` on whose end a comment can be added."""
    inside: set[int] = set()  # rows a token (a multi-line string) runs past the end of
    try:
        for _, _, (start, _), (end, _), _ in tokenize.generate_tokens(io.StringIO("".join(lines)).readline):
            inside.update(range(start, end))
            if start > row and start not in inside:
                break
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return row
    while row < len(lines) and (row in inside or lines[row - 1].rstrip("\r\n").endswith("\\")):
        row += 1
    return row
