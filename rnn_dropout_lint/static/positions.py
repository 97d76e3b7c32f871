"""Source positions of CST nodes, computed once per module and only when asked for.

libcst's PositionProvider re-renders the whole module and records a range for
every node, which costs about twice the parse. Findings need the positions of a
few layer calls only, so :meth:`Positions.span` renders the module once with a
lean codegen state that marks just those nodes (about a third of a parse); the
full provider runs only when a fix needs arbitrary nodes.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from contextlib import nullcontext
from typing import Any

import libcst as cst
from libcst._position import CodePosition, CodeRange

from ..ast_cst import Origins

try:  # a private class of libcst; without it, fall back to the public provider
    from libcst._nodes.internal import CodegenState
except ImportError:  # pragma: no cover
    CodegenState = None

_NEWLINE = re.compile(r"\r\n?|\n")
_COMMENT = re.compile(r"#[^\r\n]*")


class Positions:
    def __init__(
        self,
        module: cst.Module,
        source: str | bytes | None = None,
        tree: Any = None,
        origins: Origins | None = None,
    ) -> None:
        self.module = module
        self.source = source
        self.origins = origins  # the module was built from ``tree``: it holds no layout to render
        self._ranges: Any = None
        self._wanted: set[int] = set()
        self._spans: dict[int, CodeRange] | None = None
        self._tree = tree  # the stdlib ast of the same source: its line numbers are free
        self._lines: list[str] | None = None
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

    def text(self, node: cst.CSTNode) -> str:
        """An argument value's source text, as written, on one line (comments left out)."""
        if self.origins is not None:
            text = self.origins.text(node) or "..."
        else:
            text = self.module.code_for_node(node).strip()
        if "\n" not in text and "\r" not in text:
            return text
        return " ".join(_COMMENT.sub("", text).split()).replace("( ", "(").replace(" )", ")")

    def span(self, node: cst.CSTNode) -> CodeRange | None:
        """The node's range without its parentheses, as libcst reports it."""
        if self.origins is not None:
            return self._origin_span(node)
        if self._spans is None:
            self._spans = self._lean() if CodegenState is not None else None
        if self._spans is None or id(node) not in self._spans:
            return self._full().get(node)
        return self._spans[id(node)]

    def span_in(self, node: cst.CSTNode, chain: tuple[cst.CSTNode, ...]) -> CodeRange | None:
        """The span of a call inside the last statement of ``chain`` (its enclosing statements).

        The stdlib ``ast`` of the same source (ten times cheaper than libcst's parse, and
        free under flake8) holds every call's position: the statement's calls are paired
        in source order with libcst's. Where the two cannot be lined up, only that
        statement is rendered. None when neither works.
        """
        if self.origins is not None:
            return self._origin_span(node)
        statement = chain[-1]
        found = self._in_statement.get(id(statement))
        if found is None:
            matched = self._ast_statements(chain)
            found = self._from_ast(statement, matched) if matched else None
            if found is None:
                found = self._render_statement(chain, matched) if matched else {}
            self._in_statement[id(statement)] = found
        return found.get(id(node))

    def _origin_span(self, node: cst.CSTNode) -> CodeRange | None:
        call = self.origins.calls.get(id(node)) if self.origins is not None else None
        if call is None or call.end_lineno is None or call.end_col_offset is None:
            return None
        return _ast_range(self._text_lines(), call)

    def _from_ast(self, statement: cst.CSTNode, matched: list[Any]) -> dict[int, CodeRange] | None:
        import ast

        # Calls inside f-strings are left out on both sides: their ast positions are
        # unreliable before Python 3.12.
        calls = []
        stack = list(matched)
        while stack:
            node = stack.pop()
            kind = type(node)
            if kind is ast.Call:
                calls.append(node)
            elif kind is ast.JoinedStr or not isinstance(node, ast.AST):  # None, a name in Global
                continue
            for name in node._fields:
                value = getattr(node, name, None)
                if type(value) is list:
                    stack.extend(value)
                elif isinstance(value, ast.AST):
                    stack.append(value)
        ours = _calls_in_order(statement)
        if len(ours) != len(calls):
            return None
        calls.sort(key=lambda c: (c.lineno, c.col_offset, -c.end_lineno, -c.end_col_offset))
        if not all(_same_callee(node, call) for node, call in zip(ours, calls, strict=True)):
            return None
        lines = self._text_lines()
        return {
            id(node): _ast_range(lines, call)
            for node, call in zip(ours, calls, strict=True)
            if id(node) in self._wanted
        }

    def _render_statement(self, chain: tuple[cst.CSTNode, ...], matched: list[Any]) -> dict[int, CodeRange]:
        """Render one statement, marking every wanted node inside it."""
        if CodegenState is None:
            return {}
        statement = chain[-1]
        decorators = getattr(matched[0], "decorator_list", [])
        line = min([matched[0].lineno, *(d.lineno for d in decorators)])
        text = self._text_lines()[line - 1]
        state = _MarkingState(self.module.default_indent, self.module.default_newline, self._wanted)
        state.indent_tokens = [text[: len(text) - len(text.lstrip(" \t"))]] if text.strip() else []
        elif_ = (
            len(chain) > 1
            and isinstance(statement, cst.If)
            and getattr(chain[-2], "orelse", None) is statement
        )
        statement._codegen(state, **({"is_elif": True} if elif_ else {}))
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

    def _ast_statements(self, chain: tuple[cst.CSTNode, ...]) -> list[Any] | None:
        """The ast statements of ``chain[-1]`` (``a; b`` is two), walking both trees down the chain."""
        try:
            if self._tree is None:
                import ast

                self._tree = ast.parse(self.source if self.source is not None else "")
            statements: list[Any] = list(self.module.body)
            nodes: list[Any] = list(self._tree.body)
            for depth, statement in enumerate(chain):
                index = _align(statements, statement)
                if index is None or index >= len(nodes):
                    return None
                if depth == len(chain) - 1:
                    return nodes[index : index + _ast_width(statement)]
                statements, nodes = _cst_children(statement), _ast_children(nodes[index])
        except (SyntaxError, ValueError, RecursionError, AttributeError):
            pass
        return None

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


