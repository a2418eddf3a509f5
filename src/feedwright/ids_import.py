"""``feedwright ids import``: the entry ids of a feed the blog published before (with
WordPress, jekyll-feed, Hugo, Pelican, ...), pinned in the id ledger to the posts they
link to, so that moving the blog to feedwright shows its subscribers no post again."""

from __future__ import annotations

import datetime as dt
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from feedwright import __version__
from feedwright.config import Config
from feedwright.errors import FeedwrightError
from feedwright.feeds.ids import date_of, url_key
from feedwright.index import build_index
from feedwright.scan import scan
from feedwright.scan.dates import DateParseError, parse_site_date
from feedwright.state.ledger import IdRecord, pin
from feedwright.types import Post

MAX_BYTES = 64 * 1024 * 1024
TIMEOUT = 30
_ATOM = "{http://www.w3.org/2005/Atom}"


class FeedImportError(FeedwrightError):
    """The feed cannot be read, or is not an Atom or RSS feed."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of the feed: its id, the page it links to, its date when it has one."""

    id: str
    link: str
    published: str | None


@dataclass(frozen=True, slots=True)
class Imported:
    matched: tuple[tuple[FeedEntry, str], ...]  # each entry and the post it is pinned to
    unmatched: tuple[FeedEntry, ...]  # no post has the entry's link as its URL


def read_feed(source: str) -> bytes:
    """The bytes of a feed file or http(s) URL."""
    if urlsplit(source).scheme in ("http", "https"):
        request = urllib.request.Request(
            source, headers={"User-Agent": f"feedwright/{__version__} (ids import)"}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
                data: bytes = answer.read(MAX_BYTES + 1)
        except OSError as exc:
            raise FeedImportError(f"{source}: cannot fetch the feed ({exc})") from None
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise FeedImportError(f"{source}: cannot read the feed ({exc.strerror})") from None
    if len(data) > MAX_BYTES:
        raise FeedImportError(f"{source}: over {MAX_BYTES // 2**20} MB: not a feed")
    return data


def feed_entries(data: bytes, source: str) -> list[FeedEntry]:
    """The entries of an Atom or RSS (0.9x, 2.0) feed. An RSS item without a ``guid`` is
    known to readers by its link, as here."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedImportError(f"{source}: not an XML feed ({exc})") from None
    entries: list[FeedEntry] = []
    if root.tag == _ATOM + "feed":
        for entry in root.iter(_ATOM + "entry"):
            links = [
                link.get("href", "")
                for link in entry.findall(_ATOM + "link")
                if link.get("rel", "alternate") == "alternate"
            ]
            ident = entry.findtext(_ATOM + "id") or ""
            when = entry.findtext(_ATOM + "published") or entry.findtext(_ATOM + "updated")
            link = links[0] if links else ident
            if ident.strip():
                entries.append(FeedEntry(ident.strip(), link.strip(), when))
        return entries
    if root.tag != "rss":
        raise FeedImportError(f"{source}: not an Atom or RSS 2.0 feed (root <{root.tag}>)")
    for item in root.iter("item"):
        link = (item.findtext("link") or "").strip()
        guid = (item.findtext("guid") or "").strip() or link
        if guid:
            entries.append(FeedEntry(guid, link or guid, item.findtext("pubDate")))
    return entries


def match(entries: list[FeedEntry], posts: tuple[Post, ...]) -> Imported:
    """Each entry and the post whose URL is its link (http or https, with or without a
    trailing slash)."""
    by_url = {url_key(post.url): post.relpath for post in posts}
    matched: list[tuple[FeedEntry, str]] = []
    unmatched: list[FeedEntry] = []
    for entry in entries:
        rel = by_url.get(url_key(entry.link)) if entry.link else None
        if rel is None:
            unmatched.append(entry)
        else:
            matched.append((entry, rel))
    return Imported(tuple(matched), tuple(unmatched))


def import_ids(config: Config, source: str, now: dt.datetime, *, dry_run: bool = False) -> Imported:
    """Pin the ids of the feed at ``source`` (a file or an http(s) URL) to the posts they
    link to, in the ledger of ``config``'s state folder."""
    entries = feed_entries(read_feed(source), source)
    index = build_index(scan(config, now).posts, config)
    imported = match(entries, index.posts)
    posts = {post.relpath: post for post in index.posts}
    stamp = now.astimezone(dt.UTC).isoformat(timespec="seconds")
    records = []
    for entry, rel in imported.matched:
        post = posts[rel]
        first = _date(entry.published, config) or stamp
        records.append(
            IdRecord(entry.id, rel, post.url, post.title, date_of(post), first, stamp, True, source)
        )
    if not dry_run and records:
        pin(config.state, records)
    return imported


def _date(value: str | None, config: Config) -> str | None:
    """A feed's date as the ledger keeps it (RFC 3339 or RFC 822), or None."""
    if not value:
        return None
    import email.utils

    try:
        when = parse_site_date(value.strip(), config.site.zone)
    except DateParseError:
        try:
            when = email.utils.parsedate_to_datetime(value.strip())
        except (TypeError, ValueError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")
