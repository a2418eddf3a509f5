"""Index the scanned posts: newest first, by publication year, by tag and by category."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping

from feedwright.config import Config
from feedwright.index.people import (
    author_labels,
    author_names,
    languages_of,
)
from feedwright.index.slugs import Reserved, Slug, Taken, assign_slugs
from feedwright.index.terms import merge_key
from feedwright.types import Diagnostic, Index, Post, Severity, Term


def order(posts: Iterable[Post]) -> tuple[Post, ...]:
    """Newest first. Posts published at the same time come in path order (as jekyll-feed
    lists them), so the order never depends on the file system."""
    by_path = sorted(posts, key=lambda p: p.relpath)
    return tuple(sorted(by_path, key=lambda p: p.published, reverse=True))


def _tags_of(post: Post) -> tuple[str, ...]:
    return post.tags


def _categories_of(post: Post) -> tuple[str, ...]:
    return post.categories


def _terms(
    kind: str,
    posts: tuple[Post, ...],
    names_of: Callable[[Post], Iterable[str]],
    aliases: Mapping[str, tuple[str, str]],
    labels: Mapping[str, str],
    reserved: Reserved,
) -> tuple[list[Term], dict[str, str], list[Diagnostic], dict[str, Diagnostic]]:
    """Group raw names into terms; returns terms, raw-name -> key, notes, and by key a
    warning for each term whose natural slug would have written a site file."""
    members: dict[str, list[Post]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    alias_targets: dict[str, str] = {}
    key_of: dict[str, str] = {}
    notes: list[Diagnostic] = []
    for post in posts:
        for raw in names_of(post):
            key = merge_key(raw)
            target = aliases.get(key)
            if target is not None:
                alias_targets.setdefault(target[0], target[1])
                key = target[0]
            else:
                spellings[key][raw] += 1
            key_of[raw] = key
            if not members[key] or members[key][-1] is not post:
                members[key].append(post)
    terms: list[Term] = []
    moved: dict[str, Diagnostic] = {}
    slugs = assign_slugs(members, reserved)
    for key in sorted(members):
        counts = spellings.get(key) or Counter({alias_targets.get(key, key): 0})
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        label = labels.get(key, ranked[0][0])
        slug = slugs[key].slug
        why = slugs[key].moved
        if isinstance(why, Taken):
            moved[key] = _moved_off_site_file(kind, label, slugs[key], why)
        elif why is not None:
            notes.append(
                Diagnostic(
                    Severity.NOTE,
                    f"{kind}-slug-taken",
                    f"{kind} {label!r}: slug {slugs[key].natural!r} belongs to the {kind} with "
                    f"key {why!r}; its feeds use slug {slug!r}",
                )
            )
        if len(ranked) > 1:
            merged = ", ".join(f"{s!r} ({n})" for s, n in ranked)
            notes.append(
                Diagnostic(
                    Severity.NOTE,
                    f"{kind}-merged",
                    f"{kind}s {merged} are one {kind}, labelled {label!r}",
                )
            )
        terms.append(Term(kind, key, label, slug, order(members[key]), tuple(ranked)))
    return terms, key_of, notes, moved


FAMILY_OF = {"tag": "tags", "category": "categories", "author": "authors", "language": "languages"}


def _moved_off_site_file(kind: str, label: str, slug: Slug, taken: Taken) -> Diagnostic:
    family = FAMILY_OF[kind]
    owner = "a year's archive"
    if taken.owner.startswith("feeds.site."):
        owner = "the site feed"
    elif taken.owner.startswith("feeds.custom."):
        owner = f"the custom feed {taken.owner.split('.')[2]!r}"
    elif taken.owner.startswith("collections."):
        owner = f"the feed of the collection {taken.owner.split('.')[1]!r}"
    return Diagnostic(
        Severity.WARNING,
        f"{kind}-slug-moved",
        f"{kind} {label!r} would write {taken.path} ({taken.key}), the file of {owner} "
        f"({taken.owner}); its feeds use slug {slug.slug!r} instead",
        "",
        None,
        f"rename the {kind}, or give feeds.{family} a folder of its own, such as "
        f"{family}/{{slug}}.atom.xml",
    )


def build_index(posts: Iterable[Post], config: Config) -> Index:
    ordered = order(posts)
    diagnostics: list[Diagnostic] = []
    seen_urls: dict[str, Post] = {}
    kept: list[Post] = []
    for post in ordered:
        other = seen_urls.get(post.url)
        if other is not None:
            diagnostics.append(
                Diagnostic(
                    Severity.ERROR,
                    "duplicate-url",
                    f"skipped: same URL {post.url} as {other.relpath}",
                    post.relpath,
                    None,
                    "give one of them another file name, slug: or permalink:",
                )
            )
            continue
        seen_urls[post.url] = post
        kept.append(post)
    every = tuple(kept)
    # A hidden post keeps its URL (no other post may take it) and stays in site.posts,
    # but no feed holds it: years, tags and categories are of the others.
    # A collection's documents are in its own feed, and in the others only when the
    # collection is in the site feed: one pass sorts every post into both.
    in_site = {name for name, spec in config.collections.items() if spec.site_feed}
    feed_posts: list[Post] = []
    documents: dict[str, list[Post]] = {name: [] for name in config.collections}
    for post in every:
        if post.hidden:
            continue
        if post.collection is not None:
            documents.setdefault(post.collection, []).append(post)
            if post.collection not in in_site:
                continue
        feed_posts.append(post)
    ordered = tuple(feed_posts)
    collections = {name: tuple(documents[name]) for name in config.collections}

    by_year: dict[int, list[Post]] = defaultdict(list)
    for post in ordered:
        by_year[post.published.year].append(post)

    tag_cfg = config.tags
    aliases = {merge_key(k): (merge_key(v), v) for k, v in tag_cfg.aliases.items()}
    labels = {merge_key(k): v for k, v in tag_cfg.labels.items()}
    include = {merge_key(t) for t in tag_cfg.include}
    exclude = {merge_key(t) for t in tag_cfg.exclude}
    all_tags, tag_key_of, notes, moved = _terms(
        "tag", ordered, _tags_of, aliases, labels, Reserved.of(config, "tags")
    )
    diagnostics.extend(notes)
    tags: list[Term] = []
    for term in all_tags:
        if term.key in exclude or (include and term.key not in include):
            diagnostics.append(
                Diagnostic(
                    Severity.NOTE,
                    "tag-filtered",
                    f"tag {term.label!r}: no feed (tags.include/exclude)",
                )
            )
        elif len(term.posts) < tag_cfg.min_posts:
            diagnostics.append(
                Diagnostic(
                    Severity.NOTE,
                    "tag-min-posts",
                    f"tag {term.label!r} has {len(term.posts)} post(s), fewer than tags.min_posts "
                    f"({tag_cfg.min_posts}); no feed",
                )
            )
        else:
            tags.append(term)
            if term.key in moved:
                diagnostics.append(moved[term.key])
    by_key = {t.key: t for t in all_tags}
    tag_of = {raw: by_key[key] for raw, key in tag_key_of.items()}
    categories, _, cat_notes, cat_moved = _terms(
        "category", ordered, _categories_of, {}, {}, Reserved.of(config, "categories")
    )
    diagnostics.extend(cat_notes)
    diagnostics.extend(cat_moved[c.key] for c in categories if c.key in cat_moved)
    authors: list[Term] = []
    if config.feeds.authors.enabled:
        authors, _, author_notes, author_moved = _terms(
            "author",
            ordered,
            author_names(config),
            {},
            author_labels(config),
            Reserved.of(config, "authors"),
        )
        diagnostics.extend(author_notes)
        diagnostics.extend(author_moved[a.key] for a in authors if a.key in author_moved)
    languages: list[Term] = []
    if config.feeds.languages.enabled:
        languages, _, lang_notes, lang_moved = _terms(
            "language", ordered, languages_of(config), {}, {}, Reserved.of(config, "languages")
        )
        diagnostics.extend(lang_notes)
        diagnostics.extend(lang_moved[t.key] for t in languages if t.key in lang_moved)
    return Index(
        posts=every,
        by_year={year: tuple(p) for year, p in sorted(by_year.items(), reverse=True)},
        tags=tuple(tags),
        categories=tuple(categories),
        authors=tuple(authors),
        languages=tuple(languages),
        tag_of=tag_of,
        diagnostics=tuple(diagnostics),
        feed_posts=ordered,
        collections=collections,
    )
