"""The CST of a source CPython has parsed already, built from its ``ast``.

flake8 hands every plugin the stdlib ``ast`` of the file it checks. libcst's parse of the
same text costs ten times CPython's, and the analysis reads none of what only a CST holds
(whitespace, comments, parentheses): it needs libcst's node types and their semantic
fields. So where a tree is given and no fix will be written, the module the interpreter
walks is built here from the tree, node for node as libcst's parser would build it (the
same types, the same statement lines and suites, the same order of arguments), with
default whitespace. ``tests/test_ast_cst.py`` compares the two, field by field, on
every file of the test corpora.

What a CST built this way cannot do is render the source: positions of calls and the
text of arguments come from the ``ast`` (:class:`Origins`), and such a module is never
fixed.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence
from typing import Any

import libcst as cst

from .native_parse import fast_nodes

_BIN: dict[type, type[cst.BaseBinaryOp]] = {
    ast.Add: cst.Add,
    ast.Sub: cst.Subtract,
    ast.Mult: cst.Multiply,
    ast.MatMult: cst.MatrixMultiply,
    ast.Div: cst.Divide,
    ast.Mod: cst.Modulo,
    ast.Pow: cst.Power,
    ast.LShift: cst.LeftShift,
    ast.RShift: cst.RightShift,
    ast.BitOr: cst.BitOr,
    ast.BitXor: cst.BitXor,
    ast.BitAnd: cst.BitAnd,
    ast.FloorDiv: cst.FloorDivide,
}
_AUG: dict[type, type[cst.BaseAugOp]] = {
    ast.Add: cst.AddAssign,
    ast.Sub: cst.SubtractAssign,
    ast.Mult: cst.MultiplyAssign,
    ast.MatMult: cst.MatrixMultiplyAssign,
    ast.Div: cst.DivideAssign,
    ast.Mod: cst.ModuloAssign,
    ast.Pow: cst.PowerAssign,
    ast.LShift: cst.LeftShiftAssign,
    ast.RShift: cst.RightShiftAssign,
    ast.BitOr: cst.BitOrAssign,
    ast.BitXor: cst.BitXorAssign,
    ast.BitAnd: cst.BitAndAssign,
    ast.FloorDiv: cst.FloorDivideAssign,
}
_UNARY: dict[type, type[cst.BaseUnaryOp]] = {
    ast.UAdd: cst.Plus,
    ast.USub: cst.Minus,
    ast.Invert: cst.BitInvert,
    ast.Not: cst.Not,
}
_COMPARE: dict[type, type[cst.BaseCompOp]] = {
    ast.Eq: cst.Equal,
    ast.NotEq: cst.NotEqual,
    ast.Lt: cst.LessThan,
    ast.LtE: cst.LessThanEqual,
    ast.Gt: cst.GreaterThan,
    ast.GtE: cst.GreaterThanEqual,
    ast.Is: cst.Is,
    ast.IsNot: cst.IsNot,
    ast.In: cst.In,
    ast.NotIn: cst.NotIn,
}
_CONVERSIONS = {-1: None, ord("s"): "s", ord("r"): "r", ord("a"): "a"}
_COMPOUND = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.Match,
    *((ast.TryStar,) if hasattr(ast, "TryStar") else ()),
)


class Unsupported(Exception):
    """A node of a Python newer than this module knows: parse the source with libcst instead."""


class Origins:
    """Where the nodes of a CST built from an ``ast`` came from in the source."""

    def __init__(self, lines: list[bytes]) -> None:
        self.lines = lines  # the source's lines, UTF-8 encoded: ast columns count bytes
        self.calls: dict[int, ast.Call] = {}  # id of a cst.Call -> its ast node
        self.values: dict[int, ast.expr] = {}  # id of an argument's value -> its ast node

    def text(self, node: cst.CSTNode) -> str | None:
        """The source text of an argument's value, as written."""
        found = self.values.get(id(node))
        if found is None:
            return None
        return _segment(self.lines, found).decode("utf-8", "replace").strip()


def cst_from_ast(tree: ast.Module, source: str) -> tuple[cst.Module, Origins]:
    """The libcst module of ``source``, built from ``tree`` (CPython's parse of it)."""
    lines = source.encode("utf-8", "surrogatepass").splitlines(keepends=True)
    builder = _Builder(Origins(lines))
    with fast_nodes(len(source)):
        body = builder.block(tree.body)
        module = cst.Module(body=body)
    return module, builder.origins


