"""What a post can hold that a feed cannot: each case is one post beside a good one. The
build finishes, names the post (and the line) in one message, and every feed it writes
passes feedparser, jing and the W3C feed validator: characters XML forbids or validators
reject, whether written in the file or made by its Liquid; URLs with characters a URI
cannot hold; tags nothing is left of; files that are not UTF-8 text."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

from conftest import check_feeds, cli, write_config

GOOD = "---\ntitle: Good post\n---\nHello from the good post.\n"
NAME = "2024-02-01-odd.md"


def build(tmp_path: Path, data: bytes) -> tuple[str, feedparser.FeedParserDict]:
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "2024-01-01-good.md").write_text(GOOD, "utf-8")
    (posts / NAME).write_bytes(data)
    config = write_config(tmp_path, posts)
    result = cli("build", "-c", config)
    out = result.stdout + result.stderr
    assert result.returncode in (0, 1), out
    feeds = check_feeds([tmp_path / "out" / "atom.xml", tmp_path / "out" / "rss.xml"])
    atom = feeds[tmp_path / "out" / "atom.xml"]
    assert "Good post" in [e.title for e in atom.entries]
    return out, atom


def odd_entry(atom: feedparser.FeedParserDict) -> feedparser.FeedParserDict:
    (entry,) = [e for e in atom.entries if e.title != "Good post"]
    return entry


@pytest.mark.parametrize(
    ("body", "removed"),
    [
        ("{{ '%00%01%C2%85%EF%BF%BE' | url_decode }}", 4),  # NUL, U+0001, U+0085, U+FFFE
        ("{{ '&' | append: '#1;' }}", 1),  # a reference to U+0001, assembled
    ],
    ids=["url_decode", "append"],
)
def test_characters_xml_forbids_made_by_liquid_are_removed_on_their_line(
    tmp_path: Path, body: str, removed: int
) -> None:
    text = f"---\ntitle: Made\n---\nFirst line.\n\nBefore {body} after.\n"
    out, atom = build(tmp_path, text.encode())
    assert (
        f"{NAME}:6: warning: removed {removed} character(s) that XML forbids from what Liquid"
    ) in out
    assert "Before" in odd_entry(atom).content[0].value


def test_c1_controls_and_noncharacters_are_removed_from_text_and_references(
    tmp_path: Path,
) -> None:
    body = "a\x85b \U0010ffff \ufdd0 c &#x10FFFF; &#xFDD0; d\n"
    text = f'---\ntitle: "Odd\\x85 title\\uFDD0"\ntags: ["\\x85", "x\\x9f", x]\n---\n{body}'
    out, atom = build(tmp_path, text.encode())
    assert f"{NAME}:5: warning: removed 5 character(s) that XML forbids" in out
    entry = odd_entry(atom)
    assert entry.title == "Odd title"
    # a tag nothing is left of is dropped, and "x\x9f" becomes the "x" already there
    assert [t.term for t in entry.tags] == ["x"]
    assert "ab" in entry.content[0].value


@pytest.mark.parametrize(
    ("permalink", "url"),
    [
        ('"/a b/<c>/"', "/a%20b/%3Cc%3E/"),
        ("'/x\\y\"z/'", "/x%5Cy%22z/"),
        ("/100%/%C3%A9/", "/100%25/%C3%A9/"),  # a '%' that starts no escape
    ],
)
def test_a_permalink_with_characters_a_uri_cannot_hold_is_percent_encoded(
    tmp_path: Path, permalink: str, url: str
) -> None:
    _, atom = build(tmp_path, f"---\ntitle: Odd URL\npermalink: {permalink}\n---\nx\n".encode())
    assert odd_entry(atom).link == "https://blog.example.org" + url


def test_a_binary_file_named_like_a_post_is_an_error_not_an_entry(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\xff\xfe\x08\x06\x00\x00\x00"
    out, atom = build(tmp_path, png * 20)
    assert f"{NAME}:1: error: skipped: not text: the file holds NUL bytes" in out
    assert [e.title for e in atom.entries] == ["Good post"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_a_post_saved_as_utf16_or_utf32_with_a_bom_is_read(tmp_path: Path, codec: str) -> None:
    text = "\ufeff---\ntitle: Wide café\n---\nWritten in Notepad.\n"
    out, atom = build(tmp_path, text.encode(codec))  # the BOM first, in the codec's order
    assert f"{NAME}:1: warning: not valid UTF-8 (byte 0); read as utf-" in out
    entry = odd_entry(atom)
    assert entry.title == "Wide café"
    assert "Written in Notepad." in entry.content[0].value


def test_a_url_with_a_malformed_host_is_reported_and_the_post_published(tmp_path: Path) -> None:
    text = (
        "---\ntitle: Brackets\nimage: 'https://[::1/a.png'\nexternal_url: 'http://[x]/'\n---\n"
        "[v6](http://[::1) <img src='https://[x]/i.png'> <iframe src='http://[::1'></iframe>\n"
    )
    out, atom = build(tmp_path, text.encode())
    assert f"{NAME}:3: warning: image 'https://[::1/a.png' is not a path or URL" in out
    assert f"{NAME}:4: error: external_url: 'http://[x]/' is not an absolute http(s) URL" in out
    assert f"{NAME}: warning: malformed URL 'http://[::1'" in out
    assert "Open embedded content: http://[::1" in odd_entry(atom).content[0].value


def test_an_image_path_with_characters_a_uri_cannot_hold_is_percent_encoded(
    tmp_path: Path,
) -> None:
    text = "---\ntitle: Picture\nimage: '/assets/<big>\"one\".png'\n---\nx\n"
    build(tmp_path, text.encode())
    feed = (tmp_path / "out" / "atom.xml").read_text("utf-8")
    assert "https://blog.example.org/assets/%3Cbig%3E%22one%22.png" in feed
