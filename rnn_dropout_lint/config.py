"""``[tool.rnn-dropout-lint]`` in pyproject.toml: found, read and checked strictly."""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .files import DEFAULT_MAX_FILE_SIZE
from .fix.line_length import line_length_for
from .fix.styles import STYLES

if TYPE_CHECKING:
    from .engine import Settings


def _toml() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib


TABLE = "rnn-dropout-lint"
_LIST_KEYS = (
    "select",
    "ignore",
    "extend-select",
    "exclude",
    "extra-recurrent-layers",
    "extra-transparent-layers",
)
KEYS = (*_LIST_KEYS, "per-file-ignores", "fix-style", "report-uncertain", "follow-imports", "extend")


class ConfigError(ValueError):
    """A configuration problem; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fix_style: str | None = None
    report_uncertain: bool = False
    follow_imports: bool = True
    extra_recurrent_layers: tuple[str, ...] = ()
    extra_transparent_layers: tuple[str, ...] = ()
    # Exclude globs of the configurations this one extends, anchored at their own folders.
    inherited_exclude: tuple[str, ...] = ()

    @property
    def root(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

    def exclude_globs(self) -> tuple[str, ...]:
        """The exclude globs as written (a name or path) and anchored at this file's folder."""
        root = self.root.absolute().as_posix()
        return (*self.exclude, *(f"{root}/{p}" for p in self.exclude), *self.inherited_exclude)

    def settings(self) -> dict[str, Any]:
        """The resolved values, for ``--show-settings``."""
        return {
            "config": os.fspath(self.path) if self.path is not None else None,
            "select": list(self.select) if self.select is not None else None,
            "extend-select": list(self.extend_select),
            "ignore": list(self.ignore),
            "exclude": list(self.exclude_globs()),
            "per-file-ignores": {k: list(v) for k, v in self.per_file_ignores.items()},
            "fix-style": self.fix_style,
            "report-uncertain": self.report_uncertain,
            "follow-imports": self.follow_imports,
            "extra-recurrent-layers": list(self.extra_recurrent_layers),
            "extra-transparent-layers": list(self.extra_transparent_layers),
        }

    def ignored_codes_for(self, file: str) -> tuple[str, ...]:
        """Codes per-file-ignores turns off for ``file`` (globs relative to the config's folder)."""
        if not self.per_file_ignores:
            return ()
        absolute = Path(file).absolute()
        try:
            relative = absolute.relative_to(self.root.absolute()).as_posix()
        except ValueError:
            relative = absolute.as_posix()
        codes: list[str] = []
        for pattern, listed in self.per_file_ignores.items():
            if any(fnmatch.fnmatchcase(c, pattern) for c in (relative, absolute.name, absolute.as_posix())):
                codes.extend(listed)
        return tuple(codes)


def find(start: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.rnn-dropout-lint] table, walking up from ``start``."""
    folder = start.absolute()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if path.is_file() and _has_table(path):
            return path
    return None


def _has_table(path: Path) -> bool:
    tomllib = _toml()
    try:
        return TABLE in tomllib.loads(_read(path)).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return True  # let load() report the problem


MAX_CONFIG_SIZE = 1024 * 1024


def _read(path: Path) -> str:
    """A regular file only (``--config /dev/zero`` never ends), of at most 1 MB."""
    from .files import read_regular

    return read_regular(os.fspath(path), MAX_CONFIG_SIZE, "a smaller file").decode("utf-8")


class Resolver:
    """The configuration of each file, as ruff finds it: the nearest pyproject.toml with a
    [tool.rnn-dropout-lint] table in the file's folder or above (or one for every file, with
    --config or --isolated). Cached per folder, so the order of the paths never matters."""

    def __init__(self, fixed: Config | None = None) -> None:
        self.fixed = fixed
        self._folders: dict[Path, Config] = {}
        self._files: dict[Path, Config] = {}

    def for_path(self, path: Path) -> Config:
        """Raises ConfigError for a configuration file that is wrong."""
        if self.fixed is not None:
            return self.fixed
        folder = path.absolute()
        if not path.is_dir():
            folder = folder.parent
        config = self._folders.get(folder)
        if config is None:
            found = find(folder)
            if found is None:
                config = Config()
            elif found in self._files:
                config = self._files[found]
            else:
                config = self._files[found] = load(found)
            self._folders[folder] = config
        return config


@dataclass(frozen=True)
class Overrides:
    """What the command line or an editor sets over the configuration files; None: the file's."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    report_uncertain: bool | None = None
    fix_style: str | None = None
    follow_imports: bool | None = None
    fix_edits: bool = True
    max_file_size: int = DEFAULT_MAX_FILE_SIZE