class _Builder:
    def __init__(self, origins: Origins) -> None:
        self.origins = origins
        self.lines = origins.lines

    # -- statements -------------------------------------------------------------------------

    def block(self, statements: Sequence[ast.stmt]) -> list[cst.BaseStatement]:
        """Statements as libcst groups them: simple ones sharing a line (``a; b``) are one line."""
        out: list[cst.BaseStatement] = []
        line: list[cst.BaseSmallStatement] = []
        last_end = -1
        for statement in statements:
            if isinstance(statement, _COMPOUND):
                if line:
                    out.append(cst.SimpleStatementLine(line))
                    line = []
                out.append(_COMPOUNDS[type(statement)](self, statement))
                continue
            if line and statement.lineno != last_end:
                out.append(cst.SimpleStatementLine(line))
                line = []
            line.append(self.small(statement))
            last_end = statement.end_lineno or statement.lineno
        if line:
            out.append(cst.SimpleStatementLine(line))
        return out

    def suite(self, statements: Sequence[ast.stmt]) -> cst.BaseSuite:
        """An indented block, or the simple statements after the colon (``if x: a; b``)."""
        first = statements[0]
        if not isinstance(first, _COMPOUND) and self.lines[first.lineno - 1][: first.col_offset].strip():
            return cst.SimpleStatementSuite([self.small(s) for s in statements])
        return cst.IndentedBlock(self.block(statements))

    def orelse(self, statements: Sequence[ast.stmt]) -> cst.Else | None:
        return cst.Else(self.suite(statements)) if statements else None

    def small(self, s: ast.stmt) -> cst.BaseSmallStatement:
        kind = type(s)
        if kind is ast.Expr:
            return cst.Expr(self.expr(s.value))
        if kind is ast.Assign:
            return cst.Assign([cst.AssignTarget(self.expr(t)) for t in s.targets], self.expr(s.value))
        if kind is ast.AugAssign:
            return cst.AugAssign(self.expr(s.target), _AUG[type(s.op)](), self.expr(s.value))
        if kind is ast.AnnAssign:
            annotation = cst.Annotation(self.expr(s.annotation))
            return cst.AnnAssign(self.expr(s.target), annotation, self.optional(s.value))
        if kind is ast.Return:
            return cst.Return(self.optional(s.value))
        if kind is ast.Delete:
            if len(s.targets) == 1:
                return cst.Del(self.expr(s.targets[0]))
            return cst.Del(cst.Tuple([cst.Element(self.expr(t)) for t in s.targets], lpar=(), rpar=()))
        if kind is ast.Pass:
            return cst.Pass()
        if kind is ast.Break:
            return cst.Break()
        if kind is ast.Continue:
            return cst.Continue()
        if kind is ast.Raise:
            cause = cst.From(self.expr(s.cause)) if s.cause is not None else None
            return cst.Raise(self.optional(s.exc), cause)
        if kind is ast.Assert:
            return cst.Assert(self.expr(s.test), self.optional(s.msg))
        if kind is ast.Global:
            return cst.Global([cst.NameItem(cst.Name(n)) for n in s.names])
        if kind is ast.Nonlocal:
            return cst.Nonlocal([cst.NameItem(cst.Name(n)) for n in s.names])
        if kind is ast.Import:
            return cst.Import([self.alias(a) for a in s.names])
        if kind is ast.ImportFrom:
            return self.import_from(s)  # type: ignore[arg-type]
        if kind.__name__ == "TypeAlias":  # ``type X = ...``, Python 3.12
            return cst.TypeAlias(self.expr(s.name), self.expr(s.value))  # type: ignore[attr-defined]
        raise Unsupported(kind.__name__)

    def alias(self, a: ast.alias) -> cst.ImportAlias:
        asname = cst.AsName(cst.Name(a.asname)) if a.asname else None
        return cst.ImportAlias(_dotted(a.name), asname)

    def import_from(self, s: ast.ImportFrom) -> cst.ImportFrom:
        module = _dotted(s.module) if s.module else None
        names: Any = cst.ImportStar() if s.names[0].name == "*" else [self.alias(a) for a in s.names]
        return cst.ImportFrom(module, names, relative=[cst.Dot() for _ in range(s.level or 0)])

    def decorators(self, s: Any) -> list[cst.Decorator]:
        return [cst.Decorator(self.expr(d)) for d in s.decorator_list]

    def function(self, s: ast.FunctionDef | ast.AsyncFunctionDef) -> cst.FunctionDef:
        returns = cst.Annotation(self.expr(s.returns)) if s.returns is not None else None
        return cst.FunctionDef(
            cst.Name(s.name),
            self.parameters(s.args),
            self.suite(s.body),
            decorators=self.decorators(s),
            returns=returns,
            asynchronous=cst.Asynchronous() if isinstance(s, ast.AsyncFunctionDef) else None,
        )

    def class_(self, s: ast.ClassDef) -> cst.ClassDef:
        bases = [self.positional(b) for b in s.bases]
        keywords = [self.keyword(k) for k in s.keywords]
        return cst.ClassDef(
            cst.Name(s.name), self.suite(s.body), bases, keywords, decorators=self.decorators(s)
        )

    def if_(self, s: ast.If) -> cst.If:
        orelse: cst.If | cst.Else | None = None
        if s.orelse:
            first = s.orelse[0]
            elif_ = (
                len(s.orelse) == 1
                and isinstance(first, ast.If)
                and self.lines[first.lineno - 1][first.col_offset : first.col_offset + 4] == b"elif"
            )
            orelse = self.if_(first) if elif_ else cst.Else(self.suite(s.orelse))
        return cst.If(self.expr(s.test), self.suite(s.body), orelse)

    def for_(self, s: ast.For | ast.AsyncFor) -> cst.For:
        return cst.For(
            self.expr(s.target),
            self.expr(s.iter),
            self.suite(s.body),
            self.orelse(s.orelse),
            asynchronous=cst.Asynchronous() if isinstance(s, ast.AsyncFor) else None,
        )

    def while_(self, s: ast.While) -> cst.While:
        return cst.While(self.expr(s.test), self.suite(s.body), self.orelse(s.orelse))

    def with_(self, s: ast.With | ast.AsyncWith) -> cst.With:
        items = [
            cst.WithItem(
                self.expr(i.context_expr),
                cst.AsName(self.expr(i.optional_vars)) if i.optional_vars is not None else None,
            )
            for i in s.items
        ]
        asynchronous = cst.Asynchronous() if isinstance(s, ast.AsyncWith) else None
        return cst.With(items, self.suite(s.body), asynchronous=asynchronous)

    def try_(self, s: Any) -> cst.Try | cst.TryStar:
        star = type(s).__name__ == "TryStar"
        handler = cst.ExceptStarHandler if star else cst.ExceptHandler
        handlers = [
            handler(
                self.suite(h.body),
                self.optional(h.type),
                cst.AsName(cst.Name(h.name)) if h.name else None,
            )
            for h in s.handlers
        ]
        final = cst.Finally(self.suite(s.finalbody)) if s.finalbody else None
        kind = cst.TryStar if star else cst.Try
        return kind(self.suite(s.body), handlers, self.orelse(s.orelse), final)

    def match(self, s: ast.Match) -> cst.Match:
        cases = [
            cst.MatchCase(self.pattern(c.pattern), self.suite(c.body), self.optional(c.guard))
            for c in s.cases
        ]
        return cst.Match(self.expr(s.subject), cases)

    def pattern(self, p: ast.pattern) -> cst.MatchPattern:
        if isinstance(p, ast.MatchValue):
            return cst.MatchValue(self.expr(p.value))
        if isinstance(p, ast.MatchSingleton):
            return cst.MatchSingleton(cst.Name(repr(p.value)))
        if isinstance(p, ast.MatchSequence):
            elements = [self.sequence_element(e) for e in p.patterns]
            # libcst reads ``case a, b:`` as a list without brackets, ``case (a, b):`` as a tuple
            return cst.MatchTuple(elements) if self.parenthesised(p) else cst.MatchList(elements)
        if isinstance(p, ast.MatchMapping):
            elements = [
                cst.MatchMappingElement(self.expr(k), self.pattern(v))
                for k, v in zip(p.keys, p.patterns, strict=True)
            ]
            return cst.MatchMapping(elements, rest=cst.Name(p.rest) if p.rest else None)
        if isinstance(p, ast.MatchClass):
            keywords = [
                cst.MatchKeywordElement(cst.Name(k), self.pattern(v))
                for k, v in zip(p.kwd_attrs, p.kwd_patterns, strict=True)
            ]
            elements = [cst.MatchSequenceElement(self.pattern(e)) for e in p.patterns]
            return cst.MatchClass(self.expr(p.cls), elements, keywords)
        if isinstance(p, ast.MatchStar):
            return cst.MatchStar(cst.Name(p.name) if p.name else None)
        if isinstance(p, ast.MatchOr):
            return cst.MatchOr([cst.MatchOrElement(self.pattern(e)) for e in p.patterns])
        assert isinstance(p, ast.MatchAs)
        name = cst.Name(p.name) if p.name else None
        return cst.MatchAs(self.pattern(p.pattern) if p.pattern is not None else None, name)

    def sequence_element(self, p: ast.pattern) -> Any:
        if isinstance(p, ast.MatchStar):
            return self.pattern(p)
        return cst.MatchSequenceElement(self.pattern(p))

    def parameters(self, a: ast.arguments) -> cst.Parameters:
        positional = [*a.posonlyargs, *a.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults))
        defaults += a.defaults
        params = [self.param(p, d) for p, d in zip(positional, defaults, strict=True)]
        posonly, rest = params[: len(a.posonlyargs)], params[len(a.posonlyargs) :]
        star_arg: Any = cst.MaybeSentinel.DEFAULT
        if a.vararg is not None:
            star_arg = self.param(a.vararg, None, "*")
        elif a.kwonlyargs:
            star_arg = cst.ParamStar()
        return cst.Parameters(
            rest,
            star_arg,
            [self.param(p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)],
            self.param(a.kwarg, None, "**") if a.kwarg is not None else None,
            posonly,
            cst.ParamSlash() if posonly else cst.MaybeSentinel.DEFAULT,
        )

    def param(self, p: ast.arg, default: ast.expr | None, star: str = "") -> cst.Param:
        annotation = cst.Annotation(self.expr(p.annotation)) if p.annotation is not None else None
        value = self.expr(default) if default is not None else None
        return cst.Param(cst.Name(p.arg), annotation, default=value, star=star)

    # -- expressions ------------------------------------------------------------------------

    def expr(self, e: ast.expr) -> Any:
        build = _EXPRESSIONS.get(type(e))
        if build is None:
            raise Unsupported(type(e).__name__)
        return build(self, e)

    def optional(self, e: ast.expr | None) -> Any:
        return self.expr(e) if e is not None else None

    def name(self, e: ast.Name) -> cst.Name:
        return cst.Name(e.id)

    def constant(self, e: ast.Constant) -> cst.BaseExpression:
        value = e.value
        if value is None or value is True or value is False:
            return cst.Name(repr(value))
        if value is ...:
            return cst.Ellipsis()
        kind = type(value)
        if kind is str or kind is bytes:
            return cst.SimpleString(repr(value))
        if kind is int:
            return cst.Integer(repr(value))
        if kind is float:
            return cst.Float(repr(value) if math.isfinite(value) else "1e999")  # ``1e999`` reads as inf
        return cst.Imaginary(repr(value) if math.isfinite(value.imag) else "1e999j")

    def attribute(self, e: ast.Attribute) -> cst.Attribute:
        return cst.Attribute(self.expr(e.value), cst.Name(e.attr))

    def call(self, e: ast.Call) -> cst.Call:
        args = [self.positional(a) for a in e.args]
        if e.keywords:
            keywords = [self.keyword(k) for k in e.keywords]
            if args and _after(e.args[-1], e.keywords[0]):
                # ``f(*a, k=1, *b)`` or ``f(k=1, *a)``: libcst keeps them as written
                order = sorted(
                    zip([*e.args, *e.keywords], [*args, *keywords], strict=True), key=lambda p: _start(p[0])
                )
                args = [arg for _, arg in order]
            else:
                args += keywords
        node = cst.Call(self.expr(e.func), args)
        self.origins.calls[id(node)] = e
        return node

    def positional(self, a: ast.expr) -> cst.Arg:
        if isinstance(a, ast.Starred):
            value = self.expr(a.value)
            self.origins.values[id(value)] = a.value
            return cst.Arg(value, star="*")
        value = self.expr(a)
        self.origins.values[id(value)] = a
        return cst.Arg(value)

    def keyword(self, k: ast.keyword) -> cst.Arg:
        value = self.expr(k.value)
        self.origins.values[id(value)] = k.value
        if k.arg is None:
            return cst.Arg(value, star="**")
        return cst.Arg(value, keyword=cst.Name(k.arg), equal=cst.AssignEqual())

    def subscript(self, e: ast.Subscript) -> cst.Subscript:
        index = e.slice
        if isinstance(index, ast.Tuple) and index.elts and not self.parenthesised(index):
            elements = [cst.SubscriptElement(self.slice_item(i)) for i in index.elts]
        else:
            elements = [cst.SubscriptElement(self.slice_item(index))]
        return cst.Subscript(self.expr(e.value), elements)

    def slice_item(self, e: ast.expr) -> cst.BaseSlice:
        if isinstance(e, ast.Slice):
            return self.slice_alone(e)
        if isinstance(e, ast.Starred):
            return cst.Index(self.expr(e.value), star="*")
        return cst.Index(self.expr(e))

    def slice_alone(self, e: ast.Slice) -> cst.Slice:
        return cst.Slice(self.optional(e.lower), self.optional(e.upper), self.optional(e.step))

    def parenthesised(self, e: ast.Tuple | ast.MatchSequence) -> bool:
        """Whether a tuple is written in parentheses (``a[(1, 2)]``, one index) rather than
        bare (``a[1, 2]``, two): its first parenthesis closes at its end."""
        text = _segment(self.lines, e)
        if not text.startswith(b"(") or not text.endswith(b")"):
            return False
        depth = 0
        for index, byte in enumerate(text):
            if byte in b"([{":
                depth += 1
            elif byte in b")]}":
                depth -= 1
                if depth == 0:
                    return index == len(text) - 1
        return False

    def binop(self, e: ast.BinOp) -> cst.BinaryOperation:
        return cst.BinaryOperation(self.expr(e.left), _BIN[type(e.op)](), self.expr(e.right))

    def unary(self, e: ast.UnaryOp) -> cst.UnaryOperation:
        return cst.UnaryOperation(_UNARY[type(e.op)](), self.expr(e.operand))

    def boolop(self, e: ast.BoolOp) -> cst.BooleanOperation:
        operator = cst.And if isinstance(e.op, ast.And) else cst.Or
        values = [self.expr(v) for v in e.values]
        node = values[0]
        for value in values[1:]:  # left-associative, as libcst parses ``a and b and c``
            node = cst.BooleanOperation(node, operator(), value)
        return node

    def compare(self, e: ast.Compare) -> cst.Comparison:
        targets = [
            cst.ComparisonTarget(_COMPARE[type(op)](), self.expr(c))
            for op, c in zip(e.ops, e.comparators, strict=True)
        ]
        return cst.Comparison(self.expr(e.left), targets)

    def ifexp(self, e: ast.IfExp) -> cst.IfExp:
        return cst.IfExp(self.expr(e.test), self.expr(e.body), self.expr(e.orelse))

    def elements(self, items: list[ast.expr]) -> list[cst.BaseElement]:
        return [
            cst.StarredElement(self.expr(i.value))
            if isinstance(i, ast.Starred)
            else cst.Element(self.expr(i))
            for i in items
        ]

    def tuple(self, e: ast.Tuple) -> cst.Tuple:
        return cst.Tuple(self.elements(e.elts))

    def list(self, e: ast.List) -> cst.List:
        return cst.List(self.elements(e.elts))

    def set(self, e: ast.Set) -> cst.Set:
        return cst.Set(self.elements(e.elts))

    def dict(self, e: ast.Dict) -> cst.Dict:
        return cst.Dict(
            [
                cst.StarredDictElement(self.expr(v))
                if k is None
                else cst.DictElement(self.expr(k), self.expr(v))
                for k, v in zip(e.keys, e.values, strict=True)
            ]
        )

    def comprehension(self, generators: list[ast.comprehension]) -> cst.CompFor:
        inner = None
        for g in reversed(generators):
            inner = cst.CompFor(
                self.expr(g.target),
                self.expr(g.iter),
                [cst.CompIf(self.expr(i)) for i in g.ifs],
                inner,
                asynchronous=cst.Asynchronous() if g.is_async else None,
            )
        assert inner is not None
        return inner

    def listcomp(self, e: ast.ListComp) -> cst.ListComp:
        return cst.ListComp(self.expr(e.elt), self.comprehension(e.generators))

    def setcomp(self, e: ast.SetComp) -> cst.SetComp:
        return cst.SetComp(self.expr(e.elt), self.comprehension(e.generators))

    def genexp(self, e: ast.GeneratorExp) -> cst.GeneratorExp:
        return cst.GeneratorExp(self.expr(e.elt), self.comprehension(e.generators))

    def dictcomp(self, e: ast.DictComp) -> cst.DictComp:
        return cst.DictComp(self.expr(e.key), self.expr(e.value), self.comprehension(e.generators))

    def lambda_(self, e: ast.Lambda) -> cst.Lambda:
        return cst.Lambda(self.parameters(e.args), self.expr(e.body))

    def named(self, e: ast.NamedExpr) -> cst.NamedExpr:
        return cst.NamedExpr(self.expr(e.target), self.expr(e.value))

    def await_(self, e: ast.Await) -> cst.Await:
        return cst.Await(self.expr(e.value))

    def yield_(self, e: ast.Yield) -> cst.Yield:
        return cst.Yield(self.optional(e.value))

    def yield_from(self, e: ast.YieldFrom) -> cst.Yield:
        return cst.Yield(cst.From(self.expr(e.value)))

    def joined(self, e: ast.JoinedStr) -> cst.FormattedString:
        return cst.FormattedString(self.string_parts(e.values))

    def string_parts(self, values: list[ast.expr]) -> list[cst.BaseFormattedStringContent]:
        parts: list[cst.BaseFormattedStringContent] = []
        for v in values:
            if isinstance(v, ast.Constant):
                parts.append(cst.FormattedStringText(str(v.value).replace("{", "{{").replace("}", "}}")))
            else:
                assert isinstance(v, ast.FormattedValue)
                spec = v.format_spec
                parts.append(
                    cst.FormattedStringExpression(
                        self.expr(v.value),
                        _CONVERSIONS[v.conversion],
                        self.string_parts(spec.values) if isinstance(spec, ast.JoinedStr) else None,
                    )
                )
        return parts

    def starred(self, e: ast.Starred) -> cst.StarredElement:
        return cst.StarredElement(self.expr(e.value))


