"""Feeds people compose in the config: which posts the site feed leaves out
(``feeds.site.exclude_*``) and which posts each of ``feeds.custom`` holds. Names are
matched as the tag and category feeds group them: case, spaces, ``-`` and ``_`` do not
count, and ``tags.aliases`` apply; authors by handle or name, languages by tag."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from feedwright.config import Config
from feedwright.config.base import did_you_mean
from feedwright.config.families import CustomFeedConfig, ExcludeFilter
from feedwright.index.people import (
    author_keys,
    handles_by_name,
    known_authors,
    language,
    post_authors,
)
from feedwright.index.terms import merge_key
from feedwright.types import Diagnostic, Index, Post, Severity


def _keys(names: Iterable[str]) -> frozenset[str]:
    return frozenset(merge_key(n) for n in names)


@dataclass(frozen=True, slots=True)
class Query:
    """A feed's query with every name as a merge key (tags after ``tags.aliases``)."""

    any_tags: frozenset[str] = frozenset()
    all_tags: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    authors: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    exclude_categories: frozenset[str] = frozenset()
    exclude_tags: frozenset[str] = frozenset()


class Matcher:
    """Matches posts against queries, with the config's tag aliases and author handles."""

    def __init__(self, index: Index, config: Config) -> None:
        self.config = config
        self.index = index
        self.aliases = {merge_key(k): merge_key(v) for k, v in config.tags.aliases.items()}
        self.handles = handles_by_name(config)

    def tag_key(self, name: str) -> str:
        key = merge_key(name)
        return self.aliases.get(key, key)

    def query(self, spec: ExcludeFilter) -> Query:
        tags = self.tag_key
        excluded = Query(
            exclude_categories=_keys(spec.exclude_categories),
            exclude_tags=frozenset(tags(t) for t in spec.exclude_tags),
        )
        if not isinstance(spec, CustomFeedConfig):
            return excluded
        return Query(
            any_tags=frozenset(tags(t) for t in spec.any_tags),
            all_tags=frozenset(tags(t) for t in spec.all_tags),
            categories=_keys(spec.categories),
            authors=_keys(spec.authors),
            languages=_keys(spec.languages),
            exclude_categories=excluded.exclude_categories,
            exclude_tags=excluded.exclude_tags,
        )

    def post_tags(self, post: Post) -> set[str]:
        tag_of = self.index.tag_of
        return {tag_of[raw].key if raw in tag_of else self.tag_key(raw) for raw in post.tags}

    def matches(self, post: Post, query: Query) -> bool:
        tags = self.post_tags(post)
        categories = {merge_key(c) for c in post.categories}
        if tags & query.exclude_tags or categories & query.exclude_categories:
            return False
        if query.any_tags and not tags & query.any_tags:
            return False
        if not query.all_tags <= tags:
            return False
        if query.categories and not categories & query.categories:
            return False
        if query.authors and not author_keys(post, self.config, self.handles) & query.authors:
            return False
        if query.languages:
            lang = language(post, self.config)
            if lang is None or merge_key(lang) not in query.languages:
                return False
        return True

    def select(self, spec: ExcludeFilter) -> tuple[Post, ...]:
        """The index's posts (newest first) that ``spec`` keeps."""
        query = self.query(spec)
        if query == Query():
            return self.index.feed_posts
        return tuple(p for p in self.index.feed_posts if self.matches(p, query))


def site_posts(index: Index, config: Config) -> tuple[Post, ...]:
    """The posts of the site feed and its archives: every post but those it excludes."""
    return Matcher(index, config).select(config.feeds.site)


def custom_posts(index: Index, config: Config) -> dict[str, tuple[Post, ...]]:
    """Each custom feed's posts, newest first, before its limit."""
    matcher = Matcher(index, config)
    return {name: matcher.select(spec) for name, spec in config.feeds.custom.items()}


def _names_in_posts(index: Index, config: Config) -> dict[str, dict[str, str]]:
    """What exists, by kind: merge key -> a label to suggest."""
    tags = {term.key: term.label for term in index.tag_of.values()}
    for alias in config.tags.aliases:
        tags.setdefault(merge_key(alias), alias)
    categories: dict[str, str] = {}
    authors = known_authors(config)
    languages: dict[str, str] = {}
    for post in index.posts:
        for raw in post.categories:
            categories.setdefault(merge_key(raw), raw)
        for author in post_authors(post, config):
            authors.setdefault(merge_key(author.name), author.name)
        lang = language(post, config)
        if lang is not None:
            languages.setdefault(merge_key(lang), lang)
    return {"tag": tags, "category": categories, "author": authors, "language": languages}


_FIELDS = (
    ("any_tags", "tag"),
    ("all_tags", "tag"),
    ("exclude_tags", "tag"),
    ("categories", "category"),
    ("exclude_categories", "category"),
    ("authors", "author"),
    ("languages", "language"),
)


def query_findings(index: Index, config: Config) -> list[Diagnostic]:
    """For ``check``: a warning for each name a query gives that no post has (with the
    closest that exists), and for each custom feed that matches no post."""
    known = _names_in_posts(index, config)
    matcher = Matcher(index, config)
    specs: list[tuple[str, ExcludeFilter]] = [("feeds.site", config.feeds.site)]
    specs += [(f"feeds.custom.{name}", spec) for name, spec in config.feeds.custom.items()]
    out: list[Diagnostic] = []
    for where, spec in specs:
        for field, kind in _FIELDS:
            for name in getattr(spec, field, ()):
                key = matcher.tag_key(name) if kind == "tag" else merge_key(name)
                if key in known[kind]:
                    continue
                hint = did_you_mean(name, sorted(set(known[kind].values())))
                out.append(
                    Diagnostic(
                        Severity.WARNING,
                        "unknown-query-name",
                        f"{where}.{field}: no post has the {kind} {name!r}{hint}",
                        "",
                        None,
                        f"correct the {kind} in the config, or remove it",
                    )
                )
    for name, posts in custom_posts(index, config).items():
        if not posts:
            out.append(
                Diagnostic(
                    Severity.WARNING,
                    "custom-feed-empty",
                    f"custom feed {name!r} matches no post; its feeds have no entry",
                    "",
                    None,
                    f"check the query under feeds.custom.{name}",
                )
            )
    return out
