"""A feed plan turned into a :class:`FeedDocument`: entry ids, links, absolute URLs,
pictures and tag labels, the same for every format."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import mimetypes
import posixpath
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from feedwright.config import Config, ContentMode, FeedFormat, IdScheme
from feedwright.feeds.episodes import (
    channel,
    entry_episode,
    entry_media,
    episode_guid,
    media_files,
)
from feedwright.feeds.plan import FeedPlan
from feedwright.feeds.refresh import ttl_minutes
from feedwright.feeds.webpage import relative
from feedwright.index.people import post_authors
from feedwright.render.text import feed_text, summary_of
from feedwright.types import (
    Author,
    FeedDocument,
    FeedEntry,
    Image,
    Index,
    Link,
    Post,
    RenderedPost,
)

ATOM_TYPE = "application/atom+xml"
STYLESHEET = "feed.css"  # in the output folder, named by every Atom and RSS feed
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_SAFE = "/!$&'()*+,;=:@-._~%"  # in a URL already written: '%' is already an escape
_FILE_SAFE = _SAFE.replace("%", "")  # in a file name: '%' is a character
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"]+")
# what Addressable's normalize leaves raw in a path (RFC 3986 pchar and '/'), and in a
# query or fragment (also '?'); letters, digits and '-._~' are always raw
_PATH_SAFE = "!$&'()*+,;=:@/"
_QUERY_SAFE = _PATH_SAFE + "?"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def feed_url(config: Config, relpath: str) -> str:
    """The URL of the output file ``relpath``: every character a URL path cannot hold as
    it is, '%' too, is quoted, so that the URL, decoded, names the file."""
    return config.public_feeds_url + quote(relpath, safe=_FILE_SAFE)


def absolute_url(config: Config, value: str) -> str:
    """Jekyll's ``absolute_url``: a URL stays, a path is joined to the site's root."""
    if urlsplit(value).scheme:
        return value
    return config.site.root + value.lstrip("/")


def entry_image(config: Config, value: str | None) -> Image | None:
    """The entry picture. Its type comes from the name; its length from the file, when
    the path is local and the file is found under ``source:`` (or beside the posts)."""
    if value is None:
        return None
    url = absolute_url(config, value)
    mime = mimetypes.guess_type(urlsplit(url).path)[0]
    length = None
    path = image_file(config, value)
    if path is not None:
        try:
            length = path.stat().st_size
        except OSError:
            length = None
    return Image(url, mime, length)


def image_file(config: Config, value: str | None) -> Path | None:
    """Where a post's local ``image:`` lives (under ``source:``, else beside the posts
    folder, as in a Jekyll site); None for a URL."""
    if value is None or urlsplit(value).scheme:
        return None
    root = config.source if config.source is not None else config.posts.parent
    relative = unquote(urlsplit(value).path).lstrip("/")
    if not relative or ".." in relative.split("/"):
        return None
    return root / relative


def external_files(config: Config, posts: Iterable[Post]) -> list[str]:
    """The files outside the posts folder that feeds read (local pictures, for their
    length): a rebuild that skips work must check them."""
    posts = list(posts)
    paths = (image_file(config, post.image) for post in posts)
    found = {str(path) for path in paths if path is not None}
    return sorted(found.union(media_files(config, posts)))


def _normalize_component(text: str, safe: str) -> str:
    """Addressable's ``normalize_component``: every escape decoded (but an encoded '/'),
    the text put in Unicode NFC, then encoded again where ``safe`` does not allow the
    character raw; so '%41' becomes 'A', a lone '%' becomes '%25', and a name written in
    decomposed form (as macOS wrote it) gets the composed form's escapes."""
    pieces = re.split("(%2[Ff])", text)
    out = []
    for piece in pieces:
        if piece.upper() == "%2F":
            out.append("%2F")
            continue
        decoded = unicodedata.normalize("NFC", unquote(piece, errors="surrogateescape"))
        out.append(quote(decoded, safe=safe, errors="surrogateescape"))
    return "".join(out)


def _normalize_url(url: str) -> str:
    """``url`` as Jekyll's ``absolute_url`` leaves it (``Addressable::URI.parse(url)
    .normalize``): surrounding blanks dropped, scheme and host in lower case (a non-ASCII
    host in its IDNA form), the scheme's default port dropped, and path, query and
    fragment normalized (:func:`_normalize_component`), an empty query or fragment
    dropped. Slashes are not folded."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if host and not host.isascii():
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None and _DEFAULT_PORTS.get(parts.scheme.lower()) != parts.port:
        netloc += f":{parts.port}"
    if "@" in parts.netloc:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            _normalize_component(parts.path, _PATH_SAFE),
            _normalize_component(parts.query, _QUERY_SAFE),
            _normalize_component(parts.fragment, _QUERY_SAFE),
        )
    )


def own_id(post: Post) -> str | None:
    """The post's own ``id:`` when it is an absolute URI (a number, such as jekyll-import
    writes for WordPress posts, is not an entry id)."""
    value = post.front_matter.get("id")
    if isinstance(value, str) and _URI.fullmatch(value.strip()):
        return value.strip()
    return None


def entry_id(post: Post, config: Config) -> str:
    """The post's own ``id:``, else the id scheme's (the ledger's pins aside: see
    :mod:`feedwright.feeds.ids`)."""
    own = own_id(post)
    if own is not None:
        return own
    scheme = config.ids.base
    if scheme is IdScheme.URL:
        return post.url
    if scheme is IdScheme.TAG:
        assert config.ids.authority is not None and config.ids.date is not None
        name = posixpath.basename(post.relpath).rsplit(".", 1)[0]
        return f"tag:{config.ids.authority},{config.ids.date.isoformat()}:{quote(name, safe=_SAFE)}"
    # jekyll-feed writes {{ post.id | absolute_url }}: Document#id is the URL's folder joined
    # with the slug; absolute_url is site.url + baseurl + that, with no slash folding.
    folder = (
        posixpath.dirname(post.url_path.rstrip("/"))
        if post.url_path.endswith("/")
        else (posixpath.dirname(post.url_path))
    )
    doc_id = posixpath.join(folder or "/", post.slug)
    relative = config.site.baseurl + (doc_id if doc_id.startswith("/") else "/" + doc_id)
    return _normalize_url(config.site.url + relative)


def entry_link(post: Post) -> str:
    """Where an entry sends readers: a redirect post's target (as jekyll-redirect-from's
    page would), else the post, its URL normalized as jekyll-feed's ``post.url |
    absolute_url`` is (:func:`_normalize_url`: a name in decomposed Unicode links in the
    composed form). The id stays the post's own."""
    return post.redirect_to or _normalize_url(post.url)


