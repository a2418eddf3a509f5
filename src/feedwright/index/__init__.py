"""Index the scanned posts: newest first, by publication year, by tag and by category."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from feedwright.config import Config
from feedwright.index.terms import merge_key, short_hash, slug_for
from feedwright.types import Diagnostic, Index, Post, Severity, Term


def order(posts: Iterable[Post]) -> tuple[Post, ...]:
    """Newest first. Posts published at the same time come in path order (as jekyll-feed
    lists them), so the order never depends on the file system."""
    by_path = sorted(posts, key=lambda p: p.relpath)
    return tuple(sorted(by_path, key=lambda p: p.published, reverse=True))


def _terms(
    kind: str,
    posts: tuple[Post, ...],
    names_of: str,
    aliases: Mapping[str, tuple[str, str]],
    labels: Mapping[str, str],
) -> tuple[list[Term], dict[str, str], list[Diagnostic]]:
    """Group raw names into terms; returns terms, raw-name -> key, and notes."""
    members: dict[str, list[Post]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    alias_targets: dict[str, str] = {}
    key_of: dict[str, str] = {}
    notes: list[Diagnostic] = []
    for post in posts:
        for raw in getattr(post, names_of):
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
    used_slugs: dict[str, str] = {}
    for key in sorted(members):
        counts = spellings.get(key) or Counter({alias_targets.get(key, key): 0})
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        label = labels.get(key, ranked[0][0])
        slug = slug_for(key)
        if slug in used_slugs and used_slugs[slug] != key:
            slug = f"{slug}-{short_hash(key)}"
        used_slugs[slug] = key
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
    return terms, key_of, notes


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
    ordered = tuple(kept)

    by_year: dict[int, list[Post]] = defaultdict(list)
    for post in ordered:
        by_year[post.published.year].append(post)

    tag_cfg = config.tags
    aliases = {merge_key(k): (merge_key(v), v) for k, v in tag_cfg.aliases.items()}
    labels = {merge_key(k): v for k, v in tag_cfg.labels.items()}
    include = {merge_key(t) for t in tag_cfg.include}
    exclude = {merge_key(t) for t in tag_cfg.exclude}
    all_tags, tag_key_of, notes = _terms("tag", ordered, "tags", aliases, labels)
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
    by_key = {t.key: t for t in all_tags}
    tag_of = {raw: by_key[key] for raw, key in tag_key_of.items()}
    categories, _, cat_notes = _terms("category", ordered, "categories", {}, {})
    diagnostics.extend(cat_notes)
    return Index(
        posts=ordered,
        by_year={year: tuple(p) for year, p in sorted(by_year.items(), reverse=True)},
        tags=tuple(tags),
        categories=tuple(categories),
        tag_of=tag_of,
        diagnostics=tuple(diagnostics),
    )
