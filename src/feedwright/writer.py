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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from feedwright.errors import LockedError

MANIFEST = "manifest.json"
TMP_PREFIX = ".feedwright-tmp-"


@dataclass(frozen=True, slots=True)
class Change:
    relpath: str
    action: str  # "write", "unchanged", "remove"
    reason: str


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
    atomic_write_many([(path, data)])


def atomic_write_many(writes: list[tuple[Path, bytes]]) -> None:
    """Replace each path with its bytes, atomically per file. Every temp file is written
    and flushed first (several at once), so a failure (a full disk) leaves every target
    as it was; then each is renamed over its target, and each folder is flushed once."""
    staged: list[str] = []
    try:
        if len(writes) > 1:
            with ThreadPoolExecutor(min(WRITERS, len(writes))) as pool:
                futures = [pool.submit(_stage, path, data) for path, data in writes]
                for future in futures:  # keep every temp file made, even after a failure
                    with contextlib.suppress(Exception):
                        staged.append(future.result())
                for future in futures:
                    future.result()  # raises the first failure
        else:
            staged = [_stage(path, data) for path, data in writes]
        for (path, _), tmp in zip(writes, staged, strict=True):
            os.replace(tmp, path)
    except BaseException:
        for tmp in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise
    for folder in sorted({path.parent for path, _ in writes}):
        _fsync_dir(folder)


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


OUTPUT_SUFFIXES = (".xml", ".atom", ".rss", ".json", ".html", ".opml", ".xsl")


def _safe_relpath(name: str) -> bool:
    parts = name.split("/")
    return (
        bool(name)
        and not name.startswith("/")
        and "\\" not in name
        and all(p not in ("", ".", "..") for p in parts)
        and name.endswith(OUTPUT_SUFFIXES)  # what output templates and pages may name
    )


def plan_changes(
    output: Path, files: dict[str, bytes | None], previous: set[str], reasons: dict[str, str]
) -> list[Change]:
    """What writing ``files`` would do; a value of None means known to be unchanged."""
    changes: list[Change] = []
    for rel in sorted(files):
        if files[rel] is None:
            changes.append(Change(rel, "unchanged", "same entries"))
            continue
        target = output / rel
        try:
            current = target.read_bytes()
        except FileNotFoundError:
            changes.append(Change(rel, "write", "new feed"))
            continue
        if current == files[rel]:
            changes.append(Change(rel, "unchanged", "same bytes"))
        else:
            changes.append(Change(rel, "write", reasons.get(rel, "entries changed")))
    for rel in sorted(previous - files.keys()):
        if (output / rel).is_file():
            changes.append(Change(rel, "remove", "its tag or category no longer has a feed"))
    return changes


def apply_changes(
    output: Path, state: Path, files: dict[str, bytes | None], changes: list[Change]
) -> None:
    writes: list[tuple[Path, bytes]] = []
    for change in changes:
        data = files[change.relpath] if change.action == "write" else None
        if data is not None:
            writes.append((output / change.relpath, data))
    if writes:
        atomic_write_many(writes)
    for change in changes:
        if change.action == "remove":
            with contextlib.suppress(FileNotFoundError):
                (output / change.relpath).unlink()
            _prune_empty(output, (output / change.relpath).parent)
    manifest = {"output": str(output), "files": sorted(files)}
    atomic_write(state / MANIFEST, (json.dumps(manifest, indent=1) + "\n").encode())


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
