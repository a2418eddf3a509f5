"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1), written directly: feedgen has no JSON
support. The same :class:`FeedDocument` as the Atom and RSS feeds, so the entries, ids
and content are the same; keys come out in a fixed order, so the bytes are stable."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from feedwright.scan.dates import utc_for_mean_time
from feedwright.types import Author, FeedDocument, FeedEntry

VERSION = "https://jsonfeed.org/version/1.1"


def _date(value: dt.datetime) -> str:
    return utc_for_mean_time(value).isoformat(timespec="seconds")


def _author(author: Author) -> dict[str, str]:
    out = {"name": author.name}
    if author.uri:
        out["url"] = author.uri
    return out


def _item(entry: FeedEntry) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entry.id, "url": entry.link}
    if entry.external_url:
        item["external_url"] = entry.external_url
    item["title"] = entry.title
    if entry.content_html is not None:
        item["content_html"] = entry.content_html
    if entry.summary:
        item["summary"] = entry.summary
    if entry.content_html is None:
        # a summary-only feed: JSON Feed needs content, so the summary is the text
        item["content_text"] = entry.summary or entry.title
    if entry.image is not None:
        item["image"] = entry.image.url
    item["date_published"] = _date(entry.published)
    item["date_modified"] = _date(entry.updated)
    if entry.authors:
        item["authors"] = [_author(a) for a in entry.authors]
    if entry.categories:
        item["tags"] = list(entry.categories)
    if entry.language:
        item["language"] = entry.language
    if entry.media is not None:  # an episode: its audio or video is the attachment
        attachment: dict[str, Any] = {
            "url": entry.media.url,
            "mime_type": entry.media.type,
            "size_in_bytes": entry.media.length,
        }
        duration = entry.episode.duration if entry.episode is not None else None
        if duration is not None:
            seconds = 0
            for part in duration.split(":"):
                seconds = seconds * 60 + int(part)
            attachment["duration_in_seconds"] = seconds
        item["attachments"] = [attachment]
    elif entry.image is not None and entry.image.type and entry.image.length is not None:
        item["attachments"] = [
            {
                "url": entry.image.url,
                "mime_type": entry.image.type,
                "size_in_bytes": entry.image.length,
            }
        ]
    return item


def to_json(doc: FeedDocument) -> bytes:
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": doc.title,
        "home_page_url": doc.site_url,
        "feed_url": doc.self_url,
    }
    if doc.subtitle:
        feed["description"] = doc.subtitle
    if doc.logo or doc.icon:
        feed["icon"] = doc.logo or doc.icon
    if doc.icon:
        feed["favicon"] = doc.icon
    if doc.author is not None:
        feed["authors"] = [_author(doc.author)]
    feed["language"] = doc.language
    hubs = [{"type": "WebSub", "url": link.href} for link in doc.links if link.rel == "hub"]
    if hubs:
        feed["hubs"] = hubs
    if doc.expired:
        feed["expired"] = True
    feed["items"] = [_item(e) for e in doc.entries]
    text = json.dumps(feed, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8", "surrogatepass")


@dataclass(frozen=True, slots=True)
class JsonFeedSerializer:
    """JSON Feed 1.1, for the format registry."""

    def serialize(self, doc: FeedDocument) -> bytes:
        return to_json(doc)


JSON_FEED = JsonFeedSerializer()
