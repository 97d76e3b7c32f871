"""Fixes for findings, planned on the CST the graph was built from.

Every fix is a set of text edits (ruff-style) computed from libcst nodes: the
flagged call, and the ``from ... import`` lines its names live in. Everything
else in the file is left byte for byte.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import libcst as cst
from libcst._position import CodePosition, CodeRange

from ..facts import accepts_dropout, arg, inner, is_wrapper, rate_text, sequence_rank
from ..findings import Edit, Finding, Fix
from ..graph import LayerGraph, LayerNode
from ..keras_table import KERAS_ROOTS
from ..rules._report import dropout_call, label, line_of, time_shared_shape
from ..rules.sites import DropoutSite, dropout_sites
from ..static.positions import Positions
from .imports import rewrite_imports
from .index import ModuleIndex, module_name
from .text import split_lines

SPATIAL = "SpatialDropout1D"


def _nowhere(node: cst.CSTNode) -> CodeRange:
    """Where edits go when they are not wanted: deciding a fix needs no position."""
    return CodeRange(CodePosition(1, 0), CodePosition(1, 0))


class NoFix(Exception):
    """This style cannot fix this finding; the message says why."""


@dataclass
class FixContext:
    module: cst.Module
    graph: LayerGraph
    positions: Positions
    source: str = ""
    style: str = "spatial"
    line_length: int | None = None
    # False: only whether and how each finding can be fixed (the ``[*]`` of text output);
    # the edits, which need every node's position, are left out.
    edits: bool = True
    _index: ModuleIndex | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.edits:
            self.positions = _nowhere  # type: ignore[assignment]

    @property
    def lines(self) -> list[str]:
        return split_lines(self.source)

    @property
    def index(self) -> ModuleIndex:
        if self._index is None:
            self._index = ModuleIndex(self.module)
        return self._index

    def edit(self, node: cst.CSTNode, replacement: cst.CSTNode | str) -> Edit:
        """Replace the node's text; a node replacement must render on one line."""
        if not self.edits:
            return Edit("", 1, 1, 1, 1)
        rng = self.positions(node)
        if rng is None:
            raise NoFix("the linter cannot locate this code")
        content = replacement if isinstance(replacement, str) else self.module.code_for_node(replacement)
        return Edit(content, rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column + 1)


def plan_fixes(findings: Iterable[Finding], ctx: FixContext) -> list[Finding]:
    """The findings with ``fix`` filled where a fix exists. Uncertain findings are never fixed."""
    sites = {site.dropout.id: site for site in dropout_sites(ctx.graph)}
    kinds: dict[int, set[str]] = {}
    for node in ctx.graph.nodes:
        kinds.setdefault(id(node.origin), set()).add(node.kind)
    planned = []
    for found in findings:
        if found.code == "RDL901":
            why = "whether to keep recurrent_dropout is a choice between regularisation and speed"
            planned.append(replace(found, no_fix=why))
        elif not found.certain:
            planned.append(
                replace(found, no_fix="the analysis is not sure of it (uncertain findings are not fixed)")
            )
        elif found.node is None or found.node.id not in sites:
            planned.append(
                replace(found, no_fix="the linter cannot tie it to the code that builds the layer")
            )
        elif len(kinds[id(found.node.origin)]) > 1:
            # ``getattr(layers, spec["type"])(**kwargs)``: an edit there changes every layer.
            planned.append(replace(found, no_fix="the same call builds other layers too"))
        else:
            try:
                planned.append(replace(found, fix=_plan(found, sites[found.node.id], ctx)))
            except NoFix as why:
                planned.append(replace(found, no_fix=str(why)))
    return planned


def _plan(found: Finding, site: DropoutSite, ctx: FixContext) -> Fix:
    if found.code == "RDL003":
        return _set_entry(site.dropout, 1, "1", ctx, "set the time entry of noise_shape to 1")
    if found.code == "RDL004":
        return _set_entry(site.dropout, 0, "None", ctx, "use None for the batch entry of noise_shape")
    return _per_step(site, ctx)


def _calls(dropout: LayerNode) -> tuple[cst.Call, cst.Call]:
    """(the call that builds the layer, the Dropout call itself): they differ for TimeDistributed."""
    outer = dropout.origin
    if not isinstance(outer, cst.Call):
        raise NoFix("not built by a call")
    if not is_wrapper(dropout, "TimeDistributed"):
        return outer, outer
    work = inner(dropout).origin
    if not isinstance(work, cst.Call) or not outer.args or outer.args[0].value is not work:
        raise NoFix("the wrapped layer is not written inside TimeDistributed(...)")
    return outer, work


