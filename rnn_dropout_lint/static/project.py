"""The project around a file: where its imports lead, and which files import it.

Nothing here imports or runs the user's code. A project is the folder tree a file lives
in (its root found as ruff finds one: the nearest folder with a ``pyproject.toml``,
``setup.py``, ``setup.cfg`` or ``.git``). Module names resolve as Python would for a
script in the file's folder or for the project installed from its root (``src/``
layouts too). Parsed modules are cached per process, so each file of a run is parsed
once however many files import it; the reverse index (who imports whom) is built from
a byte scan of the project's ``.py`` files, once per process and only when asked for.
"""

from __future__ import annotations

import os
import re
import stat
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import libcst as cst

from .positions import Positions

_CALLED_NAME = re.compile(rb"(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def called_names(source: bytes) -> frozenset[str]:
    """Identifiers that appear in call position somewhere in the file (a cheap ordering hint).
    The lookbehind starts a match only at the start of a word: linear on a 10 MB identifier."""
    return frozenset(m.decode() for m in _CALLED_NAME.findall(source))


_ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git", ".hg")
# Folders no project imports from: tool state, virtual environments, build output.
_SKIPPED = frozenset({"__pycache__", "node_modules", "site-packages", "build", "dist", "venv", "env"})
MAX_INDEXED_FILES = 5_000  # a larger tree is indexed this far (sorted walk: deterministic)
MAX_WALKED_FOLDERS = 5_000
MAX_INDEXED_SIZE = 1 << 20  # larger files are not scanned for imports
CACHE_SOURCE_BYTES = 1 << 20  # parsed modules kept per process, in source bytes (a tree holds ~75x)
MAX_PACKAGE_HOPS = 4  # package __init__ files whose importers count as the module's too
INDEX_FRESH_SECONDS = 2.0  # an older index is checked against the disk before it is used again

_IMPORT = re.compile(
    rb"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\r\n#;]*)|import[ \t]+([^\r\n#;]*))",
    re.M,
)
_NAME = re.compile(r"[A-Za-z_][\w.]*")
_WORD = re.compile(rb"[A-Za-z_]\w*")


@dataclass(eq=False)
class Unit:
    """One parsed module of the project."""

    path: str  # as shown in messages (relative to the working folder where it is under it)
    real: str  # the real path, the module's identity
    name: str  # the dotted module name it was imported as
    module: cst.Module
    positions: Positions
    called: frozenset[str]  # names it calls (see called_names)


# Reads and parses a file: None when it cannot be analysed (bad syntax, too large, unreadable).
Loader = Callable[[str], "tuple[cst.Module, bytes] | None"]


def _stamp(path: str) -> tuple[int, int] | None:
    """A regular file's mtime and size; None for anything else (a FIFO blocks its reader)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size) if stat.S_ISREG(info.st_mode) else None


def _read(path: str) -> bytes | None:
    if _stamp(path) is None:
        return None
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _names(listed: bytes) -> Iterator[str]:
    """The dotted names of an import's comma-separated list (``a.b as c, d``)."""
    for item in listed.decode("latin-1").split(","):
        name = _NAME.match(item.strip())
        if name:
            yield name[0]


def _real(path: str) -> str:
    return os.path.realpath(path)


def project_root(folder: str) -> tuple[str, bool]:
    """The nearest folder at or above ``folder`` that marks a project, and True; else the
    folder that holds ``folder``'s top package (or ``folder`` itself), and False."""
    current = folder
    while True:
        if any(os.path.exists(os.path.join(current, marker)) for marker in _ROOT_MARKERS):
            return current, True
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return _package_parent(folder), False


def _package_parent(folder: str) -> str:
    """The folder above ``folder``'s outermost package: where its absolute imports start."""
    current = folder
    while os.path.isfile(os.path.join(current, "__init__.py")) and os.path.dirname(current) != current:
        current = os.path.dirname(current)
    return current


def _module_file(base: str, parts: list[str]) -> str | None:
    """``base/a/b.py`` or ``base/a/b/__init__.py`` for ``a.b`` (namespace packages too)."""
    folder = os.path.join(base, *parts[:-1]) if len(parts) > 1 else base
    if len(parts) > 1 and not os.path.isdir(folder):
        return None
    leaf = os.path.join(folder, parts[-1])
    if os.path.isfile(leaf + ".py"):
        return leaf + ".py"
    if os.path.isfile(os.path.join(leaf, "__init__.py")):
        return os.path.join(leaf, "__init__.py")
    return None


@dataclass(frozen=True)
class Target:
    """Where an import leads: a file (None for a namespace package) and its package folder."""

    path: str | None
    name: str
    folder: str | None


class Project:
    """Import resolution and parsed modules for the files under one root."""

    def __init__(
        self, root: str, loader: Loader, is_external: Callable[[str], bool], marked: bool = True
    ) -> None:
        self.root = root
        # Without a project marker (a folder of scripts, /tmp) only packages below are the project.
        self.marked = marked
        self.loader = loader
        self._external = is_external  # Keras, TensorFlow: never resolved to project files
        # path -> (mtime and size, the parsed module, source bytes it counts in the cache)
        self._units: OrderedDict[str, tuple[tuple[int, int] | None, Unit | None, int]] = OrderedDict()
        self._cached_bytes = 0
        # What the disk looked like a moment ago; dropped together when older (see _fresh).
        self._checked_at = 0.0
        self._importers: dict[str, list[str]] | None = None  # word of an import -> files
        self._confirmed: dict[str, list[str]] = {}  # a file -> its importers, resolved
        self._resolved: dict[tuple[str, str, int], Target | None] = {}
        self._folders: dict[str, str] = {}  # a file -> its real folder
        self._scanned: dict[str, tuple[tuple[int, int], frozenset[str]]] = {}  # kept: stat-checked

    # -- resolution ------------------------------------------------------------------------
    def _bases(self, importer_dir: str) -> Iterator[str]:
        """Where an absolute import may start, nearest first: the importer's folder, the folder
        above its package, every folder above it up to the root (a script run from any of them
        puts its own folder on ``sys.path``: ``models/arch.py`` importing ``models.layers``),
        and ``src/``."""
        seen: set[str] = set()
        above = []
        current = importer_dir
        while current != self.root and current.startswith(self.root + os.sep):
            current = os.path.dirname(current)
            above.append(current)
        for base in (importer_dir, _package_parent(importer_dir), *above, os.path.join(self.root, "src")):
            if base not in seen and base.startswith(self.root):
                seen.add(base)
                yield base

    def resolve(self, importer: str, module: str, level: int = 0) -> Target | None:
        """Where ``module`` (``level`` dots before it) leads from the file ``importer``; None
        outside the project."""
        self._fresh()
        folder = self._folders.get(importer)
        if folder is None:
            folder = self._folders[importer] = os.path.dirname(_real(importer))
        key = (folder, module, level)  # files of one folder resolve alike: resolved once
        if key not in self._resolved:
            self._resolved[key] = self._resolve(folder, module, level)
        return self._resolved[key]

    def _fresh(self) -> None:
        """Forget what was derived from the disk longer ago than INDEX_FRESH_SECONDS: files may
        have come and gone since (a long-lived process). Parsed modules are stat-checked."""
        now = time.monotonic()
        if now - self._checked_at > INDEX_FRESH_SECONDS:
            self._importers = None
            self._confirmed.clear()
            self._resolved.clear()
            self._folders.clear()
            self._checked_at = now

    def _resolve(self, folder: str, module: str, level: int) -> Target | None:
        parts = [p for p in module.split(".") if p]
        if level:
            for _ in range(level - 1):
                folder = os.path.dirname(folder)
            return self._target(folder, parts) if folder.startswith(self.root) else None
        if not parts or self._external(parts[0]):
            return None
        for base in self._bases(folder):
            found = self._target(base, parts)
            if found is not None:
                return found
        return None

    def submodule(self, folder: str, name: str) -> Target | None:
        return self._target(folder, [name])

    def _target(self, base: str, parts: list[str]) -> Target | None:
        if not parts:
            init = os.path.join(base, "__init__.py")
            if os.path.isfile(init):
                return Target(init, self._dotted(init), base)
            return Target(None, os.path.basename(base), base) if os.path.isdir(base) else None
        found = _module_file(base, parts)
        if found is not None:
            package = os.path.dirname(found) if found.endswith("__init__.py") else None
            return Target(found, self._dotted(found), package)
        folder = os.path.join(base, *parts)
        if os.path.isdir(folder):
            return Target(None, ".".join(parts), folder)
        return None

    def _dotted(self, path: str) -> str:
        folder, leaf = os.path.split(path[: -len(".py")])
        parts = [] if leaf == "__init__" else [leaf]
        while os.path.isfile(os.path.join(folder, "__init__.py")) and folder != self.root:
            folder, name = os.path.split(folder)
            parts.insert(0, name)
        return ".".join(parts)

    # -- parsed modules --------------------------------------------------------------------
    def unit(self, path: str, shown: str, name: str) -> Unit | None:
        """The parsed module at ``path``; None when it cannot be read or parsed."""
        stamp = _stamp(path)
        cached = self._units.pop(path, None)
        if cached is not None and cached[0] == stamp:
            self._units[path] = cached  # now the most recently used
            return cached[1]
        self._cached_bytes -= cached[2] if cached is not None else 0
        loaded = self.loader(path) if stamp is not None else None
        unit, size = None, 0
        if loaded is not None:
            module, source = loaded
            unit = Unit(shown, path, name, module, Positions(module, source), called_names(source))
            size = len(source)
        self._units[path] = (stamp, unit, size)
        self._cached_bytes += size
        while self._cached_bytes > CACHE_SOURCE_BYTES and len(self._units) > 1:
            _, (_, _, dropped) = self._units.popitem(last=False)
            self._cached_bytes -= dropped
        return unit

    # -- who imports whom ------------------------------------------------------------------
    def importers(self, path: str) -> list[str]:
        """The project's ``.py`` files whose import statements name the file ``path``, and
        those that import a package whose ``__init__.py`` does (``from pkg import layers as L;
        L.rnn.Block(...)`` uses ``pkg/layers/rnn.py`` through ``pkg/layers/__init__.py``)."""
        self._fresh()
        if self._importers is None:
            self._importers = self._index()
        index = self._importers
        real = _real(path)
        found = self._confirmed.get(real)
        if found is None:
            folder = os.path.dirname(real)
            found = self._direct_importers(index, real)
            packages = [c for c in found if os.path.basename(c) == "__init__.py"]
            for package in packages[:MAX_PACKAGE_HOPS]:
                found += [c for c in self._direct_importers(index, package) if c not in found and c != real]
            # Those that import Keras, then the nearest: the project's own models before its
            # docs generator or test helpers take the analysis's step budget.
            found.sort(key=lambda c: (not self._imports_framework(c), _distance(c, folder), c))
            self._confirmed[real] = found
        return found

    def _direct_importers(self, index: dict[str, list[str]], real: str) -> list[str]:
        folder, leaf = os.path.split(real)
        word = os.path.basename(folder) if leaf == "__init__.py" else leaf[: -len(".py")]
        # Files whose imports name the module's last part; those whose imports resolve to it.
        return [c for c in index.get(word, []) if real in self._targets_of(c)]

    def _imports_framework(self, path: str) -> bool:
        scanned = self._scanned.get(path)
        return scanned is not None and any(self._external(word) for word in scanned[1])

    def _files(self) -> Iterator[str]:
        count = 0
        for walked, (folder, dirs, files) in enumerate(os.walk(self.root)):
            if walked >= MAX_WALKED_FOLDERS:
                return
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".")
                and d not in _SKIPPED
                and (self.marked or os.path.isfile(os.path.join(folder, d, "__init__.py")))
            )
            for name in sorted(files):
                if name.endswith(".py"):
                    count += 1
                    if count > MAX_INDEXED_FILES:
                        return
                    yield os.path.join(folder, name)

    def _index(self) -> dict[str, list[str]]:
        """Every word of every import statement -> the files that write it (bytes only: the
        imports are resolved for the few files a query names)."""
        index: dict[str, list[str]] = {}
        scanned: dict[str, tuple[tuple[int, int], frozenset[str]]] = {}
        for path in self._files():
            stamp = _stamp(path)
            if stamp is None or stamp[1] > MAX_INDEXED_SIZE:
                continue
            known = self._scanned.get(path)
            if known is not None and known[0] == stamp:
                words = known[1]
            else:  # read again only what changed since the last look
                raw = _read(path)
                if raw is None:
                    continue
                words = frozenset(
                    w.decode("latin-1") for m in _IMPORT.finditer(raw) for w in _WORD.findall(m[0])
                )
            scanned[path] = (stamp, words)
            for word in words:
                index.setdefault(word, []).append(path)
        self._scanned = scanned
        return index

    def _targets_of(self, path: str) -> frozenset[str]:
        raw = _read(path)
        return frozenset(self._targets(path, raw)) if raw is not None else frozenset()

    def _targets(self, path: str, raw: bytes) -> Iterator[str]:
        for match in _IMPORT.finditer(raw):
            if match[3] is not None:
                for name in _names(match[3]):
                    found = self.resolve(path, name)
                    if found and found.path:
                        yield _real(found.path)
                continue
            source = match[1].decode("latin-1")
            level = len(source) - len(source.lstrip("."))
            module = source[level:]
            found = self.resolve(path, module, level)
            if found and found.path:
                yield _real(found.path)
            # ``from pkg import blocks``: a name imported from a package may be a module.
            for name in _names(match[2].strip(b"()")):
                sub = self.resolve(path, f"{module}.{name}" if module else name, level)
                if sub and sub.path:
                    yield _real(sub.path)


def _distance(path: str, folder: str) -> int:
    """Folders between ``path``'s folder and ``folder`` (up and down)."""
    return len(os.path.relpath(os.path.dirname(path), folder).split(os.sep))


_projects: dict[str, Project] = {}
_roots: dict[str, tuple[str, bool]] = {}  # a file's folder -> its project root


def project_for(path: str, loader: Loader, is_external: Callable[[str], bool]) -> Project | None:
    """The project ``path`` belongs to (one per root and process); None for a file not on disk."""
    if path in ("-", ""):
        return None
    folder = os.path.dirname(os.path.abspath(path))
    found = _roots.get(folder)
    if found is None:
        if not os.path.isdir(folder):
            return None
        found = _roots[folder] = project_root(_real(folder))
    root, marked = found
    project = _projects.get(root)
    if project is None:
        project = _projects[root] = Project(root, loader, is_external, marked)
    project.loader = loader  # this run's limits (the parsed modules stay cached)
    return project
