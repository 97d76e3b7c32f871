"""The CST built from CPython's ``ast`` (what the flake8 plugin analyses) is libcst's own.

Three levels: the trees agree node for node on every semantic field; the findings of
the two trees agree, message and position; and the real ``flake8`` reports what
``check`` reports for every fixture.
"""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import libcst as cst
import pytest

from rnn_dropout_lint import Selection, Settings, lint_file
from rnn_dropout_lint.ast_cst import cst_from_ast
from rnn_dropout_lint.engine import lint_source
from rnn_dropout_lint.rules import RULES
from rnn_dropout_lint.static.positions import _NOT_CODE as NOT_CODE

from .conftest import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402

# Every statement and expression form, written the ways that make libcst's tree differ.
EVERY_FORM = '''\
"""doc""" "string"
from __future__ import annotations
import os.path as p, sys
from . import a
from ..b.c import (d as e, f)
from x import *
a = b = 1; c += 2; d: int = 3; e: "T"
del a, b; del c
if a: pass
elif b: x = 1; y = 2
else:
    if c:
        pass
for i, (j, *k) in enumerate(z): continue
else: break
async def f(a, /, b: int = 1, *c, d, e=2, **g) -> None:
    async for x in y: await x
    async with a as b, c: yield
    yield from z
    global q; nonlocal r
    return (yield)
@dec.orator(1)
class C(B, *bases, metaclass=M, **kw):
    x = lambda a, *, b=1: a
while x < y <= z != w is not v not in u:
    raise E from F
try:
    pass
except (A, B) as err:
    pass
except C:
    pass
else:
    pass
finally:
    pass
try:
    pass
except* A:
    pass
assert x, "m"
f(*a, k=1, *b, **c)
f(k=1, *a)
g(x for x in y if x if not x)
v = a[1, 2], a[(1, 2)], a[(1), 2], a[1:2, ::3], a[...], a[*b]
w = {**d, 1: 2}, {1, *s}, [*l], (), (1,), -x, +x, ~x, not x, x if y else z
n = 0x1F, 1_000, 1e999, 2.5j, 1e999j, b"b\\x00", rb"\\d", "\\N{EM DASH}", f"{x!r:>{w}} {{}} {y=}"
q = [x for x in y for z in x], {k: v for k, v in d}, {x async for x in y}
o = a and b and c or d or e
t = (w := 1) @ m ** 2 // 3 % 4 << 5 >> 6 & 7 | 8 ^ 9
match cmd:
    case [1, *rest] | (2, 3) if rest:
        pass
    case {"k": v, **kw}:
        pass
    case Point(x=0, y=_) | Point(1, 2) as pt:
        pass
    case None | True | -1 | 1 + 2j | "s" | a.b:
        pass
    case (x, y):
        pass
    case x, *_:
        pass
'''

# Layout: what positions skip as no code, and the punctuation and settings of the module.
_LAYOUT = NOT_CODE | {
    "equal",
    "colon",
    "lbracket",
    "rbracket",
    "lbrace",
    "rbrace",
    "first_colon",
    "second_colon",
    "separator",
    "trailing_comma",
    "encoding",
    "default_indent",
    "default_newline",
    "has_trailing_newline",
    "start",
    "end",
    "posonly_ind",
    "leading_whitespace",
}


def _literal(node: cst.CSTNode) -> Any:
    try:
        return ast.literal_eval("(" + cst.Module([]).code_for_node(node).strip() + ")")
    except (ValueError, SyntaxError, RecursionError, MemoryError):
        return None


def difference(ours: Any, theirs: Any, path: str = "module") -> str | None:
    """Where two trees first differ in anything but layout (None: nowhere). Literals compare
    by value (``0x1F`` and ``31``, ``"a" "b"`` and ``"ab"``); f-strings (one where libcst
    has a concatenation with an f-string in it) by their expressions."""
    if isinstance(theirs, cst.ConcatenatedString) and isinstance(ours, cst.FormattedString):
        return None if _has_fstring(theirs) else f"{path}: an f-string where libcst has plain strings"
    if isinstance(theirs, cst.ConcatenatedString) and isinstance(ours, cst.SimpleString):
        expected = _literal(theirs)
        return None if expected is None or _literal(ours) == expected else f"{path}: {ours.value!r}"
    if isinstance(ours, (list, tuple)) and isinstance(theirs, (list, tuple)):
        if len(ours) != len(theirs):
            return f"{path}: {len(ours)} items vs {len(theirs)}"
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            found = difference(a, b, f"{path}[{index}]")
            if found:
                return found
        return None
    if type(ours) is not type(theirs):
        return f"{path}: {type(ours).__name__} vs {type(theirs).__name__}"
    if isinstance(ours, (cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary)):
        a, b = _literal(ours), _literal(theirs)
        return None if a == b and type(a) is type(b) else f"{path}: {ours.value!r} vs {theirs.value!r}"
    if isinstance(ours, cst.FormattedString):
        return difference(_expressions(ours), _expressions(theirs), f"{path}.expressions")
    if isinstance(ours, cst.CSTNode):
        for field in dataclasses.fields(ours):
            if field.name in _LAYOUT or field.name.startswith("whitespace"):
                continue
            found = difference(getattr(ours, field.name), getattr(theirs, field.name), f"{path}.{field.name}")
            if found:
                return found
        return None
    return None if ours == theirs else f"{path}: {ours!r} vs {theirs!r}"


def _has_fstring(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.ConcatenatedString):
        return _has_fstring(node.left) or _has_fstring(node.right)
    return isinstance(node, cst.FormattedString)