def _per_step(site: DropoutSite, ctx: FixContext) -> Fix:
    if site.dropout.stepped:
        raise NoFix(
            "it ends a model that TimeDistributed runs at every step, where it sees no time axis; "
            "drop after the TimeDistributed layer instead"
        )
    targets = [t for t in site.targets if t.certain] or list(site.targets)
    if is_wrapper(targets[0].node, "TimeDistributed"):
        # The recurrent layer reads axis 2 as time: neither SpatialDropout1D nor axis 1 fits.
        raise NoFix("the recurrent layer it feeds runs inside TimeDistributed")
    rank = sequence_rank(targets[0].node)
    work = inner(site.dropout)
    if work.kind == "AlphaDropout":  # not a plain dropout: no merge, no SpatialDropout1D
        shape = time_shared_shape(rank)
        return Fix(
            "display-only",
            f"Add noise_shape={shape} to AlphaDropout; not applied, because tf.keras 2.x's "
            "AlphaDropout cannot fill None entries of a noise shape",
        )
    note = ""
    if ctx.style == "merge":
        try:
            return _merge(site, ctx)
        except NoFix as why:
            note = f" (cannot merge: {why})"
    if ctx.style != "noise-shape" and rank == 3:
        try:
            fix = _spatial(site.dropout, ctx)
            return replace(fix, message=fix.message + note)
        except NoFix:
            pass
    fix = _noise_shape(site.dropout, rank, ctx)
    return replace(fix, message=fix.message + note)


def _args(call: cst.Call) -> tuple[list[cst.Arg], dict[str, cst.Arg]]:
    positional = [a for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a for a in call.args if a.keyword is not None}
    return positional, keywords


def _spelling(work: LayerNode, call: cst.Call, ctx: FixContext) -> tuple[cst.BaseExpression, list]:
    """How this file can name SpatialDropout1D next to the Dropout it uses, and the imports that takes."""
    module = (work.qualname or "").rpartition(".")[0]
    if not _has_spatial(module):
        raise NoFix(f"{module or 'this module'} has no SpatialDropout1D")
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.with_changes(attr=cst.Name(SPATIAL)), []
    if not isinstance(func, cst.Name):
        raise NoFix("the Dropout class is not named directly")
    # Every import of the name (try/except fallbacks) learns the new one.
    statements = ctx.index.binding_imports(func.value)
    if not all(_has_spatial(module_name(s)) for s in statements):
        raise NoFix(f"{func.value} is also imported from elsewhere")
    if not statements and module not in ctx.index.star_modules():
        raise NoFix(f"{func.value} is not imported from {module}")
    return cst.Name(SPATIAL), statements


def _has_spatial(module: str) -> bool:
    """Keras modules that export SpatialDropout1D next to Dropout."""
    return module.endswith((".layers", ".layers.core")) or module in KERAS_ROOTS


def _spatial(dropout: LayerNode, ctx: FixContext) -> Fix:
    outer, call = _calls(dropout)
    func, statements = _spelling(inner(dropout), call, ctx)
    positional, keywords = _args(call)
    if any(a.star for a in call.args) or len(positional) > 1:
        raise NoFix("positional arguments beyond the rate")
    edits = [ctx.edit(call.func, func), *_unwrap(outer, call, ctx)]
    if "noise_shape" in keywords:  # None, or there would be no finding: SpatialDropout1D rejects it
        edits.append(_drop_arg(call, keywords["noise_shape"], ctx))
    removed = Counter(_bare_names(outer, call))
    edits += _import_edits(ctx, removed, SPATIAL, statements, _bare(call.func))
    return Fix("safe", f"Replace {dropout_call(dropout)} with {SPATIAL}({rate_text(dropout)})", tuple(edits))


def _noise_shape(dropout: LayerNode, rank: int, ctx: FixContext) -> Fix:
    outer, call = _calls(dropout)
    shape = time_shared_shape(rank)
    positional, keywords = _args(call)
    if "noise_shape" in keywords:
        edits = [ctx.edit(keywords["noise_shape"].value, shape)]
    elif len(positional) >= 2:
        edits = [ctx.edit(positional[1].value, shape)]
    else:
        edits = [_add_arg(call, f"noise_shape={shape}", ctx)]
    edits += _unwrap(outer, call, ctx)
    removed = Counter(_bare_names(outer) if outer is not call else [])  # TimeDistributed goes
    edits += _import_edits(ctx, removed, None, [], None)
    return Fix("safe", f"Add noise_shape={shape} to {dropout_call(dropout)}", tuple(edits))


def _set_entry(dropout: LayerNode, index: int, value: str, ctx: FixContext, what: str) -> Fix:
    _, call = _calls(dropout)
    positional, keywords = _args(call)
    shape_arg = keywords.get("noise_shape") or (positional[1] if len(positional) >= 2 else None)
    if shape_arg is None or not isinstance(shape_arg.value, (cst.Tuple, cst.List)):
        raise NoFix("the noise shape is not written as a literal")
    elements = shape_arg.value.elements
    if len(elements) <= index or isinstance(elements[index], cst.StarredElement):
        raise NoFix("the noise shape is too short")
    edit = ctx.edit(elements[index].value, value)
    return Fix("safe", f"{what[0].upper()}{what[1:]}", (edit,))


