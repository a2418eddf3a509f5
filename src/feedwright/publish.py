"""Publish output files safely: atomic replace, only when bytes changed, and removal of
only those stale files that feedwright itself wrote (listed in the state folder)."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from feedwright.errors import LockedError
from feedwright.types import Change

MANIFEST = "manifest.json"
TMP_PREFIX = ".feedwright-tmp-"


WRITERS = 8  # files written and flushed at once: the disk commits their flushes together


def _stage(path: Path, data: bytes) -> str:
    """A temp file beside ``path`` holding ``data``, flushed to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename over ``path``."""
    tmp = _stage(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_manifest(state: Path) -> set[str]:
    """The files an earlier build wrote. Entries that could point outside the output
    folder (absolute, '..', or not feed files) are ignored: removal never leaves it."""
    try:
        data = json.loads((state / MANIFEST).read_text("utf-8"))
        files = data["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    if not isinstance(files, list):
        return set()
    return {f for f in files if isinstance(f, str) and _safe_relpath(f)}


OUTPUT_SUFFIXES = (".xml", ".atom", ".rss", ".json", ".html", ".opml", ".xsl", ".css")


def _safe_relpath(name: str) -> bool:
    parts = name.split("/")
    return (
        bool(name)
        and not name.startswith("/")
        and "\\" not in name
        and all(p not in ("", ".", "..") for p in parts)
        and name.endswith(OUTPUT_SUFFIXES)  # what output templates and pages may name
    )


class Publisher:
    """Publishes output files as they are produced. Each is compared with the published
    file and, when it differs, written at once to a flushed temp file beside it (by a
    few threads), so a build never holds every feed in memory. :meth:`finish` renames
    them all over their targets (each rename is atomic; a failure part-way through the
    renames leaves the files before it new and those after it old), removes stale files
    and writes the manifest. Until then no published file changes, and leaving the
    ``with`` block early (an error) removes the temp files. A path added twice keeps
    the later bytes. With ``dry_run`` nothing is written."""

    def __init__(
        self,
        output: Path,
        state: Path,
        previous: set[str],
        dry_run: bool = False,
    ) -> None:
        self.output = output
        self.state = state
        self.previous = previous
        self.dry_run = dry_run
        self.changes: dict[str, Change] = {}
        self._staged: dict[Path, Future[str]] = {}
        self._pool = None if dry_run else ThreadPoolExecutor(WRITERS)

    def __enter__(self) -> Publisher:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        if self._pool is not None:  # not finished: an error on the way
            self._discard()

    def add(self, rel: str, data: bytes | None) -> None:
        """One output file; None means known to be unchanged (same fingerprint)."""
        earlier = self._staged.pop(self.output / rel, None)
        if earlier is not None:  # added before: the later bytes win
            with contextlib.suppress(Exception):
                os.unlink(earlier.result())
        if data is None:
            self.changes[rel] = Change(rel, "unchanged", "same entries")
            return
        target = self.output / rel
        try:
            current = target.read_bytes()
        except FileNotFoundError:
            current = None
        if current == data:
            self.changes[rel] = Change(rel, "unchanged", "same bytes")
            return
        reason = "new feed" if current is None else "entries changed"
        self.changes[rel] = Change(rel, "write", reason)
        if self._pool is not None:
            self._staged[target] = self._pool.submit(_stage, target, data)

    def finish(self) -> list[Change]:
        """Put every staged file in place; the changes, sorted, then the removals."""
        changes = [self.changes[rel] for rel in sorted(self.changes)]
        for rel in sorted(self.previous - self.changes.keys()):
            if (self.output / rel).is_file():
                changes.append(Change(rel, "remove", "its tag or category no longer has a feed"))
        if self._pool is None:
            return changes
        staged = list(self._staged.items())
        temps = [future.result() for _, future in staged]  # raises a failed write
        self._pool.shutdown()
        self._pool = None
        try:
            for (target, _), tmp in zip(staged, temps, strict=True):
                os.replace(tmp, target)
        except BaseException:
            for tmp in temps:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
            raise
        for folder in sorted({target.parent for target in self._staged}):
            _fsync_dir(folder)
        for change in changes:
            if change.action == "remove":
                with contextlib.suppress(FileNotFoundError):
                    (self.output / change.relpath).unlink()
                _prune_empty(self.output, (self.output / change.relpath).parent)
        manifest = {"output": str(self.output), "files": sorted(self.changes)}
        atomic_write(self.state / MANIFEST, (json.dumps(manifest, indent=1) + "\n").encode())
        return changes

    def _discard(self) -> None:
        assert self._pool is not None
        self._pool.shutdown(wait=True)
        self._pool = None
        for future in self._staged.values():
            with contextlib.suppress(Exception):
                os.unlink(future.result())


def publish(
    output: Path,
    state: Path,
    files: dict[str, bytes | None],
    previous: set[str],
    dry_run: bool = False,
) -> list[Change]:
    """:class:`Publisher` for files already in memory."""
    with Publisher(output, state, previous, dry_run) as publisher:
        for rel in sorted(files):
            publisher.add(rel, files[rel])
        return publisher.finish()


def _prune_empty(output: Path, folder: Path) -> None:
    while folder != output and output in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def clean_temp_files(output: Path) -> None:
    """Remove temp files left by a process that was killed mid-write."""
    if not output.is_dir():
        return
    for tmp in output.rglob(TMP_PREFIX + "*"):
        with contextlib.suppress(OSError):
            tmp.unlink()


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
