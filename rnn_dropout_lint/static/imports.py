"""Imports: Keras names become qualified names; the project's own modules are followed.

A module of the user's project (see :mod:`.project`) is read, not imported: its top level
runs once per analysis in a scope of its own, as Python would run it on first import, and
its names (functions, classes, constants, re-exported Keras names) are then used like the
checked file's own. Layers built by its code keep their own file and line. Files that import
the checked file are run the same way afterwards, with their functions judged on their own,
so a dropout whose neighbours only an importer supplies is judged as the project uses it.
"""

from __future__ import annotations

import os
from typing import Any

import libcst as cst
from libcst.helpers import get_full_name_for_node

from ..facts import is_dropout_family, is_transparent
from ..graph import UNKNOWN, LayerNode
from ..keras_table import Role
from .project import Project, Target, Unit
from .state import STEP_BUDGET, Frame, InterpreterBase
from .values import TOP, Const, LayerVal, LazyName, ModuleVal, Qual

MAX_MODULES = 64  # project modules read per analysis
MAX_IMPORTERS = 8  # importers of the checked file run per analysis (see Project.importers)
# Where the interpreter is: what a module's top level starts afresh and gives back after.
_RUN_STATE = (
    *("frame", "ctx", "chain", "jump", "stack", "driver"),
    *("positional", "loop_nesting", "unroll_nesting", "item_branches"),
)


def shown_path(real: str) -> str:
    """A path as messages show it: relative to the working folder where it is under it."""
    try:
        relative = os.path.relpath(real)
    except ValueError:  # another drive
        return real
    return real if relative.startswith("..") else relative


