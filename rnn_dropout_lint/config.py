"""``[tool.rnn-dropout-lint]`` in pyproject.toml: found, read and checked strictly."""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .fix.styles import STYLES


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
KEYS = (*_LIST_KEYS, "per-file-ignores", "fix-style", "report-uncertain")


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
    extra_recurrent_layers: tuple[str, ...] = ()
    extra_transparent_layers: tuple[str, ...] = ()

    @property
    def root(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

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
        return TABLE in tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True  # let load() report the problem


def load(path: Path) -> Config:
    where = os.fspath(path)
    tomllib = _toml()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    table = document.get("tool", {}).get(TABLE, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.{TABLE}] must be a table")
    for key in table:
        if key not in KEYS:
            raise ConfigError(f"{where}: [tool.{TABLE}] unknown key {key!r} (known: {', '.join(KEYS)})")
    values: dict[str, Any] = {"path": path}
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
    for key in ("extra_recurrent_layers", "extra_transparent_layers"):
        for name in values.get(key, ()):
            if not all(part.isidentifier() for part in name.split(".")) or "." not in name:
                option = key.replace("_", "-")
                raise ConfigError(
                    f"{where}: {option}: {name!r} is not a qualified name like mylib.layers.MyLSTM"
                )
    return Config(**values)


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
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
