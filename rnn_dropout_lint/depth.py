"""How deep a source nests, measured before libcst's native parser sees it.

libcst's parser (Rust, recursive descent) and the analysis after it (Python) recurse once
per level of nesting: 10,000 unary minuses, ``not``s, ``.b`` attributes, ``+`` terms,
``elif``s or nested ``lambda:``s overflow the native stack and kill the process with
SIGSEGV, which no ``except`` can catch. So the depth is measured first, from the bytes:

* a cheap upper bound (C-speed byte operations, one Python step per line) decides
  almost every file;
* only where that bound is over the limit does a token-exact measure run (``tokenize``),
  so that a long data literal (a list of 100,000 numbers, nested 1 deep) is not refused.

Files under :data:`MAX_DEPTH` are parsed and analysed; those above ``INLINE_DEPTH`` run
on a thread with a large stack and a raised recursion limit (see :func:`call_deep`), so
a depth CPython compiles is analysed, never crashed on.
"""

from __future__ import annotations

import io
import re
import sys
import threading
import tokenize
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

# CPython 3.11 compiles expressions up to about 3,000 levels (3 x its recursion limit) and
# refuses more; libcst parses 3,000 levels of the costliest kinds (call chains, ternaries)
# in about 10 s, and a 256 MB stack holds 3,000 levels of any kind many times over.
MAX_DEPTH = 1000
INLINE_DEPTH = 100  # up to here the default stack and recursion limit are plenty
DEEP_STACK = 256 * 1024 * 1024  # virtual; only the pages a deep file touches are used
_FRAMES_PER_LEVEL = 40  # Python frames the analysis may stack per level of nesting


class TooDeep(RecursionError):
    """The source nests deeper than :data:`MAX_DEPTH`; the message is one line."""


@dataclass(frozen=True)
class Depth:
    depth: int  # an upper bound of the nesting the parser recurses on
    row: int = 0  # where the deepest place is (1-based; 0: not known, cheap bound only)
    kind: str = "expression"


# Comments and string literals without an f prefix: nothing in them nests for the parser.
_QUIET = re.compile(
    rb"#[^\r\n]*"
    rb"|(?<![\w])[rRbBuU]{0,2}(?:'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"
    rb'|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    rb"|'[^'\\\r\n]*(?:\\.[^'\\\r\n]*)*'"
    rb'|"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*")',
    re.S,
)
# Keywords the parser nests on: each becomes one operator byte.
_KEYWORDS = re.compile(rb"\b(?:not|lambda|if|else|and|or|await|is|in|for|yield|async)\b")
_OPERATORS = b"-+~*/%&|^<>=@.:!"
# Operators become "~", brackets "(" and ")"; newlines and backslashes stay; the rest goes.
_SLIM = bytes.maketrans(b"[{]}" + _OPERATORS, b"(())" + b"~" * len(_OPERATORS))
_DROP = bytes(b for b in range(256) if b not in b"()[]{}\n\\" + _OPERATORS)


def cheap_bound(raw: bytes) -> int:
    """An upper bound of the nesting: per logical line, every operator, keyword, string,
    comment and bracket counts as one level; plus every ``elif`` of the file (a chain nests)."""
    # A string or comment is one operand, one level (adjacent strings nest in libcst).
    text = _QUIET.sub(b"~", raw)
    elifs = text.count(b"elif")
    slim = _KEYWORDS.sub(b"~", text).translate(_SLIM, _DROP)
    if len(slim) <= INLINE_DEPTH:
        return len(slim) + elifs
    best = total = balance = 0
    for line in slim.split(b"\n"):
        total += len(line)
        balance += line.count(b"(") - line.count(b")")
        if balance <= 0 and not line.endswith(b"\\"):
            best = max(best, total)
            total = balance = 0
    return max(best, total) + elifs


# ``else`` of ``a if b else c`` is the same level as its ``if``; a statement's is a chain link.
_NESTING_KEYWORDS = frozenset({"not", "lambda", "if", "and", "or", "await", "is", "in", "for", "yield"})


