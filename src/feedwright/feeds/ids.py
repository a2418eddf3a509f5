"""Which entry id each post gets, and which published ids a build would change.

A post's id is, in this order: its own ``id:`` (front matter), the id the ledger pins to
it (imported ids always; every published id under ``ids: ledger``), the id scheme's. A post
is known again in the ledger by its file, else (when the file it was published from is
gone) by its URL, else by its title and date: a renamed file. A draft (``_drafts/``, which
Jekyll dates by its file's time) may change id: it is a preview, not a published post."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from feedwright.config import Config, IdScheme
from feedwright.feeds.document import entry_id, own_id
from feedwright.state.ledger import ACCEPTED, CHANGE, IdRecord, Published
from feedwright.types import Diagnostic, Post, Severity

ACCEPT = "`feedwright build --accept-id-change`"


def url_key(url: str) -> str:
    """A URL as the ledger compares it: no scheme (http and https alike), the host in
    lowercase, no trailing slash."""
    parts = urlsplit(url.strip())
    key = parts.netloc.lower() + (parts.path.rstrip("/") or "")
    return key + ("?" + parts.query if parts.query else "")


@dataclass(frozen=True, slots=True)
class IdChange:
    post: Post
    old: IdRecord
    new: str

    def diagnostic(self) -> Diagnostic:
        old = self.old.relpath
        moved = "" if old == self.post.relpath else f" (published as {old})"
        return Diagnostic(
            Severity.ERROR,
            CHANGE,
            f"entry id would change from {self.old.id} to {self.new}{moved}; readers would "
            "show this post again as new",
            self.post.relpath,
            None,
            f"set `ids: ledger` in the config to keep every published id, or give the post "
            f"`id: {self.old.id}` in its front matter, or run {ACCEPT} once if readers "
            "should get it again",
        )


@dataclass(frozen=True, slots=True)
class Resolution:
    ids: dict[str, str]  # each post's entry id, by relpath
    pins: dict[str, str]  # the ids that the ledger gives (not the post or the scheme)
    changes: tuple[IdChange, ...]  # published ids this build would change
    findings: tuple[Diagnostic, ...]  # ``id:`` values that are not ids

    def diagnostics(self) -> list[Diagnostic]:
        return [*self.findings, *(change.diagnostic() for change in self.changes)]

    def summary(self) -> tuple[str, str]:
        """The reason and fix of a build that stops for the changes."""
        count = len(self.changes)
        return (
            f"{count} published post(s) would get a new entry id, and feed readers would "
            "deliver them again as new",
            f"see the {CHANGE} errors above; `ids: ledger` keeps every published id; "
            f"{ACCEPT} publishes the new ids once",
        )


def resolve(posts: Iterable[Post], config: Config, records: Sequence[IdRecord]) -> Resolution:
    """The id of each of ``posts`` and the published ids that would change.
    ``records`` come oldest publication first (as :func:`read_ledger` gives them)."""
    posts = list(posts)
    by_rel: dict[str, IdRecord] = {}
    for each in records:  # the latest record of a file wins
        by_rel[each.relpath] = each
    present = {post.relpath for post in posts}
    gone = [r for rel, r in by_rel.items() if rel not in present]
    by_url = {url_key(r.url): r for r in gone}
    by_title = {(r.title, r.date): r for r in gone}
    claimed: set[str] = set()
    ledger = config.ids.scheme is IdScheme.LEDGER
    ids: dict[str, str] = {}
    pins: dict[str, str] = {}
    changes: list[IdChange] = []
    findings: list[Diagnostic] = []
    for post in posts:
        record: IdRecord | None = by_rel.get(post.relpath)
        if record is None:
            record = by_url.get(url_key(post.url)) or by_title.get((post.title, date_of(post)))
            if record is not None and record.relpath in claimed:
                record = None
            if record is not None:
                claimed.add(record.relpath)
        own = own_id(post)
        if own is None and isinstance(post.front_matter.get("id"), str):
            findings.append(_not_an_id(post))
        if own is None and record is not None and (ledger or record.pinned):
            new = pins[post.relpath] = record.id
        else:
            new = entry_id(post, config)
        ids[post.relpath] = new
        if record is not None and record.id != new and "_drafts" not in post.relpath.split("/"):
            changes.append(IdChange(post, record, new))
    return Resolution(ids, pins, tuple(changes), tuple(findings))


def accepted_note(count: int) -> Diagnostic:
    return Diagnostic(
        Severity.NOTE,
        ACCEPTED,
        f"{count} published post(s) get a new entry id (--accept-id-change); feed readers "
        "show them again as new",
    )


def _not_an_id(post: Post) -> Diagnostic:
    return Diagnostic(
        Severity.WARNING,
        "bad-id",
        f"id {post.front_matter.get('id')!r} is not an absolute URI; the id scheme's is used",
        post.relpath,
        post.key_lines.get("id"),
        "write an id with a scheme, such as tag:example.org,2024:my-post or the URL the post "
        "was first published at",
    )


def date_of(post: Post) -> str:
    return post.published.date().isoformat()


def published(posts: Iterable[Post], ids: dict[str, str]) -> list[Published]:
    """What the ledger records of a build's posts."""
    return [
        Published(ids[p.relpath], p.relpath, p.url, p.title, date_of(p))
        for p in posts
        if p.relpath in ids
    ]
