"""`feedwright serve` and `feedwright run --serve` as real processes, spoken to over real
HTTP, and read by real feed readers (the reader library, newsboat)."""

from __future__ import annotations

import contextlib
import email.utils
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from conftest import ROOT, cli, run_cli, unavailable
from daemon_helpers import DEADLINE, DaemonProcess, bulk_posts, set_config
from feedwright.publish import TMP_PREFIX, atomic_write
from feedwright.serve import (
    BoundedCache,
    FeedApp,
    ServeSettings,
    accepts_gzip,
    etag_matches,
    prefers_html,
    safe_parts,
    xml_prolog,
)
from serve_helpers import (
    BROWSER_ACCEPT,
    READER_ACCEPT,
    fetch,
    port_of,
    published_files,
    raw_request,
    statuses,
)

HUB = "https://hub.example.org/"
PUBLIC = "https://tidepool.example.org/feeds/"
SECRET = "TOPSECRET-outside-the-output-folder"
ETAG = r'^"[0-9a-f]{32}"$'

LOOK_XSL = b"""<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:a="http://www.w3.org/2005/Atom" exclude-result-prefixes="a">
  <xsl:output method="html" encoding="UTF-8"/>
  <xsl:template match="/">
    <html><body><h1 id="styled"><xsl:value-of select="/a:feed/a:title | /rss/channel/title"/>
    </h1></body></html>
  </xsl:template>
</xsl:stylesheet>
"""


def _atom(title: str, stylesheet: str | None = None) -> bytes:
    pi = f'<?xml-stylesheet type="text/xsl" href="{stylesheet}"?>\n' if stylesheet else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{pi}'
        f'<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x:{title}</id>'
        f"<title>{title}</title><updated>2025-01-01T00:00:00Z</updated></feed>\n"
    ).encode()


@dataclass(frozen=True)
class Site:
    blog: Path
    out: Path
    port: int
    proc: DaemonProcess


