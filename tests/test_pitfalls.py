"""What other feed publishers get wrong, pinned: authors that differ between formats, a
limit that cuts archives, and dates taken from file times (which a checkout changes)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import feedparser

from conftest import FIXED_NOW, check_feeds, cli, write_config

POST = """---
title: {title}
{authors}
tags: [{tag}]
---
Body of {title}.
"""


def blog(tmp_path: Path, count: int = 6) -> Path:
    posts = tmp_path / "posts"
    posts.mkdir()
    names = ["author: Alan Turing", "authors: [Ada Lovelace, Grace Hopper]", ""]
    for n in range(count):
        text = POST.format(title=f"Post {n}", authors=names[n % 3], tag="odd" if n % 2 else "even")
        year = 2023 if n < 2 else 2024
        (posts / f"{year}-0{n % 9 + 1}-1{n}-post-{n}.md").write_text(text, "utf-8")
    return posts


def test_atom_rss_and_json_feed_carry_the_same_authors(tmp_path: Path) -> None:
    posts = blog(tmp_path)
    config = write_config(tmp_path, posts, formats=["atom", "rss", "json"])
    assert cli("build", "-c", config, "--now", FIXED_NOW).returncode == 0
    out = tmp_path / "out"
    check_feeds([out / "atom.xml", out / "rss.xml"])
    atom = {
        e.title: [a.name for a in e.authors] for e in feedparser.parse(out / "atom.xml").entries
    }
    # feedparser keeps only the first dc:creator; read them all from the XML
    from lxml import etree

    dc = "{http://purl.org/dc/elements/1.1/}creator"
    rss = {
        str(item.findtext("title")): [c.text for c in item.iter(dc)]
        for item in etree.parse(out / "rss.xml").iter("item")
    }
    document = json.loads((out / "feed.json").read_text("utf-8"))
    jsonfeed = {i["title"]: [a["name"] for a in i.get("authors", [])] for i in document["items"]}
    assert atom == rss == jsonfeed
    assert atom["Post 1"] == ["Ada Lovelace", "Grace Hopper"]
    assert atom["Post 0"] == ["Alan Turing"]
    assert atom["Post 2"] == ["Test Author"]  # the site's author, in every format


def test_the_limit_applies_per_feed_while_archives_keep_every_post(tmp_path: Path) -> None:
    posts = blog(tmp_path)
    config = write_config(tmp_path, posts, limit=2, archives={"enabled": True})
    assert cli("build", "-c", config, "--now", FIXED_NOW).returncode == 0
    out = tmp_path / "out"
    site = feedparser.parse(out / "atom.xml")
    odd = feedparser.parse(out / "tags" / "odd.atom.xml")
    assert len(site.entries) == 2 and len(odd.entries) == 2
    assert [e.title for e in odd.entries] == ["Post 5", "Post 3"]  # its own newest two
    archived = [
        e.title
        for year in (2023, 2024)
        for e in feedparser.parse(out / "archive" / f"{year}.atom.xml").entries
    ]
    assert sorted(archived) == [f"Post {n}" for n in range(6)]
    check_feeds(sorted(out.rglob("*.xml")))


def test_a_fresh_checkout_gives_the_same_bytes_whatever_the_file_times(tmp_path: Path) -> None:
    # No date comes from a file's modification time: a checkout sets them all to now.
    posts = blog(tmp_path)
    config = write_config(tmp_path, posts, formats=["atom", "rss", "json"])
    assert cli("build", "-c", config, "--now", FIXED_NOW).returncode == 0
    first = {
        p.relative_to(tmp_path / "out"): p.read_bytes()
        for p in (tmp_path / "out").rglob("*")
        if p.is_file()
    }
    shutil.rmtree(tmp_path / "out")
    shutil.rmtree(tmp_path / "state")
    for i, path in enumerate(sorted(posts.iterdir())):
        os.utime(path, (1_000_000_000 + i * 86_400, 1_000_000_000 + i * 86_400))
    assert cli("build", "-c", config, "--now", FIXED_NOW).returncode == 0
    again = {
        p.relative_to(tmp_path / "out"): p.read_bytes()
        for p in (tmp_path / "out").rglob("*")
        if p.is_file()
    }
    assert again == first
