"""Source positions of CST nodes, computed once per module and only when asked for.

libcst's PositionProvider re-renders the whole module, which costs about as much
as parsing it, so files with nothing to report never pay for it.
"""

from __future__ import annotations

from typing import Any

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider


class Positions:
    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._ranges: Any = None

    def __call__(self, node: cst.CSTNode) -> CodeRange | None:
        """The node's range, its own parentheses included: 1-based lines, 0-based columns."""
        if self._ranges is None:
            self._ranges = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)
        rng = self._ranges.get(node)
        lpar, rpar = getattr(node, "lpar", ()), getattr(node, "rpar", ())
        if rng is None or not lpar or not rpar:
            return rng
        # libcst leaves a node's parentheses out of its range; an edit must not.
        first, last = self._ranges.get(lpar[0]), self._ranges.get(rpar[-1])
        if first is None or last is None:
            return rng
        return CodeRange(first.start, last.end)
