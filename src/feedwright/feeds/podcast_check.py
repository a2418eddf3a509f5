"""What ``feedwright check`` reports about a podcast: the show's artwork and categories
as Apple Podcasts requires them, and each episode's media, enclosure and duration."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from feedwright.config import Config, FeedFormat, PodcastConfig
from feedwright.config.base import suggest
from feedwright.feeds.episodes import (
    duration_text,
    guess_type,
    local_file,
    media_parts,
    media_value,
    split_category,
)
from feedwright.feeds.plan import FeedPlan
from feedwright.types import Diagnostic, Post, Severity

ARTWORK_MIN, ARTWORK_MAX = 1400, 3000
ARTWORK_FORMATS = {"JPEG": "JPEG", "PNG": "PNG"}


@cache
def apple_categories() -> dict[str, tuple[str, ...]]:
    """Apple Podcasts' categories and their subcategories (package data)."""
    text = files("feedwright").joinpath("data", "apple-podcast-categories.json").read_text("utf-8")
    data = json.loads(text)["categories"]
    return {str(main): tuple(str(s) for s in subs) for main, subs in data.items()}


def podcast_findings(
    config: Config, plans: Iterable[FeedPlan], feeds: Mapping[str, bytes | None]
) -> list[Diagnostic]:
    """The podcast's problems ``check`` reports, each with its fix: the show's settings and
    its enclosures. An episode's own (:func:`episode_findings`) come with each post's
    render diagnostics, in ``build`` as in ``check``."""
    found: list[Diagnostic] = []
    podcast = config.podcast
    if podcast is None:
        return found
    plan = next((p for p in plans if p.podcast), None)
    if plan is None or FeedFormat.RSS not in plan.paths:
        what = "is not written" if plan is not None else "names no feed"
        found.append(
            Diagnostic(
                Severity.ERROR,
                "podcast-feed",
                f"podcast.feed {podcast.feed!r} {what}, so there is no podcast feed",
                "",
                None,
                "name an enabled feed (site, category:NAME or tag:NAME) and keep rss in formats:",
            )
        )
        return found
    where = f"{config.output.name}/{plan.paths[FeedFormat.RSS]}"
    found.extend(_show(config, podcast, where))
    data = feeds.get(plan.paths[FeedFormat.RSS])
    if data is not None:
        by_url = {post.url: post for post in plan.posts}
        found.extend(_enclosures(config, data, by_url, where))
    return found


def _error(code: str, message: str, path: str, hint: str, line: int | None = None) -> Diagnostic:
    return Diagnostic(Severity.ERROR, code, message, path, line, hint)


def _show(config: Config, podcast: PodcastConfig, where: str) -> list[Diagnostic]:
    found = []
    artwork = artwork_problem(config, podcast.artwork)
    if artwork is not None:
        code, message, fix = artwork
        found.append(_error(code, message, where, fix))
    if not podcast.categories:
        found.append(
            _error(
                "podcast-category",
                "the podcast has no itunes:category; Apple Podcasts refuses it",
                where,
                "add podcast.categories with one of Apple's categories, such as [Technology]",
            )
        )
    known = apple_categories()
    for text in podcast.categories:
        main, sub = split_category(text)
        if main not in known or (sub is not None and sub not in known[main]):
            names = list(known) if main not in known else list(known[main])
            close = suggest(sub if main in known and sub else main, names)
            hint = f"did you mean {close[0]!r}? " if close else ""
            found.append(
                _error(
                    "podcast-category",
                    f"itunes:category {text!r} is not in Apple's list",
                    where,
                    hint + "use one of Apple's categories (docs/podcasts.md lists them), "
                    "such as Technology or 'Arts > Books'",
                )
            )
    return found


