"""What subscribers get besides the feeds: JSON Feed, the discovery page, OPML, the
autodiscovery snippet, the browser view (feed.css, a page per feed), RFC 5005 yearly
archives, pictures, and WebSub pings. Everything is built by the CLI (in this process, or
in a subprocess where its log on stderr is checked) and read back with parsers this project
did not write (feedparser, lxml, jing, the published JSON Feed schema)."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs

import feedparser
import lxml.html
import pytest
import yaml
from lxml import etree

from conftest import (
    FIXED_NOW,
    check_feeds,
    check_json_feed,
    cli,
    need_corpus,
    run_cli,
    write_config,
)
from daemon_helpers import DaemonProcess, set_config

ATOM = "{http://www.w3.org/2005/Atom}"
FH = "{http://purl.org/syndication/history/1.0}"
MEDIA = "{http://search.yahoo.com/mrss/}"
FEEDS_URL = "https://tidepool.example.org/feeds/"
FEED_SUFFIXES = (".xml", ".json")


def build(config: Path, *extra: str) -> str:
    result = cli("build", "-c", config, "--now", FIXED_NOW, *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def build_logged(config: Path) -> str:
    """A build in a subprocess, whose WebSub log lines go to its stderr."""
    result = run_cli("build", "-c", config, "--now", FIXED_NOW)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def feeds_in(out: Path) -> set[str]:
    return {
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p.name.endswith(FEED_SUFFIXES)
    }


def local(url: str, base: str = FEEDS_URL) -> str:
    assert url.startswith(base), url
    return url[len(base) :]


@pytest.fixture
def built(sample_copy: Path) -> Path:
    """The sample blog with its own config: every subscriber feature on."""
    build(sample_copy / "config.yaml")
    return sample_copy / "feeds"


def test_every_feed_on_the_page_and_in_the_opml_exists_and_validates(built: Path) -> None:
    everything = feeds_in(built)
    opml = etree.parse(str(built / "feeds.opml")).getroot()
    assert opml.get("version") == "2.0"
    outlines = [o for o in opml.iter("outline") if o.get("xmlUrl")]
    in_opml = [local(o.get("xmlUrl", "")) for o in outlines]
    assert all(o.get("type") == "rss" and o.get("text") for o in outlines)
    assert len(in_opml) == len(set(in_opml))

    page = lxml.html.parse(str(built / "index.html")).getroot()
    assert page.get("lang") == "en"
    assert page.find(".//meta[@name='viewport']") is not None
    assert not page.xpath("//script"), "the page must work without JavaScript"
    in_page = [a.get("href") for a in page.xpath("//ul[@class='formats']//a")]
    assert set(in_page) == everything, "the page lists every feed file, archives included"
    assert set(in_opml) <= everything
    # one OPML outline per subscribable feed (every format of it is on the page)
    assert len(in_opml) == len([f for f in everything if f.endswith("atom.xml")]) - len(
        list((built / "archive").glob("*.xml"))
    )
    parsed = check_feeds(built / name for name in everything)
    # the page shows each feed's entry count: the Atom feed's entries, out of all its posts
    for item in page.xpath("//ul[@class='feeds']/li"):
        atom = item.xpath(".//a[@type='application/atom+xml']/@href")[0]
        shown = len(parsed[built / atom].entries)
        text = item.xpath(".//p[@class='meta']")[0].text_content()
        assert f"{shown} of " in text or text.startswith(f"{shown} post"), (atom, text)


def test_autodiscovery_links_are_absolute_distinct_and_site_first(built: Path) -> None:
    html = (built / "autodiscovery.html").read_text("utf-8")
    links = lxml.html.fragments_fromstring(html.split("-->", 1)[1])
    assert links[0].get("href") == FEEDS_URL + "atom.xml"
    titles = [link.get("title") for link in links]
    assert len(titles) == len(set(titles))
    types = {link.get("type") for link in links}
    assert types == {"application/atom+xml", "application/rss+xml", "application/feed+json"}
    # the site feed, the category feeds and the collections': every page's <head> carries
    # these links, and a blog can have hundreds of tag feeds (a tag page links its own)
    listed = {local(link.get("href")) for link in links}
    linked = ("categories/", "collections/")
    expected = {f for f in feeds_in(built) if "/" not in f or f.startswith(linked)}
    assert listed == expected and any(f.startswith("categories/") for f in listed)


def test_every_feed_names_the_css_and_has_a_page_with_its_titles_and_links(
    built: Path,
) -> None:
    assert not (built / "feed.xsl").exists()
    for name, page_name in (
        ("atom.xml", "atom.html"),
        ("rss.xml", "atom.html"),
        ("tags/kubernetes.atom.xml", "tags/kubernetes.html"),
    ):
        data = (built / name).read_bytes()
        pi = etree.fromstring(data).getprevious()
        assert pi is not None and pi.target == "xml-stylesheet"
        assert pi.get("type") == "text/css"  # browsers apply it; no XSLT
        href = pi.get("href")
        assert href is not None
        assert (built / name).parent.joinpath(href).resolve() == (built / "feed.css").resolve()
        page = lxml.html.fromstring((built / page_name).read_bytes())
        entries = feedparser.parse(data).entries
        shown = [(a.text_content(), a.get("href")) for a in page.xpath("//li/h3/a")]
        assert shown == [(e.title, e.link) for e in entries], name
        alternates = page.xpath("//head/link[@rel='alternate']/@href")
        assert (built / page_name).parent.joinpath(alternates[0]).resolve() == (
            built / name.replace("rss.xml", "atom.xml")
        ).resolve()
        index = page.xpath("//div[@class='howto']//a[not(@type)]/@href")
        assert (built / page_name).parent.joinpath(index[0]).resolve() == built / "index.html"
        assert "web feed" in page.text_content()


def test_json_feed_has_the_atom_feeds_entries_ids_and_content(built: Path) -> None:
    for name, atom in (
        ("feed.json", "atom.xml"),
        ("tags/kubernetes.json", "tags/kubernetes.atom.xml"),
    ):
        data = check_json_feed(built / name)
        doc = feedparser.parse((built / atom).read_bytes())
        assert [i["id"] for i in data["items"]] == [e.id for e in doc.entries]
        assert [i["title"] for i in data["items"]] == [e.title for e in doc.entries]
        assert [i["url"] for i in data["items"]] == [e.link for e in doc.entries]
        tree = etree.parse(str(built / atom))
        content = [c.text for c in tree.iter(f"{ATOM}content")]
        assert [i["content_html"] for i in data["items"]] == content
        assert data["feed_url"] == FEEDS_URL + name


def test_feed_icon_logo_and_post_picture(built: Path) -> None:
    atom = etree.parse(str(built / "atom.xml")).getroot()
    assert atom.findtext(f"{ATOM}icon") == "https://tidepool.example.org/assets/icon-64.png"
    assert atom.findtext(f"{ATOM}logo") == "https://tidepool.example.org/assets/logo.png"
    rss = feedparser.parse((built / "rss.xml").read_bytes())
    assert rss.feed.image.href == "https://tidepool.example.org/assets/logo.png"
    thumbs = [t.get("url") for t in atom.iter(f"{MEDIA}thumbnail")]
    assert thumbs == [
        "https://tidepool.example.org/assets/podcast/artwork.png",  # a podcast episode's
        "https://tidepool.example.org/assets/2024/summit-stage.jpg",
    ]


def test_a_local_picture_becomes_an_enclosure_with_type_and_length(tmp_path: Path) -> None:
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    (tmp_path / "site" / "assets").mkdir()
    picture = tmp_path / "site" / "assets" / "stage.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(1234))
    (posts / "2024-05-01-pic.md").write_text(
        "---\ntitle: With a picture\nimage: /assets/stage.png\n---\nHello.\n", "utf-8"
    )
    (posts / "2024-05-02-remote.md").write_text(
        "---\ntitle: Remote picture\nimage:\n  path: https://cdn.example.net/x.jpg\n---\nHi.\n",
        "utf-8",
    )
    config = write_config(tmp_path, posts, formats=["atom", "rss", "json"])
    build(config)
    out = tmp_path / "out"
    check_feeds([out / "atom.xml", out / "rss.xml", out / "feed.json"])
    url = "https://blog.example.org/assets/stage.png"
    for name in ("atom.xml", "rss.xml"):
        doc = feedparser.parse((out / name).read_bytes())
        by_title = {e.title: e for e in doc.entries}
        enclosures = by_title["With a picture"].enclosures
        assert [(e.href, e.type, int(e.length)) for e in enclosures] == [
            (url, "image/png", picture.stat().st_size)
        ], name
        assert by_title["Remote picture"].enclosures == [], "no length known: no enclosure"
        assert (
            by_title["Remote picture"].media_thumbnail[0]["url"] == "https://cdn.example.net/x.jpg"
        )
    data = check_json_feed(out / "feed.json")
    item = next(i for i in data["items"] if i["title"] == "With a picture")
    assert item["image"] == url
    assert item["attachments"] == [
        {"url": url, "mime_type": "image/png", "size_in_bytes": picture.stat().st_size}
    ]


def test_a_changed_picture_changes_the_enclosure_length(
    tmp_path: Path, racy_window: Callable[[], None]
) -> None:
    """The no-op and quick rebuilds skip work; a picture that changed size outside the
    posts folder must still reach the enclosures of every feed."""
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    (tmp_path / "site" / "assets").mkdir()
    picture = tmp_path / "site" / "assets" / "p.png"
    picture.write_bytes(bytes(1000))
    for n in (1, 2, 3):
        (posts / f"2024-05-0{n}-post-{n}.md").write_text(
            f"---\ntitle: Post {n}\ntags: [t{n}, all]\nimage: /assets/p.png\n---\nText {n}.\n",
            "utf-8",
        )
    config = write_config(tmp_path, posts)
    build(config)
    racy_window()
    build(config)  # every post now older than the racy window, and looked at since

    def lengths() -> set[str]:
        found = set()
        for path in (tmp_path / "out").rglob("*.rss.xml"):
            found.update(e.get("length") for e in etree.parse(str(path)).iter("enclosure"))
        return found

    assert lengths() == {"1000"}
    picture.write_bytes(bytes(5000))  # no post changed
    racy_window()
    build(config)
    assert lengths() == {"5000"}
    picture.write_bytes(bytes(7000))  # and one post's text changed
    post = posts / "2024-05-01-post-1.md"
    post.write_text(post.read_text("utf-8") + "More.\n", "utf-8")
    racy_window()
    build(config)
    assert lengths() == {"7000"}


def _archive_walk(out: Path, base: str) -> tuple[list[str], list[str]]:
    """Follow prev-archive from the site feed; return the archives seen and all entry ids."""
    seen: ClassVar[list[str]] = []
    ids: list[str] = []
    path = out / "atom.xml"
    while True:
        root = etree.parse(str(path)).getroot()
        ids.extend(e.findtext(f"{ATOM}id") or "" for e in root.iter(f"{ATOM}entry"))
        if seen:  # an archive document
            assert root.find(f"{FH}archive") is not None, path
            current = root.xpath("a:link[@rel='current']/@href", namespaces={"a": ATOM[1:-1]})
            assert current == [base + "atom.xml"], path
        prev = root.xpath("a:link[@rel='prev-archive']/@href", namespaces={"a": ATOM[1:-1]})
        if not prev:
            return seen, ids
        name = local(prev[0], base)
        assert name not in seen, "prev-archive loop"
        seen.append(name)
        path = out / name


def test_walking_prev_archive_reaches_every_post_of_the_corpus(tmp_path: Path) -> None:
    config = write_config(tmp_path, need_corpus(), archives={"enabled": True})
    output = build(config)
    out = tmp_path / "out"
    archives, ids = _archive_walk(out, "https://blog.example.org/feeds/")
    # 132 posts, 2 of them dated after the fixed --now of the build
    assert "posts: 132 found, 130 indexed" in output
    years = sorted({int(p.stem.split(".")[0]) for p in (out / "archive").glob("*.atom.xml")})
    assert archives == [f"archive/{y}.atom.xml" for y in reversed(years)]
    assert len(set(ids)) == 130, "every published post, counted by distinct id"
    check_feeds(out / a for a in archives)


def test_a_new_post_never_changes_a_past_years_archive(built: Path, sample_copy: Path) -> None:
    def archives() -> dict[str, tuple[bytes, int]]:
        return {
            p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (built / "archive").iterdir()
        }

    before = archives()  # the yearly feeds and their pages
    newest = max(name for name in before if name.endswith(".atom.xml"))
    (sample_copy / "posts" / "2025-06-02-new.md").write_text(
        "---\ntitle: Brand new\ntags: [kubernetes]\npub-date: June 2\npub-year: 2025\n---\nNew.\n",
        "utf-8",
    )
    build(sample_copy / "config.yaml")
    after = archives()
    assert newest == "2025.atom.xml"
    for name in before:
        if name.split(".")[0] != newest.split(".")[0]:
            assert after[name] == before[name], f"{name} changed"
    assert after[newest][0] != before[newest][0]
    titles = [e.title for e in feedparser.parse(after[newest][0]).entries]
    assert "Brand new" in titles
    _, ids = _archive_walk(built, FEEDS_URL)
    # the site feed (and so its archives) leaves out the weekly digest and a hidden post
    assert len(set(ids)) == 17, "the sample posts of the site feed and the new one"


def test_no_archives_without_atom_and_only_small_feeds_say_complete(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, need_corpus(), formats=["rss", "json"], archives={"enabled": True}
    )
    build(config)
    out = tmp_path / "out"
    assert not (out / "archive").exists(), "archives are Atom, linked from the Atom feed"
    assert etree.parse(str(out / "rss.xml")).getroot().find(f"channel/{FH}complete") is None
    small = etree.parse(str(out / "tags/kubecon.rss.xml")).getroot()
    assert small.find(f"channel/{FH}complete") is not None


def test_small_tag_feeds_say_complete_and_big_ones_do_not(tmp_path: Path) -> None:
    config = write_config(tmp_path, need_corpus(), archives={"enabled": True})
    build(config)
    out = tmp_path / "out"
    for name, complete in (("tags/kubecon.atom.xml", True), ("tags/kubevirt.atom.xml", False)):
        root = etree.parse(str(out / name)).getroot()
        entries = len(root.findall(f"{ATOM}entry"))
        assert (root.find(f"{FH}complete") is not None) is complete, (name, entries)
        assert not root.xpath("a:link[contains(@rel, 'archive')]", namespaces={"a": ATOM[1:-1]})
    rss = etree.parse(str(out / "tags/kubecon.rss.xml")).getroot()
    assert rss.find(f"channel/{FH}complete") is not None
    site = etree.parse(str(out / "atom.xml")).getroot()
    assert site.find(f"{FH}complete") is None, "the site feed has archives instead"


# --- WebSub -----------------------------------------------------------------------------


class _Hub(http.server.ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _HubHandler)
        self.pings: list[dict[str, list[str]]] = []


class _HubHandler(http.server.BaseHTTPRequestHandler):
    server: _Hub

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.server.pings.append(parse_qs(self.rfile.read(length).decode()))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hub() -> Iterator[_Hub]:
    server = _Hub()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _hub_url(server: _Hub) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/"


def _pinged(server: _Hub) -> set[str]:
    topics: set[str] = set()
    for ping in server.pings:
        assert ping["hub.mode"] == ["publish"]
        topics.update(ping["hub.url"])
    return topics


def _mtimes(out: Path) -> dict[str, int]:
    return {name: (out / name).stat().st_mtime_ns for name in feeds_in(out)}


def test_websub_hub_links_and_pings_for_exactly_the_changed_feeds(
    sample_copy: Path, hub: _Hub
) -> None:
    config = sample_copy / "config.yaml"
    set_config(config, websub={"hubs": [_hub_url(hub)]})
    out = sample_copy / "feeds"
    build_logged(config)
    assert _pinged(hub) == {FEEDS_URL + name for name in feeds_in(out)}, "first build: all"
    for name in ("atom.xml", "rss.xml", "tags/kubernetes.atom.xml", "archive/2024.atom.xml"):
        doc = etree.parse(str(out / name)).getroot()
        hubs = doc.xpath("//a:link[@rel='hub']/@href", namespaces={"a": ATOM[1:-1]})
        assert hubs == [_hub_url(hub)], name
    assert '"hubs"' in (out / "feed.json").read_text("utf-8")

    hub.pings.clear()
    before = _mtimes(out)
    time.sleep(0.01)
    post = sample_copy / "posts" / "2024-09-11-cpp-bindings.md"
    post.write_text(post.read_text("utf-8") + "\nOne more paragraph.\n", "utf-8")
    build_logged(config)
    after = _mtimes(out)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed and len(changed) < len(after)
    assert _pinged(hub) == {FEEDS_URL + name for name in changed}

    hub.pings.clear()
    build_logged(config)
    assert hub.pings == [], "nothing changed: no ping"


def test_a_hub_that_is_down_never_fails_the_build(sample_copy: Path) -> None:
    with socket.socket() as sock:  # a port with nothing listening
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    config = sample_copy / "config.yaml"
    set_config(config, websub={"hubs": [dead], "retries": 2, "timeout": 2})
    started = time.monotonic()
    output = build_logged(config)
    assert time.monotonic() - started < 60
    assert "websub" in output and "not notified" in output and "3 attempt(s)" in output
    check_feeds((sample_copy / "feeds") / name for name in ("atom.xml", "feed.json"))


def test_a_hub_that_answers_garbage_never_fails_the_build(sample_copy: Path) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    answered = threading.Event()

    def answer() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"garbage\r\n\r\n")
                answered.set()

    threading.Thread(target=answer, daemon=True).start()
    try:
        config = sample_copy / "config.yaml"
        hub = f"http://127.0.0.1:{server.getsockname()[1]}/"
        set_config(config, websub={"hubs": [hub], "retries": 1, "timeout": 2})
        output = build_logged(config)
        assert answered.is_set()
        assert "not notified" in output and "Traceback" not in output
    finally:
        server.close()


class _MovedHandler(http.server.BaseHTTPRequestHandler):
    """A hub that moved: it answers every request with a redirect and counts methods."""

    seen: ClassVar[list[str]] = []

    def _moved(self) -> None:
        self.seen.append(self.command)
        self.send_response(302)
        self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self._moved()

    def do_GET(self) -> None:
        self._moved()

    def log_message(self, *args: object) -> None:
        pass


def test_a_hub_that_redirects_is_reported_not_followed(sample_copy: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _MovedHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = sample_copy / "config.yaml"
        hub = f"http://127.0.0.1:{server.server_address[1]}/"
        set_config(config, websub={"hubs": [hub], "retries": 2})
        output = build_logged(config)
        assert "not notified" in output and "HTTP 302" in output
        assert _MovedHandler.seen == ["POST"], "the ping is not resent as a GET"
    finally:
        server.shutdown()
        server.server_close()


def test_the_daemon_pings_the_hub_after_a_new_post(sample_copy: Path, hub: _Hub) -> None:
    config = sample_copy / "config.yaml"
    set_config(config, websub={"hubs": [_hub_url(hub)]}, schedule={"every": "1s"})
    daemon = DaemonProcess(config)
    try:
        daemon.wait_builds(1)
        daemon.wait_for("the first pings", lambda: FEEDS_URL + "atom.xml" in _pinged(hub))
        hub.pings.clear()
        (sample_copy / "posts" / "2025-09-30-fresh.md").write_text(
            "---\ntitle: Fresh\ntags: [fresh]\npub-date: September 30\npub-year: 2025\n---\nNew.\n",
            "utf-8",
        )
        daemon.wait_for(
            "a ping for the new post", lambda: FEEDS_URL + "tags/fresh.atom.xml" in _pinged(hub)
        )
        assert FEEDS_URL + "atom.xml" in _pinged(hub)
        assert FEEDS_URL + "tags/networking.atom.xml" not in _pinged(hub)
    finally:
        assert daemon.stop() == 0


def test_config_rejects_a_hub_that_is_not_a_url(sample_copy: Path) -> None:
    config = sample_copy / "config.yaml"
    data = yaml.safe_load(config.read_text())
    data["websub"] = {"hubs": ["pubsubhubbub.example"]}
    config.write_text(yaml.safe_dump(data))
    result = cli("build", "-c", config)
    assert result.returncode == 2
    assert "websub.hubs" in result.stderr and "absolute http(s) URL" in result.stderr
