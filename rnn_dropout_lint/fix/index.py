"""One pass over a module to be fixed: parents, loaded names and from-imports."""

from __future__ import annotations

from collections import Counter

import libcst as cst


class ModuleIndex(cst.CSTVisitor):
    """Built only for files that get a fix, so its traversal costs nothing elsewhere."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self.parents: dict[int, cst.CSTNode] = {}
        self.loads: Counter[str] = Counter()  # bare names read anywhere in the module
        self.from_imports: list[cst.ImportFrom] = []
        self._stack: list[cst.CSTNode] = []
        self._not_loads: set[int] = set()
        module.visit(self)

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self._stack:
            self.parents[id(node)] = self._stack[-1]
        self._stack.append(node)
        if isinstance(node, cst.Attribute):
            self._not_loads.add(id(node.attr))
        elif isinstance(node, cst.Arg) and node.keyword is not None:
            self._not_loads.add(id(node.keyword))
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Param)):
            self._not_loads.add(id(node.name))
        elif isinstance(node, (cst.ImportFrom, cst.Import)):
            if isinstance(node, cst.ImportFrom):
                self.from_imports.append(node)
            return False  # names inside an import are bindings, not uses
        elif isinstance(node, cst.Name) and id(node) not in self._not_loads:
            self.loads[node.value] += 1
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._stack.pop()

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(id(node))

    def binding_imports(self, name: str) -> list[cst.ImportFrom]:
        """The ``from m import x [as name]`` statements that bind ``name``."""
        return [
            stmt
            for stmt in self.from_imports
            if not isinstance(stmt.names, cst.ImportStar)
            and any(bound_name(alias) == name for alias in stmt.names)
        ]

    def star_modules(self) -> list[str]:
        return [
            module_name(stmt)
            for stmt in self.from_imports
            if isinstance(stmt.names, cst.ImportStar) and not stmt.relative
        ]


def bound_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return cst.helpers.get_full_name_for_node(alias.name) or ""


def module_name(stmt: cst.ImportFrom) -> str:
    if stmt.relative or stmt.module is None:
        return ""
    return cst.helpers.get_full_name_for_node(stmt.module) or ""


def imported_name(alias: cst.ImportAlias) -> str:
    return cst.helpers.get_full_name_for_node(alias.name) or ""