def _merge(site: DropoutSite, ctx: FixContext) -> Fix:
    """Delete the dropout layer and give its rate to the recurrent layer it feeds (unsafe)."""
    dropout = site.dropout
    succs = list(ctx.graph.succs(dropout))
    if len(site.targets) != 1 or len(succs) != 1 or succs[0][0] is not site.targets[0].node:
        raise NoFix("it does not feed exactly one recurrent layer directly")
    target = site.targets[0].node
    work = inner(target)
    if work.kind == "RNN":
        work = work.wrapped
    if work is None or not accepts_dropout(target):
        raise NoFix(f"{label(target)} does not take dropout=")
    if arg(work, "dropout") is not None:
        raise NoFix(f"{label(target)} sets dropout= already")
    if not isinstance(work.origin, cst.Call):
        raise NoFix(f"{label(target)} is not built by a call here")
    outer, _ = _calls(dropout)
    removal = _removal(outer, ctx)
    rate = rate_text(dropout)
    removed = Counter(_bare_names(*_calls(dropout)))
    edits = [removal, _add_arg(work.origin, f"dropout={rate}", ctx)]
    edits += _import_edits(ctx, removed, None, [], None)
    return Fix(
        "unsafe",
        f"Remove {dropout_call(dropout)} and pass dropout={rate} to {label(target)}"
        f"{line_of(ctx.graph, target)} (changes the model's layer list; per step on tf.keras 2.x's "
        "cuDNN path)",
        tuple(edits),
    )


def _removal(outer: cst.Call, ctx: FixContext) -> Edit:
    """The edit that deletes the code placing the dropout layer in the model."""
    index = ctx.index
    parent = index.parent(outer)
    if isinstance(parent, cst.Element) and isinstance(index.parent(parent), cst.List):
        elements = index.parent(parent).elements
        position = list(elements).index(parent)
        if position + 1 >= len(elements):
            raise NoFix("it is the last layer of its list")
        start = ctx.positions(parent)
        end = ctx.positions(elements[position + 1])
        return Edit("", start.start.line, start.start.column + 1, end.start.line, end.start.column + 1)
    statement = _deletable_statement(outer, ctx)
    rng = ctx.positions(statement)
    return Edit("", rng.start.line, 1, rng.end.line + 1, 1)


def _deletable_statement(outer: cst.Call, ctx: FixContext) -> cst.SimpleStatementLine:
    index = ctx.index
    parent = index.parent(outer)
    if isinstance(parent, cst.Arg):  # model.add(Dropout(r))
        add_call = index.parent(parent)
        small = index.parent(add_call) if isinstance(add_call, cst.Call) else None
        ok = isinstance(small, cst.Expr) and len(add_call.args) == 1
    elif isinstance(parent, cst.Call) and parent.func is outer:  # x = Dropout(r)(x)
        small = index.parent(parent)
        ok = (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
            and len(parent.args) == 1
            and isinstance(parent.args[0].value, cst.Name)
            and parent.args[0].value.value == small.targets[0].target.value
        )
    else:
        ok, small = False, None
    line = index.parent(small) if ok else None
    block = index.parent(line) if isinstance(line, cst.SimpleStatementLine) else None
    if (
        not isinstance(line, cst.SimpleStatementLine)
        or len(line.body) != 1
        or not isinstance(block, (cst.IndentedBlock, cst.Module))
        or len(block.body) < 2
    ):
        raise NoFix("the dropout layer is not placed by a statement of its own")
    return line


def _add_arg(call: cst.Call, text: str, ctx: FixContext) -> Edit:
    """Insert ``, text`` after the last argument: works with and without a trailing comma."""
    if not call.args:
        raise NoFix("the call has no arguments to extend")
    end = ctx.positions(call.args[-1].value)
    if end is None:
        raise NoFix("the linter cannot locate this code")
    row, col = end.end.line, end.end.column + 1
    return Edit(f", {text}", row, col, row, col)


def _drop_arg(call: cst.Call, arg_node: cst.Arg, ctx: FixContext) -> Edit:
    """Delete ``, name=value`` (from the end of the previous argument to the end of this one)."""
    position = list(call.args).index(arg_node)
    if position == 0:
        raise NoFix("cannot drop the first argument")
    start = ctx.positions(call.args[position - 1].value)
    end = ctx.positions(arg_node.value)
    if start is None or end is None:
        raise NoFix("the linter cannot locate this code")
    return Edit("", start.end.line, start.end.column + 1, end.end.line, end.end.column + 1)


