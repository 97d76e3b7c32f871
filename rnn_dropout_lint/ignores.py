"""Files git would ignore: ``.gitignore``, ``.ignore`` and ``.git/info/exclude``, as ruff reads them.

Matching is pathspec's implementation of git's rules; only the walk (which files apply to
which folder, deeper files deciding last) is here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec

IGNORE_FILES = (".gitignore", ".ignore")


class GitIgnores:
    """Ignore rules of each folder, read once; deeper folders decide last, as in git."""

    def __init__(self) -> None:
        self._specs: dict[Path, pathspec.GitIgnoreSpec | None] = {}
        self._roots: dict[Path, Path | None] = {}

    def ignored(self, path: Path, walked_from: Path) -> bool:
        """``path`` (found by walking ``walked_from``) is ignored by the rules above it."""
        absolute = path.absolute()
        start = walked_from.absolute()
        repository = self._repository(start)
        top = repository or start
        folders = [folder for folder in reversed(absolute.parents) if folder == top or top in folder.parents]
        decision: bool | None = None
        if repository is not None:
            decision = self._decide(self._exclude(repository), absolute, repository, decision)
        for folder in folders:
            decision = self._decide(self._spec(folder), absolute, folder, decision)
        return bool(decision)

    @staticmethod
    def _decide(
        spec: pathspec.GitIgnoreSpec | None, path: Path, folder: Path, decision: bool | None
    ) -> bool | None:
        if spec is None:
            return decision
        result = spec.check_file(path.relative_to(folder).as_posix())
        return decision if result.include is None else result.include

    def _spec(self, folder: Path) -> pathspec.GitIgnoreSpec | None:
        if folder not in self._specs:
            lines: list[str] = []
            for name in IGNORE_FILES:
                lines += _read_lines(folder / name)
            self._specs[folder] = _spec_of(lines)
        return self._specs[folder]

    def _exclude(self, repository: Path) -> pathspec.GitIgnoreSpec | None:
        path = repository / ".git" / "info" / "exclude"
        if path not in self._specs:
            lines = _read_lines(path)
            self._specs[path] = _spec_of(lines)
        return self._specs[path]

    def _repository(self, start: Path) -> Path | None:
        if start not in self._roots:
            self._roots[start] = next(
                (folder for folder in (start, *start.parents) if (folder / ".git").exists()), None
            )
        return self._roots[start]


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _spec_of(lines: list[str]) -> pathspec.GitIgnoreSpec | None:
    if not lines:
        return None
    import pathspec  # about 20 ms of start-up, paid only where an ignore file has rules

    return pathspec.GitIgnoreSpec.from_lines(lines)
