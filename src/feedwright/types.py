"""Typed, frozen values passed between the stages: scan, index, render, feeds, write."""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum

EMPTY_SHA = hashlib.sha256(b"").hexdigest()


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about one file (or about the whole build when ``path`` is empty)."""

    severity: Severity
    code: str
    message: str
    path: str = ""
    line: int | None = None
    hint: str | None = None

    def format(self) -> str:
        where = self.path or "feedwright"
        if self.line is not None:
            where += f":{self.line}"
        text = f"{where}: {self.severity.value}: {self.message}"
        if self.hint:
            text += f" (fix: {self.hint})"
        return text


class Markup(StrEnum):
    """How a post's body becomes HTML: Markdown, or as written (``.html`` and other
    non-Markdown posts, which Jekyll copies through unconverted)."""

    MARKDOWN = "markdown"
    HTML = "html"


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    email: str | None = None
    uri: str | None = None


@dataclass(frozen=True, slots=True)
class Post:
    """A post as scanned: metadata resolved, body still Markdown with Liquid."""

    relpath: str  # relative to the posts folder, or to the Jekyll site (config.jekyll)
    slug: str
    file_date: dt.date
    site_date: dt.datetime
    published: dt.datetime
    updated: dt.datetime
    title: str
    title_derived: bool
    description: str | None
    authors: tuple[Author, ...]
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    url_path: str
    url: str
    body: str  # "" when loaded from the cache without its body (see body_sha)
    body_line: int
    key_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    body_sha: str = ""  # sha256 of body, so the cache can skip storing bodies
    has_liquid: bool = False  # the body contains a Liquid tag
    image: str | None = None  # the 'image:' front matter as written (a path or URL)
    markup: Markup = Markup.MARKDOWN
    front_matter: Mapping[str, object] = field(default_factory=dict, hash=False)  # as JSON
    hidden: bool = False  # 'hidden: true' or 'feed: false': a post, but in no feed
    redirect_to: str | None = None  # an absolute http(s) URL the post's page sends readers to
    external_url: str | None = None  # a link post's subject ('link:' or 'external_url:')
    lang: str | None = None  # a language tag (BCP 47), when the post's differs from the site's
    collection: str | None = None  # the collection of a document that is not a post

    @property
    def body_missing(self) -> bool:
        return not self.body and self.body_sha != EMPTY_SHA

    def without_body(self) -> Post:
        """This post with body "" (as the cache keeps it): ``dataclasses.replace``'s
        result at half its cost, which counts once per post of a large blog."""
        values = list(_POST_VALUES(self))
        values[_BODY_AT] = ""
        return Post(*values)


_POST_NAMES = tuple(f.name for f in fields(Post))
_POST_VALUES = operator.attrgetter(*_POST_NAMES)
_BODY_AT = _POST_NAMES.index("body")


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file that is not in the index, and why (nothing is dropped silently)."""

    relpath: str
    reason: str
    error: bool


@dataclass(frozen=True, slots=True)
class ScanResult:
    posts: tuple[Post, ...]
    skipped: tuple[Skipped, ...]
    diagnostics: tuple[Diagnostic, ...]
    files_seen: int
    next_future: dt.datetime | None = None  # when the next future-dated post goes live


@dataclass(frozen=True, slots=True)
class Term:
    """A merged tag or category: one feed per term."""

    kind: str  # "tag", "category", "author" or "language"
    key: str
    label: str
    slug: str
    posts: tuple[Post, ...]
    spellings: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Index:
    """``posts`` are every post (as ``site.posts`` lists them) and every document of a
    collection; ``feed_posts`` those that the site feed and the other feeds of posts may
    hold (not hidden; a collection's documents only with its ``site_feed: true``). Years,
    tags and categories are of the feed posts."""

    posts: tuple[Post, ...]  # newest first
    by_year: dict[int, tuple[Post, ...]]
    tags: tuple[Term, ...]
    categories: tuple[Term, ...]
    tag_of: dict[str, Term]  # raw spelling -> merged term (with or without a feed)
    diagnostics: tuple[Diagnostic, ...]
    feed_posts: tuple[Post, ...]  # newest first
    authors: tuple[Term, ...] = ()  # when feeds.authors is enabled
    languages: tuple[Term, ...] = ()  # when feeds.languages is enabled
    collections: Mapping[str, tuple[Post, ...]] = field(default_factory=dict)
    """Each configured collection's documents that feeds may hold, newest first."""


