"""Podcast episodes: a post whose front matter names an ``audio:`` or ``video:`` file. Its
media becomes the item's one enclosure (length measured from the file, or given in front
matter for a URL), and the other episode keys become the iTunes and Podcasting 2.0 tags."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TypeGuard
from urllib.parse import SplitResult, unquote

from feedwright.config import Config, PodcastConfig, podcast_guid
from feedwright.text import escape_uri_illegal, split_url
from feedwright.types import Author, Episode, Link, Media, PodcastChannel, Post

MEDIA_KEYS = ("audio", "video")
EPISODE_KEYS = frozenset(
    """audio video duration episode season episode_type explicit transcript chapters
    length type guid""".split()
)
EPISODE_TYPES = frozenset({"full", "trailer", "bonus"})
CHAPTERS_TYPE = "application/json+chapters"
_DURATION = re.compile(r"\d+(:[0-5][0-9](:[0-5][0-9])?)?")
_MEDIA_TYPES = {  # what mimetypes does not know everywhere
    ".m4a": "audio/mp4",
    ".mp3": "audio/mpeg",
    ".opus": "audio/ogg",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".flac": "audio/flac",
    ".wav": "audio/wav",
    ".aac": "audio/aac",
    ".mp4": "video/mp4",
    ".m4v": "video/x-m4v",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".vtt": "text/vtt",
    ".srt": "application/x-subrip",
    ".json": "application/json",
    ".html": "text/html",
    ".txt": "text/plain",
}


# What a value urlsplit refuses (a malformed host, such as 'http://[::1') is read as: a
# URL of no scheme feeds know, so neither a local path nor an http(s) URL.
_MALFORMED = SplitResult("malformed", "", "", "", "")


def media_parts(value: str) -> SplitResult:
    """``urlsplit(value)`` for a media, transcript or chapters value from a post."""
    return split_url(value) or _MALFORMED


def media_value(post: Post) -> tuple[str, str] | None:
    """The media key (``audio`` or ``video``) and its value as written, for an episode."""
    for key in MEDIA_KEYS:
        value = post.front_matter.get(key)
        if isinstance(value, str) and value.strip():
            return key, value.strip()
    return None


def is_episode(post: Post) -> bool:
    return media_value(post) is not None


def guess_type(name: str) -> str | None:
    """A media or transcript file's MIME type, from its name."""
    suffix = Path(media_parts(name).path).suffix.lower()
    return _MEDIA_TYPES.get(suffix) or mimetypes.guess_type(media_parts(name).path)[0]


def local_file(config: Config, value: str) -> Path | None:
    """Where a local media path lives: under ``source:`` (else beside the posts folder,
    as in a Jekyll site), or in the posts folder. None for a URL or a path that leaves
    the folder; the first candidate when the file is nowhere (to name it in a report)."""
    if media_parts(value).scheme:
        return None
    relative = unquote(media_parts(value).path).lstrip("/")
    if not relative or ".." in relative.split("/"):
        return None
    site = config.source if config.source is not None else config.posts.parent
    candidates = [site / relative, config.posts / relative]
    return next((path for path in candidates if path.is_file()), candidates[0])


def _public(config: Config, value: str) -> str:
    """The URL of a media, transcript or chapters value: a path joined to the site's root;
    what a URI cannot hold as it is (a space in a file name) percent-encoded."""
    if media_parts(value).scheme:
        return escape_uri_illegal(value)
    return escape_uri_illegal(config.site.root + value.lstrip("/"))


def _linkable(value: object) -> TypeGuard[str]:
    """Whether ``value`` can be a transcript's or chapters' link: a path or URL."""
    return isinstance(value, str) and bool(value.strip()) and split_url(value) is not None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def entry_media(config: Config, post: Post) -> Media | None:
    """The episode's enclosure: its URL, MIME type and exact length in bytes. A local
    file that is missing gives none (``check`` reports it); a URL takes ``length`` and
    ``type`` from the front matter."""
    found = media_value(post)
    if found is None:
        return None
    _, value = found
    meta = post.front_matter
    declared = meta.get("type")
    mime = declared if isinstance(declared, str) and "/" in declared else guess_type(value)
    path = local_file(config, value)
    if path is not None:
        try:
            length = path.stat().st_size
        except OSError:
            return None
        return Media(_public(config, value), mime or "application/octet-stream", length, str(path))
    if media_parts(value).scheme not in ("http", "https"):
        return None
    length = _int(meta.get("length")) or 0
    return Media(_public(config, value), mime or "application/octet-stream", length)


def duration_text(value: object) -> str | None:
    """``itunes:duration`` as Apple reads it: seconds, or [H:]MM:SS. (YAML reads 1:05 as
    65 seconds, which is the same.)"""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and value >= 0:
        return str(round(value))
    if isinstance(value, str) and _DURATION.fullmatch(value.strip()):
        return value.strip()
    return None


def entry_episode(config: Config, post: Post) -> Episode | None:
    """The episode's iTunes and Podcasting 2.0 details, or None for a post without media."""
    if not is_episode(post):
        return None
    meta = post.front_matter
    kind = meta.get("episode_type")
    explicit = meta.get("explicit")
    transcript = meta.get("transcript")
    chapters = meta.get("chapters")
    return Episode(
        duration=duration_text(meta.get("duration")),
        episode=_int(meta.get("episode")),
        season=_int(meta.get("season")),
        episode_type=kind if isinstance(kind, str) and kind in EPISODE_TYPES else None,
        explicit=explicit if isinstance(explicit, bool) else None,
        transcript=(
            Link("transcript", _public(config, transcript), guess_type(transcript) or "text/plain")
            if _linkable(transcript)
            else None
        ),
        chapters=_public(config, chapters) if _linkable(chapters) else None,
    )


def episode_guid(post: Post) -> str | None:
    """An episode's own ``guid:`` from its front matter, which wins over the entry id."""
    value = post.front_matter.get("guid")
    return value.strip() if isinstance(value, str) and value.strip() else None


def split_category(text: str) -> tuple[str, str | None]:
    """``Arts > Books`` as (``Arts``, ``Books``); ``Technology`` as (``Technology``, None)."""
    main, _, sub = text.partition(">")
    return main.strip(), (sub.strip() or None)


def channel(config: Config, podcast: PodcastConfig, self_url: str) -> PodcastChannel:
    """The show as its config describes it, with the derived guid and defaults."""
    site = config.site
    owner = podcast.owner
    funding = podcast.funding
    return PodcastChannel(
        guid=str(podcast.guid) if podcast.guid is not None else podcast_guid(self_url),
        author=podcast.author or site.author or site.title,
        categories=tuple(split_category(c) for c in podcast.categories),
        explicit=podcast.explicit,
        type=podcast.type,
        artwork=None if podcast.artwork is None else _public(config, podcast.artwork),
        owner=None if owner is None else Author(owner.name, owner.email),
        funding=None if funding is None else Link("funding", funding.url, title=funding.text),
        locked=podcast.locked,
        new_feed_url=podcast.new_feed_url,
    )


def media_files(config: Config, posts: Iterable[Post]) -> list[str]:
    """The local media files episodes read (for their length), for the rebuild check."""
    out = set()
    for post in posts:
        found = media_value(post)
        if found is not None:
            path = local_file(config, found[1])
            if path is not None:
                out.add(str(path))
    return sorted(out)
