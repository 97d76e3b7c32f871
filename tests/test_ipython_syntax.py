"""The IPython reader against IPython itself: what each cell means, and exact positions.

IPython is in the test extra (through ipykernel) only as the reference; the linter never
imports it. A cell "agrees" when our Python and IPython's ``transform_cell`` output are the
same program once each IPython call is read as what it stands for (a magic or shell call:
nothing to analyse; ``%time stmt``: the statement; an assignment from a command: an
unknown value), or when neither is Python.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import warnings

import libcst as cst
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnn_dropout_lint.ipython_syntax import PYTHON_CELL_MAGICS, read_cell, split_rows

IPython = pytest.importorskip("IPython")  # the test extra has it (ipykernel)

STATEMENT_MAGICS = {"time", "timeit", "prun"}


def _shell():  # type: ignore[no-untyped-def]
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance()


def _ipython_call(node: ast.AST) -> ast.Call | None:
    """``get_ipython().method(...)``"""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Call)
        and isinstance(node.func.value.func, ast.Name)
        and node.func.value.func.id == "get_ipython"
    ):
        return node
    return None


def _without_options(argument: str) -> str:
    """``-n 10 -r3 stmt`` -> ``stmt`` (options of %timeit and %prun)."""
    return re.sub(r"^\s*(?:-\w+(?:\s+(?!-)\S+(?=\s))?\s*)*", "", argument)


class _Meaning(ast.NodeTransformer):
    """Both sides reduced to the Python a static checker should see."""

    def visit_Expr(self, node: ast.Expr) -> object:
        call = _ipython_call(node.value)
        if call is None:
            return self.generic_visit(node)
        args = [a.value if isinstance(a, ast.Constant) else None for a in call.args]
        if call.func.attr == "run_line_magic" and args[0] in STATEMENT_MAGICS:  # type: ignore[attr-defined]
            try:
                return [self.visit(s) for s in ast.parse(_without_options(args[1]).strip()).body]
            except SyntaxError:
                return None
        if call.func.attr == "run_cell_magic" and args[0] in PYTHON_CELL_MAGICS:  # type: ignore[attr-defined]
            body = ast.parse(_shell().transform_cell(args[2]))
            return [s for stmt in body.body for s in _as_list(self.visit(stmt))]
        return None  # any other magic, shell command or help: nothing to analyse

    def visit_Assign(self, node: ast.Assign) -> ast.AST:
        if _ipython_call(node.value) is not None:
            node.value = ast.Constant(Ellipsis)
        return self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        if node.value is not None and _ipython_call(node.value) is not None:
            node.value = ast.Constant(Ellipsis)
        return self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, str):  # IPython dedents inside strings too
            return ast.Constant(" ".join(node.value.split()))
        return node

    def visit_Pass(self, node: ast.Pass) -> None:
        return None

    def visit_If(self, node: ast.If) -> object:
        if isinstance(node.test, ast.Constant) and node.test.value is True and not node.orelse:
            return [s for stmt in node.body for s in _as_list(self.visit(stmt))]
        return self.generic_visit(node)


def _as_list(value: object) -> list[ast.stmt]:
    return [] if value is None else value if isinstance(value, list) else [value]  # type: ignore[list-item]


def _meaning(tree: ast.Module) -> str:
    return ast.dump(_Meaning().visit(tree))


def _parse(text: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except SyntaxError:
        return None


def ours(source: str) -> str:
    reading = read_cell(source)
    return ("if True:\n" if reading.indented else "") + "\n".join(reading.rows) + "\n"


def verdict(source: str) -> str:
    """same / both-broken / skipped (a non-Python cell magic) / a disagreement."""
    reading = read_cell(source)
    try:
        theirs = _parse(_shell().transform_cell(source))
    except Exception:  # IPython refuses the input itself
        theirs = None
    if reading.skipped:
        return "skipped" if theirs is not None else "disagree: IPython cannot read the magic"
    try:
        meaning = _meaning(theirs) if theirs is not None else None
    except SyntaxError:  # the body of %%time etc. is not Python: IPython fails when it runs
        meaning = None
    mine = _parse(ours(source))
    if meaning is None and mine is None:
        return "both-broken"
    if meaning is None or mine is None:
        return f"disagree: only {'IPython' if mine is None else 'we'} can read it"
    return "same" if meaning == _meaning(mine) else "disagree: different programs"


TRICKY = [
    # Shell commands continued with backslashes, inside and outside blocks.
    "!wget --quiet \\\n    https://example.com/data.zip \\\n    -O data.zip\nimport keras\n",
    "for f in files:\n    !cp $f backup/ \\\n        --verbose\n    print(f)\n",
    "!echo it's fine\nx = 1\n",
    '!echo "("\n%who\n',
    "!!ls\nx = !!ls\n",
    "    !ls\n    x = 1\n",
    # Assignments from commands and magics.
    "files = !ls\nprint(files)",
    "x = !echo (\ny = 1\n",
    "x = %who_ls\n",
    "x: int = %who_ls\n",
    # Line magics whose argument is Python.
    "%time model = build(3)\n",
    "%timeit -n 10 -r3 f(x)\n",
    "%timeit -n10 f(x)\n",
    "%prun -s cumulative train()\n",
    "if x:\n    %time y = 1\n",
    "def f():\n    %time g()\n    return 1\n",
    "%time model.fit(x, \\\n  y)\n",
    "%time model.fit(x,\n  y)\n",  # IPython 7+ reads one physical line: broken in both
    "%time x = [i for i in \\\n range(3)]\n",
    "%time %who\n",
    "%time !ls\n",
    "%time\n",
    # Help.
    "model.summary?\n",
    "model.summary??\n",
    "??model\n",
    "?model\n",
    "a = [1,\n 2]; b?\n",
    "foo(a,\n b)?\n",
    "x? \n",
    "%%time?\nx = 1\n",
    # Leading indent, which IPython strips.
    "    x = 1\n    y = 2\n",
    "\n\n    x = 1\n    if x:\n        y = 2\n",
    "  x = 1\ny = 2\n",
    "\tx = 1\n\ty = [1,\n2]\n",
    "a = 1\n    # c\nb = 2\n",
    # '%' and '?' that are Python: modulo on a continuation line, strings and comments.
    'print("acc: %0.3f"\n      % acc)\n',
    "x = 1 \\\n% 2\n",
    "x = (1 +\n%2)\n",
    "x = 5 % 3\n",
    'x = "what?"\n',
    "model.add(Dropout(0.2))  # is this right?\n",
    "layers = [\n    Dense(3),  # why?\n    Dropout(0.2),\n]\n",
    "s = '''\n%magic\n!shell\nobj?\n'''\n",
    "x = f'{a!r}'\n",
    "x = 1\n% 2\n",
    # Cell magics: Python bodies (read again, with their own indent) and others.
    "%%time\nx = 1\n!ls\n",
    "%%capture cap\n    x = 1\n    y = 2\n",
    "  %%time\n  x = 1\n",
    "%%time\n    x = 1\n",
    "%%timeit -n1 setup = 1\nx = setup\n",
    "%%prun -s cumulative\nf()\n",
    "%%bash\necho (\n",
    "%%writefile a.py\nimport os\n",
    "%%html\n<b>x</b>\n",
    "\n%%time\nx = 1\n",
    # Magics and the rest.
    "%matplotlib inline\nimport numpy as np\n",
    "%load_ext autoreload\n%autoreload 2\n",
    "x = 1; !ls\n",
    "print 'hello'\n",
    # A one-line cell that is a magic without its '%' (automagic).
    "pip install tensorflow\n",
    "ls ./data/\n",
    "\ncd ..",
    "ls = 3\n",
    "pip install x\n\n",
]


@pytest.mark.parametrize("source", TRICKY)
def test_cells_read_as_ipython_reads_them(source: str) -> None:
    assert verdict(source) in ("same", "both-broken", "skipped")


def test_known_differences() -> None:
    """Where we read less than IPython, on purpose: nothing there can build a model."""
    assert read_cell("/print 1 2\n").rows[0] == "pass"  # autocall escapes: opaque calls
    assert read_cell(",print a b\n").rows[0] == "pass"
    assert read_cell("%time for i in range(3): pass\n").rows[0] == "pass"  # compound statements


def test_rows_and_columns_stay_exact() -> None:
    source = (
        "!pip install \\\n    keras\n"
        "files = !ls\n"
        "%time model = Sequential([LSTM(4, return_sequences=True), Dropout(0.2), LSTM(2)])\n"
        "model.summary?\n"
        "x = layers.Dropout(0.5)  # really?\n"
    )
    reading = read_cell(source)
    rows = split_rows(source)
    assert len(reading.rows) == len(rows)
    # Every row kept is the cell's own text from its verbatim column on.
    for mine, theirs, start in zip(reading.rows, rows, reading.verbatim, strict=True):
        if start is not None:
            assert mine[start:] == theirs[start:]
    assert reading.verbatim == (None, None, None, 6, None, 0, 0)
    assert (
        reading.rows[3] == "pass; model = Sequential([LSTM(4, return_sequences=True), Dropout(0.2), LSTM(2)])"
    )
    # Each call's position in our Python is its position in the cell.
    module = cst.parse_module(ours(source))
    wrapper = cst.metadata.MetadataWrapper(module)
    positions = wrapper.resolve(cst.metadata.PositionProvider)
    calls = [n for n in positions if isinstance(n, cst.Call) and isinstance(n.func, cst.Name)]
    assert {n.func.value for n in calls} == {"Sequential", "LSTM", "Dropout"}
    for call in calls:
        start = positions[call].start
        assert rows[start.line - 1][start.column :].startswith(call.func.value + "(")


def test_our_lines_never_depend_on_what_the_user_writes() -> None:
    """No marker in the text: our own comments in a cell are just comments."""
    source = "pass  # rnn-dropout-lint: ipython 0\n# rnn-dropout-lint: cell 1\n%who\nx = 1\n"
    reading = read_cell(source)
    assert reading.rows == (
        "pass  # rnn-dropout-lint: ipython 0",
        "# rnn-dropout-lint: cell 1",
        "pass",
        "x = 1",
        "",
    )


def test_the_linter_does_not_import_ipython() -> None:
    code = (
        "import sys, rnn_dropout_lint.notebook, rnn_dropout_lint.ipython_syntax\n"
        "rnn_dropout_lint.ipython_syntax.read_cell('%time x = 1\\n!ls\\nx?\\n')\n"
        "assert not any(m == 'IPython' or m.startswith('IPython.') for m in sys.modules), 'IPython'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# Generated cells: Python statements, IPython lines and traps, in random order and indent.
_FRAGMENTS = [
    "x = 1",
    "model.add(Dropout(0.2))",
    "model.add(Dropout(0.2))  # why?",
    "y = 'a?'",
    "z = {'k': '%d' % 3}",
    "print('acc: %0.3f'\n      % acc)",
    "layers = [\n    LSTM(4),  # ok?\n    Dropout(0.1),\n]",
    "!pip install keras",
    "!wget -q \\\n    http://x/y \\\n    -O y",
    "files = !ls",
    "out = %who_ls",
    "%matplotlib inline",
    "%time m = build(2)",
    "%timeit -n 3 f()",
    "model.summary?",
    "??model",
    "?model",
    "if x:\n    !echo hi\n    y = 2",
    "def f():\n    %time g()\n    return 1",
    "s = '''\n%not_magic\n!not_shell\n'''",
    "x = (1 +\n     2)",
    "x = 1 \\\n    % 2",
    "# just a comment?",
    "t = f'{x}?' if x else 'y?'",
    "u = 'line \\\n  %d?' % 1",
    "@decorate\ndef g():\n    '''doc?\n    %not'''\n    return 1",
    "class C:\n    x = 1?",
    "  x = 1",
    "%%time",
    "",
]


@st.composite
def cells(draw: st.DrawFn) -> str:
    body = "\n".join(draw(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=6)))
    if draw(st.booleans()):
        body = "\n".join("    " + line if line else line for line in body.split("\n"))
    magic = draw(st.sampled_from(["", "", "%%time\n", "%%capture\n", "%%bash\n"]))
    return magic + body + draw(st.sampled_from(["", "\n"]))


@given(cells())
def test_generated_cells_read_as_ipython_reads_them(source: str) -> None:
    assert verdict(source) in ("same", "both-broken", "skipped"), source
