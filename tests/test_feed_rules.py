"""What the W3C feed validator and the RSS 2.0 rules catch, and the output they hold us to:
plain-text titles, an unprefixed Atom enclosure, an RSS channel image that is a raster picture.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from conftest import FIXED_NOW, ROOT, check_feeds, run_cli, write_config
from rss_rules import rss_problems
from w3c import ALLOWED_WARNINGS, published_url, validate

ATOM = "{http://www.w3.org/2005/Atom}"


def _blog(tmp_path: Path, **site: str) -> Path:
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    (tmp_path / "site" / "assets").mkdir()
    (tmp_path / "site" / "assets" / "stage.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(99))
    (posts / "2024-05-01-pic.md").write_text(
        "---\ntitle: Using <code>virtctl</code> &amp; <em>friends</em>\n"
        "image: /assets/stage.png\n---\nHello.\n",
        "utf-8",
    )
    (posts / "2024-05-02-dash.md").write_text(
        '---\ntitle: "Tom & Jerry &mdash; 5 < 6"\n---\nHi.\n', "utf-8"
    )
    config = write_config(tmp_path, posts)
    text = config.read_text("utf-8")
    for key, value in site.items():
        text = text.replace("  timezone: UTC", f"  timezone: UTC\n  {key}: {value}")
    config.write_text(text, "utf-8")
    result = run_cli("build", "-c", config, "--now", FIXED_NOW)
    assert result.returncode == 0, result.stderr
    return tmp_path / "out"


def test_titles_pictures_and_logos_pass_the_w3c_validator(tmp_path: Path) -> None:
    out = _blog(tmp_path, logo="/assets/logo.svg", icon="/assets/icon.png")
    parsed = check_feeds([out / "atom.xml", out / "rss.xml"])
    for name in ("atom.xml", "rss.xml"):
        titles = [e.title for e in parsed[out / name].entries]
        assert titles == ["Tom & Jerry — 5 < 6", "Using virtctl & friends"], name
    atom = etree.parse(str(out / "atom.xml")).getroot()
    (enclosure,) = atom.findall(f".//{ATOM}link[@rel='enclosure']")
    assert enclosure.prefix is None
    assert enclosure.get("href") == "https://blog.example.org/assets/stage.png"
    assert atom.findtext(f"{ATOM}logo") == "https://blog.example.org/assets/logo.svg"
    # RSS readers show GIF, JPEG or PNG channel images only: the PNG icon stands in.
    rss = feedparser.parse((out / "rss.xml").read_bytes())
    assert rss.feed.image.href == "https://blog.example.org/assets/icon.png"


def test_an_svg_logo_alone_gives_rss_no_image(tmp_path: Path) -> None:
    out = _blog(tmp_path, logo="/assets/logo.svg")
    check_feeds([out / "atom.xml", out / "rss.xml"])
    assert etree.parse(str(out / "rss.xml")).find("channel/image") is None


def test_the_validator_reports_a_self_link_that_is_not_where_the_feed_is(tmp_path: Path) -> None:
    out = _blog(tmp_path)
    for name in ("atom.xml", "rss.xml"):
        assert published_url(out / name) == f"https://blog.example.org/feeds/{name}"
        moved = validate(out / name, f"https://elsewhere.example.net/{name}")
        assert [f.name for f in moved.unexpected] == ["SelfDoesntMatchLocation"], moved
        assert validate(out / name, published_url(out / name)).unexpected == ()


def test_the_validator_reports_html_in_a_title(tmp_path: Path) -> None:
    out = _blog(tmp_path)
    feed = out / "atom.xml"
    feed.write_bytes(
        feed.read_bytes().replace(b"Using virtctl", b"Using &lt;code&gt;virtctl&lt;/code&gt;")
    )
    found = validate(feed, published_url(feed))
    assert [(f.severity, f.name) for f in found.unexpected] == [
        ("warning", "ContainsUndeclaredHTML")
    ]
    assert "line " in found.unexpected[0].text


def test_every_allowed_warning_has_a_reason() -> None:
    assert ALLOWED_WARNINGS
    assert all(len(reason.split()) >= 5 for reason in ALLOWED_WARNINGS.values())
    # errors are never allowed: the names are the validator's warning classes
    import w3c

    _, events, _ = w3c.load_validator()
    for name in ALLOWED_WARNINGS:
        assert issubclass(getattr(events, name), events.Warning), name


GOOD_RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>T</title><link>https://e.org/</link><description>D</description>
    <lastBuildDate>Wed, 01 May 2024 00:00:00 +0000</lastBuildDate>
    <image><url>https://e.org/logo.png</url><title>T</title><link>https://e.org/</link></image>
    <item>
      <title>A</title><link>https://e.org/a</link>
      <guid isPermaLink="true">https://e.org/a</guid>
      <enclosure url="https://e.org/a.png" length="10" type="image/png"/>
      <pubDate>Thu, 02 May 2024 09:30:00 +0200</pubDate>
    </item>
    <item><title>B</title><guid>https://e.org/b</guid></item>
  </channel>
</rss>"""