def artwork_problem(config: Config, artwork: str | None) -> tuple[str, str, str] | None:
    """(code, message, fix) when the show's artwork is missing or not what Apple asks:
    a square JPEG or PNG of 1400 to 3000 pixels. None when it is fine, or a URL."""
    fix = f"use a square JPEG or PNG of {ARTWORK_MIN} to {ARTWORK_MAX} pixels (podcast.artwork)"
    if artwork is None:
        return ("podcast-artwork", "the podcast has no artwork; Apple Podcasts refuses it", fix)
    if urlsplit(artwork).scheme:
        return None
    path = local_file(config, artwork)
    if path is None or not path.is_file():
        return ("podcast-artwork", f"the podcast's artwork {artwork} is not found", fix)
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            kind, (width, height) = image.format or "", image.size
    except (OSError, UnidentifiedImageError):
        return ("podcast-artwork", f"the podcast's artwork {artwork} is not an image", fix)
    problems = []
    if kind not in ARTWORK_FORMATS:
        problems.append(f"a {kind or 'unknown'} file, not JPEG or PNG")
    if width != height:
        problems.append(f"{width}×{height} pixels, not square")
    elif not ARTWORK_MIN <= width <= ARTWORK_MAX:
        problems.append(f"{width}×{height} pixels")
    if not problems:
        return None
    return ("podcast-artwork", f"the podcast's artwork {artwork} is {' and '.join(problems)}", fix)


def episode_findings(config: Config, post: Post) -> list[Diagnostic]:
    """An episode's own problems: media not found, a URL without length, no duration."""
    found = media_value(post)
    if found is None:
        return []
    key, value = found
    line = post.key_lines.get(key)
    out = []
    path = local_file(config, value)
    meta = post.front_matter
    if path is not None and not path.is_file():
        out.append(
            _error(
                "episode-media",
                f"{key} file {value} is not found; the episode has no enclosure",
                post.relpath,
                f"put the file at {_shown(config, path)}, or fix the {key}: path",
                line,
            )
        )
    elif path is None and media_parts(value).scheme in ("http", "https"):
        if not isinstance(meta.get("length"), int) or isinstance(meta.get("length"), bool):
            out.append(
                _error(
                    "episode-length",
                    f"{key} {value} is a URL without length: the enclosure's length is 0",
                    post.relpath,
                    "add length: (the file's exact size in bytes) and type: (such as audio/mpeg)",
                    line,
                )
            )
    elif path is None:
        out.append(
            _error(
                "episode-media",
                f"{key} {value!r} is neither a path in the site nor an http(s) URL",
                post.relpath,
                f"write {key}: /assets/episode.mp3 or a full https:// URL",
                line,
            )
        )
    if duration_text(meta.get("duration")) is None:
        out.append(
            Diagnostic(
                Severity.WARNING,
                "episode-duration",
                "the episode has no duration"
                if "duration" not in meta
                else f"duration {meta.get('duration')!r} is not seconds or [H:]MM:SS",
                post.relpath,
                post.key_lines.get("duration", line),
                "add duration: in seconds (such as 1830) or as H:MM:SS",
            )
        )
    return out


def _shown(config: Config, path: Path) -> str:
    base = config.folder or Path.cwd()
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def _enclosures(
    config: Config, data: bytes, by_url: Mapping[str, Post], where: str
) -> list[Diagnostic]:
    """Each item of the written podcast feed: one enclosure, whose length and type are
    those of its file."""
    out = []
    for item in etree.fromstring(data).iter("item"):
        post = by_url.get(item.findtext("link") or "")
        path = post.relpath if post is not None else where
        enclosures = item.findall("enclosure")
        if len(enclosures) != 1:
            out.append(
                _error(
                    "episode-enclosures",
                    f"item {item.findtext('title')!r} has {len(enclosures)} enclosures; "
                    "podcast apps play only one",
                    path,
                    "give the post one audio: or video:",
                )
            )
        found = media_value(post) if post is not None else None
        file = local_file(config, found[1]) if found is not None else None
        if file is None or not file.is_file():
            continue
        for enclosure in enclosures[:1]:
            size, mime = file.stat().st_size, guess_type(file.name)
            if enclosure.get("length") != str(size) or (mime and enclosure.get("type") != mime):
                out.append(
                    _error(
                        "episode-enclosure",
                        f"the enclosure says {enclosure.get('length')} bytes of "
                        f"{enclosure.get('type')}, the file {file.name} is {size} bytes of {mime}",
                        path,
                        "rebuild; remove a type: or length: that disagrees with the file",
                    )
                )
    return out
