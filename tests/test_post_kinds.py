"""Post kinds from front matter: hidden posts (``hidden: true``, ``feed: false``), redirect
posts (``redirect_to:``), link posts (``link:``, ``external_url:``) and a post's own
language (``lang:``), in every format, read back with feedparser, lxml and json; and what
``check`` says about each."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree

from conftest import FIXED_NOW, check_feeds, cli, write_config

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DC = "{http://purl.org/dc/elements/1.1/}"
SITE = "https://blog.example.org"
TARGET = "https://elsewhere.example.net/new-home?from=blog&x=1"
SUBJECT = "https://docs.example.com/spec/page.html"

PLAIN = "---\ntitle: Plain\ntags: [notes]\ncategory: misc\n---\nA plain post.\n"
KINDS = {
    "2024-01-10-plain.md": PLAIN,
    "2024-02-10-secret.md": "---\ntitle: Secret\nhidden: true\ntags: [notes, secret-tag]\n"
    "category: misc\n---\nOnly for those with the address.\n",
    "2024-03-10-unfed.md": "---\ntitle: Unfed\nfeed: false\ntags: [notes]\n---\nNot fed.\n",
    "2024-04-10-moved.md": f"---\ntitle: Moved\nredirect_to: {TARGET}\n---\nGone.\n",
    "2024-05-10-pointer.md": f"---\ntitle: Pointer\nlink: {SUBJECT}\n---\nWorth a read.\n",
    "2024-05-11-other-pointer.md": "---\ntitle: Other pointer\n"
    f"external_url: {SUBJECT}#part\n---\nAlso good.\n",
    "2024-06-10-hallo.md": "---\ntitle: Hallo Welt\nlang: de-AT\n---\nEin Beitrag auf Deutsch.\n",
    "2024-07-10-listing.md": "---\ntitle: Listing\n---\n"
    "{% for p in site.posts %}[{{ p.title }}]{% endfor %}\n\n"
    "See [the secret]({% post_url 2024-02-10-secret %}).\n",
}
ALL_FORMATS = ["atom", "rss", "json"]


def blog(tmp_path: Path, posts: dict[str, str] = KINDS, **extra: Any) -> Path:
    folder = tmp_path / "posts"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in posts.items():
        (folder / name).write_text(text, "utf-8")
    settings: dict[str, Any] = {
        "formats": ALL_FORMATS,
        "archives": {"enabled": True},
        "discovery": {"index": True, "opml": True, "stylesheet": True},
    }
    return write_config(tmp_path, folder, **(settings | extra))


def build(config: Path, *extra: str) -> str:
    result = cli("build", "-c", config, "--now", FIXED_NOW, *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def atom_entries(path: Path) -> dict[str, etree._Element]:
    root = etree.fromstring(path.read_bytes())
    return {e.findtext(f"{ATOM}title"): e for e in root.iter(f"{ATOM}entry")}


def json_items(path: Path) -> dict[str, dict[str, Any]]:
    return {item["title"]: item for item in json.loads(path.read_bytes())["items"]}


@pytest.fixture
def built(tmp_path: Path) -> Path:
    build(blog(tmp_path))
    return tmp_path / "out"


def test_every_feed_of_a_blog_with_each_kind_is_valid(built: Path) -> None:
    feeds = sorted(p for p in built.rglob("*") if p.suffix in (".xml", ".json"))
    assert len(feeds) > 6
    check_feeds(feeds)


def test_hidden_posts_are_in_no_feed_but_stay_posts(built: Path) -> None:
    feeds = [p for p in built.rglob("*") if p.suffix in (".xml", ".json")]
    assert len(feeds) > 6
    for path in feeds:
        if path.suffix == ".json":
            titles = set(json_items(path))
        else:
            titles = {e.title for e in feedparser.parse(path.read_bytes()).entries}
        assert titles and not titles & {"Secret", "Unfed"}, path
    pages = [p for p in built.rglob("*") if p.suffix in (".html", ".opml")]
    assert pages and not any(">Secret<" in p.read_text("utf-8") for p in pages)
    # a tag only the hidden post has gets no feed
    assert not any("secret-tag" in p.name for p in built.rglob("*"))
    listing = feedparser.parse((built / "atom.xml").read_bytes())
    entry = next(e for e in listing.entries if e.title == "Listing")
    content = entry.content[0].value
    assert "[Secret]" in content and "[Unfed]" in content  # site.posts lists them
    assert f'href="{SITE}/2024/secret.html"' in content  # post_url finds them


def test_a_redirect_post_links_to_its_target_and_keeps_its_id(built: Path) -> None:
    atom = feedparser.parse((built / "atom.xml").read_bytes())
    entry = next(e for e in atom.entries if e.title == "Moved")
    assert entry.link == TARGET
    assert [link.href for link in entry.links if link.rel == "alternate"] == [TARGET]
    assert entry.id == f"{SITE}/2024/moved.html"

    rss = feedparser.parse((built / "rss.xml").read_bytes())
    item = next(e for e in rss.entries if e.title == "Moved")
    assert item.link == TARGET and item.id == f"{SITE}/2024/moved.html"

    json_item = json_items(built / "feed.json")["Moved"]
    assert json_item["url"] == TARGET and json_item["id"] == f"{SITE}/2024/moved.html"


def test_a_link_post_links_to_itself_and_names_its_subject(built: Path) -> None:
    post = f"{SITE}/2024/pointer.html"
    atom = feedparser.parse((built / "atom.xml").read_bytes())
    entry = next(e for e in atom.entries if e.title == "Pointer")
    rels = {(link.rel, link.href) for link in entry.links}
    assert rels == {("alternate", post), ("related", SUBJECT)}
    assert entry.id == post

    rss = feedparser.parse((built / "rss.xml").read_bytes())
    item = next(e for e in rss.entries if e.title == "Pointer")
    assert item.link == post and item.id == post
    content = item.content[0].value
    assert content.startswith(f'<p>Link: <a href="{SUBJECT}">{SUBJECT}</a></p>')
    assert "Worth a read." in content

    items = json_items(built / "feed.json")
    assert items["Pointer"]["url"] == post and items["Pointer"]["external_url"] == SUBJECT
    assert items["Pointer"]["id"] == post
    assert items["Other pointer"]["external_url"] == SUBJECT + "#part"
    assert "external_url" not in items["Plain"]


def test_a_post_in_another_language_says_so_in_each_format(built: Path) -> None:
    entries = atom_entries(built / "atom.xml")
    assert entries["Hallo Welt"].get(XML_LANG) == "de-AT"
    assert entries["Plain"].get(XML_LANG) is None  # the feed's language
    atom = feedparser.parse((built / "atom.xml").read_bytes())
    entry = next(e for e in atom.entries if e.title == "Hallo Welt")
    assert entry.content[0].language == "de-AT"  # how readers see it

    rss = etree.fromstring((built / "rss.xml").read_bytes())
    langs = {i.findtext("title"): i.findtext(f"{DC}language") for i in rss.iter("item")}
    assert langs["Hallo Welt"] == "de-AT" and langs["Plain"] is None

    items = json_items(built / "feed.json")
    assert items["Hallo Welt"]["language"] == "de-AT" and "language" not in items["Plain"]


def test_no_kind_changes_an_entry_id(tmp_path: Path) -> None:
    build(blog(tmp_path / "kinds"))
    plain = {
        name: "---\ntitle: " + text.split("title: ")[1].split("\n")[0] + "\n---\nx\n"
        for name, text in KINDS.items()
    }
    build(blog(tmp_path / "plain", plain))
    for fmt in ("atom.xml", "rss.xml"):
        kinds = {e.title: e.id for e in feedparser.parse(tmp_path / "kinds/out" / fmt).entries}
        plains = {e.title: e.id for e in feedparser.parse(tmp_path / "plain/out" / fmt).entries}
        assert kinds == {t: i for t, i in plains.items() if t not in ("Secret", "Unfed")}


def test_link_post_in_a_summary_only_rss_feed_names_its_subject(tmp_path: Path) -> None:
    posts = {"2024-05-10-pointer.md": KINDS["2024-05-10-pointer.md"]}
    config = blog(tmp_path, posts, content="summary")
    build(config)
    rss = feedparser.parse((tmp_path / "out/rss.xml").read_bytes())
    assert SUBJECT in rss.entries[0].summary
    assert rss.entries[0].link == f"{SITE}/2024/pointer.html"
    check_feeds([tmp_path / "out/rss.xml", tmp_path / "out/feed.json"])


def test_check_names_bad_urls_and_tags_by_file_and_line(tmp_path: Path) -> None:
    posts = {
        "2024-01-10-plain.md": PLAIN,
        "2024-02-10-secret.md": KINDS["2024-02-10-secret.md"],
        "2024-03-10-relative.md": "---\ntitle: R\n\nredirect_to: /new/place\n---\nx\n",
        "2024-03-11-scheme.md": "---\ntitle: S\nlink: ftp://files.example.org/x\n---\nx\n",
        "2024-03-12-words.md": "---\ntitle: W\nexternal_url: see the spec\n---\nx\n",
        "2024-03-13-lang.md": "---\ntitle: L\nauthor: A\nlang: Deutsch\n---\nx\n",
        "2024-03-14-under.md": "---\ntitle: U\nlang: de_CH\n---\nx\n",
        "2024-03-15-flag.md": '---\ntitle: F\nhidden: "yes please"\n---\nx\n',
    }
    config = blog(tmp_path, posts)
    result = cli("check", "-v", "-c", config, "--now", FIXED_NOW)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = (result.stdout + result.stderr).splitlines()

    def finding(start: str, *words: str) -> str:
        found = [line for line in lines if line.startswith(start)]
        assert found and all(w in found[0] for w in words), (start, lines)
        return found[0]

    finding("2024-03-10-relative.md:4: error:", "redirect_to", "/new/place", "fix:")
    finding("2024-03-11-scheme.md:3: error:", "link", "absolute http(s) URL", "fix:")
    finding("2024-03-12-words.md:3: error:", "external_url", "fix:")
    finding("2024-03-13-lang.md:4: warning:", "Deutsch", "language tag", "fix:")
    finding("2024-03-14-under.md:3: warning:", "de-CH")
    finding("2024-03-15-flag.md:3: warning:", "hidden", "true or false")
    finding("2024-02-10-secret.md:3: note:", "hidden: true", "no feed")
    built = cli("build", "-c", config, "--now", FIXED_NOW)
    atom = feedparser.parse((tmp_path / "out/atom.xml").read_bytes())
    links = {e.title: e.link for e in atom.entries}
    assert links["R"] == f"{SITE}/2024/relative.html"  # a bad redirect is not followed
    assert built.returncode == 1
    assert atom_entries(tmp_path / "out/atom.xml")["U"].get(XML_LANG) == "de-CH"


def test_an_added_hidden_post_rewrites_no_feed_and_equals_a_full_build(tmp_path: Path) -> None:
    # (a post that lists site.posts would list it, as Jekyll's would: none here)
    config = blog(tmp_path, {k: v for k, v in KINDS.items() if "listing" not in k})
    build(config)
    secret = tmp_path / "posts" / "2024-08-01-another-secret.md"
    secret.write_text("---\ntitle: Another secret\nhidden: true\ntags: [notes]\n---\nx\n")
    out = build(config)
    assert not any(b"Another secret" in data for data in _tree(tmp_path / "out").values())
    assert " 0 written" in out, out
    time.sleep(1.2)  # past the racy-timestamp window: a body edit takes the quick path
    secret.write_text(secret.read_text() + "An edited body.\n")
    out = build(config)
    full_out = tmp_path / "full"
    shutil.rmtree(tmp_path / "state")
    state = tmp_path / "full-state"
    build(config, "--full", "--output", str(full_out), "--state", str(state))
    assert _tree(full_out) == _tree(tmp_path / "out")
    assert " 0 written" in out, out


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
