"""Paths below an open output folder, never through a symlink, and atomic writes.

Every path below the output folder is opened one segment at a time, relative to the
folder opened before it and never following a symlink, so a symlink planted in the
output folder can neither receive a feed nor make a removal reach outside it."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from feedwright.errors import FeedwrightError

TMP_PREFIX = ".feedwright-tmp-"

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class UnsafeOutputError(FeedwrightError):
    """A symlink or a file stands where feedwright needs a folder inside the output
    folder. Nothing is written through it (nor at all, when found before publishing)."""

    def __init__(self, path: Path, what: str) -> None:
        self.path = path
        super().__init__(
            f"{path}: {what} where feedwright needs a folder of the output folder; "
            "feedwright never writes through it: replace it with a real folder "
            "(or remove it) and build again"
        )


def open_folder(
    root_fd: int, root: Path, parts: Sequence[str], *, create: bool = False, strict: bool = True
) -> int | None:
    """A descriptor of the folder ``root/parts``, opened segment by segment without
    following symlinks. None when a segment is missing (and not ``create``), or, unless
    ``strict``, when one is a symlink or not a folder; with ``strict`` that is an
    :class:`UnsafeOutputError`."""
    fd = os.dup(root_fd)
    try:
        for i, part in enumerate(parts):
            try:
                try:
                    inner = os.open(part, DIR_FLAGS, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        os.close(fd)
                        return None
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, 0o755, dir_fd=fd)
                    inner = os.open(part, DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                    raise
                if not strict:
                    os.close(fd)
                    return None
                is_link = stat.S_ISLNK(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode)
                what = "a symbolic link" if is_link else "a file, not a folder,"
                raise UnsafeOutputError(root.joinpath(*parts[: i + 1]), what) from None
            os.close(fd)
            fd = inner
        return fd
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        raise


def lstat_at(folder: int, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False)
    except OSError:
        return None


def read_regular(folder: int, name: str) -> bytes | None:
    """The bytes of a regular file (None: missing, a symlink or not a regular file)."""
    try:
        fd = os.open(name, READ_FLAGS, dir_fd=folder)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return handle.read()


def fsync_fd(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.fsync(fd)


def split_relpath(rel: str) -> tuple[tuple[str, ...], str]:
    *folder, name = rel.split("/")
    return tuple(folder), name


@contextlib.contextmanager
def naming(path: Path) -> Iterator[None]:
    """Let an ``OSError`` raised within name ``path`` when it names no absolute path (a
    write to a descriptor, or a name relative to an open folder), so that its message can
    say which file or folder is at fault."""
    try:
        yield
    except OSError as exc:
        name = os.fsdecode(exc.filename) if isinstance(exc.filename, str | bytes) else ""
        if not os.path.isabs(name) or os.path.basename(name).startswith(TMP_PREFIX):
            exc.filename = str(path)  # a temp file's name means nothing to its reader
        raise


def probe_writable(folder: Path) -> None:
    """Raise the ``OSError`` that writing a file in ``folder`` would meet (read-only,
    full, not a folder), before anything depends on it."""
    with naming(folder):
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=folder)
        os.close(fd)
        os.unlink(tmp)


# -- files outside the output folder (the state folder) -------------------------------------
def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename over ``path``."""
    with naming(path):
        _atomic_write(path, data)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    try:
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    fsync_fd(folder)
    os.close(folder)


def clean_temp_files(output: Path) -> None:
    """Remove temp files left by a process that was killed mid-write (never following a
    symlink out of the output folder)."""
    if not output.is_dir():
        return
    for _, _, names, folder in os.fwalk(output, follow_symlinks=False):
        for name in names:
            if name.startswith(TMP_PREFIX):
                info = lstat_at(folder, name)
                if info is not None and stat.S_ISREG(info.st_mode):
                    with contextlib.suppress(OSError):
                        os.unlink(name, dir_fd=folder)
