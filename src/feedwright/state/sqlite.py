"""The persistent store: SQLite (stdlib) in the state folder.

It remembers, per post file, its stat signature, content hash and what scanning it gave;
rendered HTML by content key; the last good version of each post; a fingerprint of every
output file; and the record of the last published build. It is only ever an accelerator:
a corrupt, foreign or older-version store is detected and rebuilt, and deleting it
changes no output byte.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import sqlite3
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from feedwright import __version__
from feedwright.state import codec
from feedwright.state.codec import PlanRecord
from feedwright.state.store import FileRecord, OutputPrint, Store, unwritable
from feedwright.types import Post, RenderValue

CACHE_FILE = "cache.sqlite"
SCHEMA = 9
APP_ID = "feedwright-cache"

_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (
    relpath TEXT PRIMARY KEY, signature TEXT NOT NULL, sha256 TEXT NOT NULL,
    checked_ns INTEGER NOT NULL, outcome TEXT NOT NULL);
CREATE TABLE good (relpath TEXT PRIMARY KEY, post TEXT NOT NULL);
CREATE TABLE renders (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE outputs (relpath TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, signature TEXT NOT NULL);
CREATE TABLE plan (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class SqliteStore:
    """One build's view of the SQLite store. ``fingerprint`` covers everything a scanned
    post depends on besides its bytes (the config and feedwright's version)."""

    failures: tuple[type[Exception], ...] = (sqlite3.DatabaseError,)

    def __init__(self, state: Path, fingerprint: str) -> None:
        self.path = state / CACHE_FILE
        self.fingerprint = fingerprint
        self.recovered: str | None = None
        state.mkdir(parents=True, exist_ok=True)
        self._committing: Future[None] | None = None
        self._links: dict[str, str] | None = None  # the plan's links as stored now
        self.db = self._open()

    # -- lifecycle ------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            problem = self._check(db)
            if problem is None:
                db.execute("BEGIN")
                return db
            db.close()
        except sqlite3.DatabaseError as exc:
            if cannot_write(exc):  # locked, read-only or full: not ours to delete
                raise
            problem = f"unreadable ({exc})"
        self.recovered = problem
        self._unlink()
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(_TABLES)
        db.execute("BEGIN")
        self._set_meta(
            db,
            {
                "app": APP_ID,
                "schema": str(SCHEMA),
                "version": __version__,
                "fingerprint": self.fingerprint,
            },
        )
        return db

    def _unlink(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(str(self.path) + suffix)

    def _check(self, db: sqlite3.Connection) -> str | None:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return "new"
        if tables != {"meta", "files", "good", "renders", "outputs", "plan"}:
            return "foreign tables"
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("app") != APP_ID:
            return "not a feedwright cache"
        if meta.get("schema") != str(SCHEMA) or meta.get("version") != __version__:
            return f"written by another version ({meta.get('version')})"
        if meta.get("fingerprint") != self.fingerprint:
            for table in ("files", "renders", "outputs", "plan"):
                db.execute(f"DELETE FROM {table}")
            self._set_meta(db, {"fingerprint": self.fingerprint})
        # A full integrity check would cost more than the build it speeds up; corruption
        # met later raises sqlite3.DatabaseError, and the build then starts a new store.
        return None

    @staticmethod
    def _set_meta(db: sqlite3.Connection, values: dict[str, str]) -> None:
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    def commit(self) -> None:
        self.wait()
        self._commit()

    def commit_in_background(self) -> None:
        """Commit from a thread (SQLite writes without holding the GIL), so the build can
        serialize feeds meanwhile. See :meth:`Store.commit_in_background`."""
        self.wait()
        self.db.execute("DELETE FROM plan")
        self._links = None
        pool = ThreadPoolExecutor(1, thread_name_prefix="feedwright-commit")
        self._committing = pool.submit(self._commit)
        pool.shutdown(wait=False)  # the thread ends with the commit

    def wait(self) -> None:
        """Wait for a background commit; raise what it raised."""
        pending, self._committing = self._committing, None
        if pending is not None:
            pending.result()

    def _commit(self) -> None:
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.wait()
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("ROLLBACK")
        self.db.close()

    def restart(self, reason: str) -> Store:
        self.close()
        self._unlink()
        fresh = open_cache(self.path.parent, self.fingerprint)
        if fresh.recovered is None or fresh.recovered == "new":
            fresh.recovered = reason
        return fresh

    # -- post files -----------------------------------------------------------------------
    @staticmethod
    def _record(row: tuple[str, str, int, str]) -> FileRecord:
        return FileRecord(row[0], row[1], int(row[2]), codec.outcome_from_json(row[3]))

    def file(self, rel: str) -> FileRecord | None:
        row = self.db.execute(
            "SELECT signature, sha256, checked_ns, outcome FROM files WHERE relpath = ?", (rel,)
        ).fetchone()
        return None if row is None else self._record(row)

    def files(self) -> dict[str, FileRecord]:
        rows = self.db.execute("SELECT relpath, signature, sha256, checked_ns, outcome FROM files")
        return {r[0]: self._record(r[1:]) for r in rows.fetchall()}

    def stamps(self) -> dict[str, tuple[str, int]]:
        rows = self.db.execute("SELECT relpath, signature, checked_ns FROM files")
        return {r[0]: (r[1], int(r[2])) for r in rows.fetchall()}

    def put_file(self, rel: str, record: FileRecord, good: Post | None) -> None:
        bare: str | None = None  # the outcome's post, when it is ``good``: encoded once
        if good is not None:
            bare, full = codec.post_texts(good)
            if record.outcome.post is not good:
                bare = None
            self.db.execute("INSERT OR REPLACE INTO good VALUES (?, ?)", (rel, full))
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
            (
                rel,
                record.signature,
                record.sha256,
                record.checked_ns,
                codec.outcome_to_json(record.outcome, bare),
            ),
        )

    def prune_files(self, keep: Iterable[str]) -> None:
        kept = set(keep)
        for (rel,) in self.db.execute("SELECT relpath FROM files").fetchall():
            if rel not in kept:
                self.db.execute("DELETE FROM files WHERE relpath = ?", (rel,))
                self.db.execute("DELETE FROM good WHERE relpath = ?", (rel,))

    def good(self, rel: str) -> Post | None:
        row = self.db.execute("SELECT post FROM good WHERE relpath = ?", (rel,)).fetchone()
        return None if row is None else codec.post_from_json(row[0])

    # -- renders --------------------------------------------------------------------------
    def render(self, key: str) -> RenderValue | None:
        row = self.db.execute("SELECT value FROM renders WHERE key = ?", (key,)).fetchone()
        return None if row is None else codec.render_from_json(row[0])

    def put_render(self, key: str, value: RenderValue) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO renders VALUES (?, ?)", (key, codec.render_to_json(value))
        )

    def prune_renders(self, keep: set[str]) -> None:
        for (key,) in self.db.execute("SELECT key FROM renders").fetchall():
            if key not in keep:
                self.db.execute("DELETE FROM renders WHERE key = ?", (key,))

    # -- outputs and the plan record ------------------------------------------------------
    def outputs(self) -> dict[str, OutputPrint]:
        rows = self.db.execute("SELECT relpath, fingerprint, signature FROM outputs")
        return {str(r): OutputPrint(str(f), str(s)) for r, f, s in rows.fetchall()}

    def put_outputs(self, values: dict[str, OutputPrint], *, replace: bool) -> None:
        if replace:
            self.db.execute("DELETE FROM outputs")
        self.db.executemany(
            "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?)",
            [(k, v.fingerprint, v.signature) for k, v in values.items()],
        )

    def plan(self) -> PlanRecord | None:
        rows = dict(self.db.execute("SELECT key, value FROM plan").fetchall())
        if "last" not in rows:
            return None
        try:
            record = codec.plan_from_json(rows["last"])
            if "links" in rows:  # kept apart: large, and the same after a quick build
                record = dataclasses.replace(record, links=json.loads(rows["links"]))
        except (ValueError, KeyError, TypeError):
            return None
        self._links = record.links
        return record

    def put_plan(self, record: PlanRecord | None) -> None:
        if record is None:
            self.db.execute("DELETE FROM plan")
            self._links = None
            return
        self.db.execute("DELETE FROM plan WHERE key = 'last'")
        head = dataclasses.replace(record, links={})
        self.db.execute("INSERT INTO plan VALUES ('last', ?)", (codec.plan_to_json(head),))
        if record.links is not self._links:  # written again only when it is another one
            text = json.dumps(record.links, sort_keys=True)
            self.db.execute("INSERT OR REPLACE INTO plan VALUES ('links', ?)", (text,))
            self._links = record.links


