"""The feeds stage through the library: which feeds a blog gets, where they are written,
what each entry says (ids, links, absolute URLs), and every registered format read back
with feedparser."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import feedparser
import pytest

from feedwright.config import Config, FeedFormat, config_from_mapping
from feedwright.feeds import (
    FeedPlan,
    archive_path,
    document,
    entry_id,
    feed_url,
    plan_feeds,
    tag_labels,
)
from feedwright.feeds.formats import Serializer, registered, serializer_for, to_bytes
from feedwright.index import build_index
from feedwright.scan import scan
from feedwright.types import Index, RenderedPost

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SITE = "https://blog.example.org/"

POSTS = {
    "2023-05-01-older.md": "---\ntitle: Older\ntags: [Go]\n---\nOld body.\n",
    "2024-02-01-middle.md": "---\ntitle: Middle\ntags: [go, python]\ncategory: Notes\n"
    "image: /img/pic.png\n---\nMiddle body.\n",
    "2024-03-01-newest.md": "---\ntitle: Newest & best\ndescription: The newest.\n"
    "author: Ann\ntags: [python]\n---\nNew <b>body</b>.\n",
}


def make(tmp_path: Path, **extra: Any) -> tuple[Config, Index]:
    posts = tmp_path / "posts"
    posts.mkdir(exist_ok=True)
    for name, text in POSTS.items():
        (posts / name).write_text(text, encoding="utf-8")
    data: dict[str, Any] = {
        "site": {"title": "Blog", "url": SITE, "author": "Site Owner", "icon": "/icon.png"},
        "posts": str(posts),
        "output": str(tmp_path / "out"),
    }
    config = config_from_mapping({**data, **extra})
    result = scan(config, NOW)
    assert len(result.posts) == 3, result.diagnostics
    return config, build_index(result.posts, config)


def rendered(index: Index) -> dict[str, RenderedPost]:
    return {p.relpath: RenderedPost(p, f"<p>{p.title}</p>", p.title) for p in index.posts}


def by_key(plans: list[FeedPlan]) -> dict[tuple[str, str], FeedPlan]:
    return {(p.family, p.key): p for p in plans}


# -- plan ---------------------------------------------------------------------------------


def test_a_blog_gets_a_site_feed_one_per_tag_and_category_and_yearly_archives(
    tmp_path: Path,
) -> None:
    config, index = make(tmp_path)
    plans = by_key(plan_feeds(index, config))

    site = plans[("site", "")]
    assert [p.title for p in site.posts] == ["Newest & best", "Middle", "Older"]
    assert site.paths == {
        FeedFormat.ATOM: "atom.xml",
        FeedFormat.RSS: "rss.xml",
        FeedFormat.JSON: "feed.json",
    }
    tags = {p.label: p for p in plans.values() if p.family == "tag"}
    assert sorted(tags) == ["Go", "python"]  # "Go" and "go" are one tag
    assert len(tags["Go"].posts) == 2
    assert tags["python"].paths[FeedFormat.ATOM] == "tags/python.atom.xml"
    assert [p.label for p in plans.values() if p.family == "category"] == ["Notes"]

    archives = [p for p in plan_feeds(index, config) if p.archive]
    assert [a.key for a in archives] == ["2024", "2023"]  # newest first
    assert archives[0].paths == {FeedFormat.ATOM: "archive/2024.atom.xml"}
    assert archives[0].prev_archive == "archive/2023.atom.xml"
    assert archives[1].prev_archive is None
    assert site.prev_archive == archive_path(config, 2024)
    assert not site.complete  # older posts live in the archives


def test_limits_cut_feeds_and_complete_says_whether_all_posts_fit(tmp_path: Path) -> None:
    config, index = make(
        tmp_path, limit=2, archives={"enabled": False}, feeds={"tags": {"limit": 1}}
    )
    plans = by_key(plan_feeds(index, config))
    site = plans[("site", "")]
    assert [p.title for p in site.posts] == ["Newest & best", "Middle"]
    assert (site.total, site.complete, site.prev_archive) == (3, False, None)
    go = next(p for p in plans.values() if p.label == "Go")
    assert len(go.posts) == 1 and go.total == 2 and not go.complete
    notes = next(p for p in plans.values() if p.family == "category")
    assert notes.complete
    assert not any(p.archive for p in plans.values())


def test_only_configured_formats_and_families_are_planned(tmp_path: Path) -> None:
    config, index = make(
        tmp_path,
        formats=["rss", "json"],
        feeds={"tags": {"enabled": False}},
        archives={"path": "old/{year}.xml"},
    )
    plans = plan_feeds(index, config)
    assert {p.family for p in plans} == {"site", "category"}  # archives need Atom
    assert all(set(p.paths) == {FeedFormat.RSS, FeedFormat.JSON} for p in plans)
    assert archive_path(config, 2021) == "old/2021.xml"


# -- document -----------------------------------------------------------------------------


def test_entries_carry_ids_links_absolute_urls_and_merged_tag_labels(tmp_path: Path) -> None:
    config, index = make(
        tmp_path,
        feeds_url="https://feeds.example.net/x",
        websub={"hubs": ["https://hub.example.com/"]},
    )
    site = by_key(plan_feeds(index, config))[("site", "")]
    doc = document(site, FeedFormat.ATOM, rendered(index), tag_labels(index), config)

    assert doc.self_url == "https://feeds.example.net/x/atom.xml"
    assert doc.site_url == SITE
    assert doc.icon == "https://blog.example.org/icon.png"
    assert doc.updated == dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    assert ("hub", "https://hub.example.com/") in [(ln.rel, ln.href) for ln in doc.links]
    assert ("prev-archive", "https://feeds.example.net/x/archive/2024.atom.xml") in [
        (ln.rel, ln.href) for ln in doc.links
    ]
    newest, middle, _ = doc.entries
    # Jekyll's default permalink style, date: /:categories/:year/:month/:day/:title.html
    assert newest.link == "https://blog.example.org/2024/03/01/newest.html"
    assert newest.id == entry_id(index.posts[0], config) == newest.link
    assert newest.summary == "The newest." and newest.content_html == "<p>Newest & best</p>"
    assert [a.name for a in newest.authors] == ["Ann"]
    assert [a.name for a in middle.authors] == ["Site Owner"]  # the site's author
    # jekyll-feed: the post's categories, then its tags ("go" under the merged label)
    assert middle.categories == ("Notes", "Go", "python")
    assert middle.image is not None and middle.image.url == "https://blog.example.org/img/pic.png"
    assert middle.image.type == "image/png" and middle.image.length is None  # no such file


def test_tag_ids_stylesheets_and_summaries_follow_the_config(tmp_path: Path) -> None:
    config, index = make(
        tmp_path,
        ids={"scheme": "tag", "authority": "example.org", "date": "2020-01-01"},
        content="summary",
    )
    plans = by_key(plan_feeds(index, config))
    tag = next(p for p in plans.values() if p.label == "python")
    atom = document(tag, FeedFormat.ATOM, rendered(index), tag_labels(index), config)
    json_doc = document(tag, FeedFormat.JSON, rendered(index), tag_labels(index), config)

    assert atom.entries[0].id == "tag:example.org,2020-01-01:2024-03-01-newest"
    assert atom.stylesheet == "../feed.css"  # relative to tags/
    assert json_doc.stylesheet is None and not json_doc.complete
    assert atom.entries[1].content_html is None and atom.entries[1].summary == "Middle"
    assert feed_url(config, "tags/a b.xml") == SITE + "tags/a%20b.xml"
    assert feed_url(config, "tags/50%25.xml") == SITE + "tags/50%2525.xml"  # a '%' in the name


def test_the_archive_links_back_to_the_current_feed(tmp_path: Path) -> None:
    config, index = make(tmp_path)
    archive = by_key(plan_feeds(index, config))[("archive", "2023")]
    doc = document(archive, FeedFormat.ATOM, rendered(index), tag_labels(index), config)
    assert doc.archive
    assert [(ln.rel, ln.href) for ln in doc.links] == [("current", SITE + "atom.xml")]
    assert [e.title for e in doc.entries] == ["Older"]


# -- serializers --------------------------------------------------------------------------


def test_every_format_has_a_registered_serializer() -> None:
    assert set(registered()) == set(FeedFormat)
    for fmt in FeedFormat:
        assert isinstance(serializer_for(fmt), Serializer)


def read_back(data: bytes, fmt: FeedFormat) -> tuple[str, list[tuple[str, str, str, list[str]]]]:
    """The feed's title and each entry's (title, id, link, tags), as a reader sees them:
    feedparser for Atom and RSS; JSON Feed (which feedparser 6.0 does not read) as JSON."""
    if fmt is FeedFormat.JSON:
        feed = json.loads(data)
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        items = [(i["title"], i["id"], i["url"], i.get("tags", [])) for i in feed["items"]]
        return feed["title"], items
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version.startswith(fmt.value)
    entries = [(e.title, e.id, e.link, [t.term for t in e.get("tags", [])]) for e in parsed.entries]
    return parsed.feed.title, entries


@pytest.mark.parametrize("fmt", list(FeedFormat))
def test_each_serializer_writes_a_feed_that_a_reader_reads_back(
    tmp_path: Path, fmt: FeedFormat
) -> None:
    config, index = make(tmp_path)
    site = by_key(plan_feeds(index, config))[("site", "")]
    doc = document(site, fmt, rendered(index), tag_labels(index), config)

    data = to_bytes(doc, fmt)

    assert data == serializer_for(fmt).serialize(doc)  # same document, same bytes
    title, entries = read_back(data, fmt)
    assert title == "Blog"
    assert entries == [(e.title, e.id, e.link, list(e.categories)) for e in doc.entries]
    assert [e[0] for e in entries] == ["Newest & best", "Middle", "Older"]
    assert entries[1][3] == ["Notes", "Go", "python"]