def _copy_sample(dest: Path) -> Path:
    shutil.copytree(ROOT / "posts", dest / "posts")
    shutil.copytree(ROOT / "assets", dest / "assets")  # the podcast's media
    shutil.copytree(ROOT / "releases", dest / "releases")  # the releases collection
    shutil.copy(ROOT / "config.yaml", dest / "config.yaml")
    return dest / "config.yaml"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The sample blog, built once, plus hand-made files that probe the edges; served by one
    `feedwright serve` for the whole module."""
    blog = tmp_path_factory.mktemp("served") / "blog"
    config = _copy_sample(blog)
    built = cli("build", "-c", config)
    assert built.returncode == 0, built.stdout + built.stderr
    out = blog / "feeds"
    # outside the output folder, and the ways one might reach it
    (blog / "secret.xml").write_text(f"<secret>{SECRET}</secret>")
    (blog / "outside").mkdir()
    (blog / "outside" / "x.atom.xml").write_text(f"<secret>{SECRET}</secret>")
    (out / "leak.atom.xml").symlink_to(blog / "secret.xml")
    (out / "linkdir").symlink_to(blog / "outside")
    (out / "alias.atom.xml").symlink_to(out / "atom.xml")  # inside, but still a symlink
    os.link(blog / "secret.xml", out / "hard.atom.xml")  # a hard link to a file outside
    (out / "shout.XML").write_text(f"<secret>{SECRET}</secret>")  # not a suffix we write
    (out / "tags" / "Loud.Atom.Xml").write_text(f"<secret>{SECRET}</secret>")
    (out / "notes.json").write_text(json.dumps({"secret": SECRET}))  # JSON no build wrote
    (out / "feedwright.yaml").write_text(f"secret: {SECRET}\n")
    # never served: dotfiles and the writer's temporary files
    (out / ".hidden.xml").write_text(f"<secret>{SECRET}</secret>")
    (out / f"{TMP_PREFIX}abc123").write_bytes(_atom("half written"))
    (out / "tags" / f"{TMP_PREFIX}def456").write_bytes(_atom("half written"))
    # stylesheets of our own
    styled = out / "xsl-test"
    styled.mkdir()
    (styled / "look.xsl").write_bytes(LOOK_XSL)
    (styled / "broken.xsl").write_bytes(b"<xsl:stylesheet this is not XSLT")
    (styled / "styled.atom.xml").write_bytes(_atom("Styled Feed", "look.xsl"))
    (styled / "absolute.atom.xml").write_bytes(_atom("Absolute Href", f"{PUBLIC}xsl-test/look.xsl"))
    (styled / "plain.atom.xml").write_bytes(_atom("Plain Feed"))
    (styled / "broken.atom.xml").write_bytes(_atom("Broken Sheet", "broken.xsl"))
    (styled / "foreign.atom.xml").write_bytes(
        _atom("Foreign Sheet", "https://elsewhere.example.net/look.xsl")
    )
    (styled / "escape.atom.xml").write_bytes(_atom("Escaping Sheet", "../../outside/look.xsl"))
    # .xml files whose type comes from their root element
    sniff = out / "sniff"
    sniff.mkdir()
    (sniff / "feed.xml").write_bytes(
        b'<?xml version="1.0"?>\n<!-- <rss> in a comment -->\n'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>'
    )
    (sniff / "rss.xml").write_bytes(
        b'\xef\xbb\xbf<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x "y">]>\n'
        b'<rss version="2.0"><channel><title>t</title></channel></rss>'
    )
    (sniff / "other.xml").write_bytes(b'<?xml version="1.0"?>\n<urlset/>')
    # published an hour ago: old enough for Last-Modified (see the test of a fresh file)
    hour_ago = time.time() - 3600
    for path in out.rglob("*"):
        os.utime(path, (hour_ago, hour_ago), follow_symlinks=False)
    rebuilt = run_cli("build", "-c", config, "--full")  # the manifest records the new times
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    in_a_minute = time.time() + 60
    (out / "fresh.atom.xml").write_bytes(_atom("Fresh"))
    os.utime(out / "fresh.atom.xml", (in_a_minute, in_a_minute))
    # Hubs are set after the build, so nothing is pinged: `serve` itself never pings.
    set_config(config, websub={"hubs": [HUB, "https://hub2.example.org/"]})
    proc = DaemonProcess(config, "--bind", "127.0.0.1:0", command="serve")
    try:
        yield Site(blog, out, port_of(proc), proc)
    finally:
        assert proc.stop() == 0, proc.log
    assert "stopped" in proc.lines[-1]


# -- the module's server -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "file", "media_type"),
    [
        ("/atom.xml", "atom.xml", "application/atom+xml"),
        ("/rss.xml", "rss.xml", "application/rss+xml"),
        ("/tags/tidepool.atom.xml", "tags/tidepool.atom.xml", "application/atom+xml"),
        ("/categories/news.rss.xml", "categories/news.rss.xml", "application/rss+xml"),
        ("/archive/2024.atom.xml", "archive/2024.atom.xml", "application/atom+xml"),
        ("/feed.json", "feed.json", "application/feed+json"),
        ("/feeds.opml", "feeds.opml", "text/x-opml"),
        ("/", "index.html", "text/html"),
        ("/index.html", "index.html", "text/html"),
        ("/feed.css", "feed.css", "text/css"),
        ("/sniff/feed.xml", "sniff/feed.xml", "application/atom+xml"),
        ("/sniff/rss.xml", "sniff/rss.xml", "application/rss+xml"),
        ("/sniff/other.xml", "sniff/other.xml", "application/xml"),
    ],
)
def test_files_are_served_whole_with_their_type_and_validators(
    site: Site, path: str, file: str, media_type: str
) -> None:
    reply = fetch(site.port, path)
    assert reply.status == 200
    assert reply.header("Content-Type") == f"{media_type}; charset=utf-8"
    assert reply.body == (site.out / file).read_bytes()
    assert reply.header("Content-Length") == str(len(reply.body))
    assert re.match(ETAG, reply.header("ETag") or "")
    mtime = (site.out / file).stat().st_mtime
    assert reply.header("Last-Modified") == email.utils.formatdate(int(mtime), usegmt=True)
    assert reply.header("Cache-Control") == "public, max-age=300"
    assert "Accept-Encoding" in (reply.header("Vary") or "")


def test_the_etag_follows_the_content(site: Site) -> None:
    atom, rss = fetch(site.port, "/atom.xml"), fetch(site.port, "/rss.xml")
    assert fetch(site.port, "/atom.xml").header("ETag") == atom.header("ETag")
    assert atom.header("ETag") != rss.header("ETag")


def test_conditional_requests_are_answered_with_304(site: Site) -> None:
    first = fetch(site.port, "/atom.xml")
    etag, modified = first.header("ETag"), first.header("Last-Modified")
    assert etag and modified
    for headers in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"nope", {etag}'},
        {"If-None-Match": f"W/{etag}"},  # weak comparison for GET
        {"If-None-Match": "*"},
        {"If-Modified-Since": modified},
        {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
    ):
        reply = fetch(site.port, "/atom.xml", headers)
        assert reply.status == 304, headers
        assert reply.body == b""
        assert reply.header("ETag") == etag
        assert reply.header("Cache-Control") == "public, max-age=300"
        assert reply.header("Content-Length") is None
    for headers in (
        {"If-None-Match": '"something-else"'},
        # If-None-Match takes precedence: a matching date cannot rescue a stale tag
        {"If-None-Match": '"something-else"', "If-Modified-Since": modified},
        {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"},
        {"If-Modified-Since": "not a date"},
    ):
        reply = fetch(site.port, "/atom.xml", headers)
        assert reply.status == 200, headers
        assert reply.body == first.body


def test_a_file_changed_this_second_has_no_last_modified_yet(site: Site) -> None:
    # Its date could not tell it from a version written later in the same second.
    reply = fetch(site.port, "/fresh.atom.xml")
    assert reply.status == 200
    assert reply.header("Last-Modified") is None
    etag = reply.header("ETag") or ""
    assert fetch(site.port, "/fresh.atom.xml", {"If-None-Match": etag}).status == 304
    assert fetch(site.port, "/atom.xml").header("Last-Modified") is not None


def test_an_invalid_if_modified_since_is_ignored(site: Site) -> None:
    """RFC 9110: an invalid date is ignored (the full response), never an error."""
    for value in ("Tue, 01 Jan 99999999999 00:00:00 GMT", "yesterday", ""):
        reply = fetch(site.port, "/atom.xml", {"If-Modified-Since": value})
        assert reply.status == 200, value
        assert reply.body


def test_gzip_round_trip_and_its_own_etag(site: Site) -> None:
    plain = fetch(site.port, "/rss.xml")
    packed = fetch(site.port, "/rss.xml", {"Accept-Encoding": "gzip, deflate, br"})
    assert packed.status == 200
    assert packed.header("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in (packed.header("Vary") or "")
    assert gzip.decompress(packed.body) == plain.body
    assert len(packed.body) < len(plain.body)
    assert packed.header("ETag") == (plain.header("ETag") or "")[:-1] + '-gz"'
    # deterministic compression: the same bytes, so the same validator, every time
    assert fetch(site.port, "/rss.xml", {"Accept-Encoding": "gzip"}).body == packed.body
    etag = packed.header("ETag") or ""
    again = fetch(site.port, "/rss.xml", {"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert (again.status, again.body) == (304, b"")
    assert again.header("ETag") == etag
    # the gzip tag does not validate the identity representation, and the other way round
    assert fetch(site.port, "/rss.xml", {"If-None-Match": etag}).status == 200
    other = {"Accept-Encoding": "gzip", "If-None-Match": plain.header("ETag") or ""}
    assert fetch(site.port, "/rss.xml", other).status == 200
    for refused in ("gzip;q=0", "identity", "br", "*;q=0"):
        reply = fetch(site.port, "/rss.xml", {"Accept-Encoding": refused})
        assert reply.header("Content-Encoding") is None, refused
        assert reply.body == plain.body
    assert fetch(site.port, "/rss.xml", {"Accept-Encoding": "*"}).header("Content-Encoding")


def test_head_sends_the_same_headers_and_no_body(site: Site) -> None:
    get = fetch(site.port, "/atom.xml")
    head = fetch(site.port, "/atom.xml", method="HEAD")
    assert head.status == 200
    assert head.body == b""
    for name in ("Content-Type", "Content-Length", "ETag", "Last-Modified", "Cache-Control"):
        assert head.header(name) == get.header(name), name
    assert head.all("Link") == get.all("Link")
    assert fetch(site.port, "/healthz", method="HEAD").body == b""


def test_feeds_carry_hub_and_self_links(site: Site) -> None:
    for path in ("/atom.xml", "/tags/tidepool.atom.xml", "/feed.json"):
        links = fetch(site.port, path).all("Link")
        assert links == [
            f'<{HUB}>; rel="hub"',
            '<https://hub2.example.org/>; rel="hub"',
            f'<{PUBLIC}{path[1:]}>; rel="self"',
        ]
        assert fetch(site.port, path, {"If-None-Match": "*"}).all("Link") == links
    assert fetch(site.port, "/").all("Link") == []
    assert fetch(site.port, "/feeds.opml").all("Link") == []


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_get_405(site: Site, method: str) -> None:
    reply = fetch(site.port, "/atom.xml", method=method)
    assert reply.status == 405
    assert reply.header("Allow") == "GET, HEAD"


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.xml",
        "/tags/../../secret.xml",
        "/%2e%2e/secret.xml",
        "/%2E%2E/secret.xml",
        "/tags/%2e%2e/%2e%2e/secret.xml",
        "/%2e%2e%2fsecret.xml",
        "/%252e%252e/secret.xml",
        "/%252e%252e%252fsecret.xml",
        "/..%5csecret.xml",
        "/tags\\..\\..\\secret.xml",
        "/%5c..%5c..%5csecret.xml",
        "/./atom.xml",
        "/atom.xml%00.html",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "http://127.0.0.1/../secret.xml",
        "/leak.atom.xml",
        "/linkdir/x.atom.xml",
        "/alias.atom.xml",
        "/hard.atom.xml",
        "/shout.XML",
        "/tags/Loud.Atom.Xml",
        "/notes.json",
        "/feedwright.yaml",
        "/status.json",  # off by default, even for a loopback client
        "/xsl-test/../../secret.xml",
        "/.hidden.xml",
        f"/{TMP_PREFIX}abc123",
        f"/tags/{TMP_PREFIX}def456",
        "/tags",
        "/nothing-here.xml",
    ],
)
def test_nothing_outside_the_output_folder_nor_hidden_is_served(site: Site, target: str) -> None:
    status, data = raw_request(site.port, target.encode())
    assert status == 404, data[:300]
    assert SECRET.encode() not in data
    assert b"half written" not in data


def test_a_nul_byte_in_the_request_line_is_refused(site: Site) -> None:
    status, data = raw_request(site.port, b"/atom.xml\x00.html")
    assert status in (400, 404)
    assert b"<feed" not in data


def test_healthz_says_only_ok_and_when_the_last_build_ran(site: Site) -> None:
    reply = fetch(site.port, "/healthz")
    assert reply.status == 200
    assert reply.header("Content-Type") == "application/json; charset=utf-8"
    assert reply.header("Cache-Control") == "no-store"
    body = json.loads(reply.body)
    assert set(body) == {"status", "last_build"}
    assert body["status"] == "ok"
    started = json.loads((site.blog / ".feedwright" / "status.json").read_text())["started"]
    assert body["last_build"] == started


def test_many_idle_connections_do_not_lock_out_a_new_client(site: Site) -> None:
    """More idle sockets than waitress's default limit of 100 connections."""
    idle: list[socket.socket] = []
    try:
        for _ in range(120):
            idle.append(socket.create_connection(("127.0.0.1", site.port), timeout=5))
        time.sleep(0.5)  # the server has seen them all
        started = time.monotonic()
        reply = fetch(site.port, "/atom.xml")
        assert reply.status == 200
        assert time.monotonic() - started < 3
    finally:
        for sock in idle:
            sock.close()


