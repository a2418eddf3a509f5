"""The id ledger: every entry id feedwright (or, imported, the blog's earlier software)
ever published, with the post it was given to. It lives in its own file in the state
folder, ``ids.sqlite``, apart from the cache: the cache may be discarded at any time, the
ledger never is. A damaged ledger stops the build rather than being replaced, because a
build without it could not notice an id change. Deleting it forgets every published id:
the next build records the ids it publishes then, and cannot warn about earlier ones
(``feedwright ids import`` of the live feed fills it again)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from feedwright.errors import FeedwrightError

LEDGER_FILE = "ids.sqlite"
SCHEMA = 1
APP_ID = "feedwright-ids"
CHANGE = "id-change"  # the code of the error that names a post whose id would change
ACCEPTED = "id-change-accepted"  # the note of a build that changed them anyway

_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE ids (
    id TEXT PRIMARY KEY, relpath TEXT NOT NULL, url TEXT NOT NULL, title TEXT NOT NULL,
    date TEXT NOT NULL, first_published TEXT NOT NULL, last_published TEXT NOT NULL,
    pinned INTEGER NOT NULL, origin TEXT NOT NULL);
CREATE INDEX ids_relpath ON ids (relpath);
"""
_COLUMNS = "id, relpath, url, title, date, first_published, last_published, pinned, origin"


class LedgerError(FeedwrightError):
    """The ledger file cannot be read as a ledger."""


@dataclass(frozen=True, slots=True)
class IdRecord:
    """One published entry id and the post it belongs to. ``date`` is the post's date
    (YYYY-MM-DD) and ``title`` its title, to know a renamed file again; ``pinned`` ids
    (imported from an earlier feed) are kept whatever the id scheme; ``origin`` is
    ``build`` or the feed it was imported from."""

    id: str
    relpath: str
    url: str
    title: str
    date: str
    first_published: str
    last_published: str
    pinned: bool = False
    origin: str = "build"

    def to_json(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in FIELDS}


FIELDS = tuple(IdRecord.__slots__)  # the columns of ``feedwright ids export``


def ledger_path(state: Path) -> Path:
    return state / LEDGER_FILE


def _damaged(path: Path, why: str) -> LedgerError:
    return LedgerError(
        f"{path}: the id ledger is damaged ({why}); restore it from a backup, or move it "
        "aside and run `feedwright ids import` with the published feed's URL to rebuild it"
    )


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA synchronous=FULL")
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not names:
            db.executescript(_TABLES)
            db.executemany(
                "INSERT INTO meta VALUES (?, ?)", [("app", APP_ID), ("schema", str(SCHEMA))]
            )
            return db
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        db.close()
        raise _damaged(path, str(exc)) from None
    if meta.get("app") != APP_ID or meta.get("schema") != str(SCHEMA):
        db.close()
        raise _damaged(path, f"not a feedwright id ledger of schema {SCHEMA}")
    return db


def read_ledger(state: Path) -> tuple[IdRecord, ...]:
    """Every record, oldest publication first; none when there is no ledger yet."""
    path = ledger_path(state)
    if not path.exists():
        return ()
    with closing(_connect(path)) as db:
        try:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM ids ORDER BY last_published, rowid"
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise _damaged(path, str(exc)) from None
    return tuple(_record(row) for row in rows)


def ids_of(state: Path, relpaths: Iterable[str]) -> dict[str, str] | None:
    """The id last published for each of ``relpaths``; None when one has none."""
    path = ledger_path(state)
    if not path.exists():
        return None
    found: dict[str, str] = {}
    with closing(_connect(path)) as db:
        for rel in relpaths:
            row = db.execute(
                "SELECT id FROM ids WHERE relpath = ? ORDER BY last_published DESC, rowid DESC",
                (rel,),
            ).fetchone()
            if row is None:
                return None
            found[rel] = row[0]
    return found


def _record(row: tuple[object, ...]) -> IdRecord:
    i, rel, url, title, date, first, last = (str(v) for v in row[:7])
    return IdRecord(i, rel, url, title, date, first, last, bool(row[7]), str(row[8]))


def _row(r: IdRecord) -> tuple[str, ...]:
    return (r.id, r.relpath, r.url, r.title, r.date, r.first_published, r.last_published, r.origin)


@dataclass(frozen=True, slots=True)
class Published:
    """A post as a build published it."""

    id: str
    relpath: str
    url: str
    title: str
    date: str


def record_published(state: Path, posts: Iterable[Published], now: dt.datetime) -> None:
    """Remember what a build published: a new id is added, a known id moves to the post
    that has it now, and every one gets ``now`` as its last publication."""
    stamp = now.astimezone(dt.UTC).isoformat(timespec="seconds")
    state.mkdir(parents=True, exist_ok=True)
    with closing(_connect(ledger_path(state))) as db:
        db.execute("BEGIN IMMEDIATE")
        db.executemany(
            "INSERT INTO ids VALUES (?, ?, ?, ?, ?, ?, ?, 0, 'build') ON CONFLICT (id) DO UPDATE "
            "SET relpath = excluded.relpath, url = excluded.url, title = excluded.title, "
            "date = excluded.date, last_published = excluded.last_published",
            ((p.id, p.relpath, p.url, p.title, p.date, stamp, stamp) for p in posts),
        )
        db.execute("COMMIT")


def pin(state: Path, records: Iterable[IdRecord]) -> None:
    """Add imported ids as pinned (a known id is pinned to its new post)."""
    state.mkdir(parents=True, exist_ok=True)
    with closing(_connect(ledger_path(state))) as db:
        db.execute("BEGIN IMMEDIATE")
        db.executemany(
            "INSERT INTO ids VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (id) DO UPDATE "
            "SET relpath = excluded.relpath, url = excluded.url, title = excluded.title, "
            "date = excluded.date, last_published = excluded.last_published, pinned = 1, "
            "origin = excluded.origin",
            (_row(r) for r in records),
        )
        db.execute("COMMIT")
