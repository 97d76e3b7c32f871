"""Source positions of CST nodes, computed once per module and only when asked for.

libcst's PositionProvider re-renders the whole module and records a range for
every node, which costs about twice the parse. Findings need the positions of a
few layer calls only, so :meth:`Positions.span` renders the module once with a
lean codegen state that marks just those nodes (about a third of a parse); the
full provider runs only when a fix needs arbitrary nodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import libcst as cst
from libcst._position import CodePosition, CodeRange

try:  # a private class of libcst; without it, fall back to the public provider
    from libcst._nodes.internal import CodegenState
except ImportError:  # pragma: no cover
    CodegenState = None

_NEWLINE = re.compile(r"\r\n?|\n")


class Positions:
    def __init__(self, module: cst.Module, source: str | bytes | None = None) -> None:
        self.module = module
        self.source = source
        self._ranges: Any = None
        self._wanted: set[int] = set()
        self._spans: dict[int, CodeRange] | None = None
        self._tree: Any = None  # the stdlib ast of the same source: its line numbers are free
        self._lines: list[str] | None = None
        self._first_lines: dict[int, int | None] = {}
        self._in_statement: dict[int, dict[int, CodeRange]] = {}

    def __call__(self, node: cst.CSTNode) -> CodeRange | None:
        """The node's range, its own parentheses included: 1-based lines, 0-based columns."""
        rng = self._full().get(node)
        if rng is None or not isinstance(node, cst.BaseExpression) or not node.lpar or not node.rpar:
            return rng
        lpar, rpar = node.lpar, node.rpar
        # libcst leaves a node's parentheses out of its range; an edit must not.
        first, last = self._full().get(lpar[0]), self._full().get(rpar[-1])
        if first is None or last is None:
            return rng
        return CodeRange(first.start, last.end)

    def _full(self) -> Any:
        if self._ranges is None:
            from libcst.metadata import MetadataWrapper, PositionProvider  # costly to import

            self._ranges = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)
        return self._ranges

    def want(self, nodes: Iterable[cst.CSTNode]) -> None:
        """Nodes whose span may be asked for (before the first :meth:`span`)."""
        self._wanted.update(id(n) for n in nodes)

    def span(self, node: cst.CSTNode) -> CodeRange | None:
        """The node's range without its parentheses, as libcst reports it."""
        if self._spans is None:
            self._spans = self._lean() if CodegenState is not None else None
        if self._spans is None or id(node) not in self._spans:
            return self._full().get(node)
        return self._spans[id(node)]

    def span_in(self, node: cst.CSTNode, chain: tuple[cst.CSTNode, ...]) -> CodeRange | None:
        """The span of ``node`` inside the last statement of ``chain`` (its enclosing statements).

        Only that statement is rendered; where it starts comes from ``ast``, which parses
        ten times faster than libcst. None when the two trees cannot be lined up.
        """
        statement = chain[-1]
        found = self._in_statement.get(id(statement))
        if found is None:
            found = self._in_statement[id(statement)] = self._render_statement(chain)
        return found.get(id(node))

    def _render_statement(self, chain: tuple[cst.CSTNode, ...]) -> dict[int, CodeRange]:
        """Render one statement, once, marking every wanted node inside it."""
        line = self._first_line(chain)
        if line is None or CodegenState is None:
            return {}
        statement = chain[-1]
        text = self._text_lines()[line - 1]
        state = _MarkingState(self.module.default_indent, self.module.default_newline, self._wanted)
        state.indent_tokens = [text[: len(text) - len(text.lstrip(" \t"))]] if text.strip() else []
        statement._codegen(state)
        shift = line - 1 - len(getattr(statement, "leading_lines", ()))
        return {
            key: CodeRange(
                CodePosition(rng.start.line + shift, rng.start.column),
                CodePosition(rng.end.line + shift, rng.end.column),
            )
            for key, rng in _positions(state, state.marks).items()
        }

    def _text_lines(self) -> list[str]:
        if self._lines is None:
            source = self.source if self.source is not None else ""
            if isinstance(source, bytes):
                import io
                import tokenize

                encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
                source = source.decode(encoding)
            self._lines = _NEWLINE.split(source)
        return self._lines

    def _first_line(self, chain: tuple[cst.CSTNode, ...]) -> int | None:
        """Line of the first token of ``chain[-1]``, by walking both trees down the chain."""
        key = id(chain[-1])
        if key in self._first_lines:
            return self._first_lines[key]
        line = None
        try:
            if self._tree is None:
                import ast

                self._tree = ast.parse(self.source if self.source is not None else "")
            statements: list[Any] = list(self.module.body)
            nodes: list[Any] = list(self._tree.body)
            for depth, statement in enumerate(chain):
                match = _align(statements, nodes, statement)
                if match is None:
                    break
                if depth == len(chain) - 1:
                    decorators = getattr(match, "decorator_list", [])
                    line = min([match.lineno, *(d.lineno for d in decorators)])
                    break
                statements, nodes = _cst_children(statement), _ast_children(match)
        except (SyntaxError, ValueError, RecursionError, AttributeError):
            line = None
        self._first_lines[key] = line
        return line

    def _lean(self) -> dict[int, CodeRange]:
        state = _MarkingState(self.module.default_indent, self.module.default_newline, self._wanted)
        self.module._codegen(state)
        return _positions(state, state.marks)