def test_browsers_get_the_feed_through_its_stylesheet(site: Site) -> None:
    feed = fetch(site.port, "/xsl-test/styled.atom.xml")
    page = fetch(site.port, "/xsl-test/styled.atom.xml", {"Accept": BROWSER_ACCEPT})
    assert page.status == 200
    assert page.header("Content-Type") == "text/html; charset=utf-8"
    assert etree.HTML(page.body).findtext(".//h1").strip() == "Styled Feed"
    assert page.header("ETag") not in (None, feed.header("ETag"))
    for reply in (feed, page):
        assert reply.header("Vary") == "Accept-Encoding, Accept"
    repeat = fetch(
        site.port,
        "/xsl-test/styled.atom.xml",
        {"Accept": BROWSER_ACCEPT, "If-None-Match": page.header("ETag") or ""},
    )
    assert (repeat.status, repeat.body) == (304, b"")
    packed = fetch(
        site.port,
        "/xsl-test/styled.atom.xml",
        {"Accept": BROWSER_ACCEPT, "Accept-Encoding": "gzip"},
    )
    assert gzip.decompress(packed.body) == page.body
    absolute = fetch(site.port, "/xsl-test/absolute.atom.xml", {"Accept": BROWSER_ACCEPT})
    assert etree.HTML(absolute.body).findtext(".//h1").strip() == "Absolute Href"


