"""One pass over a module to be fixed: parents, loaded names and from-imports."""

from __future__ import annotations

from collections import Counter

import libcst as cst

_BLOCKS = (
    cst.BaseCompoundStatement,
    cst.BaseSuite,
    cst.ExceptHandler,
    cst.ExceptStarHandler,
    cst.Else,
    cst.Finally,
    cst.MatchCase,
)


class ModuleIndex:
    """Built only for files that get a fix. The from-imports come from a walk over statements;
    the loaded names and parents, which take a visit of every node, only when asked for."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.from_imports: list[cst.ImportFrom] = []
        self._statement_parents: dict[int, cst.CSTNode] = {}
        self._visited: _Visit | None = None
        # A stack fed in reverse: statements come off it in source order.
        todo: list[tuple[cst.CSTNode, cst.CSTNode]] = [(stmt, module) for stmt in reversed(module.body)]
        while todo:
            node, parent = todo.pop()
            self._statement_parents[id(node)] = parent
            if isinstance(node, cst.SimpleStatementLine):
                for small in node.body:
                    self._statement_parents[id(small)] = node
                    if isinstance(small, cst.ImportFrom):
                        self.from_imports.append(small)
            elif isinstance(node, _BLOCKS):
                todo.extend((child, node) for child in reversed(_statement_children(node)))

    @property
    def loads(self) -> Counter[str]:
        """Bare names read anywhere in the module."""
        return self._visit().loads

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        found = self._statement_parents.get(id(node))
        return found if found is not None else self._visit().parents.get(id(node))

    def _visit(self) -> _Visit:
        if self._visited is None:
            self._visited = _Visit(self.module)
        return self._visited

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


def _statement_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The statements, blocks and clauses directly under a compound statement or block."""
    if isinstance(node, cst.BaseSuite):
        return list(node.body) if isinstance(node, cst.IndentedBlock) else [node]
    out: list[cst.CSTNode] = []
    for name in ("body", "handlers", "orelse", "finalbody", "cases"):
        value = getattr(node, name, None)
        if isinstance(value, cst.CSTNode):
            out.append(value)
        elif isinstance(value, (list, tuple)):
            out.extend(value)
    return out


class _Visit(cst.CSTVisitor):
    """Every node's parent and every bare name read: one visit of the whole module."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self.parents: dict[int, cst.CSTNode] = {}
        self.loads: Counter[str] = Counter()
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
            return False  # names inside an import are bindings, not uses
        elif isinstance(node, cst.Name) and id(node) not in self._not_loads:
            self.loads[node.value] += 1
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._stack.pop()


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
