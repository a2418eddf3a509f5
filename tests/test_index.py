"""The index: newest first, by publication year, tags and categories merged as readers
would expect, and one post per URL."""

from __future__ import annotations

import datetime as dt

from feedwright.config import Config, config_from_mapping
from feedwright.index import build_index
from feedwright.types import Post, Severity

UTC = dt.UTC


def config(**extra: object) -> Config:
    return config_from_mapping(
        {"site": {"title": "Blog", "url": "https://blog.example/"}, "posts": "posts", **extra}
    )


def post(
    rel: str,
    when: dt.datetime,
    tags: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
    url: str | None = None,
) -> Post:
    slug = rel.removesuffix(".md")
    return Post(
        relpath=rel,
        slug=slug,
        file_date=when.date(),
        site_date=when,
        published=when,
        updated=when,
        title=slug,
        title_derived=True,
        description=None,
        authors=(),
        tags=tags,
        categories=categories,
        url_path=f"/{slug}.html",
        url=url or f"https://blog.example/{slug}.html",
        body="",
        body_line=1,
    )


def test_posts_come_newest_first_and_grouped_by_year() -> None:
    old = post("a.md", dt.datetime(2023, 5, 1, tzinfo=UTC))
    new = post("b.md", dt.datetime(2024, 2, 1, tzinfo=UTC))
    newer = post("c.md", dt.datetime(2024, 9, 1, tzinfo=UTC))
    index = build_index([old, newer, new], config())
    assert [p.relpath for p in index.posts] == ["c.md", "b.md", "a.md"]
    assert list(index.by_year) == [2024, 2023]
    assert [p.relpath for p in index.by_year[2024]] == ["c.md", "b.md"]


def test_posts_published_at_the_same_moment_come_in_path_order() -> None:
    when = dt.datetime(2024, 1, 1, tzinfo=UTC)
    index = build_index([post("z.md", when), post("m.md", when), post("a.md", when)], config())
    assert [p.relpath for p in index.posts] == ["a.md", "m.md", "z.md"]


def test_tag_spellings_merge_into_one_feed_labelled_by_the_most_used() -> None:
    when = dt.datetime(2024, 1, 1, tzinfo=UTC)
    posts = [
        post("a.md", when, tags=("Live Migration",)),
        post("b.md", when, tags=("live-migration",)),
        post("c.md", when, tags=("live-migration", "k8s")),
    ]
    index = build_index(posts, config(tags={"aliases": {"k8s": "kubernetes"}}))
    by_label = {t.label: t for t in index.tags}
    assert set(by_label) == {"live-migration", "kubernetes"}
    assert [p.relpath for p in by_label["live-migration"].posts] == ["a.md", "b.md", "c.md"]
    assert index.tag_of["Live Migration"] is by_label["live-migration"]
    assert index.tag_of["k8s"] is by_label["kubernetes"]
    merged = [d for d in index.diagnostics if d.code == "tag-merged"]
    assert len(merged) == 1 and "'Live Migration' (1)" in merged[0].message


def test_rare_or_excluded_tags_get_no_feed_and_say_why() -> None:
    when = dt.datetime(2024, 1, 1, tzinfo=UTC)
    posts = [post("a.md", when, tags=("rare", "common", "secret")), post("b.md", when, ("common",))]
    index = build_index(posts, config(tags={"min_posts": 2, "exclude": ["secret"]}))
    assert [t.label for t in index.tags] == ["common"]
    codes = sorted(d.code for d in index.diagnostics)
    assert codes == ["tag-filtered", "tag-min-posts"]
    assert "rare" in index.tag_of  # still known, for the entries' categories


def test_categories_are_indexed_like_tags() -> None:
    when = dt.datetime(2024, 1, 1, tzinfo=UTC)
    posts = [post("a.md", when, categories=("News",)), post("b.md", when, categories=("news",))]
    index = build_index(posts, config())
    assert [(c.kind, len(c.posts)) for c in index.categories] == [("category", 2)]


def test_a_second_post_with_the_same_url_is_skipped_with_an_error() -> None:
    url = "https://blog.example/same.html"
    first = post("a.md", dt.datetime(2024, 1, 2, tzinfo=UTC), url=url)
    second = post("b.md", dt.datetime(2024, 1, 1, tzinfo=UTC), url=url)
    index = build_index([second, first], config())
    assert [p.relpath for p in index.posts] == ["a.md"]
    (diag,) = [d for d in index.diagnostics if d.code == "duplicate-url"]
    assert diag.severity is Severity.ERROR and diag.path == "b.md" and "a.md" in diag.message
