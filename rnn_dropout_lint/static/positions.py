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
        """The node's range: 1-based lines, 0-based columns, end exclusive."""
        if self._ranges is None:
            self._ranges = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)
        return self._ranges.get(node)
