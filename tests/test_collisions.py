"""No feed ever replaces another: tags and categories get slugs of their own, a tag whose
file would be one of the site's files moves (with a warning), templates that could name
one file are config errors, and a plan in which two feeds share a file writes nothing.
Also the config checks that keep feedwright from writing over its own files."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import feedparser
import pytest
import yaml

import feedwright.index
from feedwright.cli import main
from feedwright.config import Config, config_from_mapping, load_config
from feedwright.config.values import STATE_FILES, TEMP_PREFIX
from feedwright.errors import ConfigError
from feedwright.index import build_index
from feedwright.index.slugs import Reserved, Slug
from feedwright.pipeline import build
from feedwright.publish import MANIFEST, TMP_PREFIX
from feedwright.scan import scan
from feedwright.state.snapshot import SNAPSHOT_FILE
from feedwright.state.sqlite import CACHE_FILE
from feedwright.state.status import STATUS_FILE
from feedwright.types import BuildReport, Severity

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SITE = {"title": "Blog", "url": "https://blog.example.org/", "timezone": "UTC"}
# Each of these spells a slug another one asks for: x-bda1bbe4 is its own slug, and
# "x" with a combining acute accent slugs to "x" plus the hash of its key, bda1bbe4.
HOSTILE_TAGS = ("x-bda1bbe4", "x-bda1bbe4-bda1bbe4", "x\u0301")


def blog(tmp_path: Path, posts: dict[str, list[str]], **extra: Any) -> Config:
    """A blog with one post per entry (file name -> its tags), each dated by its name."""
    folder = tmp_path / "posts"
    folder.mkdir(exist_ok=True)
    for name, tags in posts.items():
        front = yaml.safe_dump({"title": name.removesuffix(".md"), "tags": tags})
        (folder / name).write_text(f"---\n{front}---\nBody of {name}.\n", "utf-8")
    data: dict[str, Any] = {
        "site": SITE,
        "posts": str(folder),
        "output": str(tmp_path / "out"),
        "state": str(tmp_path / "state"),
        "formats": ["atom"],
        "archives": {"enabled": False},
        "discovery": {"index": False, "opml": False, "autodiscovery": False, "stylesheet": False},
        **extra,
    }
    return config_from_mapping(data)


def written(tmp_path: Path) -> dict[str, feedparser.FeedParserDict]:
    out = tmp_path / "out"
    if not out.is_dir():
        return {}
    return {
        p.relative_to(out).as_posix(): feedparser.parse(p.read_bytes())
        for p in sorted(out.rglob("*.xml"))
    }


def warnings(report: BuildReport, code: str) -> list[str]:
    return [d.message for d in report.diagnostics if d.code == code]


# 1. tag slugs are unique by construction


def test_tags_whose_slugs_collide_each_keep_their_own_feed(tmp_path: Path) -> None:
    posts = {f"2024-01-0{i + 1}-p{i}.md": [tag] for i, tag in enumerate(HOSTILE_TAGS)}
    report = build(blog(tmp_path, posts), now=NOW)
    assert not report.failed and report.errors == 0
    feeds = written(tmp_path)
    tag_feeds = {path: f for path, f in feeds.items() if path.startswith("tags/")}
    assert len(tag_feeds) == 3  # before: two tags shared one file and one feed was lost
    titles = sorted(f.feed.title for f in tag_feeds.values())
    assert titles == sorted(f"Blog: posts tagged {t}" for t in HOSTILE_TAGS)
    for feed in tag_feeds.values():  # each holds its own post, and only it
        tag = feed.feed.title.removeprefix("Blog: posts tagged ")
        post = HOSTILE_TAGS.index(tag)
        assert [e.title for e in feed.entries] == [f"2024-01-0{post + 1}-p{post}"]
    # the two tags whose names are safe file names keep them
    assert "tags/x-bda1bbe4.atom.xml" in tag_feeds
    assert "tags/x-bda1bbe4-bda1bbe4.atom.xml" in tag_feeds


def test_slugs_are_the_same_whatever_the_post_order_and_a_new_tag_moves_none(
    tmp_path: Path,
) -> None:
    config = blog(tmp_path, {})

    def slugs(tag_lists: list[list[str]]) -> dict[str, str]:
        folder = tmp_path / "posts"
        for old in folder.iterdir():
            old.unlink()
        for i, tags in enumerate(tag_lists):
            front = yaml.safe_dump({"title": f"p{i}", "tags": tags})
            (folder / f"2024-01-{i + 1:02d}-p{i}.md").write_text(f"---\n{front}---\nx\n")
        index = build_index(scan(config, NOW).posts, config)
        return {t.label: t.slug for t in index.tags}

    first = slugs([[t] for t in HOSTILE_TAGS])
    assert len(set(first.values())) == 3
    assert slugs([[t] for t in reversed(HOSTILE_TAGS)]) == first
    # a tag that takes the hashed slug of an existing one, and one that sorts first
    grown = slugs([[t] for t in HOSTILE_TAGS] + [["a\u0301"], ["x"], ["c++", "c#"]])
    assert {tag: grown[tag] for tag in first} == first
    assert len(set(grown.values())) == len(grown)


# 2. a tag never takes a file of the site's


@pytest.mark.parametrize(
    ("tag", "extra", "site_file", "site_title"),
    [
        ("atom", {"feeds": {"tags": {"atom": "{slug}.xml"}}}, "atom.xml", "Blog"),
        (
            "feed",
            {"formats": ["atom", "json"], "feeds": {"tags": {"json": "{slug}.json"}}},
            "feed.json",
            "Blog",
        ),
        (
            "2024",
            {"archives": {"path": "{year}.xml"}, "feeds": {"tags": {"atom": "{slug}.xml"}}},
            "2024.xml",
            "Blog: archive 2024",
        ),
    ],
)
def test_a_tag_that_would_overwrite_a_site_file_moves_with_a_warning(
    tmp_path: Path, tag: str, extra: dict[str, Any], site_file: str, site_title: str
) -> None:
    posts = {"2024-01-01-one.md": [tag], "2024-01-02-two.md": ["other"]}
    report = build(blog(tmp_path, posts, **extra), now=NOW)
    assert not report.failed and report.errors == 0
    out = tmp_path / "out"
    site = out / site_file
    if site_file.endswith(".json"):
        assert '"title": "Blog"' in site.read_text()
    else:
        feed = feedparser.parse(site.read_bytes())
        assert feed.feed.title == site_title
        assert len(feed.entries) == 2  # the whole site, not the one tagged post
    moved = warnings(report, "tag-slug-moved")
    assert len(moved) == 1
    assert repr(tag) in moved[0] and site_file in moved[0]
    tagged = [f for f in written(tmp_path).values() if f.feed.title == f"Blog: posts tagged {tag}"]
    assert len(tagged) == 1 and [e.title for e in tagged[0].entries] == ["2024-01-01-one"]


def test_a_moved_tag_keeps_its_slug_from_build_to_build(tmp_path: Path) -> None:
    extra = {"feeds": {"tags": {"atom": "{slug}.xml"}}}
    config = blog(tmp_path, {"2024-01-01-one.md": ["atom"]}, **extra)
    build(config, now=NOW)
    first = sorted(written(tmp_path))
    blog(tmp_path, {"2024-01-02-two.md": ["zeta", "atom"]}, **extra)
    report = build(config, now=NOW, full=True)
    assert not report.failed
    assert set(first) <= set(written(tmp_path))  # no feed changed its file


def test_tags_named_like_discovery_pages_leave_those_pages_alone(tmp_path: Path) -> None:
    tags = ["index", "feeds", "autodiscovery", "feed", "atom"]
    posts = {f"2024-01-0{i + 1}-p{i}.md": [t] for i, t in enumerate(tags)}
    extra = {
        "feeds": {"tags": {"atom": "{slug}.xml"}},
        "discovery": {"index": True, "opml": True, "autodiscovery": True, "stylesheet": True},
    }
    report = build(blog(tmp_path, posts, **extra), now=NOW)
    assert not report.failed and report.errors == 0
    out = tmp_path / "out"
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert len([c for c in report.changes if c.action == "write"]) == len(files)
    index = (out / "index.html").read_text()
    assert "Blog: feeds" in index and all(f">{t}<" in index for t in tags)
    assert (out / "feeds.opml").read_text().count('type="rss"') == 1 + len(tags)
    assert (out / "feed.css").read_text().startswith("/* feedwright")
    views = [f for f in files if f.endswith(".html") and f not in ("index.html",)]
    assert len(views) == 1 + len(tags) + 1  # a page per feed, and autodiscovery.html


# 2b. two feeds that would still share a file: the build writes nothing


def test_a_plan_where_two_feeds_share_a_file_fails_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def one_slug(keys: Any, reserved: Reserved) -> dict[str, Slug]:
        return {key: Slug("same", "same") for key in keys}

    monkeypatch.setattr(feedwright.index, "assign_slugs", one_slug)  # a broken index
    config = blog(tmp_path, {"2024-01-01-one.md": ["go"], "2024-01-02-two.md": ["rust"]})
    report = build(config, now=NOW)
    assert report.failed
    clash = [d for d in report.diagnostics if d.code == "output-clash"]
    assert len(clash) == 1 and clash[0].severity is Severity.ERROR
    message = clash[0].message
    assert "tag feed 'go'" in message and "tag feed 'rust'" in message
    assert "tags/same.atom.xml" in message
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file()]


# 2c. templates that can name one file are config errors naming both keys


@pytest.mark.parametrize(
    ("feeds", "formats", "keys"),
    [
        ({"site": {"rss": "atom.xml"}}, None, ("feeds.site.atom", "feeds.site.rss")),
        ({"site": {"json": "Atom.json", "atom": "atom.json"}}, ["atom", "json"], None),
        (
            {"tags": {"atom": "{slug}.xml"}, "categories": {"atom": "c-{slug}.xml"}},
            None,
            ("feeds.categories.atom", "feeds.tags.atom"),
        ),
        (
            {"tags": {"atom": "t/{slug}.xml", "rss": "t/{slug}-rss.xml"}},
            None,
            ("feeds.tags.atom", "feeds.tags.rss"),
        ),
    ],
)
def test_templates_that_can_name_one_file_are_refused_naming_both_keys(
    feeds: dict[str, Any], formats: list[str] | None, keys: tuple[str, str] | None
) -> None:
    data: dict[str, Any] = {"site": SITE, "feeds": feeds}
    if formats is not None:
        data["formats"] = formats
    with pytest.raises(ConfigError) as caught:
        config_from_mapping(data)
    text = str(caught.value)
    for key in keys or ("feeds.site.atom", "feeds.site.json"):
        assert key in text
    assert "one feed would replace the other" in text


def test_an_archive_template_that_can_name_a_site_feed_is_refused() -> None:
    feeds = {"site": {"atom": "feed-2024.xml"}}
    data = {"site": SITE, "archives": {"path": "feed-{year}.xml"}, "feeds": feeds}
    with pytest.raises(ConfigError, match=r"archives\.path and feeds\.site\.atom"):
        config_from_mapping(data)


def test_templates_of_formats_and_families_that_are_off_are_not_compared() -> None:
    config_from_mapping({"site": SITE, "formats": ["atom"], "feeds": {"site": {"rss": "atom.xml"}}})
    tags_off = {"tags": {"enabled": False, "atom": "{slug}.xml"}}
    config_from_mapping({"site": SITE, "feeds": {**tags_off, "categories": {"atom": "{slug}.xml"}}})


# 3. config validation


@pytest.mark.parametrize(
    ("data", "key", "says"),
    [
        ({"output": "feeds\x00x"}, "output", "control characters"),
        ({"state": "state\nx"}, "state", "control characters"),
        ({"feeds": {"site": {"atom": "at\x1bom.xml"}}}, "feeds.site.atom", "control characters"),
        ({"archives": {"path": "a/{year}\x00.xml"}}, "archives.path", "control characters"),
        (
            {"feeds": {"tags": {"atom": f"tags/{TMP_PREFIX}{{slug}}.xml"}}},
            "feeds.tags.atom",
            "temporary files",
        ),
        ({"feeds": {"site": {"atom": f"{TMP_PREFIX}x.xml"}}}, "feeds.site.atom", "temporary files"),
        ({"feeds": {"site": {"rss": "rss\x00.xml"}}}, "feeds.site.rss", "control characters"),
        ({"feeds": {"site": {"json": MANIFEST}}}, "feeds.site.json", "state folder"),
        ({"feeds": {"site": {"atom": "x/./atom.xml"}}}, "feeds.site.atom", "'x/atom.xml'"),
        ({"feeds": {"site": {"atom": "x\\atom.xml"}}}, "feeds.site.atom", "not '\\'"),
    ],
)
def test_config_refuses_unsafe_paths_naming_the_key(
    data: dict[str, Any], key: str, says: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"site": SITE, **data})
    assert f"{key}: " in str(caught.value) and says in str(caught.value)


def test_a_control_character_in_the_jekyll_folder_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"site": SITE, "jekyll": "site\x00"}))
    with pytest.raises(ConfigError, match="jekyll: must not contain control characters"):
        load_config(path)


def test_reserved_names_are_feedwrights_own() -> None:
    assert TEMP_PREFIX == TMP_PREFIX
    assert {MANIFEST, STATUS_FILE, SNAPSHOT_FILE, CACHE_FILE} <= STATE_FILES


@pytest.mark.parametrize("output", [".", ".."])
def test_an_output_folder_holding_the_config_file_is_refused(tmp_path: Path, output: str) -> None:
    folder = tmp_path / "blog"
    (folder / "posts").mkdir(parents=True)
    path = folder / "config.yaml"
    data = {"site": SITE, "posts": "posts", "output": output, "state": str(tmp_path / "state")}
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "holds this config file" in str(caught.value)
    assert "output: feeds" in str(caught.value)  # the fix


def test_the_cli_names_both_keys_and_writes_nothing(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "2024-01-01-one.md").write_text("---\ntitle: One\n---\nx\n")
    config = tmp_path / "config.yaml"
    data = {
        "site": SITE,
        "posts": "posts",
        "output": "out",
        "state": "state",
        "feeds": {"site": {"atom": "feed.xml", "rss": "feed.xml"}},
    }
    config.write_text(yaml.safe_dump(data))
    out, err = io.StringIO(), io.StringIO()
    code = main(["build", "-c", str(config)], out=out, err=err)
    assert code == 2
    assert "feeds.site.atom and feeds.site.rss are both 'feed.xml'" in err.getvalue()
    assert str(config) in err.getvalue()
    assert not (tmp_path / "out").exists()


def test_a_category_named_like_the_site_feed_moves_too(tmp_path: Path) -> None:
    config = blog(tmp_path, {}, feeds={"categories": {"atom": "{slug}.xml"}})
    (tmp_path / "posts" / "2024-01-01-one.md").write_text("---\ncategories: [Atom]\n---\nx\n")
    report = build(config, now=NOW)
    moved = warnings(report, "category-slug-moved")
    assert len(moved) == 1 and "'Atom' would write atom.xml" in moved[0]
    feeds = written(tmp_path)
    assert feeds["atom.xml"].feed.title == "Blog"
    assert [f.feed.title for p, f in feeds.items() if p != "atom.xml"] == ["Blog: Atom"]


def test_the_cli_builds_a_blog_with_a_tag_named_atom_and_warns(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "2024-01-01-one.md").write_text("---\ntitle: One\ntags: [atom]\n---\nx\n")
    (posts / "2024-01-02-two.md").write_text("---\ntitle: Two\n---\nx\n")
    config = tmp_path / "config.yaml"
    data = {
        "site": SITE,
        "posts": "posts",
        "output": "out",
        "state": "state",
        "feeds": {"tags": {"atom": "{slug}.xml"}},
    }
    config.write_text(yaml.safe_dump(data))
    out, err = io.StringIO(), io.StringIO()
    code = main(["build", "-c", str(config), "--now", "2026-01-01T00:00:00Z"], out=out, err=err)
    assert code == 0, err.getvalue()
    assert "tag 'atom' would write atom.xml (feeds.tags.atom)" in err.getvalue()
    site = feedparser.parse((tmp_path / "out" / "atom.xml").read_bytes())
    assert [e.title for e in site.entries] == ["Two", "One"]
    assert main(["build", "-c", str(config), "--strict"], out=out, err=err) == 3  # a warning
