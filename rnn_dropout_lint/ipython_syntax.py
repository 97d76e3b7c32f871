"""IPython's input syntax, read the way IPython reads it, without importing IPython.

A notebook's code cell is IPython input, not Python: ``%magic`` lines, ``!shell``
commands (continued with backslashes), ``files = !ls``, ``x = %who_ls``, ``obj?``
and ``??obj`` help, ``%%cell`` magics, and a common indent that IPython strips
before anything else. :func:`read_cell` turns a cell into Python text with the same
rows, where each IPython construct is replaced by plain Python of the same shape
and everything else is left exactly where it was, so the rows and columns of the
Python code are those of the cell.

It follows ``IPython.core.inputtransformer2.TransformerManager.transform_cell``
(IPython 8 and 9), which the tests use as the reference on real notebooks:

- cleanup: leading blank lines are ignored and the common leading indent of all
  lines is stripped (we keep the indent and put the cell under an ``if True:``);
- a first line ``%%name`` makes the whole cell one cell magic; the bodies of
  magics that run their body as IPython input (``%%time``, ``%%timeit``,
  ``%%capture``, ``%%prun``, ``%%debug``, ``%%memit``) are read again, the bodies
  of all others (``%%bash``, ``%%writefile``, ``%%html``, ...) are not Python;
- then, token-aware, at the start of each logical line only (never inside
  brackets, strings or comments, never on a continuation line): help with a
  trailing ``?``/``??``; an escape character as the first token (``! ? % , ; /``,
  the escaped command running on over backslash-continued lines); an assignment
  from a magic or a shell command (``x = %magic``, ``x = !cmd``).

Replacements: an escaped command becomes ``pass`` (its continuation lines become
empty); ``%time stmt``, ``%timeit [options] stmt`` and ``%prun [options] stmt``
become ``pass;`` followed by the statement, still in its own columns; an
assignment keeps its target and gets ``...`` as its value.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

# Escape characters IPython recognises as the first token of a logical line.
_ESCAPES = frozenset("!?%,;/")
# Cell magics whose body IPython runs as (transformed) IPython input.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit"})
# Line magics whose argument is a Python statement, after getopt-style options
# (the letters followed by ':' take a value).
_STATEMENT_MAGICS = {"time": "", "timeit": "n:r:tcp:qo", "prun": "D:l:rs:T:q"}
# IPython's line magics and default aliases: a one-line cell that starts with one of these
# names and is not Python runs the magic ("automagic", IPython's prefilter), e.g. ``pip
# install x``, ``ls data/``, ``cd ..``. Also the magics of common extensions and Colab.
AUTOMAGIC = frozenset(
    {
        "alias",
        "alias_magic",
        "autoawait",
        "autocall",
        "automagic",
        "bookmark",
        "cat",
        "cd",
        "code_wrap",
        "colors",
        "conda",
        "config",
        "cp",
        "debug",
        "dhist",
        "dirs",
        "doctest_mode",
        "ed",
        "edit",
        "env",
        "gui",
        "hist",
        "history",
        "killbgscripts",
        "ldir",
        "lf",
        "lk",
        "ll",
        "load",
        "load_ext",
        "loadpy",
        "logoff",
        "logon",
        "logstart",
        "logstate",
        "logstop",
        "ls",
        "lsmagic",
        "lx",
        "macro",
        "magic",
        "mamba",
        "matplotlib",
        "micromamba",
        "mkdir",
        "mv",
        "notebook",
        "page",
        "pastebin",
        "pdb",
        "pdef",
        "pdoc",
        "pfile",
        "pinfo",
        "pinfo2",
        "pip",
        "popd",
        "pprint",
        "precision",
        "prun",
        "psearch",
        "psource",
        "pushd",
        "pwd",
        "pycat",
        "pylab",
        "quickref",
        "recall",
        "rehashx",
        "reload_ext",
        "rep",
        "rerun",
        "reset",
        "reset_selective",
        "rm",
        "rmdir",
        "run",
        "save",
        "sc",
        "set_env",
        "sx",
        "system",
        "tb",
        "time",
        "timeit",
        "unalias",
        "unload_ext",
        "uv",
        "who",
        "who_ls",
        "whos",
        "xdel",
        "xmode",
        "autoreload",
        "aimport",
        "tensorboard",
        "tensorflow_version",
        "memit",
        "mprun",
        "lprun",
        "watermark",
        "sql",
        "store",
    }
)
# IPython's split of a line into escape, function and the rest (IPython.core.splitinput).
_LINE_SPLIT = re.compile(r"^(\s*)([,;/%]|!!?|\?\??)?\s*(%{0,2}[\w\.\*]*)(.*?$|$)")
_COMPOUND = re.compile(r"(?:async|class|def|for|if|try|while|with)\b")

# IPython's own pattern for ``obj?`` help (inputtransformer2._help_end_re).
_HELP_END = re.compile(
    r"""(%{0,2}
    (?!\d)[\w*]+            # Variable name
    (\.(?!\d)[\w*]+|\[-?[0-9]+\])*       # .etc.etc or [0], we only support literal integers.
    )
    (\?\??)$                # ? or ??
    """,
    re.VERBOSE,
)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SPACE = re.compile(r"[ \t\f]*")
_INDENT = re.compile(r"[ \t]*")
_TOKEN = re.compile(
    r"""
    (?P<comment>\#.*)
    |(?P<string>[rRbBuUfF]{0,2}(?:'''|\"\"\"|'|\"))
    |(?P<name>[^\W\d]\w*)
    |(?P<number>\.?\d[\w.]*)
    |(?P<op>\*\*=|//=|>>=|<<=|\.\.\.|->|:=|!=|==|<=|>=|[-+*/%@&|^]=|\*\*|//|<<|>>
        |[-+*/%@&|^~<>()\[\]{}.,:;=])
    |(?P<other>.)
    """,
    re.VERBOSE,
)
# The rest of a string after its opening quote, up to and including the closing one.
_STRING_REST = {
    q: re.compile(body)
    for q, body in (
        ("'", r"(?:[^'\\]|\\.)*'"),
        ('"', r'(?:[^"\\]|\\.)*"'),
        ("'''", r"(?:[^'\\]|\\.|'(?!''))*'''"),
        ('"""', r'(?:[^"\\]|\\.|"(?!""))*"""'),
    )
}
_ODD_BACKSLASH_AT_END = re.compile(r"(?<!\\)(?:\\\\)*\\$")


def split_rows(text: str) -> list[str]:
    """The rows of a cell, split where Python (and libcst) split lines."""
    return _LINE_BREAK.split(text)


@dataclass(frozen=True)
class Reading:
    """A cell read as IPython reads it."""

    rows: tuple[str, ...]  # Python text for each row of the cell, without line endings
    # Per row, the first column (0-based) from which the row is the cell's own text;
    # None where the row was replaced by a placeholder.
    verbatim: tuple[int | None, ...]
    indented: bool  # IPython strips a common indent: the rows go under an ``if True:``
    skipped: str | None  # the cell magic whose body is not Python: nothing to analyse
    depth: int  # the deepest bracket nesting of the Python code
    complete: bool  # the Python ends outside any string, bracket or line continuation

    @property
    def changed(self) -> bool:
        return any(v != 0 for v in self.verbatim)


@dataclass(frozen=True)
class _Token:
    kind: str  # comment, string, name, number, op, other
    text: str
    row: int
    col: int


@dataclass
class _Line:
    """One logical line: its tokens and the last row it reaches."""

    tokens: list[_Token]
    last_row: int
    depth: int  # deepest nesting inside it
    complete: bool  # ended at depth 0, outside strings and continuations


def read_cell(source: str) -> Reading:
    """Read one code cell's source; rows and columns of its Python stay exact."""
    rows = split_rows(source)
    reader = _Reader(rows)
    quick = _plain_python(source, rows)
    if quick is None:
        reader.read(0, len(rows))
    else:
        reader.depth = quick
        reader.statements = sum(1 for row in rows if row.strip() and not row.lstrip().startswith("#"))
    reader.automagic()
    margin = _margin(rows)
    return Reading(
        tuple(reader.out),
        tuple(reader.verbatim),
        bool(margin) and reader.statements > 0,  # ``if True:`` needs a statement under it
        reader.skipped,
        reader.depth,
        reader.complete,
    )


_MAYBE_IPYTHON = re.compile(r"[%!?]|^[ \t]*[,;/]", re.MULTILINE)
_BRACKETS = re.compile(r"[()\[\]{}]")


def _plain_python(source: str, rows: Sequence[str]) -> int | None:
    """The nesting depth (an upper bound) of a cell that cannot hold IPython syntax, or None.

    Without ``%``, ``!`` or ``?`` and without a line starting with ``, ; /``, a cell has no
    escape, magic, command or help to find, so the token scan can be skipped (most cells).
    A cell that may end inside a triple-quoted string is scanned anyway, to know.
    """
    if _MAYBE_IPYTHON.search(source) or source.count('"""') % 2 or source.count("'''") % 2:
        return None
    depth = deepest = 0
    for bracket in _BRACKETS.findall(source):
        depth += 1 if bracket in "([{" else -1
        deepest = max(deepest, depth)
    return deepest if deepest <= 200 else None  # deeper: count outside strings only


def _margin(rows: Sequence[str]) -> str:
    """The common leading indent ``textwrap.dedent`` would strip (blank rows ignored)."""
    margin: str | None = None
    for row in rows:
        if not row.strip(" \t"):
            continue
        indent = _INDENT.match(row).group()  # type: ignore[union-attr]
        if margin is None or margin.startswith(indent):
            margin = indent
        elif not indent.startswith(margin):
            common = 0
            while common < min(len(margin), len(indent)) and margin[common] == indent[common]:
                common += 1
            margin = margin[:common]
        if not margin:
            return ""
    return margin or ""


class _Reader:
    def __init__(self, rows: list[str]) -> None:
        self.rows = rows
        self.out = list(rows)
        self.verbatim: list[int | None] = [0] * len(rows)
        self.skipped: str | None = None
        self.statements = 0  # logical lines of Python, placeholders included
        self.depth = 0
        self.complete = True

    def automagic(self) -> None:
        """A one-line cell that is not Python but starts with a magic's name runs that magic.

        IPython decides this at run time (the name must not be a variable); without running
        anything, a line that does not parse as Python is the only sign we have.
        """
        lines = [r for r, text in enumerate(self.rows) if text.strip() or r < len(self.rows) - 1]
        while lines and not self.rows[lines[0]].strip():
            lines.pop(0)
        if len(lines) != 1 or self.verbatim[lines[0]] != 0:
            return
        row = lines[0]
        indent, escape, name, rest = _LINE_SPLIT.match(self.rows[row]).groups()  # type: ignore[union-attr]
        if escape or name not in AUTOMAGIC or rest[:1] in ("=", ","):
            return
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(self.rows[row].strip(), "<cell>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        except (SyntaxError, ValueError):
            self._replace(row, indent + "pass")

    def _replace(self, row: int, text: str, verbatim: int | None = None) -> None:
        self.out[row] = text
        self.verbatim[row] = verbatim
        self.statements += bool(text.strip())

    def read(self, start: int, end: int) -> None:
        """Read rows [start, end) as one block of IPython input (a cell or a cell magic's body)."""
        rows = self.rows
        first = next((r for r in range(start, end) if rows[r].strip()), None)
        if first is None:
            return
        margin = _margin(rows[start:end])
        head = rows[first][len(margin) :]
        if head.startswith("%%") and not re.match(r"%%\w+\?", head):
            name = head[2:].rstrip().partition(" ")[0]
            if name in PYTHON_CELL_MAGICS:
                before = self.statements
                self.read(first + 1, end)
                body = _margin(rows[first + 1 : end])
                deeper = body not in ("", margin) and self.statements > before
                self._replace(first, margin + ("if True:" if deeper else "pass"))
            else:
                self.skipped = self.skipped or f"%%{name}"
                for r in range(first, end):
                    self._replace(r, "")
            return
        row = first
        while row < end:
            row = self._statement(row, end)

    def _statement(self, row: int, end: int) -> int:
        """Read the logical line starting at ``row``; return the row after what it consumed."""
        line = _scan(self.rows, row, end)
        tokens = [t for t in line.tokens if t.kind != "comment"]
        if not tokens:
            self._keep(line)
            return line.last_row + 1
        first = tokens[0]
        indent = self.rows[row][: first.col]
        # IPython's order: help at the end of the line (the first token is its start, priority
        # 5), an escape as the first token (priority 10), then an assignment from a magic or
        # a shell command (which starts later in the line).
        if line.tokens[-1].text == "?" and line.tokens[-1].kind == "other" and len(line.tokens) > 1:
            last = line.tokens[-1].row
            content = "\n".join(self.rows[row : last + 1])[first.col :] + "\n"
            if _HELP_END.search(content):
                self._opaque(row, last, indent)
                return last + 1
        if first.kind in ("op", "other") and first.text in _ESCAPES:
            stop = _continued(self.rows, row, end)
            pieces = [r.rstrip()[:-1] for r in self.rows[row:stop]] + [self.rows[stop].rstrip()]
            text = " ".join(pieces)[first.col :]  # IPython: assemble_continued_line
            if text[:1] == "/" and not text[1:].partition(" ")[0]:
                self._keep(line)  # IPython leaves it (a syntax error)
                return line.last_row + 1
            if text[:1] == "%" and self._statement_magic(row, stop, first.col, end):
                return stop + 1
            self._opaque(row, stop, indent)
            return stop + 1
        assign = _assignment(tokens)
        if assign is not None and assign + 1 < len(tokens):
            after = tokens[assign + 1]
            magic = after.text == "%" and assign + 2 < len(tokens) and tokens[assign + 2].kind == "name"
            shell = (
                after.kind == "other"
                and after.text == "!"
                and not self.rows[tokens[assign].row].strip().startswith("=")
            )
            if magic or shell:
                stop = _continued(self.rows, after.row, end)
                self._replace(after.row, self.rows[after.row][: after.col] + "...")
                for r in range(after.row + 1, stop + 1):
                    self._replace(r, "")
                return stop + 1
        self._keep(line)
        return line.last_row + 1

    def _keep(self, line: _Line) -> None:
        """A logical line that stays Python."""
        self.statements += any(t.kind != "comment" for t in line.tokens)
        self.complete = self.complete and line.complete
        self.depth = max(self.depth, line.depth)

    def _opaque(self, row: int, stop: int, indent: str) -> None:
        self._replace(row, indent + "pass")
        for r in range(row + 1, stop + 1):
            self._replace(r, "")

    def _statement_magic(self, row: int, stop: int, col: int, end: int) -> bool:
        """``%time stmt``: keep the statement in its columns behind ``pass;``."""
        text = self.rows[row]
        match = re.match(r"%(\w+) ", text[col:])  # IPython: the name ends at the first space
        if match is None or match.group(1) not in _STATEMENT_MAGICS:
            return False
        at = _skip_options(text, col + match.end(), _STATEMENT_MAGICS[match.group(1)])
        if at is None or at >= len(text.rstrip()) or _COMPOUND.match(text, at):
            return False
        statement = _scan(self.rows, row, end, at)
        if not statement.complete or statement.last_row > stop or not statement.tokens:
            return False
        if statement.tokens[0].kind == "other" or statement.tokens[0].text in _ESCAPES:
            return False
        self.depth = max(self.depth, statement.depth)
        self._replace(row, text[:col] + "pass;" + " " * (at - col - 5) + text[at:], at)
        return True


def _skip_options(text: str, at: int, spec: str) -> int | None:
    """Where the statement starts after ``-n 10 -r3 -q`` style options; None if unclear."""
    while True:
        at = _SPACE.match(text, at).end()  # type: ignore[union-attr]
        if not text.startswith("-", at) or text.startswith("--", at):
            return at
        word = re.match(r"-(\S*)", text[at:])
        assert word is not None
        letters, at = word.group(1), at + word.end()
        for position, letter in enumerate(letters):
            index = spec.find(letter)
            if index < 0 or letter == ":":
                return None
            if spec[index + 1 : index + 2] == ":":
                if position == len(letters) - 1:  # the value is the next word
                    at = _SPACE.match(text, at).end()  # type: ignore[union-attr]
                    value = re.match(r"\S+", text[at:])
                    if value is None:
                        return None
                    at += value.end()
                break


def _continued(rows: Sequence[str], row: int, end: int) -> int:
    """The last row of a line continued with backslashes (IPython: find_end_of_continued_line)."""
    while row + 1 < end and rows[row].endswith("\\"):
        row += 1
    return row


def _assignment(tokens: Sequence[_Token]) -> int | None:
    """The index of the first ``=`` outside brackets (IPython: _find_assign_op)."""
    level = 0
    for index, token in enumerate(tokens):
        if token.kind != "op":
            continue
        if token.text == "=" and level == 0:
            return index
        if token.text in "([{":
            level += 1
        elif token.text in ")]}" and level > 0:
            level -= 1
    return None


def _scan(rows: Sequence[str], row: int, end: int, col: int = 0) -> _Line:
    """Tokenise one logical line from (row, col), as Python's tokenizer groups it."""
    tokens: list[_Token] = []
    level = deepest = 0
    while row < end:
        text = rows[row]
        col = _SPACE.match(text, col).end()  # type: ignore[union-attr]
        if col >= len(text):
            if level > 0 and row + 1 < end:
                row, col = row + 1, 0
                continue
            return _Line(tokens, row, deepest, level == 0)
        if text[col] == "\\" and col == len(text) - 1:
            if row + 1 >= end:
                return _Line(tokens, row, deepest, False)
            row, col = row + 1, 0
            continue
        match = _TOKEN.match(text, col)
        assert match is not None
        kind = match.lastgroup or "other"
        if kind == "string":
            quote = match.group().lstrip("rRbBuUfF")
            prefix = len(match.group()) - len(quote)
            finished = _string_end(rows, row, match.end(), quote, end)
            if finished is None:  # unterminated one-line string: the tokenizer's error token
                if prefix:
                    tokens.append(_Token("name", text[col : col + prefix], row, col))
                tokens.append(_Token("other", quote, row, col + prefix))
                col += prefix + 1
                continue
            if finished[0] < 0:  # a string open at the end of the input
                return _Line(tokens, end - 1, deepest, False)
            tokens.append(_Token("string", match.group(), row, col))
            row, col = finished
            continue
        token = match.group()
        tokens.append(_Token(kind, token, row, col))
        if kind == "op":
            if token in "([{":
                level += 1
                deepest = max(deepest, level)
            elif token in ")]}" and level > 0:
                level -= 1
        col = match.end()
    return _Line(tokens, end - 1, deepest, level == 0)


def _string_end(rows: Sequence[str], row: int, col: int, quote: str, end: int) -> tuple[int, int] | None:
    """Where a string that opened before (row, col) ends: (row, col after it).

    None: a one-line string that is not terminated. (-1, -1): open at the end of the input.
    """
    rest = _STRING_REST[quote]
    while True:
        text = rows[row]
        match = rest.match(text, col)
        if match is not None:
            return row, match.end()
        if len(quote) == 1 and not _ODD_BACKSLASH_AT_END.search(text, col):
            return None
        row, col = row + 1, 0
        if row >= end:
            return -1, -1