def test_feed_readers_get_the_feed_itself(site: Site) -> None:
    feed = (site.out / "xsl-test" / "styled.atom.xml").read_bytes()
    for accept in (None, READER_ACCEPT, "*/*", "application/atom+xml", "text/html;q=0.5, */*"):
        headers = {} if accept is None else {"Accept": accept}
        reply = fetch(site.port, "/xsl-test/styled.atom.xml", headers)
        assert reply.header("Content-Type") == "application/atom+xml; charset=utf-8", accept
        assert reply.body == feed


@pytest.mark.parametrize("name", ["plain", "broken", "foreign", "escape"])
def test_without_a_usable_stylesheet_browsers_get_the_feed(site: Site, name: str) -> None:
    path = f"/xsl-test/{name}.atom.xml"
    reply = fetch(site.port, path, {"Accept": BROWSER_ACCEPT})
    assert reply.status == 200
    assert reply.header("Content-Type") == "application/atom+xml; charset=utf-8"
    assert reply.body == (site.out / path[1:]).read_bytes()
    if name == "broken":
        site.proc.wait_for("the warning", lambda: "cannot show xsl-test/broken" in site.proc.log)


def test_browsers_get_the_feed_with_its_css_and_a_page_beside_it(site: Site) -> None:
    """feedwright's feeds name a CSS stylesheet, not XSL (browsers are removing XSLT):
    a browser gets the feed itself, styled, and each feed has an HTML page beside it."""
    for path, page_path in (
        ("/atom.xml", "/atom.html"),
        ("/tags/tidepool.rss.xml", "/tags/tidepool.html"),
    ):
        feed = fetch(site.port, path, {"Accept": BROWSER_ACCEPT})
        assert (feed.header("Content-Type") or "").startswith("application/"), path
        assert b'<?xml-stylesheet type="text/css"' in feed.body, path
        page = fetch(site.port, page_path, {"Accept": BROWSER_ACCEPT})
        assert page.header("Content-Type") == "text/html; charset=utf-8", page_path
        assert "Tidepool Blog" in etree.HTML(page.body).findtext(".//title")


