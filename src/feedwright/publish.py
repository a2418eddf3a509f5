"""Publish output files safely: atomic replace, only when bytes changed, and removal of
only those stale files that feedwright itself wrote to this same output folder.

Every path below the output folder is opened one segment at a time, relative to the
folder opened before it and never following a symlink, so a symlink planted in the
output folder can neither receive a feed nor make a removal reach outside it. The
manifest in the state folder records the output folder's identity (device and inode)
and the inode of each file written: a manifest of another folder, or a file replaced
since, removes nothing."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import secrets
import stat
import tempfile
from collections.abc import Iterator, Mapping, Sequence, Set
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from feedwright.errors import FeedwrightError, LockedError
from feedwright.types import Change

MANIFEST = "manifest.json"
MANIFEST_VERSION = 2
TMP_PREFIX = ".feedwright-tmp-"
# the suffixes output templates and pages may name; matched case-sensitively
OUTPUT_SUFFIXES = (".xml", ".atom", ".rss", ".json", ".html", ".opml", ".xsl", ".css")

WRITERS = 8  # files written and flushed at once: the disk commits their flushes together

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


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


# -- the manifest -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Manifest:
    """What an earlier build wrote: the output folder's identity and, for each file, its
    inode and modification time (an inode number alone may be reused by a new file)."""

    folder: tuple[int, int] | None = None  # (device, inode) of the output folder
    files: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # -> (inode, mtime_ns)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.files)

    def wrote(self, folder: tuple[int, int], relpath: str, info: os.stat_result) -> bool:
        """Whether ``info`` is the very file recorded at ``relpath`` of ``folder``."""
        return (
            self.folder == folder
            and self.files.get(relpath) == (info.st_ino, info.st_mtime_ns)
            and info.st_dev == folder[0]
            and stat.S_ISREG(info.st_mode)
        )


def read_manifest(state: Path) -> Manifest:
    """The files an earlier build wrote. Entries that could point outside the output
    folder (absolute, '..', or not feed files) are ignored, and a manifest without the
    folder's identity (written by an older version) lists nothing: removal never leaves
    the folder and never removes a file feedwright did not write."""
    try:
        data = json.loads((state / MANIFEST).read_text("utf-8"))
        device, inode, files = data["device"], data["inode"], data["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return Manifest()
    if not (isinstance(device, int) and isinstance(inode, int) and isinstance(files, dict)):
        return Manifest()
    return Manifest(
        (device, inode),
        {
            rel: (entry[0], entry[1])
            for rel, entry in files.items()
            if isinstance(rel, str)
            and safe_relpath(rel)
            and isinstance(entry, list)
            and len(entry) == 2
            and all(isinstance(n, int) for n in entry)
        },
    )


def plain_relpath(name: str) -> bool:
    """A plain relative path: no '..', '.' or empty segment, no backslash or NUL."""
    return (
        bool(name)
        and not name.startswith("/")
        and "\\" not in name
        and "\0" not in name
        and all(p not in ("", ".", "..") for p in name.split("/"))
    )


def safe_relpath(name: str) -> bool:
    """A plain relative path of an output file (one of the suffixes feedwright writes)."""
    return plain_relpath(name) and name.endswith(OUTPUT_SUFFIXES)


# -- paths below an open folder, never through a symlink ------------------------------------
def _open_folder(
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
                    inner = os.open(part, _DIR_FLAGS, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        os.close(fd)
                        return None
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, 0o755, dir_fd=fd)
                    inner = os.open(part, _DIR_FLAGS, dir_fd=fd)
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


def _lstat(folder: int, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False)
    except OSError:
        return None


def _read(folder: int, name: str) -> bytes | None:
    """The bytes of a regular file (None: missing, a symlink or not a regular file)."""
    try:
        fd = os.open(name, _READ_FLAGS, dir_fd=folder)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return handle.read()


def _fsync_fd(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.fsync(fd)


def _split(rel: str) -> tuple[tuple[str, ...], str]:
    *folder, name = rel.split("/")
    return tuple(folder), name


# -- files outside the output folder (the state folder) -------------------------------------
def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename over ``path``."""
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
    _fsync_fd(folder)
    os.close(folder)


# -- the publisher --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Staged:
    folder: tuple[str, ...]
    name: str
    temp: str


