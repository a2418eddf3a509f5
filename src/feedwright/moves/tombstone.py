"""Tombstones: for hosts that can send neither 301 nor 410 (GitHub Pages), a feed that has
ended stays a valid feed with one final entry that says so and where to go instead: the
new address of a moved feed, the site feed for a retired one. Feed readers show that entry
once. Its id and dates come from when the feed ended (kept in the state folder), so an
unchanged tombstone is byte for byte the same at every build."""

from __future__ import annotations

import posixpath
import uuid
from html import escape

from feedwright.config import Config, FeedFormat
from feedwright.feeds import STYLESHEET, feed_url
from feedwright.feeds.formats import to_bytes
from feedwright.moves.record import Ended, Moves, ended_at
from feedwright.publish import OUTPUT_SUFFIXES
from feedwright.types import Author, FeedDocument, FeedEntry

_FEED_SUFFIXES = tuple(s for s in OUTPUT_SUFFIXES if s in (".xml", ".atom", ".rss", ".json"))


def site_feed(config: Config, fmt: FeedFormat) -> str:
    """Where a reader of an ended feed finds every post: the site feed (in ``fmt`` when it
    is written) or, without a site feed, the site itself."""
    site = config.feeds.site
    if not site.enabled:
        return config.site.root
    chosen = fmt if fmt in config.formats else config.formats[0]
    path = {FeedFormat.ATOM: site.atom, FeedFormat.RSS: site.rss, FeedFormat.JSON: site.json_}
    return feed_url(config, path[chosen])


_WHAT = {"tag": "tagged", "category": "in", "author": "by", "language": "in"}


def tombstone(config: Config, path: str, gone: Ended, moved_to: str | None) -> bytes:
    """The final document of an ended feed at ``path``."""
    self_url = feed_url(config, path)
    when = ended_at(gone)
    if moved_to is not None:
        title = "This feed has moved"
        link = moved_to
        text = (
            f"This feed has moved to {moved_to}. Subscribe to that address to keep getting "
            "new posts: this one will not be updated again."
        )
    else:
        link = site_feed(config, gone.format)
        what = f"{_WHAT[gone.family]} {gone.label}" if gone.family in _WHAT else None
        title = "This feed has ended"
        ending = f"There are no more posts {what}, so this feed has ended" if what else title
        where = "in the site feed" if config.feeds.site.enabled else "on the site"
        text = f"{ending} and will not be updated again. Every new post is {where}: {link}"
    html = escape(text).replace(escape(link), f'<a href="{escape(link)}">{escape(link)}</a>')
    author = Author(config.site.author or config.site.title)
    entry = FeedEntry(
        id=uuid.uuid5(uuid.NAMESPACE_URL, f"{self_url}#ended-{gone.since}").urn,
        guid_is_permalink=False,
        title=title,
        link=link,
        published=when,
        updated=when,
        authors=(author,),
        categories=(),
        summary=text,
        content_html=f"<p>{html}</p>",
    )
    stylesheet = None
    if config.discovery.stylesheet and gone.format is not FeedFormat.JSON:
        stylesheet = posixpath.relpath(STYLESHEET, posixpath.dirname(path) or ".")
    site = config.site
    doc = FeedDocument(
        family=gone.family,
        key=path,
        id=self_url,
        title=gone.title or config.site.title,  # as the feed was titled
        subtitle=site.description,
        self_url=self_url,
        site_url=site.root,
        language=site.language,
        updated=when,
        author=author,
        entries=(entry,),
        complete=gone.format is not FeedFormat.JSON,
        stylesheet=stylesheet,
        expired=True,
    )
    return to_bytes(doc, gone.format)


def tombstones(config: Config, moves: Moves) -> dict[str, bytes]:
    """A tombstone for each ended path that names a feed file, by output path (none
    unless ``retired: tombstone``)."""
    if config.retired != "tombstone":
        return {}
    return {
        path: tombstone(config, path, gone, moves.rules.moved.get(path))
        for path, gone in moves.ended.items()
        if path.endswith(_FEED_SUFFIXES)
    }
