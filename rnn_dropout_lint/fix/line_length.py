"""The line length the project's other linters enforce, where their configuration says so
(ruff, black, flake8), so that an import a fix extends does not become their new finding."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

RUFF_DEFAULT = 88  # what ruff enforces when a project configures ruff without a length


def line_length_for(path: str | Path) -> int | None:
    """The nearest configured limit for ``path``, walking up from its folder; None if none."""
    folder = Path(path).absolute()
    if not folder.is_dir():
        folder = folder.parent
    return _for_folder(folder)


@functools.lru_cache(maxsize=1024)
def _for_folder(folder: Path) -> int | None:
    found = _in_folder(folder)
    if found is not None or folder.parent == folder:
        return found
    return _for_folder(folder.parent)


def _in_folder(folder: Path) -> int | None:
    for name in ("ruff.toml", ".ruff.toml"):
        table = _toml(folder / name)
        if table is not None:
            return _length(table.get("line-length")) or RUFF_DEFAULT
    tool = (_toml(folder / "pyproject.toml") or {}).get("tool", {})
    if isinstance(tool, dict):
        if isinstance(tool.get("ruff"), dict):
            return _length(tool["ruff"].get("line-length")) or RUFF_DEFAULT
        if isinstance(tool.get("black"), dict):
            return _length(tool["black"].get("line-length")) or RUFF_DEFAULT
    for name in (".flake8", "setup.cfg", "tox.ini"):
        found = _flake8(folder / name)
        if found is not None:
            return found
    return None


def _length(value: Any) -> int | None:
    return value if type(value) is int and value > 0 else None


def _toml(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    from ..config import MAX_CONFIG_SIZE, _toml

    tomllib = _toml()
    try:
        if path.stat().st_size > MAX_CONFIG_SIZE:
            return None
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError):
        return None  # not ours to report: the linter that owns it will


def _flake8(path: Path) -> int | None:
    if not path.is_file():
        return None
    import configparser  # only where a flake8 configuration exists

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
        value = parser.get("flake8", "max-line-length", fallback=None) or parser.get(
            "flake8", "max_line_length", fallback=None
        )
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None
    return int(value) if value is not None and value.strip().isdigit() else None
