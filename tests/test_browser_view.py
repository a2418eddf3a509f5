"""Feeds in a real browser: the sample blog on a plain static server (no feedwright
serve, no content negotiation), opened in headless Chromium. Each feed's page lists its
posts, the feeds themselves open with no XSLT removal banner, and a feed's page reads the
same whichever format it was reached from."""

from __future__ import annotations

import calendar
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import lxml.html
import pytest

from conftest import run_cli, unavailable
from regen_golden import build_sample

BANNER = re.compile(r"xslt-warning-banner|XSLT is being removed|uses XSLT", re.IGNORECASE)
MONTHS = calendar.month_name


@dataclass(frozen=True)
class Site:
    out: Path
    base: str  # http://127.0.0.1:PORT/
    chromium: str
    profile: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    chromium = shutil.which("chromium")
    if chromium is None:
        unavailable("chromium is not installed (Debian package chromium)")
    assert chromium is not None
    tmp = tmp_path_factory.mktemp("browser")
    out = tmp / "out"
    build_sample(out, tmp / "state")
    server = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"],
        cwd=out,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N (...) ..."
        found = re.search(r"port (\d+)", line)
        assert found, f"http.server did not say where it listens: {line!r}"
        yield Site(out, f"http://127.0.0.1:{found.group(1)}/", chromium, tmp / "profile")
    finally:
        server.terminate()
        server.wait(timeout=30)


def dump_dom(site: Site, url: str) -> str:
    """The DOM Chromium builds for ``url``, serialized after the page has loaded."""
    for attempt in range(2):  # a loaded machine can make the first start time out
        try:
            done = subprocess.run(
                [
                    site.chromium,
                    "--headless",
                    "--no-sandbox",  # tests may run as root
                    "--disable-gpu",
                    f"--user-data-dir={site.profile}",
                    "--dump-dom",
                    url,
                ],
                capture_output=True,
                text=True,
                timeout=120,
            )
        except subprocess.TimeoutExpired:
            if attempt:
                raise
            time.sleep(1)
            continue
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout
    raise AssertionError("unreachable")


def human(parsed: time.struct_time) -> str:
    return f"{parsed.tm_mday} {MONTHS[parsed.tm_mon]} {parsed.tm_year}"


def test_a_feeds_page_lists_its_posts_with_no_xslt_banner(site: Site) -> None:
    dom = dump_dom(site, site.base + "tags/kubernetes.html")
    assert not BANNER.search(dom)
    page = lxml.html.fromstring(dom)
    atom = feedparser.parse((site.out / "tags" / "kubernetes.atom.xml").read_bytes())
    titles = [a.text_content() for a in page.xpath("//ul[@class='feeds']/li/h3/a")]
    assert titles == [e.title for e in atom.entries] and titles
    assert [a.get("href") for a in page.xpath("//ul[@class='feeds']/li/h3/a")] == [
        e.link for e in atom.entries
    ]
    # feed readers find the feeds from the page, and people are told how to subscribe
    alternates = {
        link.get("type"): urljoin(site.base + "tags/kubernetes.html", link.get("href"))
        for link in page.xpath("//head/link[@rel='alternate']")
    }
    assert alternates["application/atom+xml"] == site.base + "tags/kubernetes.atom.xml"
    assert alternates["application/rss+xml"] == site.base + "tags/kubernetes.rss.xml"
    howto = page.xpath("//div[@class='howto']")[0].text_content()
    assert "To subscribe" in howto
    assert "https://tidepool.example.org/feeds/tags/kubernetes.atom.xml" in howto


@pytest.mark.parametrize("path", ["rss.xml", "atom.xml"])
def test_the_feed_itself_opens_with_no_xslt_banner(site: Site, path: str) -> None:
    data = (site.out / path).read_bytes()
    assert b'<?xml-stylesheet type="text/css" href="feed.css"?>' in data
    assert b"text/xsl" not in data
    dom = dump_dom(site, site.base + path)
    assert not BANNER.search(dom)
    assert "This is the page" not in dom and "Tidepool Blog" in dom  # the feed, not HTML


def test_rss_and_atom_readers_see_the_same_page(site: Site) -> None:
    """One page per feed, reached from index.html for every format: its dates and texts
    are those of the Atom and of the RSS feed alike, and nothing is printed twice."""
    index = lxml.html.fromstring(dump_dom(site, site.base + "index.html"))
    assert not BANNER.search(lxml.html.tostring(index, encoding="unicode"))
    site_link = index.xpath("//section[@aria-labelledby='site']//h3/a")[0].get("href")
    page = lxml.html.fromstring((site.out / site_link).read_text("utf-8"))
    atom = feedparser.parse((site.out / "atom.xml").read_bytes())
    rss = feedparser.parse((site.out / "rss.xml").read_bytes())
    shown = [
        t.text_content() for t in page.xpath("//ul[@class='feeds']/li/p[@class='meta']/time[1]")
    ]
    assert shown == [human(e.published_parsed) for e in atom.entries]
    assert shown == [human(e.published_parsed) for e in rss.entries]
    summaries = [p.text_content() for p in page.xpath("//ul[@class='feeds']/li/p[not(@class)]")]
    assert summaries == [e.summary for e in atom.entries if e.get("summary")]
    assert summaries == [e.summary for e in rss.entries if e.get("summary")]
    text = page.text_content()
    for entry in atom.entries:
        assert text.count(entry.title) == 1, entry.title
    heading = page.xpath("//h1")[0].text_content()
    assert heading == atom.feed.title == rss.feed.title
    assert all(p.text_content() != heading for p in page.xpath("//p[@class='lead']"))


def test_a_feed_without_a_description_prints_its_title_once(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    text = (root / "config.yaml").read_text("utf-8")
    described = "  description: News, releases and how-tos from the Tidepool project.\n"
    assert described in text
    (tmp_path / "config.yaml").write_text(text.replace(described, ""), "utf-8")
    (tmp_path / "posts").symlink_to(root / "posts")
    (tmp_path / "assets").symlink_to(root / "assets")  # the podcast's media
    (tmp_path / "releases").symlink_to(root / "releases")  # the releases collection
    out = tmp_path / "out"
    args = ["build", "-q", "-c", "config.yaml", "--output", out, "--state", tmp_path / "state"]
    build = run_cli(*args, cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    page = lxml.html.fromstring((out / "atom.html").read_text("utf-8"))
    assert [h.text_content() for h in page.xpath("//h1")] == ["Tidepool Blog"]
    assert not page.xpath("//p[@class='lead']")  # no second title where the description would be