class Publisher:
    """Publishes output files as they are produced. Each is compared with the published
    file and, when it differs, written at once to a flushed temp file beside it (by a
    few threads), so a build never holds every feed in memory. :meth:`finish` renames
    them all over their targets (each rename is atomic; a failure part-way through the
    renames leaves the files before it new and those after it old), removes stale files
    and writes the manifest. Until then no published file changes, and leaving the
    ``with`` block early (an error) removes the temp files. A path added twice keeps
    the later bytes. With ``dry_run`` nothing is written.

    ``previous`` is what :func:`read_manifest` returned; a plain set of names carries no
    folder identity and so removes nothing."""

    def __init__(
        self,
        output: Path,
        state: Path,
        previous: Manifest | Set[str],
        dry_run: bool = False,
    ) -> None:
        self.output = output
        self.state = state
        self.previous = previous if isinstance(previous, Manifest) else Manifest()
        self.dry_run = dry_run
        self.changes: dict[str, Change] = {}
        self._staged: dict[str, Future[_Staged]] = {}
        self._root: int | None = None
        if not dry_run:
            output.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            self._root = os.open(output, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        if not dry_run and self._root is None:
            raise UnsafeOutputError(output, "not a folder")
        self._pool = None if dry_run else ThreadPoolExecutor(WRITERS)

    def __enter__(self) -> Publisher:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        if self._pool is not None:  # not finished: an error on the way
            self._discard()
        self._close()

    def _close(self) -> None:
        if self._root is not None:
            os.close(self._root)
            self._root = None

    @property
    def _identity(self) -> tuple[int, int] | None:
        if self._root is None:
            return None
        info = os.fstat(self._root)
        return info.st_dev, info.st_ino

    def add(self, rel: str, data: bytes | None) -> None:
        """One output file; None means known to be unchanged (same fingerprint)."""
        if not plain_relpath(rel):
            raise UnsafeOutputError(self.output / rel, "a path that leaves or hides in")
        earlier = self._staged.pop(rel, None)
        if earlier is not None:  # added before: the later bytes win
            with contextlib.suppress(Exception):
                self._unlink_temp(earlier.result())
        if data is None:
            self.changes[rel] = Change(rel, "unchanged", "same entries")
            return
        folder, name = _split(rel)
        current = None
        if self._root is not None:  # each folder on the way must be a real folder
            fd = _open_folder(self._root, self.output, folder)
            if fd is not None:
                try:
                    current = _read(fd, name)
                finally:
                    os.close(fd)
        if current == data:
            self.changes[rel] = Change(rel, "unchanged", "same bytes")
            return
        reason = "new feed" if current is None else "entries changed"
        self.changes[rel] = Change(rel, "write", reason)
        if self._pool is not None:
            self._staged[rel] = self._pool.submit(self._stage, folder, name, data)

    def _stage(self, folder: tuple[str, ...], name: str, data: bytes) -> _Staged:
        """A temp file beside ``folder/name`` holding ``data``, flushed to disk."""
        assert self._root is not None
        parent = _open_folder(self._root, self.output, folder, create=True)
        assert parent is not None
        try:
            temp = TMP_PREFIX + secrets.token_hex(8)
            fd = os.open(temp, _NEW_FILE_FLAGS, 0o644, dir_fd=parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fchmod(fd, 0o644)
                    os.fsync(fd)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp, dir_fd=parent)
                raise
        finally:
            os.close(parent)
        return _Staged(folder, name, temp)

    def _unlink_temp(self, staged: _Staged) -> None:
        if self._root is None:
            return
        fd = _open_folder(self._root, self.output, staged.folder, strict=False)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(staged.temp, dir_fd=fd)
            os.close(fd)

    def stale(self) -> list[str]:
        """The files of the previous build that this one did not produce and that are
        still the very files feedwright wrote here (same folder, same inode)."""
        identity = self._identity
        if identity is None or self.previous.folder != identity:
            return []
        assert self._root is not None
        found = []
        for rel in sorted(self.previous.names - self.changes.keys()):
            folder, name = _split(rel)
            fd = _open_folder(self._root, self.output, folder, strict=False)
            if fd is None:
                continue
            info = _lstat(fd, name)
            os.close(fd)
            if info is not None and self.previous.wrote(identity, rel, info):
                found.append(rel)
        return found

    def finish(self) -> list[Change]:
        """Put every staged file in place; the changes, sorted, then the removals."""
        changes = [self.changes[rel] for rel in sorted(self.changes)]
        stale = self.stale()
        changes += [
            Change(rel, "remove", "its tag or category no longer has a feed") for rel in stale
        ]
        if self._pool is None:
            return changes
        staged = [future.result() for future in self._staged.values()]  # raises a failed write
        self._pool.shutdown()
        self._pool = None
        assert self._root is not None
        try:
            self._place(staged)
        except BaseException:
            for item in staged:
                self._unlink_temp(item)
            raise
        for rel in stale:
            self._remove(rel)
        manifest = {
            "version": MANIFEST_VERSION,
            "output": str(self.output),
            "device": os.fstat(self._root).st_dev,
            "inode": os.fstat(self._root).st_ino,
            "files": self._inodes(sorted(self.changes)),
        }
        atomic_write(self.state / MANIFEST, (json.dumps(manifest, indent=1) + "\n").encode())
        return changes

    def _place(self, staged: list[_Staged]) -> None:
        assert self._root is not None
        by_folder: dict[tuple[str, ...], list[_Staged]] = {}
        for item in staged:
            by_folder.setdefault(item.folder, []).append(item)
        for folder in sorted(by_folder):
            fd = _open_folder(self._root, self.output, folder)
            if fd is None:
                raise UnsafeOutputError(self.output.joinpath(*folder), "a missing folder")
            try:
                for item in by_folder[folder]:
                    os.rename(item.temp, item.name, src_dir_fd=fd, dst_dir_fd=fd)
                _fsync_fd(fd)
            finally:
                os.close(fd)

    def _inodes(self, rels: list[str]) -> dict[str, tuple[int, int]]:
        """Inode and mtime of each file as published (missing, symlinked or odd: none)."""
        assert self._root is not None
        found: dict[str, tuple[int, int]] = {}
        folders: dict[tuple[str, ...], int | None] = {}
        try:
            for rel in rels:
                folder, name = _split(rel)
                if folder not in folders:
                    folders[folder] = _open_folder(self._root, self.output, folder, strict=False)
                fd = folders[folder]
                info = None if fd is None else _lstat(fd, name)
                if info is not None and stat.S_ISREG(info.st_mode):
                    found[rel] = (info.st_ino, info.st_mtime_ns)
        finally:
            for fd in folders.values():
                if fd is not None:
                    os.close(fd)
        return found

    def _remove(self, rel: str) -> None:
        """Unlink a stale file (checked again: still the file written) and prune the
        folders it leaves empty."""
        assert self._root is not None
        identity = self._identity
        folder, name = _split(rel)
        fd = _open_folder(self._root, self.output, folder, strict=False)
        if fd is None or identity is None:
            return
        try:
            info = _lstat(fd, name)
            if info is None or not self.previous.wrote(identity, rel, info):
                return
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name, dir_fd=fd)
        finally:
            os.close(fd)
        for depth in range(len(folder), 0, -1):  # deepest first; stops at a non-empty one
            parent = _open_folder(self._root, self.output, folder[: depth - 1], strict=False)
            if parent is None:
                return
            try:
                os.rmdir(folder[depth - 1], dir_fd=parent)
            except OSError:
                return
            finally:
                os.close(parent)

    def _discard(self) -> None:
        assert self._pool is not None
        self._pool.shutdown(wait=True)
        self._pool = None
        for future in self._staged.values():
            with contextlib.suppress(Exception):
                self._unlink_temp(future.result())


def publish(
    output: Path,
    state: Path,
    files: dict[str, bytes | None],
    previous: Manifest | Set[str],
    dry_run: bool = False,
) -> list[Change]:
    """:class:`Publisher` for files already in memory."""
    with Publisher(output, state, previous, dry_run) as publisher:
        for rel in sorted(files):
            publisher.add(rel, files[rel])
        return publisher.finish()


def clean_temp_files(output: Path) -> None:
    """Remove temp files left by a process that was killed mid-write (never following a
    symlink out of the output folder)."""
    if not output.is_dir():
        return
    for _, _, names, folder in os.fwalk(output, follow_symlinks=False):
        for name in names:
            if name.startswith(TMP_PREFIX):
                info = _lstat(folder, name)
                if info is not None and stat.S_ISREG(info.st_mode):
                    with contextlib.suppress(OSError):
                        os.unlink(name, dir_fd=folder)


@contextlib.contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """One writer per output folder: an exclusive flock on the folder itself, released by
    the kernel when the process dies, so a stale lock can never block."""
    output.mkdir(parents=True, exist_ok=True)
    fd = os.open(output, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise LockedError(output) from None
            raise
        yield
    finally:
        os.close(fd)
