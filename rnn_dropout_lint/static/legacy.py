"""A second chance for Python 2 scripts (Keras 1/2 era tutorials): analysis only, never fixes.

The most common Python 2 statements are rewritten into their Python 3 form on
the same line, so the line numbers of every layer stay exact. Files that still
do not parse are reported with the original syntax error.
"""

from __future__ import annotations

import re

_PRINT = re.compile(r"^(?P<indent>[ \t]*)print\b(?![ \t]*\()(?P<rest>[^#\n]*?)(?P<comment>[ \t]*#.*)?$")
_PRINT_TO = re.compile(r"^\s*>>\s*[^,]+,?\s*")
_EXEC = re.compile(r"^(?P<indent>[ \t]*)exec\b(?![ \t]*\()(?P<rest>[^#\n]*)$")
_EXCEPT = re.compile(r"^(?P<head>[ \t]*except\s+[^:,]+?)\s*,\s*(?P<name>\w+)\s*:")
_RAISE = re.compile(r"^(?P<head>[ \t]*raise\s+[\w.]+)\s*,\s*(?P<arg>[^#\n]+?)\s*$")
_LONG = re.compile(r"\b(\d+)[lL]\b")


def _line(line: str) -> str:
    match = _PRINT.match(line)
    if match:
        rest = _PRINT_TO.sub("", match["rest"].strip())
        return f"{match['indent']}print({rest}){match['comment'] or ''}"
    match = _EXEC.match(line)
    if match:
        return f"{match['indent']}exec({match['rest'].strip()})"
    line = _EXCEPT.sub(r"\g<head> as \g<name>:", line)
    line = _RAISE.sub(r"\g<head>(\g<arg>)", line)
    return _LONG.sub(r"\1", line.replace("<>", "!="))


def python2_to_3(text: str) -> str | None:
    """The text with Python 2 statements rewritten, or None when nothing looked like Python 2."""
    lines = text.splitlines(keepends=True)
    changed = False
    out = []
    for line in lines:
        body = line.rstrip("\r\n")
        new = _line(body)
        changed = changed or new != body
        out.append(new + line[len(body) :])
    return "".join(out) if changed else None