@dataclass(frozen=True, slots=True)
class RenderedPost:
    post: Post
    html: str
    excerpt: str


@dataclass(frozen=True, slots=True)
class Image:
    """A post's picture: shown as a thumbnail, and as an enclosure when its size is known."""

    url: str
    type: str | None = None
    length: int | None = None


@dataclass(frozen=True, slots=True)
class Media:
    """An episode's audio or video: the one enclosure of its item."""

    url: str
    type: str
    length: int
    path: str | None = None  # the local file it was measured from, if any


@dataclass(frozen=True, slots=True)
class Episode:
    """What a podcast item says besides its enclosure (from the post's front matter)."""

    duration: str | None = None  # seconds, or [H:]MM:SS as written
    episode: int | None = None
    season: int | None = None
    episode_type: str | None = None  # full, trailer or bonus
    explicit: bool | None = None
    transcript: Link | None = None  # rel: unused; type: the transcript's MIME type
    chapters: str | None = None  # URL of a JSON chapters file


@dataclass(frozen=True, slots=True)
class PodcastChannel:
    """The show: what a podcast feed adds to its channel."""

    guid: str
    author: str
    categories: tuple[tuple[str, str | None], ...]  # (category, subcategory)
    explicit: bool
    type: str
    artwork: str | None = None
    owner: Author | None = None
    funding: Link | None = None  # href and title
    locked: bool | None = None
    new_feed_url: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    rel: str
    href: str
    type: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: str
    guid_is_permalink: bool
    title: str
    link: str
    published: dt.datetime
    updated: dt.datetime
    authors: tuple[Author, ...]
    categories: tuple[str, ...]
    summary: str | None
    content_html: str | None
    image: Image | None = None
    media: Media | None = None  # an episode's audio or video (then the image is no enclosure)
    episode: Episode | None = None
    external_url: str | None = None  # what a link post links to (never its id)
    language: str | None = None  # the entry's language, when it is not the feed's


@dataclass(frozen=True, slots=True)
class FeedDocument:
    """Everything needed to serialize one feed, in one format-independent shape."""

    family: str
    key: str
    id: str
    title: str
    subtitle: str
    self_url: str
    site_url: str
    language: str
    updated: dt.datetime
    author: Author | None
    entries: tuple[FeedEntry, ...]
    links: tuple[Link, ...] = ()  # hub, current, prev-archive (besides self and alternate)
    archive: bool = False  # an RFC 5005 archive document (fh:archive)
    complete: bool = False  # every entry of the feed is in this document (fh:complete)
    stylesheet: str | None = None  # href of the XSL for browsers
    icon: str | None = None
    logo: str | None = None
    expired: bool = False  # the feed has ended: it will never get another entry
    podcast: PodcastChannel | None = None  # a podcast feed (RSS only)
    ttl: int | None = None  # minutes readers may wait between fetches (RSS ttl, sy:*)


@dataclass(frozen=True, slots=True)
class RenderValue:
    """A post after Liquid, Markdown and the HTML pass: what the cache stores."""

    html: str
    excerpt: str
    embeds: tuple[str, ...]
    issues: tuple[tuple[int, str, str, str | None], ...]  # Liquid: (line, code, message, hint)
    link_issues: tuple[str, ...] = ()
    sanitized: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    """What a build did, or would do, to one output file."""

    relpath: str
    action: str  # "write", "unchanged", "remove"
    reason: str


@dataclass(frozen=True, slots=True)
class BuildReport:
    files_seen: int
    indexed: int
    skipped: tuple[Skipped, ...]
    diagnostics: tuple[Diagnostic, ...]
    changes: tuple[Change, ...]
    feeds: int
    dry_run: bool
    failed: str | None = None
    index: Index | None = field(default=None, repr=False)
    next_future: dt.datetime | None = None
    opened: int = 0
    latest: dt.datetime | None = None  # the newest publication time among published posts
    externals: dict[str, list[int] | None] | None = None  # files outside posts/ feeds read
    quick: bool = False  # built by the quick path (only a few post bodies changed)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)

    def by_action(self, action: str) -> list[Change]:
        return [c for c in self.changes if c.action == action]