def entry_language(post: Post, feed_language: str) -> str | None:
    """The post's language when it is not the feed's (tags compare case-blind)."""
    if post.lang is None or post.lang.casefold() == feed_language.casefold():
        return None
    return post.lang


def tag_labels(index: Index) -> dict[str, str]:
    """Each raw tag spelling and the label of the tag it was merged into."""
    return {raw: term.label for raw, term in index.tag_of.items()}


def _entry(
    rendered: RenderedPost,
    config: Config,
    tag_label: Mapping[str, str],
    mode: ContentMode,
    ids: Mapping[str, str],
) -> FeedEntry:
    post = rendered.post
    entry = ids.get(post.relpath) or entry_id(post, config)
    # jekyll-feed: a <category> for each of the post's categories, then each tag
    labels: list[str] = []
    for label in (*post.categories, *(tag_label.get(raw, raw) for raw in post.tags)):
        if label not in labels:
            labels.append(label)
    # jekyll-feed: post.description | default: post.excerpt
    summary = summary_of(post.description, post.front_matter) or rendered.excerpt or None
    authors = post_authors(post, config)
    return FeedEntry(
        id=entry,
        guid_is_permalink=entry == post.url,
        title=feed_text(post.title),
        link=entry_link(post),
        published=post.published,
        updated=post.updated,
        authors=authors,
        categories=tuple(labels),
        summary=summary,
        content_html=rendered.html if mode is ContentMode.FULL else None,
        image=entry_image(config, post.image),
        media=entry_media(config, post),
        episode=entry_episode(config, post),
        external_url=post.external_url,
        language=entry_language(post, config.site.language),
    )


def document(
    plan: FeedPlan,
    fmt: FeedFormat,
    rendered: dict[str, RenderedPost],
    tag_label: Mapping[str, str],
    config: Config,
    ids: Mapping[str, str] | None = None,
) -> FeedDocument:
    """The feed of ``plan`` in ``fmt``. ``ids`` are the entry ids by relpath (from
    :func:`feedwright.feeds.ids.resolve`); a post without one gets :func:`entry_id`."""
    ids = ids or {}
    entries = tuple(
        _entry(rendered[p.relpath], config, tag_label, plan.content, ids) for p in plan.posts
    )
    # a podcast without an episode yet (or whose media is missing) is as new as its posts
    newest = max((e.updated for e in entries), default=_EPOCH)
    podcast = None
    if plan.podcast and fmt is FeedFormat.RSS and config.podcast is not None:
        # the podcast lists its episodes only, each under its own guid: when set
        entries = tuple(
            e if (own := episode_guid(p)) is None else replace(e, id=own, guid_is_permalink=False)
            for p, e in zip(plan.posts, entries, strict=True)
            if e.media is not None
        )
        podcast = channel(config, config.podcast, feed_url(config, plan.paths[fmt]))
    show = config.podcast if podcast is not None else None
    if not all(e.guid_is_permalink for e in entries):  # RSS readers want one kind per feed
        entries = tuple(dataclasses.replace(e, guid_is_permalink=False) for e in entries)
    updated = max((e.updated for e in entries), default=newest)
    self_url = feed_url(config, plan.paths[fmt])
    site = config.site
    links = [Link("hub", hub) for hub in config.websub.hubs]
    if fmt is FeedFormat.ATOM:
        if plan.archive:
            site_atom = config.feeds.site.atom if config.feeds.site.enabled else None
            if site_atom is not None and FeedFormat.ATOM in config.formats:
                links.append(Link("current", feed_url(config, site_atom), ATOM_TYPE))
        if plan.prev_archive is not None:
            links.append(Link("prev-archive", feed_url(config, plan.prev_archive), ATOM_TYPE))
    stylesheet = None
    if config.discovery.stylesheet and fmt is not FeedFormat.JSON:
        # relative, so that the browser loads it from wherever it loaded the feed
        stylesheet = relative(STYLESHEET, plan.paths[fmt])
    return FeedDocument(
        family=plan.family,
        key=plan.key,
        id=self_url,
        title=show.title if show is not None and show.title else plan.title,
        subtitle=plan.subtitle,
        self_url=self_url,
        site_url=site.root,
        language=(
            plan.label
            if plan.family == "language"
            else show.language
            if show is not None and show.language
            else site.language
        ),
        updated=updated,
        author=Author(site.author or site.title),
        entries=entries,
        links=tuple(links),
        archive=plan.archive,
        complete=plan.complete and fmt is not FeedFormat.JSON,
        stylesheet=stylesheet,
        icon=None if site.icon is None else absolute_url(config, site.icon),
        logo=None if site.logo is None else absolute_url(config, site.logo),
        podcast=podcast,
        # JSON Feed has no such field; an archive document is not polled
        ttl=None if fmt is FeedFormat.JSON or plan.archive else ttl_minutes(config),
    )
