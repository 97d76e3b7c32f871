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
    return _fix_commas(out, parenthesized=stmt.lpar is not None, trailing=original[-1].comma)


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