class ImportsMixin(InterpreterBase):
    project: Project | None
    home: str  # the real path of the checked file ("" when it is not on disk)
    modules: dict[str, Frame | None]  # real path -> the module's scope (None: not readable)
    unit_of: dict[int, Unit]  # id of a module's scope -> that module
    driver: str | None  # the importer whose code runs now (None: the checked file's)
    drivers: set[str]  # the importers run so far (real paths)
    called: frozenset[str]

    def unit_in(self, frame: Frame) -> Unit | None:
        """The project module a scope belongs to (None: the checked file)."""
        while frame.parent is not None:
            frame = frame.parent
        return self.unit_of.get(id(frame))

    def current_unit(self) -> Unit | None:
        """The project module whose code runs now (None: the checked file)."""
        return self.unit_in(self.frame)

    def reading_file(self) -> str:
        """The real path of the file whose code runs now ("" for text not on disk)."""
        unit = self.current_unit()
        return unit.real if unit is not None else self.home

    def exec_import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = get_full_name_for_node(alias.name) or ""
            if alias.asname is not None:
                self.bind(alias.asname.name, self.import_module(full, 0) or Qual(full))
            else:
                head = full.split(".", 1)[0]
                self.frame.locals[head] = self.import_module(head, 0) or Qual(head)

    def exec_import_from(self, node: cst.ImportFrom) -> None:
        module = get_full_name_for_node(node.module) if node.module is not None else ""
        level = len(node.relative)
        found = self._resolve(module or "", level)
        if isinstance(node.names, cst.ImportStar):
            if found is not None:
                self._import_star(found)
            else:  # Keras names, or names we cannot see (no unbound name is then guessed)
                self.frame.star_modules.append("." * level + module)
            return
        for alias in node.names:
            name = get_full_name_for_node(alias.name) or ""
            local = alias.asname.name if alias.asname is not None else alias.name
            qualname = f"{module}.{name}"
            if found is None or (not level and self.table.lookup(qualname) is not None):
                # A configured custom layer keeps the name the table knows it by.
                self.bind(local, Qual(qualname) if not level and module else TOP)
            elif not self.judges_functions() and not self.frame.is_class:
                self.bind(local, LazyName(found, name))
            else:
                self.bind(local, self.module_attribute(found, name))

    def _resolve(self, module: str, level: int) -> ModuleVal | None:
        if self.project is None or not (self.home or self.current_unit()):
            return None
        target = self.project.resolve(self.reading_file(), module, level)
        return _module_val(target) if target is not None else None

    def import_module(self, module: str, level: int) -> ModuleVal | None:
        found = self._resolve(module, level)
        if found is not None and found.path is not None and self.judges_functions():
            self.load_module(found)  # its top level runs on import (a registry may fill)
        # In a module that is only imported, an import is read when the name is used (see
        # LazyName): a project's modules import one another far beyond what a model needs.
        return found

    def settle(self, frame: Frame, name: str) -> Any:
        """The value ``name`` has in ``frame``, a lazy import read now and kept."""
        value = frame.locals[name]
        if type(value) is LazyName:
            # Unbound while read: ``from . import sub`` in a package's __init__ names itself.
            del frame.locals[name]
            value = frame.locals[name] = self.module_attribute(value.module, value.name)
        return value

    def _import_star(self, found: ModuleVal) -> None:
        frame = self.load_module(found)
        if frame is None:
            self.frame.star_modules.append(found.name)  # names we cannot see
            return
        for name, value in frame.locals.items():
            if not name.startswith("_"):
                self.frame.locals[name] = value
        self.frame.star_modules.extend(frame.star_modules)

    def module_attribute(self, mod: ModuleVal, name: str) -> Any:
        """``mod.name``: a name its top level binds, else its submodule ``name``."""
        frame = self.load_module(mod)
        if frame is not None:
            if name in frame.locals:
                return self.settle(frame, name)
            for star in frame.star_modules:
                if self.table.lookup(f"{star}.{name}") is not None:
                    return Qual(f"{star}.{name}")
        if mod.folder is not None and self.project is not None:
            target = self.project.submodule(mod.folder, name)
            if target is not None:
                sub = _module_val(target)
                self.load_module(sub)
                return sub
        return TOP

    def load_module(self, mod: ModuleVal) -> Frame | None:
        """The scope of a project module, its top level run on first use (a module being
        loaded, as in a circular import, is seen as far as it got)."""
        if mod.path is None or self.project is None:
            return None
        real = os.path.realpath(mod.path)
        if real in self.modules:
            return self.modules[real]
        if len(self.modules) > MAX_MODULES or self.steps >= STEP_BUDGET:
            return None
        unit = self.project.unit(real, shown_path(real), mod.name)
        if unit is None:
            self.modules[real] = None
            return None
        frame = self._frame(None)
        frame.locals["__name__"] = Const(mod.name)  # never "__main__": its script part stays out
        self.run_unit(unit, frame, ("module", real))
        return frame

    def run_unit(self, unit: Unit, frame: Frame, ctx: Any, driver: str | None = None) -> None:
        """Run a project module's top level in ``frame``, then come back to where we were."""
        self.modules[unit.real] = frame
        self.unit_of[id(frame)] = unit
        saved = [getattr(self, name) for name in _RUN_STATE]
        self.frame, self.ctx, self.chain, self.jump = frame, (ctx,), (), None
        self.positional = self.loop_nesting = self.unroll_nesting = 0
        self.item_branches = ()
        self.stack = []
        if driver is not None:
            self.driver = driver
        try:
            self.exec_block(unit.module.body)
        finally:
            for name, value in zip(_RUN_STATE, saved, strict=True):
                setattr(self, name, value)

    def judges_functions(self) -> bool:
        """Whether functions defined now are also run on their own: the checked file's and its
        importers', not those of modules they import (they are judged when checked)."""
        unit = self.current_unit()
        return unit is None or unit.real in self.drivers

    def run_importers(self) -> None:
        """The files that import the checked one, run as the project runs them."""
        if self.project is None or not self.home or not self._own_dropouts():
            return  # nothing here a caller could change: no index, no importer read
        importers = self.project.importers(self.home)
        if not importers or not self._has_open_dropout():
            return
        for path in importers[:MAX_IMPORTERS]:
            # One an earlier importer imported is run again, now as a driver: its functions
            # are judged too.
            if path in self.drivers or path == self.home or self.steps >= STEP_BUDGET:
                continue
            unit = self.project.unit(path, shown_path(path), "")
            if unit is None:
                continue
            self.drivers.add(unit.real)
            self.called = self.called | unit.called
            self.run_unit(unit, self._frame(None), ("importer", path), driver=unit.path)
            self.run_deferred()

    def _own_dropouts(self) -> list[LayerVal]:
        """The dropout layers the checked file's own code builds."""
        return [
            val
            for val in self.constructed.values()
            if val.spec.role is Role.DROPOUT and id(val.call) not in self.locator.units
        ]

    def _has_open_dropout(self) -> bool:
        """A dropout of the checked file whose judgement a caller could change: built but not
        placed here, or placed where what feeds it or what it feeds (through transparent
        layers) is unknown, uncertain, or not there (a function's parameter, its return)."""
        own = [n for n in self.graph.nodes if is_dropout_family(n) and not n.elsewhere]
        placed = {id(n.origin) for n in own}
        if any(id(val.call) not in placed for val in self._own_dropouts()):
            return True
        return any(
            any(v is UNKNOWN for v in n.args.values()) or self._open(n, False) or self._open(n, True)
            for n in own
        )

    def _open(self, node: LayerNode, forward: bool, depth: int = 0) -> bool:
        edges = list(self.graph.succs(node) if forward else self.graph.preds(node))
        if not edges or depth > 8:
            return True
        for other, certain in edges:
            if not certain or not other.kind:
                return True
            if is_transparent(other) and self._open(other, forward, depth + 1):  # dropouts too
                return True
        return False


def _module_val(target: Target) -> ModuleVal:
    return ModuleVal(target.name, target.path, target.folder)
