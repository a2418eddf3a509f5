"""Feeds composed in the config: the site feed's filters, named custom feeds chosen by a
query, one feed per author and one per language. Built by the CLI and read back with
feedparser, lxml, jing and the W3C validator."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import lxml.html
import pytest
from lxml import etree

from conftest import FIXED_NOW, check_feeds, cli, need_corpus, write_config
from feedwright.config import ContentMode, FeedFormat, config_from_mapping
from feedwright.errors import ConfigError
from feedwright.feeds import FeedPlan, output_clashes

ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = "https://blog.example.org/feeds/"

POSTS = {
    "2024-01-10-go-release.md": "---\ntitle: Go 1.0 released\ntags: [Release, Go]\n"
    "category: news\nauthor: jdoe\n---\nGo body.\n",
    "2024-02-10-security-fix.md": "---\ntitle: Security fix\ntags: [SECURITY, k8s]\n"
    "category: news\nauthor: Priya Raman\n---\nFix body.\n",
    "2024-03-10-weekly-1.md": "---\ntitle: Weekly 1\ntags: [release, Weekly_Digest]\n"
    "category: weekly\nauthor: jdoe\n---\nWeekly body.\n",
    "2024-04-10-hallo.md": "---\ntitle: Hallo Welt\ntags: [community]\nlang: de_DE\n"
    "author: [jdoe, Priya Raman]\n---\nDeutscher Text.\n",
    "2025-05-10-plain.md": "---\ntitle: Plain post\ntags: [kubernetes]\n---\nPlain body.\n",
}


def blog(tmp_path: Path, feeds: dict[str, Any], **extra: Any) -> Path:
    posts = tmp_path / "posts"
    posts.mkdir(parents=True, exist_ok=True)
    for name, text in POSTS.items():
        (posts / name).write_text(text, encoding="utf-8")
    options: dict[str, Any] = {
        "feeds": feeds,
        "tags": {"aliases": {"k8s": "kubernetes"}},
        "authors": {"jdoe": {"name": "Jordan Doe"}},
        "archives": {"enabled": True},
        "formats": ["atom", "rss", "json"],
        "discovery": {"index": True, "opml": True, "autodiscovery": True, "stylesheet": True},
    }
    options.update(extra)
    return write_config(tmp_path, posts, **options)


def build(config: Path, *extra: str) -> Path:
    result = cli("build", "-c", config, "--now", FIXED_NOW, *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return config.parent / "out"


def titles(path: Path) -> list[str]:
    return [e.title for e in feedparser.parse(path.read_bytes()).entries]


def ids(path: Path) -> dict[str, str]:
    return {e.title: e.id for e in feedparser.parse(path.read_bytes()).entries}


RELEASES = {
    "title": "Releases and security",
    "any_tags": ["release", "security"],
    "exclude_categories": ["weekly"],
}


def test_the_site_feed_leaves_out_what_it_excludes_and_ids_stay(tmp_path: Path) -> None:
    plain = build(blog(tmp_path / "a", {}))
    filtered = build(
        blog(tmp_path / "b", {"site": {"exclude_categories": ["Weekly"], "exclude_tags": ["K8S"]}})
    )
    # the weekly post (category) and the posts tagged k8s or kubernetes (k8s is an alias
    # of kubernetes) are left out
    assert titles(filtered / "atom.xml") == ["Hallo Welt", "Go 1.0 released"]
    assert "Security fix" not in titles(filtered / "rss.xml")
    # ... of the archives too, which are the site feed's history
    assert titles(filtered / "archive/2024.atom.xml") == ["Hallo Welt", "Go 1.0 released"]
    # ... but not of their own feeds, and every entry keeps its id
    assert "Weekly 1" in titles(filtered / "categories/weekly.atom.xml")
    assert ids(filtered / "tags/release.atom.xml") == ids(plain / "tags/release.atom.xml")
    kept = ids(filtered / "atom.xml")
    assert kept == {t: i for t, i in ids(plain / "atom.xml").items() if t in kept}


def test_a_custom_feed_holds_what_its_query_matches(tmp_path: Path) -> None:
    config = blog(
        tmp_path,
        {
            "custom": {
                "releases-and-security": RELEASES,
                "kube": {"all_tags": ["Kubernetes"], "formats": ["atom"], "limit": 1},
                "by-priya": {"authors": ["priya raman"], "path": "people/priya"},
                "jordan-in-german": {"authors": ["JDOE"], "languages": ["de-de"]},
                "news": {"categories": ["NEWS"], "exclude_tags": ["security"], "json": "n.json"},
            }
        },
    )
    out = build(config)
    custom = out / "custom"
    # tags match as tag feeds group them: case, '_' and aliases (k8s is kubernetes)
    assert titles(custom / "releases-and-security.atom.xml") == [
        "Security fix",
        "Go 1.0 released",
    ]
    assert titles(custom / "kube.atom.xml") == ["Plain post"]  # limit 1 of 2
    assert not (custom / "kube.rss.xml").exists() and not (custom / "kube.json").exists()
    assert titles(out / "people/priya.rss.xml") == ["Hallo Welt", "Security fix"]
    assert titles(custom / "jordan-in-german.atom.xml") == ["Hallo Welt"]
    assert titles(custom / "news.atom.xml") == ["Go 1.0 released"]
    assert json.loads((out / "n.json").read_text())["items"][0]["title"] == "Go 1.0 released"
    head = feedparser.parse((custom / "releases-and-security.atom.xml").read_bytes()).feed
    assert head.title == "Releases and security"
    assert head.links[0].href == FEEDS + "custom/releases-and-security.atom.xml"
    assert (
        ids(custom / "news.atom.xml")["Go 1.0 released"] == ids(out / "atom.xml")["Go 1.0 released"]
    )
    check_feeds(sorted(p for p in out.rglob("*") if p.suffix in (".xml", ".json")))


def test_composed_feeds_are_listed_for_people_and_readers(tmp_path: Path) -> None:
    feeds = {"authors": {"enabled": True}, "languages": {"enabled": True}}
    feeds["custom"] = {"releases-and-security": RELEASES}
    families = ["site", "custom", "author"]
    out = build(blog(tmp_path, feeds, discovery={"autodiscovery_families": families}))
    opml = etree.parse(str(out / "feeds.opml"))
    urls = {o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")}
    for path in (
        "custom/releases-and-security.atom.xml",
        "authors/jdoe.atom.xml",
        "authors/priya-raman.atom.xml",
        "authors/test-author.atom.xml",  # site.author, for the post that names none
        "languages/de-de.atom.xml",
        "languages/en.atom.xml",
    ):
        assert FEEDS + path in urls, path
    page = lxml.html.parse(str(out / "index.html")).getroot()
    sections = [h.text_content() for h in page.iter("h2")]
    assert sections[:2] == ["The whole site", "Selected feeds"]
    assert {"By author", "By language"} <= set(sections)
    links = {a.get("href") for a in page.iter("a")}
    assert "custom/releases-and-security.rss.xml" in links
    snippet = (out / "autodiscovery.html").read_text()
    assert "custom/releases-and-security.atom.xml" in snippet
    assert "authors/jdoe.json" in snippet and "languages/" not in snippet
    # per author: by handle (display name as label) and by name; per language
    assert titles(out / "authors/jdoe.atom.xml") == ["Hallo Welt", "Weekly 1", "Go 1.0 released"]
    jdoe = feedparser.parse((out / "authors/jdoe.atom.xml").read_bytes()).feed
    assert jdoe.title == "Test Blog: posts by Jordan Doe"
    german = etree.parse(str(out / "languages/de-de.atom.xml")).getroot()
    assert german.get("{http://www.w3.org/XML/1998/namespace}lang") == "de-DE"
    assert [e.findtext(f"{ATOM}title") for e in german.iter(f"{ATOM}entry")] == ["Hallo Welt"]
    assert len(titles(out / "languages/en.atom.xml")) == 4
    check_feeds(sorted(p for p in out.rglob("*") if p.suffix in (".xml", ".json")))


def test_check_names_what_a_query_gets_wrong(tmp_path: Path) -> None:
    feeds = {
        "site": {"exclude_categories": ["weekyl"]},
        "custom": {
            "typos": {"any_tags": ["relase"], "authors": ["Priya Ramen"]},
            "nothing": {"all_tags": ["release", "community"]},
        },
    }
    result = cli("check", "-c", blog(tmp_path, feeds), "--format", "json", "--now", FIXED_NOW)
    found = [
        (f["code"], f["message"])
        for f in json.loads(result.stdout)["findings"]
        if f["severity"] == "warning"
    ]
    assert (
        "unknown-query-name",
        "feeds.site.exclude_categories: no post has the category 'weekyl' (did you mean 'weekly'?)",
    ) in found
    assert (
        "unknown-query-name",
        "feeds.custom.typos.any_tags: no post has the tag 'relase' (did you mean 'Release'?)",
    ) in found
    assert any("'Priya Ramen' (did you mean 'Priya Raman'?)" in m for _, m in found)
    empty = [m for code, m in found if code == "custom-feed-empty"]
    assert empty == [
        "custom feed 'nothing' matches no post; its feeds have no entry",
        "custom feed 'typos' matches no post; its feeds have no entry",
    ]
    assert result.returncode == 0
    strict = cli("check", "-c", blog(tmp_path, feeds), "--strict", "--now", FIXED_NOW)
    assert strict.returncode == 3


def test_a_bad_lang_is_reported_once_and_has_the_sites_language(tmp_path: Path) -> None:
    config = blog(tmp_path, {"languages": {"enabled": True}})
    (tmp_path / "posts/2024-06-01-odd.md").write_text("---\ntitle: Odd\nlang: not a tag\n---\nx\n")
    result = cli("build", "-c", config, "--now", FIXED_NOW)
    said = [line for line in result.stderr.splitlines() if "is not a language tag" in line]
    assert len(said) == 1 and said[0].startswith("2024-06-01-odd.md:3: warning: lang: 'not a tag'")
    assert "the entry has the site's language" in said[0]
    # as the warning says: in the site language's feed, and in no feed of its own
    assert "Odd" in titles(tmp_path / "out/languages/en.atom.xml")
    assert sorted(p.name for p in (tmp_path / "out/languages").glob("*.atom.xml")) == [
        "de-de.atom.xml",
        "en.atom.xml",
    ]


BASE = {"site": {"title": "B", "url": "https://b.example.org/"}}


@pytest.mark.parametrize(
    ("feeds", "message"),
    [
        ({"custom": {"Releases": {}}}, "custom feed name 'Releases'"),
        ({"custom": {"r": {"path": "r.atom.xml"}}}, "without a suffix"),
        ({"custom": {"r": {"path": "../r"}}}, "inside the output folder"),
        ({"custom": {"r": {"any_tag": ["x"]}}}, "did you mean 'any_tags'"),
        ({"custom": {"r": {"atom": "atom.xml"}}}, "feeds.site.atom"),
        ({"custom": {"a": {}, "b": {"path": "custom/a"}}}, "feeds.custom.a.atom"),
        ({"authors": {"enabled": True, "atom": "tags/{slug}.atom.xml"}}, "feeds.authors.atom"),
    ],
)
def test_bad_composed_feeds_are_config_errors(feeds: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({**BASE, "feeds": feeds})
    assert message in str(caught.value)


def test_a_tag_whose_file_is_a_custom_feed_gets_another_slug(tmp_path: Path) -> None:
    config = blog(tmp_path, {"custom": {"x": {"path": "tags/go", "any_tags": ["community"]}}})
    result = cli("build", "-c", config, "--now", FIXED_NOW)
    assert "the custom feed 'x'" in result.stderr
    out = tmp_path / "out"
    assert titles(out / "tags/go.atom.xml") == ["Hallo Welt"]  # the custom feed
    moved = [p for p in (out / "tags").glob("go-*.atom.xml")]
    assert len(moved) == 1 and titles(moved[0]) == ["Go 1.0 released"]


def test_output_clashes_name_composed_feeds() -> None:
    def plan(family: str, key: str, path: str) -> FeedPlan:
        paths = {FeedFormat.ATOM: path}
        return FeedPlan(family, key, key, "", paths, (), ContentMode.FULL, label=key)

    found = output_clashes(
        [plan("custom", "x", "a/b.atom.xml"), plan("author", "b", "A/B.atom.xml")]
    )
    assert len(found) == 1
    assert "the custom feed 'x' (atom) and the author feed 'b' (atom)" in found[0].message


def test_quick_rebuild_of_composed_feeds_equals_a_full_build(
    tmp_path: Path, racy_window: Callable[[], None]
) -> None:
    feeds = {"authors": {"enabled": True}, "languages": {"enabled": True}}
    feeds |= {"site": {"exclude_tags": ["weekly digest"]}, "custom": {"r": RELEASES}}
    config = blog(tmp_path, feeds)
    build(config)
    racy_window()
    build(config)
    target = tmp_path / "posts/2024-02-10-security-fix.md"
    target.write_text(target.read_text() + "\nA second paragraph.\n")
    racy_window()
    quick = cli("build", "-c", config, "-v", "--now", FIXED_NOW)
    assert "quick rebuild" in quick.stdout, quick.stdout
    full = cli(
        "build",
        "-c",
        config,
        "--full",
        "--output",
        tmp_path / "full",
        "--state",
        tmp_path / "full-state",
        "--now",
        FIXED_NOW,
    )
    assert full.returncode == 0, full.stderr
    built, reference = tmp_path / "out", tmp_path / "full"
    files = sorted(p.relative_to(reference) for p in reference.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(built) for p in built.rglob("*") if p.is_file())
    for rel in files:
        assert (built / rel).read_bytes() == (reference / rel).read_bytes(), rel
    assert b"A second paragraph." in (built / "custom/r.atom.xml").read_bytes()


def test_a_removed_custom_feed_ends_like_a_retired_tag_feed(tmp_path: Path) -> None:
    config = blog(tmp_path, {"custom": {"r": RELEASES}})
    build(config)
    build(blog(tmp_path, {}))
    ended = feedparser.parse((tmp_path / "out/custom/r.atom.xml").read_bytes())
    assert ended.feed.title == "Releases and security"
    assert [e.title for e in ended.entries] == ["This feed has ended"]


def test_a_custom_feed_over_the_kubevirt_blog(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    shutil.copytree(need_corpus(), posts)
    custom = {"releases": {"any_tags": ["Release Notes", "release"]}}
    config = write_config(tmp_path, posts, feeds={"custom": custom})
    result = cli("build", "-c", config, "--now", FIXED_NOW)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    doc = feedparser.parse((out / "custom/releases.atom.xml").read_bytes())
    assert len(doc.entries) == 20  # the limit: the blog has more release posts
    for entry in doc.entries:
        assert {t.term.lower() for t in entry.tags} & {"release notes", "release"}, entry.title
    check_feeds([out / "custom/releases.atom.xml", out / "custom/releases.rss.xml"])
    report = cli("check", "-c", config, "--format", "json", "--now", FIXED_NOW)
    codes = {f["code"] for f in json.loads(report.stdout)["findings"]}
    assert not codes & {"unknown-query-name", "custom-feed-empty"}


def test_the_kubevirt_site_feed_leaves_out_what_its_filters_name(tmp_path: Path) -> None:
    """The real kubevirt.io blog with its weekly updates (a category) and its lab posts (a
    tag) left out of the site feed: they are missing from it and its archives, and still
    in their own category and tag feeds."""
    posts = tmp_path / "posts"
    shutil.copytree(need_corpus(), posts)
    config = write_config(
        tmp_path,
        posts,
        limit=1000,  # every post, so that what is missing was filtered, not cut
        archives={"enabled": True},
        feeds={
            "site": {"exclude_categories": ["Updates"], "exclude_tags": ["lab"]},
            "custom": {"everything": {}},  # no query: every post
        },
    )
    result = cli("build", "-c", config, "--now", FIXED_NOW)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"

    def ids(name: str) -> set[str]:
        doc = feedparser.parse((out / name).read_bytes())
        assert not doc.bozo, name
        return {e.id for e in doc.entries}

    site = ids("atom.xml")
    updates = ids("categories/updates.atom.xml")  # "This Week in KubeVirt"
    lab = ids("tags/lab.atom.xml")
    assert len(updates) >= 20 and len(lab) >= 3
    assert not site & updates and not site & lab
    assert site == ids("custom/everything.atom.xml") - updates - lab
    years = [ids(f"archive/{path.name}") for path in (out / "archive").glob("*.xml")]
    assert set().union(*years) == site  # the archives are the site feed's history
    check_feeds([out / "atom.xml", out / "categories/updates.atom.xml", out / "tags/lab.atom.xml"])