# SQLite's words for storage it cannot write (as opposed to a corrupt file)
_WRITE_FAILURES = ("full", "readonly", "read-only", "locked", "unable to open", "i/o error")


def open_cache(state: Path, fingerprint: str) -> Store:
    """The state folder's cache, or (when it cannot be opened for writing) a store that
    lasts one build and says why: the cache only makes builds faster."""
    try:
        return SqliteStore(state, fingerprint)
    except (OSError, sqlite3.Error) as exc:
        return unwritable(_why(state / CACHE_FILE, exc))


def recover(store: Store, exc: Exception, state: Path) -> Store:
    """The store to build with after ``store`` failed with ``exc`` mid-build: a fresh
    cache when it was corrupt, one that lasts the build when it cannot be written."""
    if cannot_write(exc):
        with contextlib.suppress(Exception):
            store.close()
        return unwritable(_why(state / CACHE_FILE, exc))
    try:
        return store.restart(f"unreadable ({exc})")
    except (OSError, sqlite3.Error) as again:
        return unwritable(_why(state / CACHE_FILE, again))


def cannot_write(exc: Exception) -> bool:
    """Whether SQLite failed for want of a writable file (not because it is corrupt)."""
    return isinstance(exc, sqlite3.OperationalError) and any(
        word in str(exc).lower() for word in _WRITE_FAILURES
    )


def _why(path: Path, exc: Exception) -> str:
    if isinstance(exc, OSError):
        name = exc.filename if isinstance(exc.filename, str) else str(path)
        return f"{name}: {(exc.strerror or str(exc)).lower()}"
    return f"{path}: {exc}"