class SettingsResolver:
    """The :class:`Settings` of each file: its configuration (see :class:`Resolver`) under the
    overrides. The CLI and the language server resolve a file's settings here, the same way."""

    def __init__(self, overrides: Overrides, fixed: Config | None = None) -> None:
        self.overrides = overrides
        self.configs = Resolver(fixed)
        self._settings: dict[int, tuple[Config, Settings]] = {}

    def for_path(self, path: Path) -> Settings:
        """Raises ConfigError (a configuration file) or SelectionError (a code)."""
        from .engine import Settings
        from .keras_table import DEFAULT_TABLE
        from .rules import Selection

        over, conf = self.overrides, self.configs.for_path(path)
        cached = self._settings.get(id(conf))
        if cached is None:
            selection = Selection.parse(
                over.select if over.select is not None else conf.select,
                (*conf.extend_select, *over.extend_select),
                (*conf.ignore, *over.ignore),
            )
            settings = Settings(
                selection=selection,
                report_uncertain=_either(over.report_uncertain, conf.report_uncertain),
                table=DEFAULT_TABLE.extended(
                    recurrent=conf.extra_recurrent_layers, transparent=conf.extra_transparent_layers
                ),
                fix_style=over.fix_style or conf.fix_style or "spatial",
                fix_edits=over.fix_edits,
                max_file_size=over.max_file_size,
                follow_imports=_either(over.follow_imports, conf.follow_imports),
            )
            cached = self._settings[id(conf)] = (conf, settings)
        settings = cached[1]
        ignored = conf.ignored_codes_for(str(path))
        if ignored:
            settings = replace(settings, selection=settings.selection.with_ignored(ignored))
        return replace(settings, line_length=line_length_for(path))


def _either(override: bool | None, configured: bool) -> bool:
    return configured if override is None else override


def load(path: Path, _seen: tuple[Path, ...] = ()) -> Config:
    where = os.fspath(path)
    tomllib = _toml()
    try:
        document = tomllib.loads(_read(path))
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per level of nested arrays and tables
        raise ConfigError(f"{where}: not read: nested too deeply") from None
    table = document.get("tool", {}).get(TABLE, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.{TABLE}] must be a table")
    for key in table:
        if key not in KEYS:
            raise ConfigError(f"{where}: [tool.{TABLE}] unknown key {key!r} (known: {', '.join(KEYS)})")
    values: dict[str, Any] = {"path": path}
    base = _extended(table, path, where, _seen)
    for key in _LIST_KEYS:
        if key in table:
            values[key.replace("-", "_")] = _strings(table[key], key, where)
    for key in ("select", "ignore", "extend_select"):
        if key in values:
            _codes(values[key], key.replace("_", "-"), where)
    for key in ("exclude",):
        for pattern in values.get(key, ()):
            _glob(pattern, key, where)
    if "per-file-ignores" in table:
        mapping = table["per-file-ignores"]
        if not isinstance(mapping, dict):
            raise ConfigError(f"{where}: per-file-ignores must be a table of glob = [codes]")
        checked = {}
        for pattern, codes in mapping.items():
            _glob(pattern, "per-file-ignores", where)
            checked[pattern] = _codes(
                _strings(codes, f"per-file-ignores.{pattern}", where), "per-file-ignores", where
            )
        values["per_file_ignores"] = checked
    if "fix-style" in table:
        if table["fix-style"] not in STYLES:
            raise ConfigError(
                f"{where}: fix-style must be one of {', '.join(STYLES)}, not {table['fix-style']!r}"
            )
        values["fix_style"] = table["fix-style"]
    if "report-uncertain" in table:
        if not isinstance(table["report-uncertain"], bool):
            raise ConfigError(f"{where}: report-uncertain must be true or false")
        values["report_uncertain"] = table["report-uncertain"]
    if "follow-imports" in table:
        if not isinstance(table["follow-imports"], bool):
            raise ConfigError(f"{where}: follow-imports must be true or false")
        values["follow_imports"] = table["follow-imports"]
    for key in ("extra_recurrent_layers", "extra_transparent_layers"):
        problem = unqualified(values.get(key, ()), key.replace("_", "-"))
        if problem:
            raise ConfigError(f"{where}: {problem}")
    return _merge(base, Config(**values), set(values)) if base is not None else Config(**values)