def _expressions(node: cst.FormattedString) -> list[cst.BaseExpression]:
    return [p.expression for p in node.parts if isinstance(p, cst.FormattedStringExpression)]


def _sources() -> list[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    picked = ["dataclasses.py", "functools.py", "argparse.py", "typing.py", "inspect.py", "pydoc.py"]
    return [
        *sorted(FIXTURES.glob("*.py")),
        *sorted((ROOT / "bench" / "handwritten" / "cases").glob("*.py")),
        *sorted((ROOT / "examples").glob("*.py")),
        *sorted((ROOT / "rnn_dropout_lint").rglob("*.py")),
        *(stdlib / name for name in picked),
        *sorted(stdlib.glob("*.py"))[:60],
    ]


def test_every_form_is_built_as_libcst_parses_it() -> None:
    tree = ast.parse(EVERY_FORM)
    assert difference(cst_from_ast(tree, EVERY_FORM)[0], cst.parse_module(EVERY_FORM)) is None


def test_a_difference_is_seen() -> None:
    """The comparison can fail: ``a[1, 2]`` (two indices) is not ``a[(1, 2)]`` (one tuple)."""
    ours = cst_from_ast(ast.parse("a[1, 2]\n"), "a[1, 2]\n")[0]
    assert difference(ours, cst.parse_module("a[(1, 2)]\n")) is not None
    ours = cst_from_ast(ast.parse("x = 1\n"), "x = 1\n")[0]
    assert difference(ours, cst.parse_module("x = 2\n")) is not None


def test_trees_agree_on_real_sources() -> None:
    checked = 0
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        try:
            theirs = cst.parse_module(text)
        except cst.ParserSyntaxError:
            continue  # the Python 2 fixture
        ours = cst_from_ast(ast.parse(text), text)[0]
        assert difference(ours, theirs) is None, path
        checked += 1
    assert checked > 200


_EVERYTHING = Settings(Selection(select=tuple(RULES)), report_uncertain=True, noqa=False, prefilter=False)


def _findings(text: str, path: str, tree: ast.Module | None) -> list[tuple[Any, ...]]:
    return [
        (f.code, f.row, f.col, f.end_row, f.end_col, f.message, f.certain, f.layers, f.short, f.help)
        for f in lint_source(text, path, _EVERYTHING, tree)
    ]


def test_findings_agree_on_fixtures_and_generated_programs(tmp_path: Path) -> None:
    generate.write_corpus(tmp_path, 60, seed=7)
    paths = [
        *sorted(FIXTURES.glob("*.py")),
        *sorted((ROOT / "bench" / "handwritten" / "cases").glob("*.py")),
        *sorted(tmp_path.glob("*.py")),
    ]
    found = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        from_libcst = _findings(text, str(path), None)
        assert _findings(text, str(path), tree) == from_libcst, path
        found += len(from_libcst)
    assert found > 300


# As written, not as libcst would render it: spacing, a comment, and a non-ASCII line.
ODD_SPELLING = """\
from keras import layers, models

m = models.Sequential([layers.LSTM(4, return_sequences=True), layers.Dropout(0.2 ,noise_shape=(32,1,None)),
    layers.LSTM(4, return_sequences=True),
    layers.Dropout(0.1,
                   noise_shape=(None, # time
                                None, 4)),
    layers.GRU(2)])
s = "é"; n = models.Sequential([layers.GRU(3, return_sequences=True), layers.Dropout(0.3), layers.GRU(3)])
"""


@pytest.mark.parametrize("name", ["odd_spelling.py", *sorted(p.name for p in FIXTURES.glob("*.py"))])
def test_flake8_reports_what_check_reports(flake8: str, tmp_path: Path, name: str) -> None:
    path = FIXTURES / name if name != "odd_spelling.py" else tmp_path / name
    if name == "odd_spelling.py":
        path.write_text(ODD_SPELLING, encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    try:
        ast.parse(text)
    except SyntaxError:
        pytest.skip("flake8 reports its own E999 and runs no plugin")
    expected = sorted(
        f"{path}:{f.row}:{f.col}: {f.code} {f.message}"
        for f in lint_file(path, Settings(Selection(select=tuple(RULES)), report_uncertain=True)).findings
    )
    result = subprocess.run(
        [flake8, "--isolated", "--select", "RDL,RDL9", "--rdl-report-uncertain", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stderr == ""
    assert sorted(result.stdout.splitlines()) == expected
    if name == "odd_spelling.py":  # arguments are quoted as written, on one line
        assert "noise_shape=(32,1,None)" in result.stdout
        assert "noise_shape=(None, None, 4)" in result.stdout
        row, line = next((r, t) for r, t in enumerate(ODD_SPELLING.splitlines(), 1) if "é" in t)
        assert f"{path}:{row}:{line.index('layers.Dropout(0.3)') + 1}: RDL001" in result.stdout  # characters


def test_a_node_this_module_does_not_know_falls_back_to_libcst() -> None:
    """A newer Python's node (here one made up) is no crash: libcst parses the text instead."""

    class Newer(ast.expr):
        _fields = ()

    source = ODD_SPELLING
    tree = ast.parse(source)
    where = {"lineno": 1, "col_offset": 0, "end_lineno": 1, "end_col_offset": 1}
    tree.body.append(ast.Expr(Newer(**where), **where))
    with pytest.raises(Exception, match="Newer"):
        cst_from_ast(tree, source)
    assert _findings(source, "x.py", tree) == _findings(source, "x.py", None) != []