def _positions(state: Any, marks: dict[int, tuple[int, int]]) -> dict[int, CodeRange]:
    """Token index -> position, walking the rendered tokens once up to the last mark."""
    wanted = sorted({i for pair in marks.values() for i in pair})
    at: dict[int, CodePosition] = {}
    line, column, index = 1, 0, 0
    for target in wanted:
        while index < target:
            token = state.tokens[index]
            parts = _NEWLINE.split(token)
            if len(parts) == 1:
                column += len(token)
            else:
                line += len(parts) - 1
                column = len(parts[-1])
            index += 1
        at[target] = CodePosition(line, column)
    return {key: CodeRange(at[start], at[end]) for key, (start, end) in marks.items()}


def _align(statements: list[Any], nodes: list[Any], target: cst.CSTNode) -> Any:
    """The ast statement that starts where the libcst ``target`` does (``a; b`` is two in ast)."""
    index = 0
    for statement in statements:
        if index >= len(nodes):
            return None
        if statement is target:
            return nodes[index]
        index += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
    return None


def _block(suite: Any) -> list[Any]:
    return list(suite.body) if isinstance(suite, cst.IndentedBlock) else []


def _cst_children(statement: Any) -> list[Any]:
    """Statements nested in a compound statement, in the order ast lists them."""
    has_body = hasattr(statement, "body") and not isinstance(statement, cst.Match)
    out = _block(statement.body) if has_body else []
    if isinstance(statement, (cst.Try, cst.TryStar)):
        for handler in statement.handlers:
            out += _block(handler.body)
    if isinstance(statement, cst.Match):
        for case in statement.cases:
            out += _block(case.body)
    orelse = getattr(statement, "orelse", None)
    if isinstance(orelse, cst.If):
        out.append(orelse)
    elif orelse is not None:
        out += _block(orelse.body)
    final = getattr(statement, "finalbody", None)
    if final is not None:
        out += _block(final.body)
    return out


def _ast_children(node: Any) -> list[Any]:
    out = list(getattr(node, "body", [])) if not hasattr(node, "cases") else []
    for handler in getattr(node, "handlers", []):
        out += handler.body
    for case in getattr(node, "cases", []):
        out += case.body
    out += getattr(node, "orelse", [])
    out += getattr(node, "finalbody", [])
    return out


if CodegenState is not None:

    class _MarkingState(CodegenState):  # type: ignore[misc, valid-type]
        """Renders like ``module.code`` and notes the token span of the wanted nodes."""

        def __init__(self, default_indent: str, default_newline: str, wanted: set[int]) -> None:
            super().__init__(default_indent=default_indent, default_newline=default_newline)
            self.wanted = wanted
            self.marks: dict[int, tuple[int, int]] = {}

        @contextmanager
        def record_syntactic_position(
            self,
            node: cst.CSTNode,
            *,
            start_node: cst.CSTNode | None = None,
            end_node: cst.CSTNode | None = None,
        ) -> Iterator[None]:
            if id(node) not in self.wanted:
                yield
                return
            start = len(self.tokens)
            yield
            self.marks[id(node)] = (start, len(self.tokens))
