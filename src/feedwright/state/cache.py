"""The persistent build cache: SQLite (stdlib) in the state folder.

It remembers, per post file, its stat signature, content hash and what scanning it gave;
rendered HTML by content key; the last good version of each post; and a fingerprint of
every output file. It is only ever an accelerator: a corrupt, foreign or older-version
cache is detected and rebuilt, and deleting it changes no output byte.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from feedwright import __version__
from feedwright.scan import FileOutcome, Scanner, read_limited
from feedwright.scan.sources import posts_root
from feedwright.state.snapshot import signature_of
from feedwright.types import Author, Diagnostic, Markup, Post, RenderValue, Severity, Skipped

# (path, relative path, the sha256 the cache knows or None, whether to drop the body) ->
# (sha256 of the bytes or None when unreadable, when they were read (ns), the outcome or
# None when the bytes match, the outcome encoded for the cache, the post with its body
# encoded for the cache). Encoding happens where the file was parsed (a worker process).
ParseItem = tuple[Path, str, str | None, bool]
ParseResult = tuple[str | None, int, FileOutcome | None, str | None, str | None]
ParseMany = Callable[[Scanner, list[ParseItem]], Iterable[ParseResult]]


def parse_one(scanner: Scanner, item: ParseItem) -> ParseResult:
    path, rel, known, strip = item
    checked = time.time_ns()
    data = read_limited(path, scanner.config.limits.post_size)
    if isinstance(data, FileOutcome):
        return None, checked, scanner.read(path, rel), None, None  # the outcome, file named
    digest = hashlib.sha256(data).hexdigest()
    if digest == known:
        return digest, checked, None, None, None
    outcome = scanner.outcome(path, rel, data)
    good = None
    if outcome.post is not None:
        good = json.dumps(_post_to_json(outcome.post, body=True))
        if strip:
            post = dataclasses.replace(outcome.post, body="")
            outcome = FileOutcome(post, outcome.skipped, outcome.diagnostics)
    return digest, checked, outcome, _outcome_to_json(outcome), good


CACHE_FILE = "cache.sqlite"
SCHEMA = 6
APP_ID = "feedwright-cache"
# A file changed within this window of our last look may have been edited again without
# its timestamps moving (file-system clocks are coarse): hash it instead of trusting stat.
RACY_NS = 1_000_000_000
KEEP_BODIES = 256  # read at most this many files, and their bodies stay with the posts

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


# -- codec --------------------------------------------------------------------------------
def _post_to_json(post: Post, body: bool = False) -> dict[str, Any]:
    """Posts are stored without their body (its hash is enough to find the rendered HTML),
    except the last good versions, which must survive a broken edit of the file."""
    return {
        "relpath": post.relpath,
        "slug": post.slug,
        "file_date": post.file_date.isoformat(),
        "site_date": post.site_date.isoformat(),
        "published": post.published.isoformat(),
        "updated": post.updated.isoformat(),
        "title": post.title,
        "title_derived": post.title_derived,
        "description": post.description,
        "authors": [[a.name, a.email, a.uri] for a in post.authors],
        "tags": list(post.tags),
        "categories": list(post.categories),
        "url_path": post.url_path,
        "url": post.url,
        "body": post.body if body else "",
        "body_line": post.body_line,
        "key_lines": post.key_lines,
        "body_sha": post.body_sha,
        "has_liquid": post.has_liquid,
        "image": post.image,
        "markup": post.markup.value,
    }


def _post_from_json(data: dict[str, Any], root: Path) -> Post:
    return Post(
        relpath=data["relpath"],
        slug=data["slug"],
        file_date=dt.date.fromisoformat(data["file_date"]),
        site_date=dt.datetime.fromisoformat(data["site_date"]),
        published=dt.datetime.fromisoformat(data["published"]),
        updated=dt.datetime.fromisoformat(data["updated"]),
        title=data["title"],
        title_derived=bool(data["title_derived"]),
        description=data["description"],
        authors=tuple(Author(n, e, u) for n, e, u in data["authors"]),
        tags=tuple(data["tags"]),
        categories=tuple(data["categories"]),
        url_path=data["url_path"],
        url=data["url"],
        body=data["body"],
        body_line=int(data["body_line"]),
        key_lines={str(k): int(v) for k, v in data["key_lines"].items()},
        body_sha=data["body_sha"],
        has_liquid=bool(data["has_liquid"]),
        image=data["image"],
        markup=Markup(data.get("markup", "markdown")),
    )


def _diag_to_json(d: Diagnostic) -> list[Any]:
    return [d.severity.value, d.code, d.message, d.path, d.line, d.hint]


def _diag_from_json(v: list[Any]) -> Diagnostic:
    return Diagnostic(Severity(v[0]), v[1], v[2], v[3], v[4], v[5])


def _outcome_to_json(o: FileOutcome) -> str:
    return json.dumps(
        {
            "post": None if o.post is None else _post_to_json(o.post),
            "skipped": None
            if o.skipped is None
            else [o.skipped.relpath, o.skipped.reason, o.skipped.error],
            "diagnostics": [_diag_to_json(d) for d in o.diagnostics],
        }
    )


def _outcome_from_json(text: str, root: Path) -> FileOutcome:
    data = json.loads(text)
    post = None if data["post"] is None else _post_from_json(data["post"], root)
    sk = data["skipped"]
    skipped = None if sk is None else Skipped(sk[0], sk[1], bool(sk[2]))
    return FileOutcome(post, skipped, tuple(_diag_from_json(d) for d in data["diagnostics"]))


_RENDER_FIELDS = dataclasses.fields(RenderValue)


class Cache:
    """One build's view of the cache. ``fingerprint`` covers everything a scanned post
    depends on besides its bytes (the config and feedwright's version)."""

    def __init__(self, state: Path, fingerprint: str, *, reuse: bool = True) -> None:
        self.path = state / CACHE_FILE
        self.fingerprint = fingerprint
        self.reuse = reuse
        self.recovered: str | None = None
        self.opened = 0  # post files read through the cache (for the build summary)
        self.reused = 0
        state.mkdir(parents=True, exist_ok=True)
        self._committing: Future[None] | None = None
        self.db = self._open()
        self._seen: set[str] = set()

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
            problem = f"unreadable ({exc})"
        self.recovered = problem
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(str(self.path) + suffix)
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
            db.execute("DELETE FROM files")
            db.execute("DELETE FROM renders")
            db.execute("DELETE FROM outputs")
            db.execute("DELETE FROM plan")
            self._set_meta(db, {"fingerprint": self.fingerprint})
        # A full integrity check would cost more than the build it speeds up; corruption
        # met later raises sqlite3.DatabaseError, and the build then starts a new cache.
        return None

    @staticmethod
    def _set_meta(db: sqlite3.Connection, values: dict[str, str]) -> None:
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    def commit(self, prune_files: bool = True) -> None:
        self.wait()
        self._commit(prune_files)

    def commit_in_background(self) -> None:
        """Commit what is stored so far from a thread (SQLite writes without holding the
        GIL), so the build can serialize feeds meanwhile. Until :meth:`wait`, nothing
        else may use the cache. The record of the last published build is dropped
        first: if this process dies before the final commit, the next build must not
        take the quick path from rows that no published feed reflects."""
        self.wait()
        self.db.execute("DELETE FROM plan")
        pool = ThreadPoolExecutor(1, thread_name_prefix="feedwright-commit")
        self._committing = pool.submit(self._commit)
        pool.shutdown(wait=False)  # the thread ends with the commit

    def wait(self) -> None:
        """Wait for a background commit; raise what it raised."""
        pending, self._committing = self._committing, None
        if pending is not None:
            pending.result()

    def _commit(self, prune_files: bool = True) -> None:
        if prune_files:
            for (rel,) in self.db.execute("SELECT relpath FROM files").fetchall():
                if rel not in self._seen:
                    self.db.execute("DELETE FROM files WHERE relpath = ?", (rel,))
                    self.db.execute("DELETE FROM good WHERE relpath = ?", (rel,))
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def discard(self) -> None:
        """Throw the cache away (it turned out corrupt); the next one starts empty."""
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(str(self.path) + suffix)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.wait()
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("ROLLBACK")
        self.db.close()

    # -- scanning -------------------------------------------------------------------------
    def outcomes(
        self, scanner: Scanner, items: list[tuple[Path, str]], parse: ParseMany
    ) -> list[FileOutcome]:
        """Scan outcomes for a batch of files. A file whose stat signature (size, mtime
        and ctime in ns, inode) is unchanged, and was not changed within RACY_NS of the
        last look, comes from the cache without being opened; the others are read and
        hashed (by ``parse``, possibly in parallel), and parsed when their bytes changed."""
        root = posts_root(scanner.config)
        results: dict[str, FileOutcome] = {}
        todo: list[tuple[Path, str, str, Any]] = []
        empty = self.db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None
        for path, rel in items:
            self._seen.add(rel)
            try:
                st = os.stat(path)
            except OSError:
                results[rel] = scanner.read(path, rel)
                continue
            signature = signature_of(st)
            row = (
                None
                if empty
                else self.db.execute(
                    "SELECT signature, sha256, checked_ns, outcome FROM files WHERE relpath = ?",
                    (rel,),
                ).fetchone()
            )
            if row is not None and self.reuse:
                racy = max(st.st_mtime_ns, st.st_ctime_ns) + RACY_NS > row[2]
                if row[0] == signature and not racy:
                    self.reused += 1
                    results[rel] = self._with_good(_outcome_from_json(row[3], root), rel, root)
                    continue
            todo.append((path, rel, signature, row if self.reuse else None))
        # When many files are read (a first build), their bodies are dropped once stored:
        # holding every body until the build ends would cost more memory than anything
        # else, and only the posts in feeds need theirs (read again by Scanner.body when
        # they are rendered). A few changed files keep theirs, to be read only once.
        strip = len(todo) > KEEP_BODIES
        parsed = parse(scanner, [(p, r, row[1] if row else None, strip) for p, r, _, row in todo])
        files_rows: list[tuple[str, str, str, int, str]] = []
        good_rows: list[tuple[str, str]] = []
        for (_, rel, signature, row), (digest, checked, outcome, encoded, good) in zip(
            todo, parsed, strict=True
        ):
            if digest is None:  # unreadable or too large: nothing to remember
                assert outcome is not None
                results[rel] = outcome
                continue
            self.opened += 1
            if outcome is None:  # same bytes as before (only the timestamps moved)
                outcome_json = row[3]
                outcome = _outcome_from_json(outcome_json, root)
            else:
                assert encoded is not None
                outcome_json = encoded
                if good is not None:
                    good_rows.append((rel, good))
            files_rows.append((rel, signature, digest, checked, outcome_json))
            results[rel] = self._with_good(outcome, rel, root)
            if len(files_rows) >= 256:
                self._store_scanned(files_rows, good_rows)
        self._store_scanned(files_rows, good_rows)
        return [results[rel] for _, rel in items]

    def _store_scanned(
        self, files_rows: list[tuple[str, str, str, int, str]], good_rows: list[tuple[str, str]]
    ) -> None:
        self.db.executemany("INSERT OR REPLACE INTO good VALUES (?, ?)", good_rows)
        self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)", files_rows)
        files_rows.clear()
        good_rows.clear()

    def _with_good(self, outcome: FileOutcome, rel: str, root: Path) -> FileOutcome:
        """A post that was published and then broke keeps its last good version."""
        if outcome.post is not None or outcome.skipped is None or not outcome.skipped.error:
            return outcome
        row = self.db.execute("SELECT post FROM good WHERE relpath = ?", (rel,)).fetchone()
        if row is None:
            return outcome
        post = _post_from_json(json.loads(row[0]), root)
        kept = Diagnostic(
            Severity.ERROR,
            "kept-last-good",
            "this post cannot be read now; the feeds keep its last good version until it is "
            "fixed or deleted",
            rel,
        )
        return FileOutcome(post, None, (*outcome.diagnostics, kept))

    # -- the quick path (see build._quick) ------------------------------------------------
    def signatures(self) -> dict[str, tuple[str, str, int]]:
        """relpath -> (stat signature, sha256, when it was last looked at) of every file."""
        return {
            r[0]: (r[1], r[2], int(r[3]))
            for r in self.db.execute("SELECT relpath, signature, sha256, checked_ns FROM files")
        }

    def outcome(self, rel: str, root: Path) -> FileOutcome | None:
        row = self.db.execute("SELECT outcome FROM files WHERE relpath = ?", (rel,)).fetchone()
        return None if row is None else _outcome_from_json(row[0], root)

    def store_file(
        self,
        rel: str,
        signature: str,
        digest: str,
        checked: int,
        outcome: FileOutcome,
        encoded: str,
    ) -> None:
        if outcome.post is not None:
            self.db.execute(
                "INSERT OR REPLACE INTO good VALUES (?, ?)",
                (rel, json.dumps(_post_to_json(outcome.post, body=True))),
            )
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
            (rel, signature, digest, checked, encoded),
        )

    def good_body(self, rel: str, sha: str) -> str | None:
        """The body stored when ``rel`` was last read, if its hash is ``sha``."""
        row = self.db.execute("SELECT post FROM good WHERE relpath = ?", (rel,)).fetchone()
        if row is None:
            return None
        data = json.loads(row[0])
        body = data.get("body")
        return body if isinstance(body, str) and data.get("body_sha") == sha else None

    def plan(self) -> dict[str, Any] | None:
        """What the last complete build published, for the quick path; None if unknown."""
        if not self.reuse:
            return None
        row = self.db.execute("SELECT value FROM plan WHERE key = 'last'").fetchone()
        if row is None:
            return None
        value = json.loads(row[0])
        return value if isinstance(value, dict) else None

    def store_plan(self, value: dict[str, Any] | None) -> None:
        self.db.execute("DELETE FROM plan")
        if value is not None:
            self.db.execute("INSERT INTO plan VALUES ('last', ?)", (json.dumps(value),))

    def update_outputs(self, values: dict[str, tuple[str, str]]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?)",
            [(k, f, s) for k, (f, s) in values.items()],
        )

    # -- rendering ------------------------------------------------------------------------
    def render(self, key: str) -> RenderValue | None:
        if not self.reuse:
            return None
        row = self.db.execute("SELECT value FROM renders WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        data = json.loads(row[0])
        return RenderValue(
            html=data["html"],
            excerpt=data["excerpt"],
            embeds=tuple(data["embeds"]),
            issues=tuple((int(i[0]), str(i[1]), str(i[2]), i[3]) for i in data["issues"]),
            link_issues=tuple(data["link_issues"]),
            sanitized=tuple(data["sanitized"]),
        )

    def store_render(self, key: str, value: RenderValue) -> None:
        data = json.dumps({f.name: getattr(value, f.name) for f in _RENDER_FIELDS})
        self.db.execute("INSERT OR REPLACE INTO renders VALUES (?, ?)", (key, data))

    def prune_renders(self, keep: set[str]) -> None:
        for (key,) in self.db.execute("SELECT key FROM renders").fetchall():
            if key not in keep:
                self.db.execute("DELETE FROM renders WHERE key = ?", (key,))

    # -- outputs --------------------------------------------------------------------------
    def outputs(self) -> dict[str, tuple[str, str]]:
        """Each output file's fingerprint as last written, and the file's signature."""
        if not self.reuse:
            return {}
        rows = self.db.execute("SELECT relpath, fingerprint, signature FROM outputs")
        return {str(r): (str(f), str(s)) for r, f, s in rows.fetchall()}

    def store_outputs(self, values: dict[str, tuple[str, str]]) -> None:
        self.db.execute("DELETE FROM outputs")
        self.db.executemany(
            "INSERT INTO outputs VALUES (?, ?, ?)", [(k, f, s) for k, (f, s) in values.items()]
        )