def _unwrap(outer: cst.Call, call: cst.Call, ctx: FixContext) -> list[Edit]:
    """Edits that turn ``TimeDistributed(<call>)`` into ``<call>``: delete what surrounds it."""
    if outer is call:
        return []
    moved = _moved_wrapper_args(outer, call, ctx)
    out, inside = ctx.positions(outer), ctx.positions(call)
    if out is None or inside is None:
        raise NoFix("the linter cannot locate this code")
    if moved:  # into the wrapped call, before its closing parenthesis
        last = call.args[-1] if call.args else None
        lead = "" if not call.args else " " if isinstance(last.comma, cst.Comma) else ", "  # type: ignore[union-attr]
        suffix = Edit(
            lead + ", ".join(moved) + ")",
            inside.end.line,
            inside.end.column,
            out.end.line,
            out.end.column + 1,
        )
    else:
        suffix = Edit("", inside.end.line, inside.end.column + 1, out.end.line, out.end.column + 1)
    return [
        Edit("", out.start.line, out.start.column + 1, inside.start.line, inside.start.column + 1),
        suffix,
    ]


# Arguments of TimeDistributed's own that mean the same on the layer it wraps (every layer takes them).
_WRAPPER_ARGS_THAT_MOVE = ("name", "dtype", "trainable", "input_shape", "batch_input_shape")


def _moved_wrapper_args(outer: cst.Call, call: cst.Call, ctx: FixContext) -> list[str]:
    """``key=value`` texts of the wrapper's keyword arguments, to pass to the wrapped layer."""
    own = {a.keyword.value for a in call.args if a.keyword is not None}
    moved = []
    for argument in outer.args[1:]:
        if argument.star or argument.keyword is None:
            raise NoFix("TimeDistributed has other positional or ** arguments")
        key = argument.keyword.value
        if key not in _WRAPPER_ARGS_THAT_MOVE:
            raise NoFix(f"TimeDistributed's {key}= has no counterpart on the layer it wraps")
        if key in own:
            raise NoFix(f"both TimeDistributed and the layer it wraps set {key}=")
        moved.append(f"{key}={ctx.module.code_for_node(argument.value)}")
    return moved


def _bare(func: cst.BaseExpression) -> str | None:
    return func.value if isinstance(func, cst.Name) else None


def _bare_names(*calls: cst.Call) -> list[str]:
    return [name for name in dict.fromkeys(_bare(c.func) for c in calls) if name]


def _import_edits(
    ctx: FixContext,
    removed: Counter[str],
    add: str | None,
    via: list[cst.ImportFrom],
    anchor: str | None,
) -> list[Edit]:
    edits: list[Edit] = []
    if not ctx.edits:
        return edits
    for stmt, new in rewrite_imports(ctx.index, removed, add, via, anchor).items():
        if new is not None:
            edits.append(ctx.edit(stmt, _indented(_fitted(new, stmt, ctx), stmt, ctx)))
            continue
        line = ctx.index.parent(stmt)
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
            rng = ctx.positions(line)
            edits.append(Edit("", rng.start.line, 1, rng.end.line + 1, 1))
    return edits


def _fitted(new: cst.ImportFrom, stmt: cst.ImportFrom, ctx: FixContext) -> str:
    """The statement as libcst renders it, or, where that one line would pass the project's
    line length, parenthesised with one name per line (ruff's and black's style)."""
    rendered = ctx.module.code_for_node(new)
    rng = ctx.positions(stmt)
    line = ctx.lines[rng.start.line - 1] if rng is not None else ""
    indent = len(line) - len(line.lstrip(" \t"))
    too_long = ctx.line_length is not None and indent + len(rendered) > ctx.line_length
    if not too_long or "\n" in rendered or isinstance(new.names, cst.ImportStar):
        return rendered
    step = cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(), indent=True, last_line=cst.SimpleWhitespace("    ")
    )
    names = [a.with_changes(comma=cst.Comma(whitespace_after=step)) for a in new.names]
    last = cst.ParenthesizedWhitespace(first_line=cst.TrailingWhitespace(), indent=True)
    names[-1] = names[-1].with_changes(comma=cst.Comma(whitespace_after=last))
    wrapped = new.with_changes(names=names, lpar=cst.LeftParen(whitespace_after=step), rpar=cst.RightParen())
    return ctx.module.code_for_node(wrapped)


def _indented(rendered: str, stmt: cst.CSTNode, ctx: FixContext) -> str:
    """libcst renders a node without its block's indentation: put it back on continuation lines."""
    rng = ctx.positions(stmt)
    line = ctx.lines[rng.start.line - 1] if rng is not None else ""
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    first, *rest = rendered.splitlines(keepends=True)
    return first + "".join(indent + line if line.strip() else line for line in rest)
