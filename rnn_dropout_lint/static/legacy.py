"""A second chance for files libcst cannot parse: analysis only, never fixes.

Scripts saved from notebooks keep their magics (``%matplotlib inline``): those rows are
read as IPython reads them, as in a notebook cell.

Python 2 scripts (Keras 1/2 era tutorials): the most common Python 2 statements are
rewritten into their Python 3 form on the same line. Indentation that mixes tabs and
spaces, which CPython accepts and libcst's parser rejects (Instagram/LibCST#829), is
expanded the way CPython's tokenizer reads it (a tab moves to the next multiple of 8).
Line numbers stay exact; columns come from the stdlib ``ast`` of the original source.
Files that still do not parse are reported with the original syntax error.
"""

from __future__ import annotations

import re

from ..ipython_syntax import read_cell

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


def repaired(text: str, python2: bool) -> tuple[str, str] | None:
    """The text with what libcst cannot read rewritten and what was rewritten, or None when
    there was nothing to do."""
    done = []
    current = text
    expanded = _expand_indent_tabs(current)
    if expanded is not None:
        current, done = expanded, ["tab indentation"]
    rewritten = python2_to_3(current) if python2 else None
    if rewritten is not None:
        current, done = rewritten, [*done, "Python 2 statements"]
    magics = _without_ipython(current)
    if magics is not None:
        current, done = magics, [*done, "IPython syntax"]
    return (current, " and ".join(done)) if done else None


def _without_ipython(text: str) -> str | None:
    """A script saved from a notebook with its magics (``%matplotlib inline``, ``!pip``):
    the magics read as IPython reads them, each row where it was."""
    if "%" not in text and "!" not in text:
        return None
    reading = read_cell(text)
    if not reading.changed or reading.indented or reading.skipped:
        return None
    return "\n".join(reading.rows)


def _expand_indent_tabs(text: str) -> str | None:
    if "\t" not in text:
        return None
    lines = text.splitlines(keepends=True)
    out = []
    for line in lines:
        body = line.lstrip(" \t")
        indent = line[: len(line) - len(body)]
        out.append(indent.expandtabs(8) + body if "\t" in indent else line)
    expanded = "".join(out)
    return expanded if expanded != text else None


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