def _extended(table: dict[str, Any], path: Path, where: str, seen: tuple[Path, ...]) -> Config | None:
    """The configuration ``extend = "path"`` names, relative to this file's folder."""
    if "extend" not in table:
        return None
    if not isinstance(table["extend"], str) or not table["extend"]:
        raise ConfigError(f"{where}: extend must be a path (a string)")
    target = (path.parent / os.path.expanduser(table["extend"])).resolve()
    if target in seen or target == path.resolve():
        raise ConfigError(f"{where}: extend: {table['extend']!r} extends itself in a cycle")
    if not target.is_file():
        raise ConfigError(f"{where}: extend: no such file {table['extend']!r}")
    return load(target, (*seen, path.resolve()))


def _merge(base: Config, child: Config, keys: set[str]) -> Config:
    """``child`` on top of ``base``: what the child sets wins; ``extend-select`` and
    ``per-file-ignores`` add to the base's. The base's globs keep meaning paths below its
    own folder."""
    root = base.root.absolute().as_posix()
    inherited = {f"{root}/{pattern}": codes for pattern, codes in base.per_file_ignores.items()}
    return Config(
        path=child.path,
        select=child.select if "select" in keys else base.select,
        ignore=child.ignore if "ignore" in keys else base.ignore,
        extend_select=(*base.extend_select, *child.extend_select),
        exclude=child.exclude,
        inherited_exclude=() if "exclude" in keys else base.exclude_globs(),
        per_file_ignores={**inherited, **child.per_file_ignores},
        fix_style=child.fix_style if "fix_style" in keys else base.fix_style,
        report_uncertain=child.report_uncertain if "report_uncertain" in keys else base.report_uncertain,
        follow_imports=child.follow_imports if "follow_imports" in keys else base.follow_imports,
        extra_recurrent_layers=child.extra_recurrent_layers
        if "extra_recurrent_layers" in keys
        else base.extra_recurrent_layers,
        extra_transparent_layers=child.extra_transparent_layers
        if "extra_transparent_layers" in keys
        else base.extra_transparent_layers,
    )


def unqualified(names: Any, option: str) -> str | None:
    """Why a list of layer names is not usable (the CLI and the flake8 plugin say the same)."""
    for name in names:
        if not all(part.isidentifier() for part in name.split(".")) or "." not in name:
            return f"{option}: {name!r} is not a qualified name like mylib.layers.MyLSTM"
    return None


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: {key} must be a list of non-empty strings")
    return tuple(value)


def _codes(codes: tuple[str, ...], key: str, where: str) -> tuple[str, ...]:
    from .rules import Selection, SelectionError

    try:
        Selection.parse(extend_select=codes)
    except SelectionError as exc:
        raise ConfigError(f"{where}: {key}: {exc}") from None
    return codes


def _glob(pattern: str, key: str, where: str) -> None:
    depth = 0
    for char in pattern:
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
    if depth or not pattern.strip():
        raise ConfigError(f"{where}: {key}: bad glob {pattern!r}")