def test_each_request_is_logged_once(site: Site) -> None:
    mark = len(site.proc.lines)
    etag = fetch(site.port, "/categories/news.atom.xml").header("ETag") or ""
    fetch(site.port, "/categories/news.atom.xml", {"If-None-Match": etag})
    fetch(site.port, "/../secret.xml")
    site.proc.wait_for("3 log lines", lambda: len(statuses(site.proc, "/../secret.xml", mark)) > 0)
    assert statuses(site.proc, "/categories/news.atom.xml", mark) == [200, 304]
    assert any(" GET /categories/news.atom.xml 304 0 bytes" in line for line in site.proc.lines)


# -- the command line --------------------------------------------------------------------------
def test_serve_refuses_a_bad_or_busy_address(tmp_path: Path) -> None:
    config = _copy_sample(tmp_path / "blog")
    bad = run_cli("serve", "-c", config, "--bind", "localhost")
    assert bad.returncode == 2
    assert "--bind: must be HOST:PORT" in bad.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = run_cli("serve", "-c", config, "--bind", f"127.0.0.1:{port}")
        assert taken.returncode == 75
        assert "already in use" in taken.stderr
        daemon = run_cli("run", "-c", config, "--serve", f"127.0.0.1:{port}")
        assert daemon.returncode == 75
    assert not (tmp_path / "blog" / "feeds").exists(), "the daemon must not build without serving"


def test_healthz_follows_failed_and_good_builds(sample_copy: Path) -> None:
    config = sample_copy / "config.yaml"
    (sample_copy / "feeds").mkdir()  # serve needs the output folder, though empty
    server = DaemonProcess(config, "--bind", "127.0.0.1:0", command="serve")
    try:
        port = port_of(server)
        none_yet = fetch(port, "/healthz")
        assert none_yet.status == 503
        assert json.loads(none_yet.body) == {"status": "failing", "last_build": None}
        assert fetch(port, "/atom.xml").status == 404  # nothing built yet
        assert cli("build", "-c", config).returncode == 0
        assert fetch(port, "/healthz").status == 200
        assert fetch(port, "/atom.xml").status == 200
        stash = sample_copy / "stash"
        shutil.move(sample_copy / "posts", stash)
        (sample_copy / "posts").mkdir()
        assert cli("build", "-c", config).returncode == 1
        failed = fetch(port, "/healthz")
        assert failed.status == 503
        assert json.loads(failed.body)["status"] == "failing"
        assert fetch(port, "/atom.xml").status == 200, "a failed build keeps the feeds"
        shutil.rmtree(sample_copy / "posts")
        shutil.move(stash, sample_copy / "posts")
        assert cli("build", "-c", config).returncode == 0
        assert fetch(port, "/healthz").status == 200
        server.signal(signal.SIGINT)
    finally:
        assert server.stop() == 0


# -- a build killed while the daemon serves ------------------------------------------------------
def _stamps(output: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()}


def _parses_completely(relpath: str, body: bytes) -> None:
    if relpath.endswith(".json"):
        assert json.loads(body)["items"], relpath
    elif relpath.endswith((".xml", ".atom", ".rss")):
        doc = feedparser.parse(body)
        assert doc.bozo == 0, (relpath, doc.get("bozo_exception"))
        assert doc.entries, relpath
    elif relpath.endswith((".opml", ".xsl")):
        etree.fromstring(body)
    elif relpath.endswith(".css"):  # the stylesheet ends with its last rule
        assert body.rstrip().endswith(b"}"), relpath
    else:  # an HTML page or fragment: whole up to its last tag
        assert body.rstrip().endswith(b">"), relpath


