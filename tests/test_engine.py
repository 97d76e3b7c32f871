"""Properties of the core the speed depends on: no reference cycles, libcst left as found."""

from __future__ import annotations

import ast
import gc
import subprocess
import sys
import sysconfig
from pathlib import Path

import libcst as cst
import pytest

from rnn_dropout_lint import native_parse
from rnn_dropout_lint.engine import LintError, Settings, lint_source
from rnn_dropout_lint.native_parse import parse_native
from rnn_dropout_lint.rules import RULES, Selection
from rnn_dropout_lint.static.expressions import _string

from .conftest import FIXTURES

EVERY_RULE = Settings(Selection(select=tuple(RULES)), report_uncertain=True, noqa=False)


def _compiles(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


def test_analysis_leaves_no_reference_cycles() -> None:
    """Reference counting frees a file's tree and graph at once; under flake8 the cyclic
    collector would otherwise rescan them in every worker."""
    sources = [p.read_text() for p in sorted(FIXTURES.glob("*.py"))]
    sources = [s for s in sources if _compiles(s)]  # Python 2, IPython: read through a rewrite
    lint_source(sources[0], "warm.py", EVERY_RULE)  # first-use imports and caches
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        for source in sources:
            findings = lint_source(source, "x.py", EVERY_RULE, ast.parse(source))
            del findings
            assert gc.collect() == 0, source
    finally:
        if was_enabled:
            gc.enable()


def test_parsing_leaves_libcst_validating() -> None:
    """Our parse skips the per-node validation; everyone else's node building keeps it."""
    lint_source("from keras import layers\nlayers.LSTM(4)\n", "x.py", EVERY_RULE)
    with pytest.raises(LintError):
        lint_source("from keras import layers\nlayers.LSTM(4\n", "x.py", EVERY_RULE)
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")
    assert cst.parse_module("x = 1\n").code == "x = 1\n"


def test_fast_constructors_build_the_trees_libcst_builds() -> None:
    """Our parse stores each node's fields straight into its slots: the trees are libcst's
    own, field by field, and libcst's constructors are back afterwards."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    paths = [*sorted(FIXTURES.glob("*.py")), *sorted(stdlib.glob("*.py"))[:60], stdlib / "re" / "_parser.py"]
    sources = [p.read_text(encoding="utf-8") for p in paths]
    sources = [s for s in sources if _compiles(s)]
    sources.append("match x:\n    case [1, *rest] if rest: pass\n")  # nodes with defaults and factories
    init = cst.Name.__init__
    for source in sources:
        try:
            theirs = cst.parse_module(source)
        except cst.ParserSyntaxError:  # mixed tabs and spaces (LibCST#829): ours refuses it too
            with pytest.raises(cst.ParserSyntaxError):
                parse_native(source)
            continue
        ours = parse_native(source)
        assert ours.deep_equals(theirs)
        assert ours.code == source
    assert native_parse._FAST, "the sources above are enough to build the fast constructors"
    assert cst.Name.__init__ is init
    assert cst.Name("x", lpar=[cst.LeftParen()], rpar=[cst.RightParen()]).value == "x"


def test_a_small_first_parse_does_not_wait_for_the_fast_constructors() -> None:
    """They are built once enough source was parsed to pay for them (start-up of `check`)."""
    script = (
        "from rnn_dropout_lint import native_parse as n\n"
        "n.parse_native('x = 1\\n'); print(n._FAST is None)\n"
        "n.parse_native('y = 2\\n' * 10_000); print(n._FAST is None)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False"]


class _Strings(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.found.append(node.value)


def test_string_literals_read_like_python_reads_them() -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    visitor = _Strings()
    for path in [*sorted(stdlib.glob("*.py"))[:80], stdlib / "re" / "_parser.py"]:
        cst.parse_module(path.read_bytes()).visit(visitor)
    visitor.found += ["'''a\\\nb'''", 'r"\\d+"', "b'\\x00'", "U'\\u00e9'", 'Rb"\\n"', '"\\N{BULLET}"']
    for literal in visitor.found:
        assert _string(literal).value == ast.literal_eval(literal), literal
    assert len(visitor.found) > 5000


def test_keras_1_dropout_keyword_is_its_rate() -> None:
    source = (
        "from keras.models import Sequential\n"
        "from keras.layers import LSTM, Dropout\n"
        "model = Sequential()\n"
        "model.add(LSTM(input_dim=10, output_dim=50, return_sequences=True))\n"
        "model.add(Dropout(p=0.2))\n"
        "model.add(LSTM(8))\n"
    )
    (found,) = lint_source(source)
    assert (found.code, found.row) == ("RDL001", 5)
    assert found.message.startswith("Dropout(0.2) ")
