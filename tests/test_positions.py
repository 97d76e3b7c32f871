"""The lean position pass agrees with libcst's PositionProvider on every call."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from rnn_dropout_lint.static.positions import Positions

from .conftest import FIXTURES


class _Calls(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)


def test_lean_spans_equal_position_provider() -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(FIXTURES.glob("*.py")) + sorted(stdlib.glob("*.py"))[:60]
    checked = 0
    for path in files:
        try:
            module = cst.parse_module(path.read_bytes())
        except cst.ParserSyntaxError:
            continue  # the Python 2 fixture
        collector = _Calls()
        module.visit(collector)
        expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        positions = Positions(module)
        positions.want(collector.calls)
        for call in collector.calls:
            assert positions.span(call) == expected[call], (path, call)
            checked += 1
    assert checked > 1000


def test_graph_spans_equal_position_provider() -> None:
    """Spans found through the statement chain (ast line numbers) match libcst's own."""
    import sys

    from rnn_dropout_lint.engine import Settings, analyze
    from rnn_dropout_lint.keras_table import DEFAULT_TABLE

    sys.path.insert(0, str(FIXTURES.parent.parent / "bench"))
    import random

    import generate

    rng = random.Random(7)
    sources = [p.read_text() for p in sorted(FIXTURES.glob("*.py")) if "python2" not in p.name]
    sources += [generate.generate_model(rng).source for _ in range(60)]
    checked = 0
    for source in sources:
        analysis = analyze(source, "x.py", Settings(table=DEFAULT_TABLE, prefilter=False, noqa=False))
        if analysis.legacy:
            continue  # a repaired text: positions are the original file's (see the next test)
        expected = MetadataWrapper(analysis.module, unsafe_skip_copy=True).resolve(PositionProvider)
        for node in analysis.graph.nodes:
            if isinstance(node.origin, cst.CSTNode):
                span, rng_ = analysis.graph.span(node), expected[node.origin]
                assert (span.row, span.col, span.end_row, span.end_col) == (
                    rng_.start.line,
                    rng_.start.column + 1,
                    rng_.end.line,
                    rng_.end.column + 1,
                ), source
                checked += 1
    assert checked > 500


def test_repaired_files_report_positions_in_the_original_text() -> None:
    """Mixed tab/space indentation is expanded for libcst; columns still count the tabs as written."""
    from rnn_dropout_lint import lint_file

    path = FIXTURES / "mixed_tabs.py"
    (found,) = lint_file(path).findings
    line = path.read_text().splitlines()[found.row - 1]
    assert line[found.col - 1 :].startswith("Dropout(0.2)")
    assert "\t" in line[: found.col - 1]


class _Chains(cst.CSTVisitor):
    """Every call with its enclosing statements, outermost first, as the interpreter records them."""

    def __init__(self) -> None:
        super().__init__()
        self.chain: list[cst.CSTNode] = []
        self.calls: list[tuple[cst.Call, tuple[cst.CSTNode, ...]]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            self.chain.append(node)
        elif isinstance(node, cst.Call):
            self.calls.append((node, tuple(self.chain)))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            self.chain.pop()


def _statement_sources() -> list[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    # Decorators, comprehensions, lambdas, f-strings, non-ASCII text, tabs, `a; b` lines.
    picked = ["dataclasses.py", "functools.py", "argparse.py", "typing.py", "inspect.py", "pydoc.py"]
    first = sorted(stdlib.glob("*.py"))[:40]
    return [*sorted(FIXTURES.glob("*.py")), *(stdlib / name for name in picked), *first]


def test_statement_spans_equal_position_provider() -> None:
    """Calls located through the ast of their statement, or by rendering it, match libcst."""
    import ast

    checked = 0
    for path in _statement_sources():
        raw = path.read_bytes()
        try:
            module = cst.parse_module(raw)
        except cst.ParserSyntaxError:
            continue  # the Python 2 fixture
        expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        visitor = _Chains()
        module.visit(visitor)
        for tree in (None, ast.parse(raw)):  # parsed on demand, or given as flake8 gives it
            positions = Positions(module, raw, tree)
            positions.want(call for call, _ in visitor.calls)
            for call, chain in visitor.calls:
                # As the graph's locator does: a call the statement pass cannot place
                # (inside an f-string) falls back to the lean render of the module.
                found = positions.span_in(call, chain) or positions.span(call)
                assert found == expected[call], (path, expected[call])
                checked += 1
    assert checked > 20000