def test_kill_9_during_a_rebuild_never_serves_a_truncated_feed(sample_copy: Path) -> None:
    config = sample_copy / "config.yaml"
    set_config(config, schedule={"every": "1h"})
    out = sample_copy / "feeds"
    daemon = DaemonProcess(config, "--serve", "127.0.0.1:0")
    problems: list[str] = []
    served = []
    killed = threading.Event()

    def poll(port: int) -> None:  # the served site feed is complete at every moment
        while not killed.is_set():
            try:
                reply = fetch(port, "/atom.xml")
            except (OSError, http.client.HTTPException) as exc:
                if not killed.is_set():
                    problems.append(repr(exc))
                return
            if reply.status != 200 or feedparser.parse(reply.body).bozo:
                problems.append(f"{reply.status}: {reply.body[-200:]!r}")
            served.append(reply.header("ETag"))

    try:
        daemon.wait_builds(1)
        port = port_of(daemon)
        before = _stamps(out)
        bulk_posts(sample_copy / "posts", 600)
        poller = threading.Thread(target=poll, args=(port,), daemon=True)
        poller.start()
        daemon.signal(signal.SIGHUP)  # reload: rebuild now
        end = time.monotonic() + DEADLINE
        while _stamps(out) == before and not list(out.rglob(TMP_PREFIX + "*")):
            assert time.monotonic() < end, f"the rebuild never started writing:\n{daemon.log}"
            assert daemon.proc.poll() is None, daemon.log
        killed.set()
        daemon.proc.kill()  # SIGKILL, in the middle of writing the files
        daemon.proc.wait(timeout=DEADLINE)
        poller.join(timeout=DEADLINE)
    finally:
        killed.set()
        daemon.stop()
    assert daemon.builds() == 1, "the rebuild finished before the kill"
    assert not problems, problems[:3]
    assert served, "the feed was not served during the rebuild"
    assert _stamps(out) != before
    server = DaemonProcess(config, "--bind", "127.0.0.1:0", command="serve")
    try:
        port = port_of(server)
        files = published_files(out)
        assert len(files) > 60
        for relpath in files:
            reply = fetch(port, "/" + relpath)
            assert reply.status == 200, relpath
            assert reply.body == (out / relpath).read_bytes(), relpath
            _parses_completely(relpath, reply.body)
        for leftover in out.rglob(TMP_PREFIX + "*"):
            assert fetch(port, "/" + leftover.relative_to(out).as_posix()).status == 404
    finally:
        assert server.stop() == 0


# -- real feed readers ---------------------------------------------------------------------------
def _post(posts: Path, body: str) -> None:
    (posts / "2025-09-30-served-fresh.md").write_text(
        f"---\ntitle: Served Fresh\nauthor: Test\ntags: [tidepool]\ncategory: news\n---\n{body}\n",
        "utf-8",
    )


class Rebuilds:
    """`feedwright run --serve` on a copy of the sample blog, rebuilt on demand (SIGHUP)."""

    def __init__(self, blog: Path, *args: str) -> None:
        self.blog = blog
        set_config(blog / "config.yaml", schedule={"every": "1h"})
        self.daemon = DaemonProcess(blog / "config.yaml", "--serve", "127.0.0.1:0", *args)
        self.daemon.wait_builds(1)
        self.port = port_of(self.daemon)
        self.urls = [
            f"http://127.0.0.1:{self.port}/atom.xml",
            f"http://127.0.0.1:{self.port}/tags/tidepool.atom.xml",
        ]

    def rebuild(self) -> None:
        done = self.daemon.builds()
        self.daemon.signal(signal.SIGHUP)
        self.daemon.wait_builds(done + 1)

    def statuses(self, since: int) -> dict[str, list[int]]:
        """The status of each request for the two feeds since log line ``since`` (once both
        have been logged: the log is read in another thread)."""
        paths = ("/atom.xml", "/tags/tidepool.atom.xml")
        self.daemon.wait_for(
            "the access log", lambda: all(statuses(self.daemon, p, since) for p in paths)
        )
        return {path: statuses(self.daemon, path, since) for path in paths}


Entries = dict[str, dict[str, str]]  # per feed (or per reader): entry id -> title + content
EDIT = "An edit made after publication."