# Methods are looked up once here: bound methods kept on the builder would make a cycle.
_EXPRESSIONS: dict[type, Any] = {
    ast.Name: _Builder.name,
    ast.Constant: _Builder.constant,
    ast.Attribute: _Builder.attribute,
    ast.Call: _Builder.call,
    ast.Subscript: _Builder.subscript,
    ast.BinOp: _Builder.binop,
    ast.UnaryOp: _Builder.unary,
    ast.BoolOp: _Builder.boolop,
    ast.Compare: _Builder.compare,
    ast.IfExp: _Builder.ifexp,
    ast.Tuple: _Builder.tuple,
    ast.List: _Builder.list,
    ast.Set: _Builder.set,
    ast.Dict: _Builder.dict,
    ast.ListComp: _Builder.listcomp,
    ast.SetComp: _Builder.setcomp,
    ast.GeneratorExp: _Builder.genexp,
    ast.DictComp: _Builder.dictcomp,
    ast.Lambda: _Builder.lambda_,
    ast.NamedExpr: _Builder.named,
    ast.Await: _Builder.await_,
    ast.Yield: _Builder.yield_,
    ast.YieldFrom: _Builder.yield_from,
    ast.JoinedStr: _Builder.joined,
    ast.Starred: _Builder.starred,
    ast.Slice: _Builder.slice_alone,
}
_COMPOUNDS: dict[type, Any] = {
    ast.FunctionDef: _Builder.function,
    ast.AsyncFunctionDef: _Builder.function,
    ast.ClassDef: _Builder.class_,
    ast.If: _Builder.if_,
    ast.For: _Builder.for_,
    ast.AsyncFor: _Builder.for_,
    ast.While: _Builder.while_,
    ast.With: _Builder.with_,
    ast.AsyncWith: _Builder.with_,
    ast.Try: _Builder.try_,
    ast.Match: _Builder.match,
}
if hasattr(ast, "TryStar"):
    _COMPOUNDS[ast.TryStar] = _Builder.try_


def _segment(lines: list[bytes], node: ast.expr | ast.pattern) -> bytes:
    first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
    if first == last:
        return lines[first][node.col_offset : node.end_col_offset]
    return b"".join(
        [lines[first][node.col_offset :], *lines[first + 1 : last], lines[last][: node.end_col_offset]]
    )


def _dotted(name: str) -> cst.Name | cst.Attribute:
    parts = name.split(".")
    node: cst.Name | cst.Attribute = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(node, cst.Name(part))
    return node


def _start(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset  # type: ignore[attr-defined]


def _after(first: ast.AST, second: ast.AST) -> bool:
    return _start(first) > _start(second)