def exact_depth(raw: bytes) -> Depth:
    """The nesting the parser recurses on, from the tokens: a comma separates siblings
    (a list of 100,000 items is 1 deep), an operator or keyword nests, a bracket nests,
    and an ``if``/``elif`` chain nests once per branch."""
    frames: list[list[int]] = [[0, 0, 0]]  # per open bracket: ops in this element, deepest, no-reset
    chains: list[int] = [0]  # per indentation level: the elif chain running there
    best = Depth(0)
    line_start = True
    try:
        tokens = tokenize.tokenize(io.BytesIO(raw).readline)
        for token in tokens:
            kind, value = token.type, token.string
            if kind == tokenize.INDENT:
                chains.append(0)
                continue
            if kind == tokenize.DEDENT:
                if len(chains) > 1:
                    chains.pop()
                continue
            if kind in (tokenize.NEWLINE, tokenize.ENDMARKER):
                while len(frames) > 1:  # unbalanced: close what is open
                    _close(frames)
                deepest = max(frames[0][0], frames[0][1]) + sum(chains) + len(chains)
                if deepest > best.depth:
                    kind_name = "if/elif chain" if sum(chains) > deepest // 2 else "expression"
                    best = Depth(deepest, token.start[0], kind_name)
                frames = [[0, 0, 0]]
                line_start = True
                continue
            if kind in (tokenize.NL, tokenize.COMMENT, tokenize.ENCODING):
                continue
            if line_start:
                line_start = False
                if kind == tokenize.NAME and value in ("elif", "else"):
                    chains[-1] += 1
                elif not (kind == tokenize.OP and value == "@"):
                    chains[-1] = 0
            frame = frames[-1]
            if kind == tokenize.OP:
                if value in "([{":
                    frame[0] += 1
                    frames.append([0, 0, 0])
                elif value in ")]}":
                    if len(frames) > 1:
                        _close(frames)
                elif value == ",":
                    if not frame[2]:  # siblings, unless inside lambda params or a for target
                        frame[1] = max(frame[1], frame[0])
                        frame[0] = 0
                elif value == ":":  # ends lambda params (``lambda`` counted the level)
                    if frame[2]:
                        frame[2] -= 1
                else:
                    frame[0] += 1
            elif kind == tokenize.NAME and value in _NESTING_KEYWORDS:
                frame[0] += 1
                if value in ("lambda", "for"):
                    frame[2] += 1
                elif value == "in" and frame[2]:
                    frame[2] -= 1
            elif kind == tokenize.STRING:
                frame[0] += 1  # adjacent strings nest in libcst
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError):
        pass  # not Python: the parser says so, at the depth measured so far
    return best


def _close(frames: list[list[int]]) -> None:
    inner = frames.pop()
    outer = frames[-1]
    outer[1] = max(outer[1], outer[0] + max(inner[0], inner[1]))


def measure(raw: bytes) -> Depth:
    """The nesting of ``raw``: the cheap bound when it is under the limit, else the exact one."""
    bound = cheap_bound(raw)
    if bound <= MAX_DEPTH:
        return Depth(bound)
    return exact_depth(raw)


def shallow(raw: bytes) -> bool:
    """Whether ``raw`` nests within :data:`INLINE_DEPTH`: the cheap bound, and the exact depth
    only where the bound is over (a one-line literal of many items is a high bound, 4 deep)."""
    return cheap_bound(raw) <= INLINE_DEPTH or exact_depth(raw).depth <= INLINE_DEPTH


def check(raw: bytes) -> Depth:
    """:func:`measure`, raising :class:`TooDeep` above :data:`MAX_DEPTH`."""
    found = measure(raw)
    if found.depth > MAX_DEPTH:
        raise TooDeep(
            f"nested too deeply to parse: an {found.kind} {found.depth:,} levels deep at line "
            f"{found.row} (the limit is {MAX_DEPTH:,}: past it, parse time and memory grow quadratically)"
        )
    return found


_deep = threading.local()
_STARTING = threading.Lock()


def checked() -> bool:
    """Inside :func:`call_deep`: the depth of what is being parsed was checked already."""
    return getattr(_deep, "checked", False)


def _checked_call(function: Callable[[], T]) -> T:
    before = checked()
    _deep.checked = True
    try:
        return function()
    finally:
        _deep.checked = before


def call_deep(depth: int, function: Callable[[], T]) -> T:
    """``function()``, on a thread with a large stack and a raised recursion limit when
    ``depth`` (checked by the caller) needs them; inline otherwise, or when on such a
    thread already."""
    if depth <= INLINE_DEPTH or getattr(_deep, "active", False):
        return _checked_call(function)
    box: dict[str, object] = {}

    def run() -> None:
        _deep.active = True
        try:
            box["value"] = _checked_call(function)
        except BaseException as exc:  # handed back to the caller's thread
            box["error"] = exc

    with _STARTING:  # the stack size is process-wide: set it for this thread only
        previous_stack = threading.stack_size()
        try:
            threading.stack_size(DEEP_STACK)
            worker = threading.Thread(target=run, name="rnn-dropout-lint-deep", daemon=True)
        except (ValueError, RuntimeError):  # no such stack here: refuse rather than risk a crash
            raise TooDeep(f"nested too deeply to parse here ({depth:,} levels)") from None
        try:
            previous_limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(previous_limit, depth * _FRAMES_PER_LEVEL + 1000))
            worker.start()
        except RuntimeError:
            sys.setrecursionlimit(previous_limit)
            raise TooDeep(f"nested too deeply to parse here ({depth:,} levels)") from None
        finally:
            threading.stack_size(previous_stack)
    try:
        worker.join()
    finally:
        sys.setrecursionlimit(previous_limit)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


# The parse and the analysis take about 800 bytes of memory per byte of code (2.4 MB of
# dense code: 1.9 GB and 100 s); strings and comments cost next to nothing.
CODE_SHARE = 10  # of the file size limit, the share that may be code


def code_size(raw: bytes) -> int:
    """Bytes outside comments and string literals (f-strings count as code)."""
    return len(_QUIET.sub(b"", raw))