def _align(statements: list[Any], target: cst.CSTNode) -> int | None:
    """Where the libcst ``target`` starts among the ast statements (``a; b`` is two in ast)."""
    index = 0
    for statement in statements:
        if statement is target:
            return index
        index += _ast_width(statement)
    return None


def _same_callee(node: cst.Call, call: Any) -> bool:
    """A cheap check that a pairing is right: both call the same name or attribute."""
    func, other = node.func, call.func
    if isinstance(func, cst.Name):
        return getattr(other, "id", None) == func.value
    if isinstance(func, cst.Attribute):
        return getattr(other, "attr", None) == func.attr.value
    return not hasattr(other, "id") and not hasattr(other, "attr")


def _ast_range(lines: list[str], node: Any) -> CodeRange:
    """An ast node's range, in libcst's terms."""
    return CodeRange(
        CodePosition(node.lineno, _column(lines, node.lineno, node.col_offset)),
        CodePosition(node.end_lineno, _column(lines, node.end_lineno, node.end_col_offset)),
    )


def _column(lines: list[str], row: int, offset: int) -> int:
    """An ast column (UTF-8 bytes) as libcst counts it (characters)."""
    line = lines[row - 1]
    return offset if line.isascii() else len(line.encode("utf-8")[:offset].decode("utf-8", "replace"))


# Fields that hold no code (whitespace, punctuation) and fields libcst declares out of source order.
_NOT_CODE = frozenset(
    {
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "trailing_whitespace",
        "indent",
    }
)
_SOURCE_ORDER: dict[type, tuple[str, ...]] = {
    cst.FunctionDef: ("decorators", "name", "type_parameters", "params", "returns", "body"),
    cst.ClassDef: ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    cst.IfExp: ("body", "test", "orelse"),
    cst.ExceptHandler: ("type", "name", "body"),
    cst.ExceptStarHandler: ("type", "name", "body"),
    cst.MatchCase: ("pattern", "guard", "body"),
    cst.Parameters: ("posonly_params", "posonly_ind", "params", "star_arg", "kwonly_params", "star_kwarg"),
    cst.TypeAlias: ("name", "type_parameters", "value"),
}
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    """The fields of a libcst node type that may hold code, in source order; none for values."""
    names = _FIELDS.get(kind)
    if names is None:
        if not issubclass(kind, cst.CSTNode):
            names = ()
        else:
            names = _SOURCE_ORDER.get(kind) or tuple(
                f.name
                for f in dataclasses.fields(kind)
                if f.name not in _NOT_CODE and not f.name.startswith("whitespace")
            )
        _FIELDS[kind] = names
    return names


def _calls_in_order(root: cst.CSTNode) -> list[cst.Call]:
    """The calls under ``root`` in source order, outer before inner, f-strings left out."""
    calls: list[cst.Call] = []
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is cst.Call:
            calls.append(node)
        elif kind is cst.FormattedString:
            continue
        children: list[Any] = []
        for name in _fields(kind):
            value = getattr(node, name)
            if type(value) is tuple or type(value) is list:
                children.extend(value)
            elif value is not None:
                children.append(value)
        stack.extend(reversed(children))
    return calls


def _ast_width(statement: cst.CSTNode) -> int:
    """How many ast statements one libcst statement is: one per small statement of a line
    (``a; b``) or of a one-line suite (``if x: a; b``), else one."""
    small = isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite))
    return len(statement.body) if small else 1


def _block(suite: Any) -> list[Any]:
    return list(suite.body) if isinstance(suite, cst.IndentedBlock) else [suite]


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

        def record_syntactic_position(
            self,
            node: cst.CSTNode,
            *,
            start_node: cst.CSTNode | None = None,
            end_node: cst.CSTNode | None = None,
        ) -> Any:
            # Called for every node rendered: a generator-based context manager here cost
            # a third of the render.
            return _Mark(self, id(node)) if id(node) in self.wanted else _UNMARKED

    class _Mark:
        __slots__ = ("key", "start", "state")

        def __init__(self, state: _MarkingState, key: int) -> None:
            self.state, self.key = state, key

        def __enter__(self) -> None:
            self.start = len(self.state.tokens)

        def __exit__(self, *exc: object) -> None:
            self.state.marks[self.key] = (self.start, len(self.state.tokens))

    _UNMARKED = nullcontext()
