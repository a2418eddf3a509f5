"""Scanning through a store: a post file whose stat signature is unchanged (and was not
changed within the racy window of the last look) is answered from the store without being
opened; the others are read and hashed, possibly in parallel, and parsed only when their
bytes changed. The store only keeps the records; this module decides what to read."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from feedwright.config import Config
from feedwright.scan import FileOutcome, Scanner, read_limited
from feedwright.scan.sources import find_post_files, is_draft, posts_root
from feedwright.state.codec import Outcome
from feedwright.state.snapshot import Tree, listing_of, signature_of, skip_lines
from feedwright.state.store import FileRecord, Store
from feedwright.types import Diagnostic, Post, Severity

KEEP_BODIES = 256  # read at most this many files, and their bodies stay with the posts


@dataclass(frozen=True, slots=True)
class ParseItem:
    """One file to read: ``known`` is the sha256 the store has (None: parse whatever is
    there)."""

    path: Path
    rel: str
    known: str | None


@dataclass(frozen=True, slots=True)
class ParseResult:
    """``digest`` is None when the file is unreadable (``outcome`` then says why);
    ``outcome`` is None when the bytes match ``known``; ``good`` is the post with its
    body (the outcome's own), for the store to keep while the file is broken later."""

    digest: str | None
    checked_ns: int
    outcome: FileOutcome | None
    good: Post | None


ParseMany = Callable[[Scanner, list[ParseItem]], Iterable[ParseResult]]


def parse_one(scanner: Scanner, item: ParseItem) -> ParseResult:
    checked = time.time_ns()
    data = read_limited(
        item.path, scanner.config.limits.post_size, scanner.rules.read_root(item.path)
    )
    if isinstance(data, FileOutcome):
        return ParseResult(None, checked, scanner.read(item.path, item.rel), None)
    digest = hashlib.sha256(data).hexdigest()
    if digest == item.known:
        return ParseResult(digest, checked, None, None)
    outcome = scanner.outcome(item.path, item.rel, data)
    return ParseResult(digest, checked, outcome, outcome.post)


def to_outcome(o: FileOutcome) -> Outcome:
    return Outcome(o.post, o.skipped, o.diagnostics)


def from_outcome(o: Outcome) -> FileOutcome:
    return FileOutcome(o.post, o.skipped, o.diagnostics)


class CachedSource:
    """The scanner's outcome source (see :func:`feedwright.scan.scan`) over a store.
    ``opened`` counts the post files read; ``seen`` every file asked for."""

    def __init__(self, store: Store, parse: ParseMany, racy_ns: int) -> None:
        self.store = store
        self.parse = parse
        self.racy_ns = racy_ns
        self.opened = 0
        self.seen: set[str] = set()

    def __call__(self, scanner: Scanner, items: list[tuple[Path, str]]) -> list[FileOutcome]:
        results: dict[str, FileOutcome] = {}
        todo: list[tuple[str, str, FileRecord | None]] = []
        paths: dict[str, Path] = {}
        for path, rel in items:
            self.seen.add(rel)
            try:
                st = os.stat(path)
            except OSError:
                results[rel] = scanner.read(path, rel)
                continue
            signature = signature_of(st)
            known = self.store.file(rel)
            if known is not None:
                racy = max(st.st_mtime_ns, st.st_ctime_ns) + self.racy_ns > known.checked_ns
                if known.signature == signature and not racy:
                    results[rel] = self.with_good(from_outcome(known.outcome), rel)
                    continue
            paths[rel] = path
            todo.append((rel, signature, known))
        # When many files are read (a first build), their bodies are dropped once stored:
        # holding every body until the build ends would cost more memory than anything
        # else, and only the posts in feeds need theirs (read again when they are
        # rendered). A few changed files keep theirs, to be read only once.
        strip = len(todo) > KEEP_BODIES
        asked = [ParseItem(paths[rel], rel, _known_sha(rel, known)) for rel, _, known in todo]
        for (rel, signature, known), got in zip(todo, self.parse(scanner, asked), strict=True):
            results[rel] = self.remember(rel, signature, known, got, strip=strip)
        return [results[rel] for _, rel in items]

    def remember(
        self,
        rel: str,
        signature: str,
        known: FileRecord | None,
        got: ParseResult,
        *,
        strip: bool = False,
    ) -> FileOutcome:
        """Store what reading ``rel`` gave; the outcome the build uses (its post without
        the body when ``strip``)."""
        if got.digest is None:  # unreadable or too large: nothing to remember
            assert got.outcome is not None
            return got.outcome
        self.opened += 1
        if got.outcome is None:  # same bytes as before (only the timestamps moved)
            assert known is not None
            stored = known.outcome
        else:
            stored = to_outcome(got.outcome)
        record = FileRecord(signature, got.digest, got.checked_ns, stored)
        self.store.put_file(rel, record, got.good)
        post = stored.post
        if strip and post is not None and post.body:
            stored = Outcome(post.without_body(), stored.skipped, stored.diagnostics)
        return self.with_good(from_outcome(stored), rel)

    def with_good(self, outcome: FileOutcome, rel: str) -> FileOutcome:
        """A post that was published and then broke keeps its last good version."""
        if outcome.post is not None or outcome.skipped is None or not outcome.skipped.error:
            return outcome
        post = self.store.good(rel)
        if post is None:
            return outcome
        kept = Diagnostic(
            Severity.ERROR,
            "kept-last-good",
            "this post cannot be read now; the feeds keep its last good version until it is "
            "fixed or deleted",
            rel,
        )
        return FileOutcome(post, None, (*outcome.diagnostics, kept))


def _known_sha(rel: str, known: FileRecord | None) -> str | None:
    """The content hash to compare a file's bytes with: None when they must be parsed."""
    return None if known is None or dated_by_stat(rel) else known.sha256


def dated_by_stat(rel: str) -> bool:
    """Whether what scanning the file gives may depend on its stat as well as its bytes:
    Jekyll dates a draft without a date by its modification time, so the same bytes with
    another mtime (a checkout, a restored CI cache) may be another post."""
    return is_draft(rel)


def tree_of(config: Config) -> Tree | None:
    """The post files' :class:`Tree` (of the posts folder, or of every ``_posts`` folder
    of the Jekyll site); None when it cannot be read."""
    if not posts_root(config).is_dir():
        return None
    found, skipped, _ = find_post_files(config)
    signatures: list[str] = []
    changed: list[int] = []
    stat = os.stat
    try:
        for _, full in found:  # a no-op build is this loop: keep it lean
            st = stat(full)
            mtime, ctime = st.st_mtime_ns, st.st_ctime_ns
            changed.append(mtime if mtime > ctime else ctime)
            signatures.append(signature_of(st))
    except OSError:
        return None
    listing = listing_of(found, signatures)
    skips = "".join(skip_lines(skipped))
    digest = hashlib.sha256(_utf8(listing + skips)).hexdigest()
    names = "".join([f"{rel}\n" for rel, _ in found])
    walk = hashlib.sha256(_utf8(names + skips)).hexdigest()
    return Tree(
        digest,
        walk,
        max(changed, default=0),
        listing,
        tuple(found),
        tuple(signatures),
        tuple(changed),
        tuple(skipped),
    )


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")
