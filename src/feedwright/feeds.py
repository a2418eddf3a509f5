"""Plan which feeds exist and what goes in them, and turn posts into feed documents."""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from feedwright.config import Config, ContentMode, FamilyConfig, FeedFormat, IdScheme
from feedwright.model import Author, FeedDocument, FeedEntry, Index, Post, RenderedPost, Term

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_SAFE = "/!$&'()*+,;=:@-._~%"


@dataclass(frozen=True, slots=True)
class FeedPlan:
    family: str  # "site", "tag" or "category"
    key: str
    title: str
    subtitle: str
    paths: dict[FeedFormat, str]
    posts: tuple[Post, ...]
    content: ContentMode


def _paths(config: Config, family: FamilyConfig, slug: str) -> dict[FeedFormat, str]:
    templates = {FeedFormat.ATOM: family.atom, FeedFormat.RSS: family.rss}
    return {fmt: templates[fmt].replace("{slug}", slug) for fmt in config.formats}


def plan_feeds(index: Index, config: Config) -> list[FeedPlan]:
    site = config.site
    plans: list[FeedPlan] = []
    fam = config.feeds
    if fam.site.enabled:
        plans.append(
            FeedPlan(
                "site",
                "",
                site.title,
                site.description,
                _paths(config, fam.site, ""),
                index.posts[: config.family_limit(fam.site)],
                config.family_content(fam.site),
            )
        )

    def terms(family: FamilyConfig, kind: str, items: tuple[Term, ...], title: str) -> None:
        if not family.enabled:
            return
        for term in items:
            plans.append(
                FeedPlan(
                    kind,
                    term.key,
                    title.format(site=site.title, label=term.label),
                    site.description,
                    _paths(config, family, term.slug),
                    term.posts[: config.family_limit(family)],
                    config.family_content(family),
                )
            )

    terms(fam.tags, "tag", index.tags, "{site}: posts tagged {label}")
    terms(fam.categories, "category", index.categories, "{site}: {label}")
    return plans


def _normalize_url(url: str) -> str:
    """Percent-encode what a URL may not hold raw (as Addressable's normalize does)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=quote(parts.path, safe=_SAFE)))


def entry_id(post: Post, config: Config) -> str:
    scheme = config.ids.scheme
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


def _entry(rendered: RenderedPost, config: Config, index: Index, mode: ContentMode) -> FeedEntry:
    post = rendered.post
    labels: list[str] = []
    for raw in post.tags:
        term = index.tag_of.get(raw)
        label = term.label if term is not None else raw
        if label not in labels:
            labels.append(label)
    summary = post.description
    if summary is None and mode is ContentMode.SUMMARY:
        summary = rendered.excerpt or None
    authors = post.authors
    if not authors and config.site.author:
        authors = (Author(config.site.author),)
    return FeedEntry(
        id=entry_id(post, config),
        guid_is_permalink=config.ids.scheme is IdScheme.URL,
        title=post.title,
        link=post.url,
        published=post.published,
        updated=post.updated,
        authors=authors,
        categories=tuple(labels),
        summary=summary,
        content_html=rendered.html if mode is ContentMode.FULL else None,
    )


def document(
    plan: FeedPlan,
    fmt: FeedFormat,
    rendered: dict[str, RenderedPost],
    index: Index,
    config: Config,
) -> FeedDocument:
    entries = tuple(_entry(rendered[p.relpath], config, index, plan.content) for p in plan.posts)
    updated = max((e.updated for e in entries), default=_EPOCH)
    self_url = config.public_feeds_url + quote(plan.paths[fmt], safe=_SAFE)
    site = config.site
    return FeedDocument(
        family=plan.family,
        key=plan.key,
        id=self_url,
        title=plan.title,
        subtitle=plan.subtitle,
        self_url=self_url,
        site_url=site.root,
        language=site.language,
        updated=updated,
        author=Author(site.author or site.title),
        entries=entries,
    )
