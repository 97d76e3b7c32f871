"""Which files a run looks at: folders are walked, tool and environment folders skipped."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from .findings import FileResult

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".eggs",
        "node_modules",
        "build",
        "dist",
        "site-packages",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".ipynb_checkpoints",
    }
)
SOURCE_SUFFIXES = (".py", ".ipynb")


def excluded(path: Path, patterns: Sequence[str]) -> bool:
    """A glob matches the file's name, the path as given, or the absolute path."""
    if not patterns:
        return False
    candidates = (path.name, path.as_posix(), path.absolute().as_posix())
    return any(fnmatch.fnmatchcase(c, p) for p in patterns for c in candidates)


def _skipped_dir(path: Path, patterns: Sequence[str]) -> bool:
    return (
        path.name in SKIPPED_DIRS
        or path.name.endswith(".egg-info")
        or (path / "pyvenv.cfg").exists()  # any virtual environment, whatever its name
        or excluded(path, patterns)
    )


def discover(paths: Sequence[Path], exclude: Sequence[str]) -> Iterator[Path | FileResult]:
    """Files to check, sorted within each folder; a missing path yields an error result."""
    for path in paths:
        if path.is_dir():
            yield from _walk(path, exclude)
        elif path.exists() or path.is_symlink():
            if not excluded(path, exclude):
                yield path
        else:
            yield FileResult(str(path), error="no such file or directory")


def _walk(root: Path, exclude: Sequence[str]) -> Iterator[Path | FileResult]:
    def on_error(exc: OSError) -> None:
        errors.append(FileResult(exc.filename or str(root), error=exc.strerror or str(exc)))

    errors: list[FileResult] = []
    for folder, dirs, names in os.walk(root, onerror=on_error, followlinks=False):
        base = Path(folder)
        dirs[:] = sorted(d for d in dirs if not _skipped_dir(base / d, exclude))
        for name in sorted(names):
            path = base / name
            if name.endswith(SOURCE_SUFFIXES) and not excluded(path, exclude):
                yield path
        yield from errors
        errors.clear()