_ENCLOSURE = '<enclosure url="https://e.org/b.png" length="1" type="image/png"/>'
_ATOM_LINK = '<ns1:link xmlns:ns1="http://www.w3.org/2005/Atom"/>'
BROKEN = [
    ("00:00:00 +0000", "00:00:00 GMT", "numeric offset"),
    ("Wed, 01 May", "Thu, 01 May", "day name"),
    ("Wed, 01 May 2024 00:00:00 +0000", "2024-05-01T00:00:00Z", "RFC 822"),
    ("https://e.org/logo.png", "https://e.org/logo.svg", "GIF, JPEG or PNG"),
    ("<link>https://e.org/</link></image>", "</image>", "<link>"),
    (
        "<title>T</title><link>https://e.org/</link></im",
        "<title>X</title><link>https://e.org/</link></im",
        "channel's title",
    ),
    ('isPermaLink="true">https://e.org/a', 'isPermaLink="true">a-1', "not an absolute URL"),
    ('isPermaLink="true">https://e.org/a', 'isPermaLink="false">https://e.org/a', "disagree"),
    ('type="image/png"/>', 'type="image/png"/>' + _ENCLOSURE, "2 enclosures"),
    ('length="10"', 'length="ten"', "enclosure length"),
    ("<item><title>B", '<item xmlns:x="urn:x"><x:y/><title>B', "not declared on <rss>"),
    ("<item><title>B", "<item>" + _ATOM_LINK + "<title>B", "generated prefix"),
]


def test_the_rss_rules_accept_a_well_formed_channel() -> None:
    assert rss_problems(GOOD_RSS.encode()) == []


@pytest.mark.parametrize(("old", "new", "problem"), BROKEN, ids=[b[2] for b in BROKEN])
def test_the_rss_rules_catch(old: str, new: str, problem: str) -> None:
    assert old in GOOD_RSS
    found = rss_problems(GOOD_RSS.replace(old, new, 1).encode())
    assert len(found) >= 1 and any(problem in p for p in found), found


@pytest.mark.parametrize(("ci", "outcome"), [("", "skip"), ("true", "fail")])
def test_without_the_validator_the_check_skips_or_fails_under_ci(
    tmp_path: Path, ci: str, outcome: str
) -> None:
    code = (
        "import sys; sys.path.insert(0, 'tests'); import pytest, w3c\n"
        "try:\n    w3c.load_validator()\n"
        "except (pytest.skip.Exception, pytest.fail.Exception) as e:\n"
        "    print(type(e).__name__, e)\n"
    )
    env = {**os.environ, "FEEDWRIGHT_SHARED": str(tmp_path), "CI": ci}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env
    )
    expected = {"skip": "Skipped", "fail": "Failed"}[outcome]
    assert result.stdout.startswith(expected), result.stdout + result.stderr
    assert "W3C feed validator not found" in result.stdout
