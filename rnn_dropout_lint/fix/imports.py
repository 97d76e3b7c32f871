"""Edits to ``from ... import`` statements: add the new layer's name, drop names no longer used."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import libcst as cst

from .index import ModuleIndex, bound_name

_SPACE = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def rewrite_imports(
    index: ModuleIndex,
    removed_uses: Counter[str],
    add: str | None = None,
    via: Sequence[cst.ImportFrom] = (),
    anchor: str | None = None,
) -> dict[cst.ImportFrom, cst.ImportFrom | None]:
    """New versions of the statements that change (None: the statement goes away).

    ``removed_uses`` counts the uses of bare names that the fix deletes; a name whose
    every use goes is dropped from its imports. ``add`` is imported by each statement in
    ``via``, next to the alias that binds ``anchor``, unless an import binds it already.
    """
    dropping = {name for name, count in removed_uses.items() if index.loads[name] <= count}
    if add is not None and index.binding_imports(add):
        add = None
    touched = {id(s): s for name in dropping for s in index.binding_imports(name)}
    if add is not None:
        touched.update({id(s): s for s in via})
    changes: dict[cst.ImportFrom, cst.ImportFrom | None] = {}
    for stmt in touched.values():
        aliases = _rewrite_aliases(stmt, dropping, add if stmt in via else None, anchor)
        changes[stmt] = stmt.with_changes(names=aliases) if aliases else None
    return changes


def _rewrite_aliases(
    stmt: cst.ImportFrom, dropping: set[str], add: str | None, anchor: str | None
) -> list[cst.ImportAlias]:
    assert not isinstance(stmt.names, cst.ImportStar)
    original = list(stmt.names)
    out: list[cst.ImportAlias] = []
    added = add is None
    for alias in original:
        name = bound_name(alias)
        here = not added and name == anchor
        if name in dropping:
            if here:  # reuse the slot: ``Dropout`` becomes ``SpatialDropout1D``
                out.append(alias.with_changes(name=cst.Name(add), asname=None))
                added = True
            continue
        out.append(alias)
        if here:
            out.append(cst.ImportAlias(name=cst.Name(add), comma=alias.comma))
            added = True
    if not added:
        out.append(cst.ImportAlias(name=cst.Name(add)))
    if add is not None:
        out = _keep_sorted(out, add, [_member(a) for a in original])
    return _fix_commas(out, parenthesized=stmt.lpar is not None, trailing=original[-1].comma)


# Orders an import line can be sorted in: ruff's and isort's default (constants, then classes,
# then functions; case-insensitive within each), then plain case-sensitive and insensitive.
_SORT_KEYS = (
    lambda name: (0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2, name.lower()),
    lambda name: name,
    lambda name: name.lower(),
)


def _member(alias: cst.ImportAlias) -> str:
    """The imported name (``Dropout`` of ``Dropout as Drop``): what import sorters order by."""
    return alias.name.value if isinstance(alias.name, cst.Name) else bound_name(alias)


def _keep_sorted(aliases: list[cst.ImportAlias], add: str, original: list[str]) -> list[cst.ImportAlias]:
    """Where the line was sorted, the added name goes where sorting puts it (no new I001 error);
    elsewhere it stays next to the name it replaces."""
    if len(original) < 2:
        return aliases
    for key in _SORT_KEYS:
        if original == sorted(original, key=key):
            break
    else:
        return aliases
    new = next(a for a in aliases if bound_name(a) == add)
    rest = [a for a in aliases if a is not new]
    position = sum(1 for a in rest if key(_member(a)) < key(add))
    return [*rest[:position], new, *rest[position:]]


def _fix_commas(
    aliases: list[cst.ImportAlias], parenthesized: bool, trailing: cst.Comma | cst.MaybeSentinel
) -> list[cst.ImportAlias]:
    fixed = []
    for position, alias in enumerate(aliases):
        last = position == len(aliases) - 1
        if last:
            comma = trailing if parenthesized else cst.MaybeSentinel.DEFAULT
        else:
            comma = alias.comma if isinstance(alias.comma, cst.Comma) else _SPACE
        fixed.append(alias.with_changes(comma=comma))
    return fixed


def drop_imports_left_unused(original: cst.Module, fixed: cst.Module) -> str:
    """The fixed module's text without the from-imports of names the fixes took the last use of.

    Each fix drops an import whose every use it removes; fixes applied together (three
    ``Dropout(...)`` calls) each see the others' uses, so the last look is at the whole file.
    Only names the original text used are touched: an import unused before stays.
    """
    before, after = ModuleIndex(original), ModuleIndex(fixed)
    gone = Counter({n: 0 for n in before.loads if after.loads[n] == 0 and after.binding_imports(n)})
    if not gone:
        return fixed.code
    return fixed.visit(_Replace(rewrite_imports(after, gone))).code


class _Replace(cst.CSTTransformer):
    def __init__(self, changes: dict[cst.ImportFrom, cst.ImportFrom | None]) -> None:
        super().__init__()
        self.changes = changes

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        if original_node not in self.changes:
            return updated_node
        new = self.changes[original_node]
        return cst.RemoveFromParent() if new is None else new
