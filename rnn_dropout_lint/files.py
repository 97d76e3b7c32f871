"""Which files a run looks at: folders are walked, tool and environment folders skipped."""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

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
    # Names and exclusions first: an excluded folder is never probed (it may be unreadable).
    if path.name in SKIPPED_DIRS or path.name.endswith(".egg-info") or excluded(path, patterns):
        return True
    try:  # any virtual environment, whatever its name
        return (path / "pyvenv.cfg").exists()
    except OSError:  # cannot look inside: the walk reports the folder
        return False


def discover(
    paths: Sequence[Path], exclude: Sequence[str], seen: set[object] | None = None
) -> Iterator[Path | FileResult]:
    """Files to check, sorted within each folder, each file once however often it is named
    (``a.py a.py ./a.py .``); a path that cannot be found or listed yields an error result.

    ``seen`` carries the files found so far across several calls.
    """
    seen = set() if seen is None else seen
    for item in _discover(paths, exclude):
        if isinstance(item, Path):
            key = _identity(item)
            if key in seen:
                continue
            seen.add(key)
        yield item


def _identity(path: Path) -> object:
    """The same file under any name: device and inode where it can be stat'ed."""
    try:
        info = os.stat(path)
        return (info.st_dev, info.st_ino)
    except OSError:
        return os.path.normpath(os.path.abspath(path))


def _discover(paths: Sequence[Path], exclude: Sequence[str]) -> Iterator[Path | FileResult]:
    for path in paths:
        try:
            folder = path.is_dir()
        except OSError as exc:
            yield FileResult(str(path), error=exc.strerror or str(exc))
            continue
        if folder:
            yield from _walk(path, exclude)
        elif path.exists() or path.is_symlink():
            if not excluded(path, exclude):
                yield path
        else:
            yield FileResult(str(path), error="no such file or directory")


def _walk(root: Path, exclude: Sequence[str]) -> Iterator[Path | FileResult]:
    def on_error(exc: OSError) -> None:
        where = exc.filename or str(root)
        errors.append(FileResult(where, error=f"cannot list the folder: {exc.strerror or exc}"))

    errors: list[FileResult] = []
    for folder, dirs, names in os.walk(root, onerror=on_error, followlinks=False):
        yield from errors  # a folder os.walk could not list (it reports it before moving on)
        errors.clear()
        base = Path(folder)
        dirs[:] = sorted(d for d in dirs if not _skipped_dir(base / d, exclude))
        for name in sorted(names):
            path = base / name
            if name.endswith(SOURCE_SUFFIXES) and not excluded(path, exclude):
                yield path
    yield from errors  # the last folder listed, or the root itself


DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024


class ReadError(OSError):
    """A file that is not read: not a regular file, or over the size limit. One-line message."""


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_regular(path: str, limit: int = DEFAULT_MAX_FILE_SIZE, option: str = "--max-file-size") -> bytes:
    """The bytes of a regular file, at most ``limit`` of them (0: no limit).

    A FIFO would block forever and ``/dev/zero`` never ends: what is not a regular file
    (after following symlinks) is refused before it is opened, since opening some devices
    acts on them, and checked again on the open descriptor, where it cannot change.
    """
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise ReadError(errno.EINVAL, f"{_kind(info.st_mode)}, not a file; only regular files are read")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    handle = os.open(path, flags)
    with os.fdopen(handle, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ReadError(errno.EINVAL, f"{_kind(info.st_mode)}, not a file; only regular files are read")
        if limit and info.st_size > limit:
            raise ReadError(errno.EFBIG, _too_big(info.st_size, limit, option))
        return _read_bounded(stream, limit, option)  # it may grow while being read


def _read_bounded(stream: Any, limit: int, option: str) -> bytes:
    """All of ``stream`` (0: no limit), or :class:`ReadError` past ``limit`` bytes."""
    data: bytes = stream.read(limit + 1) if limit else stream.read()
    if limit and len(data) > limit:
        raise ReadError(errno.EFBIG, f"more than the {_size(limit)} limit (raise it with {option})")
    return data


def _too_big(size: int, limit: int, option: str) -> str:
    return f"{_size(size)}, over the {_size(limit)} limit (raise it with {option})"


def _size(count: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{count} bytes"


def read_stream(stream: object, limit: int = DEFAULT_MAX_FILE_SIZE) -> bytes:
    """Standard input's bytes, at most ``limit`` (0: no limit); OSError when it is closed."""
    binary = getattr(stream, "buffer", None)
    if binary is None:  # ``<&-``: Python sets sys.stdin to None
        raise OSError(errno.EBADF, "standard input is closed; nothing to read")
    return _read_bounded(binary, limit, "--max-file-size")


def replace_file(path: str, data: bytes, expected: bytes) -> None:
    """Write a fix over ``path``, which held ``expected`` when it was read.

    What the file is stays: through a symlink the target is written (the link stays a
    link); owner, group, permissions and extended attributes are carried over to the new
    file, which replaces the old in one rename (old or new, never half). A file with
    several hard links, or whose owner or attributes cannot be carried over (not root), is
    rewritten in place instead, which keeps its inode and so all of that, at the cost of
    atomicity. Right before the rename, the file must still be the one read (same inode,
    size and mtime) and hold ``expected``, else :class:`~.fix.text.ChangedUnderneath`;
    an edit in the microseconds between that check and the rename is lost.
    """
    import tempfile

    from .fix.text import TEMP_PREFIX, TEMP_SUFFIX

    target = os.path.realpath(path)
    before = os.stat(target)
    if before.st_nlink > 1:
        _rewrite_in_place(target, data, expected)
        return
    handle, temporary = tempfile.mkstemp(
        prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=TEMP_SUFFIX, dir=os.path.dirname(target)
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if not _carry_over(target, temporary, before):
            os.unlink(temporary)
            _rewrite_in_place(target, data, expected)
            return
        _unchanged(target, expected, before)
        os.replace(temporary, target)
    except BaseException:
        if os.path.lexists(temporary):
            os.unlink(temporary)
        raise


def _carry_over(original: str, temporary: str, info: os.stat_result) -> bool:
    """Owner, group, mode and xattrs of ``original`` onto ``temporary``; False if one cannot be."""
    try:
        if (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
            os.chown(temporary, info.st_uid, info.st_gid)
        os.chmod(temporary, info.st_mode & 0o7777)  # after chown, which clears set-id bits
        if hasattr(os, "listxattr"):
            for name in os.listxattr(original):
                os.setxattr(temporary, name, os.getxattr(original, name))
    except OSError:
        return False
    return True


def _unchanged(target: str, expected: bytes, before: os.stat_result) -> None:
    from .fix.text import ChangedUnderneath

    now = os.stat(target)
    same = (now.st_dev, now.st_ino, now.st_size, now.st_mtime_ns) == (
        before.st_dev,
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )
    if not same:
        raise ChangedUnderneath(target)
    with open(target, "rb") as current:
        if current.read() != expected:
            raise ChangedUnderneath(target)


def _rewrite_in_place(target: str, data: bytes, expected: bytes) -> None:
    from .fix.text import ChangedUnderneath

    with open(target, "r+b") as stream:
        if stream.read() != expected:
            raise ChangedUnderneath(target)
        stream.seek(0)
        stream.write(data)
        stream.truncate()
        stream.flush()
        os.fsync(stream.fileno())