def _follow_the_blog(site: Rebuilds, read: Callable[[], Entries], unconditional: int) -> None:
    """What a subscriber sees: nothing new while nothing changes (and the server answers
    its conditional requests with 304), then exactly one new entry for a new post, then
    the same entries with new content for two edited posts."""
    first = read()
    assert all(len(entries) > 1 for entries in first.values())
    for _ in range(unconditional - 1):
        assert read() == first
    mark = len(site.daemon.lines)
    assert read() == first
    assert site.statuses(mark) == {"/atom.xml": [304], "/tags/tidepool.atom.xml": [304]}

    posts = site.blog / "posts"
    _post(posts, "The first version of this post.")
    site.rebuild()
    second = read()
    for key, entries in second.items():
        new = entries.keys() - first[key].keys()
        assert len(new) == 1 and len(entries) == len(first[key]) + 1, key
        assert "The first version" in entries[min(new)]

    _post(posts, "The second version of this post.")
    welcome = posts / "2024-02-12-welcome-to-tidepool.md"
    welcome.write_text(welcome.read_text("utf-8") + f"\n{EDIT}\n", "utf-8")
    site.rebuild()
    third = read()
    for key, entries in third.items():
        assert entries.keys() == second[key].keys(), key  # updated in place, no duplicate
        (new_id,) = entries.keys() - first[key].keys()
        assert "The second version" in entries[new_id]
        assert "The first version" not in entries[new_id]
        (welcome_id,) = (i for i, text in entries.items() if text.startswith("Welcome to"))
        assert EDIT in entries[welcome_id] and EDIT not in second[key][welcome_id]
        assert {i for i in entries if entries[i] != second[key][i]} == {new_id, welcome_id}


def test_the_reader_library_sees_one_new_entry_and_two_edits(
    sample_copy: Path, tmp_path: Path
) -> None:
    from reader import make_reader

    site = Rebuilds(sample_copy, "--log-format", "json")
    reader = make_reader(str(tmp_path / "reader.sqlite"))

    def read() -> Entries:
        reader.update_feeds(scheduled=False)  # now, not at each feed's next slot
        for url in site.urls:
            assert reader.get_feed(url).last_exception is None, url
        return {
            url: {
                e.id: (e.title or "") + (e.content[0].value if e.content else "")
                for e in reader.get_entries(feed=url)
            }
            for url in site.urls
        }

    try:
        for url in site.urls:
            reader.add_feed(url)
        _follow_the_blog(site, read, unconditional=1)
    finally:
        reader.close()
        assert site.daemon.stop() == 0
    assert any('"event": "listening"' in line for line in site.daemon.lines)


def _newsboat() -> str:
    found = shutil.which("newsboat")
    if found is None:
        unavailable("newsboat is not installed (apt-get install newsboat)")
    assert found is not None
    return found


