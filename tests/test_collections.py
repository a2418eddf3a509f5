"""Collections: folders of documents besides the posts (``collections:``), each with a feed
family of its own; in Jekyll mode the site's collections with ``output: true``. Built by
the CLI and read back with feedparser, jing and the W3C validator."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import feedparser
import pytest
import yaml

from conftest import FIXED_NOW, check_feeds, check_json_feed, cli, unavailable, write_config
from feedwright.config import load_config
from feedwright.errors import ConfigError
from feedwright.scan.permalink import post_destination

POSTS = {
    "2024-01-10-hello.md": "---\ntitle: Hello\ntags: [news]\n---\nHello body.\n",
    "2024-03-10-second.md": "---\ntitle: Second\ntags: [news]\n---\nSecond body.\n",
}
DOCS = {
    "v1.0.md": "---\ntitle: Version 1.0\ndate: 2024-02-01 10:00:00\ntags: [news]\n---\nOne.\n",
    "2024-04-01-v1.1.md": "---\ntitle: Version 1.1\n---\nOne point one.\n",
    "v2.0.md": "---\ntitle: Version 2.0\ndate: 2024-05-01\npublished: false\n---\nNot yet.\n",
    "v3.0.md": "---\ntitle: Version 3.0\ndate: 2027-01-01\n---\nFuture.\n",
    "notes.md": "---\ntitle: Undated notes\n---\nNo date anywhere.\n",
}
COLLECTION = "collections/releases"


def blog(tmp_path: Path, collection: dict[str, Any] | None = None, **extra: Any) -> Path:
    posts = tmp_path / "posts"
    posts.mkdir(exist_ok=True)
    for name, text in POSTS.items():
        (posts / name).write_text(text, "utf-8")
    docs = tmp_path / "releases"
    docs.mkdir(exist_ok=True)
    for name, text in DOCS.items():
        (docs / name).write_text(text, "utf-8")
    spec = {"folder": "releases", "permalink": "/releases/:title/", "title": "Releases"}
    spec.update(collection or {})
    options: dict[str, Any] = {
        "collections": {"releases": spec},
        "formats": ["atom", "rss", "json"],
        "archives": {"enabled": True},
        "discovery": {"index": True, "opml": True, "autodiscovery": True, "stylesheet": False},
    }
    options.update(extra)
    return write_config(tmp_path, posts, **options)


def build(config: Path, *extra: str) -> tuple[Path, str]:
    result = cli("build", "-c", config, "--now", FIXED_NOW, *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return config.parent / "out", result.stdout + result.stderr


def entries(path: Path) -> dict[str, str]:
    """Title -> id of each entry of an Atom, RSS or JSON feed."""
    if path.suffix == ".json":
        return {i["title"]: i["id"] for i in json.loads(path.read_bytes())["items"]}
    doc = feedparser.parse(path.read_bytes())
    assert not doc.bozo, doc.get("bozo_exception")
    return {e.title: e.id for e in doc.entries}


def outputs(out: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(p.relative_to(out)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def test_a_plain_folder_gets_a_feed_family_of_its_own(tmp_path: Path) -> None:
    out, log = build(blog(tmp_path))
    files = [out / f"{COLLECTION}{suffix}" for suffix in (".atom.xml", ".rss.xml", ".json")]
    for path in files:
        assert list(entries(path)) == ["Version 1.1", "Version 1.0"], path
    atom = feedparser.parse(files[0].read_bytes())
    assert atom.feed.title == "Releases"
    links = {e.title: e.link for e in atom.entries}
    assert links == {
        "Version 1.1": "https://blog.example.org/releases/v1.1/",  # the date left the slug
        "Version 1.0": "https://blog.example.org/releases/v1.0/",
    }
    # Not in the site feed, its archives or the tag feeds (site_feed is false by default).
    assert list(entries(out / "atom.xml")) == ["Second", "Hello"]
    assert list(entries(out / "tags/news.atom.xml")) == ["Second", "Hello"]
    assert "Version" not in (out / "archive/2024.atom.xml").read_text("utf-8")
    # Listed where readers look for feeds.
    for page in ("index.html", "feeds.opml", "autodiscovery.html"):
        assert f"{COLLECTION}.atom.xml" in (out / page).read_text("utf-8"), page
    # The document without a date is left out, with a warning that names it and says why.
    assert "releases/notes.md" in log and "add date:" in log
    check_feeds(files[:2])
    check_json_feed(files[2])


def test_unpublished_and_future_documents_follow_the_posts_rules(tmp_path: Path) -> None:
    out, _ = build(blog(tmp_path))
    assert "Version 2.0" not in entries(out / f"{COLLECTION}.atom.xml")  # published: false
    assert "Version 3.0" not in entries(out / f"{COLLECTION}.atom.xml")  # dated 2027
    out, _ = build(blog(tmp_path, unpublished=True, future=True))
    assert {"Version 2.0", "Version 3.0"} <= set(entries(out / f"{COLLECTION}.atom.xml"))


def test_site_feed_true_makes_documents_posts_and_keeps_their_ids(tmp_path: Path) -> None:
    out, _ = build(blog(tmp_path))
    before = entries(out / f"{COLLECTION}.atom.xml")
    out, _ = build(blog(tmp_path, {"site_feed": True}))
    site = entries(out / "atom.xml")
    assert list(site) == ["Version 1.1", "Second", "Version 1.0", "Hello"]
    assert "Version 1.0" in entries(out / "tags/news.atom.xml")
    assert "Version 1.0" in (out / "archive/2024.atom.xml").read_text("utf-8")
    # One id per document, whichever feed holds it, whether or not it is in the site feed.
    assert entries(out / f"{COLLECTION}.atom.xml") == before
    assert {t: site[t] for t in before} == before
    check_feeds([out / "atom.xml", out / f"{COLLECTION}.atom.xml", out / f"{COLLECTION}.rss.xml"])


def test_tag_ids_keep_the_document_ids_across_a_site_feed_flip(tmp_path: Path) -> None:
    extra = {"ids": {"scheme": "tag", "authority": "example.org", "date": "2020-01-01"}}
    out, _ = build(blog(tmp_path, **extra))
    before = entries(out / f"{COLLECTION}.atom.xml")
    assert all(i.startswith("tag:example.org,2020-01-01:") for i in before.values())
    out, _ = build(blog(tmp_path, {"site_feed": True}, **extra))
    assert entries(out / f"{COLLECTION}.atom.xml") == before
    assert entries(out / "atom.xml")["Version 1.0"] == before["Version 1.0"]


@pytest.mark.parametrize("site_feed", [False, True])
def test_an_unchanged_rebuild_writes_nothing_and_an_edit_only_its_families(
    tmp_path: Path, site_feed: bool, racy_window: Any
) -> None:
    config = blog(tmp_path, {"site_feed": site_feed})
    out, _ = build(config)
    racy_window()
    first = outputs(out)
    build(config)
    assert outputs(out) == first  # not one file rewritten
    doc = tmp_path / "releases" / "v1.0.md"
    doc.write_text(doc.read_text("utf-8").replace("One.", "One, now with notes."), "utf-8")
    build(config)
    after = outputs(out)
    changed = {path for path in first if after[path] != first[path]}
    assert f"{COLLECTION}.atom.xml" in changed and f"{COLLECTION}.json" in changed
    assert ("atom.xml" in changed) is site_feed
    assert ("tags/news.atom.xml" in changed) is site_feed
    # The quick build wrote what a full build writes.
    full = tmp_path / "full"
    result = cli(
        "build", "-c", config, "--now", FIXED_NOW, "--full", "--output", full,
        "--state", tmp_path / "full-state",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert {p: b for p, (_, b) in outputs(full).items()} == {p: b for p, (_, b) in after.items()}


def test_a_new_document_and_a_deleted_one_quick_equals_full(
    tmp_path: Path, racy_window: Any
) -> None:
    config = blog(tmp_path, {"site_feed": True})
    out, _ = build(config)
    racy_window()
    (tmp_path / "releases" / "v1.2.md").write_text(
        "---\ntitle: Version 1.2\ndate: 2024-06-01\n---\nOne point two.\n", "utf-8"
    )
    (tmp_path / "releases" / "2024-04-01-v1.1.md").unlink()
    build(config)
    assert list(entries(out / f"{COLLECTION}.atom.xml")) == ["Version 1.2", "Version 1.0"]
    full = tmp_path / "full"
    result = cli("build", "-c", config, "--now", FIXED_NOW, "--full", "--output", full,
                 "--state", tmp_path / "full-state")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert {p: b for p, (_, b) in outputs(full).items()} == {
        p: b for p, (_, b) in outputs(out).items()
    }


def test_paths_and_formats_of_a_collection_feed(tmp_path: Path) -> None:
    out, _ = build(blog(tmp_path, {"formats": ["atom"], "path": "notes/releases"}))
    assert (out / "notes/releases.atom.xml").is_file()
    assert not (out / "notes/releases.rss.xml").exists()
    assert not (out / "collections").exists()


def _config_error(tmp_path: Path, collections: dict[str, Any], **extra: Any) -> str:
    config = write_config(tmp_path, tmp_path / "posts", collections=collections, **extra)
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    return str(caught.value)


def test_config_mistakes_are_named(tmp_path: Path) -> None:
    typo = _config_error(tmp_path, {"releases": {"site_fed": True}})
    assert "site_fed" in typo and "did you mean 'site_feed'" in typo
    assert "lowercase" in _config_error(tmp_path, {"Releases!": {}})
    posts = _config_error(tmp_path, {"posts": {}})
    assert "collections.posts" in posts and "name another collection" in posts
    clash = _config_error(
        tmp_path,
        {"releases": {"path": "custom/releases"}},
        feeds={"custom": {"releases": {"any_tags": ["x"]}}},
    )
    assert "collections.releases.atom" in clash and "feeds.custom.releases.atom" in clash


def test_a_collection_folder_defaults_to_its_name_beside_the_config(tmp_path: Path) -> None:
    config = write_config(tmp_path, tmp_path / "posts", collections={"releases": {}})
    assert load_config(config).collections["releases"].folder == tmp_path / "releases"
    for folder in ("posts/releases", "out", "."):
        inside = _config_error(tmp_path, {"releases": {"folder": str(tmp_path / folder)}})
        assert "overlaps" in inside, folder


def test_collection_folders_inside_one_another_are_refused(tmp_path: Path) -> None:
    # a file of talks/short would be read twice, once as each collection's document
    nested = _config_error(
        tmp_path,
        {
            "talks": {"folder": str(tmp_path / "talks")},
            "short": {"folder": str(tmp_path / "talks/short")},
        },
    )
    assert "collections.short.folder" in nested and "overlaps collections.talks.folder" in nested


# -- Jekyll mode ---------------------------------------------------------------------------
SITE_CONFIG = {
    "title": "Site",
    "url": "https://site.example.org",
    "timezone": "UTC",
    "collections_dir": "docs",
    "collections": {
        "releases": {"output": True},
        "guides": {"output": True, "permalink": "/guide/:year/:title/"},
        "private": {"output": False},
    },
}


def jekyll_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_posts" / "2024-01-10-hello.md").write_text("---\ntitle: Hello\n---\nHi.\n", "utf-8")
    for name in ("releases", "guides", "private"):
        (site / "docs" / f"_{name}").mkdir(parents=True)
    for name, text in DOCS.items():
        (site / "docs" / "_releases" / name).write_text(text, "utf-8")
    (site / "docs" / "_releases" / "Sub Dir").mkdir()
    (site / "docs" / "_releases" / "Sub Dir" / "Notes Ünï.md").write_text(
        "---\ntitle: Nested\ndate: 2024-02-02\n---\nNested.\n", "utf-8"
    )
    (site / "docs" / "_guides" / "2023-05-06-Install Guide.md").write_text(
        "---\ntitle: Install\n---\nInstall it.\n", "utf-8"
    )
    (site / "_config.yml").write_text(yaml.safe_dump(SITE_CONFIG), "utf-8")
    return site


def jekyll_config(tmp_path: Path, collections: dict[str, Any]) -> Path:
    config = tmp_path / "config.yaml"
    data = {
        "jekyll": "site",
        "output": "out",
        "state": "state",
        "feeds_url": "https://site.example.org/feeds/",
        "formats": ["atom", "rss"],
        "collections": collections,
    }
    config.write_text(yaml.safe_dump(data), "utf-8")
    return config


def test_jekyll_collections_get_feeds_at_the_urls_jekyll_writes(tmp_path: Path) -> None:
    site = jekyll_site(tmp_path)
    config = jekyll_config(tmp_path, {"releases": {}, "guides": {"site_feed": True}})
    out, _ = build(config)
    releases = feedparser.parse((out / f"{COLLECTION}.atom.xml").read_bytes())
    guides = feedparser.parse((out / "collections/guides.atom.xml").read_bytes())
    links = {e.title: e.link for e in [*releases.entries, *guides.entries]}
    assert links == {
        "Version 1.1": "https://site.example.org/releases/2024-04-01-v1.1.html",
        "Version 1.0": "https://site.example.org/releases/v1.0.html",
        "Nested": "https://site.example.org/releases/Sub%20Dir/Notes%20%C3%9Cn%C3%AF.html",
        "Install": "https://site.example.org/guide/2023/Install-Guide/",
    }
    assert "Install" in entries(out / "atom.xml") and "Version 1.0" not in entries(out / "atom.xml")
    check_feeds([out / f"{COLLECTION}.atom.xml", out / "collections/guides.rss.xml"])
    if shutil.which("jekyll") is None:
        unavailable("jekyll is not installed (apt-get install jekyll)")
    built = tmp_path / "jekyll-site"
    done = subprocess.run(
        ["jekyll", "build", "--quiet", "--source", str(site), "--destination", str(built)],
        capture_output=True,
        text=True,
        env={"TZ": "UTC", "LC_ALL": "C.UTF-8", "PATH": "/usr/local/bin:/usr/bin:/bin"},
        timeout=300,
    )
    if done.returncode != 0:
        unavailable(f"jekyll build failed: {done.stderr[-2000:]}")
    root = "https://site.example.org"
    for title, link in links.items():
        page = built / post_destination(link.removeprefix(root), ".html")
        assert page.is_file(), f"{title}: Jekyll wrote no {page.relative_to(built)}"
    # Jekyll writes exactly these documents of the collections (and the undated one,
    # which it dates at each build and feedwright leaves out), no unpublished or future one.
    written = {str(p.relative_to(built)) for p in (built / "releases").rglob("*.html")}
    assert written == {
        "releases/2024-04-01-v1.1.html",
        "releases/v1.0.html",
        "releases/Sub Dir/Notes Ünï.html",
        "releases/notes.html",
    }
    assert not (built / "private").exists()


def test_jekyll_mode_refuses_a_collection_jekyll_does_not_write(tmp_path: Path) -> None:
    jekyll_site(tmp_path)
    for collections, expected in (
        ({"private": {}}, "has no output: true"),
        ({"relases": {}}, "did you mean 'releases'"),
        ({"releases": {"folder": "docs/_releases"}}, "come from _config.yml"),
    ):
        with pytest.raises(ConfigError) as caught:
            load_config(jekyll_config(tmp_path, collections))
        assert expected in str(caught.value), str(caught.value)
