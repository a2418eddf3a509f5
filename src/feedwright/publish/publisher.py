"""Publish output files safely: atomic replace, only when bytes changed, and removal of
only those stale files that feedwright itself wrote to this same output folder."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Set
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from feedwright.publish.folders import (
    NEW_FILE_FLAGS,
    TMP_PREFIX,
    UnsafeOutputError,
    fsync_fd,
    lstat_at,
    naming,
    open_folder,
    probe_writable,
    read_regular,
    split_relpath,
)
from feedwright.publish.manifest import Manifest, plain_relpath, write_manifest
from feedwright.types import Change

WRITERS = 8  # files written and flushed at once: the disk commits their flushes together


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

    def add(self, rel: str, data: bytes | None, reason: str | None = None) -> None:
        """One output file; None means known to be unchanged (same fingerprint).
        ``reason`` says why it is written, when a change of entries does not."""
        if not plain_relpath(rel):
            raise UnsafeOutputError(self.output / rel, "a path that leaves or hides in")
        earlier = self._staged.pop(rel, None)
        if earlier is not None:  # added before: the later bytes win
            with contextlib.suppress(Exception):
                self._unlink_temp(earlier.result())
        if data is None:
            self.changes[rel] = Change(rel, "unchanged", "same entries")
            return
        folder, name = split_relpath(rel)
        current = None
        if self._root is not None:  # each folder on the way must be a real folder
            fd = open_folder(self._root, self.output, folder)
            if fd is not None:
                try:
                    current = read_regular(fd, name)
                finally:
                    os.close(fd)
        if current == data:
            self.changes[rel] = Change(rel, "unchanged", "same bytes")
            return
        if reason is None:
            reason = "new feed" if current is None else "entries changed"
        self.changes[rel] = Change(rel, "write", reason)
        if self._pool is not None:
            self._staged[rel] = self._pool.submit(self._stage, folder, name, data)

    def _stage(self, folder: tuple[str, ...], name: str, data: bytes) -> _Staged:
        """A temp file beside ``folder/name`` holding ``data``, flushed to disk."""
        with naming(self.output.joinpath(*folder, name)):
            return self._stage_in(folder, name, data)

    def _stage_in(self, folder: tuple[str, ...], name: str, data: bytes) -> _Staged:
        assert self._root is not None
        parent = open_folder(self._root, self.output, folder, create=True)
        assert parent is not None
        try:
            temp = TMP_PREFIX + secrets.token_hex(8)
            fd = os.open(temp, NEW_FILE_FLAGS, 0o644, dir_fd=parent)
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
        fd = open_folder(self._root, self.output, staged.folder, strict=False)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(staged.temp, dir_fd=fd)
            os.close(fd)

    def free_or_ours(self, rel: str) -> bool:
        """Whether ``rel`` holds nothing, or the very file an earlier build wrote to this
        folder: where a file that is not a feed of this build may go without replacing
        anyone else's file."""
        if self._root is None:
            return True
        folder, name = split_relpath(rel)
        fd = open_folder(self._root, self.output, folder, strict=False)
        if fd is None:
            return True
        try:
            info = lstat_at(fd, name)
        finally:
            os.close(fd)
        identity = self._identity
        return info is None or (identity is not None and self.previous.wrote(identity, rel, info))

    def stale(self) -> list[str]:
        """The files of the previous build that this one did not produce and that are
        still the very files feedwright wrote here (same folder, same inode)."""
        identity = self._identity
        if identity is None or self.previous.folder != identity:
            return []
        assert self._root is not None
        found = []
        for rel in sorted(self.previous.names - self.changes.keys()):
            folder, name = split_relpath(rel)
            fd = open_folder(self._root, self.output, folder, strict=False)
            if fd is None:
                continue
            info = lstat_at(fd, name)
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
            probe_writable(self.state)  # the manifest must follow the files: fail before them
            with naming(self.output):
                self._place(staged)
        except BaseException:
            for item in staged:
                self._unlink_temp(item)
            raise
        for rel in stale:
            self._remove(rel)
        write_manifest(
            self.state, self.output, os.fstat(self._root), self._inodes(sorted(self.changes))
        )
        return changes

    def _place(self, staged: list[_Staged]) -> None:
        assert self._root is not None
        by_folder: dict[tuple[str, ...], list[_Staged]] = {}
        for item in staged:
            by_folder.setdefault(item.folder, []).append(item)
        for folder in sorted(by_folder):
            fd = open_folder(self._root, self.output, folder)
            if fd is None:
                raise UnsafeOutputError(self.output.joinpath(*folder), "a missing folder")
            try:
                for item in by_folder[folder]:
                    os.rename(item.temp, item.name, src_dir_fd=fd, dst_dir_fd=fd)
                fsync_fd(fd)
            finally:
                os.close(fd)

    def _inodes(self, rels: list[str]) -> dict[str, tuple[int, int]]:
        """Inode and mtime of each file as published (missing, symlinked or odd: none)."""
        assert self._root is not None
        found: dict[str, tuple[int, int]] = {}
        folders: dict[tuple[str, ...], int | None] = {}
        try:
            for rel in rels:
                folder, name = split_relpath(rel)
                if folder not in folders:
                    folders[folder] = open_folder(self._root, self.output, folder, strict=False)
                fd = folders[folder]
                info = None if fd is None else lstat_at(fd, name)
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
        folder, name = split_relpath(rel)
        fd = open_folder(self._root, self.output, folder, strict=False)
        if fd is None or identity is None:
            return
        try:
            info = lstat_at(fd, name)
            if info is None or not self.previous.wrote(identity, rel, info):
                return
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name, dir_fd=fd)
        finally:
            os.close(fd)
        for depth in range(len(folder), 0, -1):  # deepest first; stops at a non-empty one
            parent = open_folder(self._root, self.output, folder[: depth - 1], strict=False)
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