def test_newsboat_sees_one_new_entry_and_two_edits(sample_copy: Path, tmp_path: Path) -> None:
    newsboat = _newsboat()
    site = Rebuilds(sample_copy)
    home = tmp_path / "newsboat"
    home.mkdir()
    (home / "urls").write_text("\n".join(site.urls) + "\n")
    (home / "config").write_text("")
    cache = home / "cache.db"

    def read() -> Entries:
        result = subprocess.run(
            [newsboat, "-u", "urls", "-c", str(cache), "-C", "config", "-x", "reload"],
            cwd=home,
            env={**os.environ, "HOME": str(home)},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        with contextlib.closing(sqlite3.connect(cache)) as db:
            # newsboat keeps one row per entry id, whichever of the feeds had it
            rows = db.execute("SELECT guid, title, content FROM rss_item WHERE deleted = 0")
            return {"newsboat": {guid: title + content for guid, title, content in rows}}

    try:
        # newsboat stores a feed's validators only once the feed is in its cache, so its
        # first two reloads are unconditional
        _follow_the_blog(site, read, unconditional=2)
    finally:
        assert site.daemon.stop() == 0


# -- the library, in process --------------------------------------------------------------------
def test_if_none_match_parsing() -> None:
    assert etag_matches('"a"', '"a"')
    assert etag_matches('W/"a"', '"a"')
    assert etag_matches(' "x" ,W/"a"', '"a"')
    assert etag_matches("*", '"a"')
    assert etag_matches("a", '"a"')  # unquoted, as some clients send it
    assert not etag_matches('"ab"', '"a"')
    assert not etag_matches('"a-gz"', '"a"')
    assert not etag_matches("", '"a"')


def test_accept_encoding_and_accept_parsing() -> None:
    assert accepts_gzip("gzip")
    assert accepts_gzip("deflate, gzip;q=0.5")
    assert accepts_gzip("x-gzip")
    assert accepts_gzip("*")
    assert not accepts_gzip(None)
    assert not accepts_gzip("gzip;q=0")
    assert not accepts_gzip("*, gzip;q=0")
    assert not accepts_gzip("gzip;q=nonsense")
    assert prefers_html(BROWSER_ACCEPT, "application/atom+xml")
    assert prefers_html("text/html", "application/rss+xml")
    assert not prefers_html(READER_ACCEPT, "application/atom+xml")
    assert not prefers_html(None, "application/atom+xml")
    assert not prefers_html("*/*", "application/atom+xml")
    assert not prefers_html("text/html, application/xml", "application/atom+xml")
    assert not prefers_html("text/*;q=0.5, application/rss+xml", "application/rss+xml")


def test_path_segments_that_are_refused() -> None:
    assert safe_parts("/") == ["index.html"]
    assert safe_parts("/tags/") == ["tags", "index.html"]
    assert safe_parts("/tags/x.atom.xml") == ["tags", "x.atom.xml"]
    for path in (
        "",
        "atom.xml",
        "/../x.xml",
        "/a/./x.xml",
        "/a//x.xml",
        "/.x.xml",
        "/a\\x.xml",
        "/x\x00.xml",
        "/%2e%2e/x.xml",
        "/x.py",
        "/x.xml.bak",
        f"/{TMP_PREFIX}x.xml",
        "/\xff.xml",  # not UTF-8
    ):
        assert safe_parts(path) is None, path


def test_the_xml_prolog_is_read_without_parsing_the_document() -> None:
    assert xml_prolog(_atom("x", "look.xsl")) == (
        "feed",
        [{"type": "text/xsl", "href": "look.xsl"}],
    )
    assert xml_prolog(b"<?xml-stylesheet href='a&amp;b.xsl' type='text/xsl'?><a:rss/>") == (
        "rss",
        [{"href": "a&b.xsl", "type": "text/xsl"}],
    )
    assert xml_prolog(b'<?xml-stylesheet\n\thref="a.xsl"?><rss/>') == ("rss", [{"href": "a.xsl"}])
    assert xml_prolog(b"<??><feed/>") == ("feed", [])
    assert xml_prolog(b"not xml") == (None, [])
    assert xml_prolog(b"<!-- unterminated") == (None, [])


def test_the_cache_is_bounded() -> None:
    cache: BoundedCache[str, bytes] = BoundedCache(3, 10, len)
    for key in "abcd":
        cache.put(key, b"xx")
    assert len(cache) == 3 and cache.get("a") is None
    cache.get("b")
    cache.put("e", b"xxxxxx")  # over 10 bytes in all: the least recently used go
    assert cache.get("c") is None and cache.get("b") is not None
    cache.put("huge", b"x" * 11)
    assert cache.get("huge") is None


def test_a_replaced_file_is_read_again_and_an_open_one_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    app = FeedApp(ServeSettings(out, tmp_path / "state", PUBLIC, "no-cache"))
    atomic_write(out / "atom.xml", _atom("one"))
    first = app.load(app.settings, ["atom.xml"])
    assert first is not None and app.load(app.settings, ["atom.xml"]) is first  # cached
    atomic_write(out / "atom.xml", _atom("two"))  # a new inode, as a build writes
    second = app.load(app.settings, ["atom.xml"])
    assert second is not None and b"two" in second.rep.body
    assert first.rep.etag != second.rep.etag
    assert b"one" in first.rep.body  # what was read stays whole


def test_a_file_replaced_by_every_build_is_cached_once(tmp_path: Path) -> None:
    """A daemon that rebuilds all day: each new version takes the old one's place, so
    the cache holds what the output folder holds, not every version ever served."""
    out = tmp_path / "out"
    out.mkdir()
    app = FeedApp(ServeSettings(out, tmp_path / "state", PUBLIC, "no-cache"))
    for n in range(50):
        atomic_write(out / "atom.xml", _atom(f"version {n}"))
        loaded = app.load(app.settings, ["atom.xml"])
        assert loaded is not None and f"version {n}".encode() in loaded.rep.body
    assert len(app.files) == 1


def test_idle_connections_over_the_limit_are_closed_so_a_new_client_gets_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feedwright.serve import HttpServer, server

    monkeypatch.setattr(server, "CONNECTION_LIMIT", 5)
    monkeypatch.setattr(server, "IDLE_TIMEOUT_SECONDS", 1)
    monkeypatch.setattr(server, "CLEANUP_SECONDS", 1)
    out = tmp_path / "out"
    out.mkdir()
    atomic_write(out / "atom.xml", _atom("one"))
    http = HttpServer(
        FeedApp(ServeSettings(out, tmp_path / "state", PUBLIC, "no-cache")), "127.0.0.1:0"
    )
    http.start()
    idle: list[socket.socket] = []
    try:
        for _ in range(10):
            idle.append(socket.create_connection(("127.0.0.1", http.port), timeout=5))
        started = time.monotonic()
        reply = fetch(http.port, "/atom.xml")
        assert reply.status == 200 and b"one" in reply.body
        assert time.monotonic() - started < 5  # the idle ones were closed after a second
        assert idle[0].recv(1) == b""  # closed by the server
    finally:
        for sock in idle:
            sock.close()
        http.stop()
