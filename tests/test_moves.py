"""Feeds that move or end: a tag feed whose last post is retagged is retired (410, or a
tombstone), ``moved:`` and a new path template give 301, and every answer reaches feed
readers through `feedwright serve`, the static hosts' rule files and a real nginx."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import feedparser
import pytest

from conftest import check_feeds, cli, unavailable, write_config
from daemon_helpers import DaemonProcess, set_config
from serve_helpers import fetch, port_of

SITE_FEED = "https://blog.example.org/feeds/atom.xml"


def _post(posts: Path, name: str, title: str, tags: list[str]) -> None:
    posts.mkdir(parents=True, exist_ok=True)
    (posts / name).write_text(
        f"---\ntitle: {title}\nauthor: Test\ntags: [{', '.join(tags)}]\n---\nAbout {title}.\n",
        "utf-8",
    )


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    """Two posts: 'go' has both, 'python' only the first; Atom, RSS and JSON Feed."""
    posts = tmp_path / "posts"
    _post(posts, "2024-01-02-first.md", "First", ["go", "python"])
    _post(posts, "2024-01-03-second.md", "Second", ["go"])
    return write_config(tmp_path, posts, formats=["atom", "rss", "json"])


def _build(config: Path, *args: str) -> str:
    done = cli("build", "-c", config, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def _retag(config: Path) -> None:
    """The first post loses its 'python' tag: the tag has no post left."""
    _post(config.parent / "posts", "2024-01-02-first.md", "First", ["go"])


PYTHON = ("tags/python.atom.xml", "tags/python.rss.xml", "tags/python.json")


def _moves(config: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((config.parent / "state" / "moves.json").read_text())
    return data


# -- retired feeds ---------------------------------------------------------------------------
def test_a_retagged_away_feed_is_a_valid_stable_tombstone_and_comes_back(blog: Path) -> None:
    out = blog.parent / "out"
    _build(blog)
    live = (out / "tags/python.atom.xml").read_bytes()
    _retag(blog)
    _build(blog)
    rules = _moves(blog)["rules"]
    assert isinstance(rules, dict)
    assert rules["gone"] == sorted(PYTHON)
    parsed = check_feeds([out / p for p in PYTHON])  # W3C validator, jing, feedparser, schema
    atom = parsed[out / "tags/python.atom.xml"]
    assert atom.feed.title == "Test Blog: posts tagged python"
    assert atom.feed.links[0].href == "https://blog.example.org/feeds/tags/python.atom.xml"
    [entry] = atom.entries
    assert entry.title == "This feed has ended"
    assert entry.link == SITE_FEED
    assert "no more posts tagged python" in entry.summary
    rss = parsed[out / "tags/python.rss.xml"]
    assert rss.entries[0].link == "https://blog.example.org/feeds/rss.xml"
    feed = json.loads((out / "tags/python.json").read_text())
    assert feed["expired"] is True
    assert feed["items"][0]["url"] == "https://blog.example.org/feeds/feed.json"
    # byte for byte the same at the next builds, the entry id included
    tombs = {p: (out / p).read_bytes() for p in PYTHON}
    mtimes = {p: (out / p).stat().st_mtime_ns for p in PYTHON}
    _build(blog, "--full")
    _build(blog)
    assert {p: (out / p).read_bytes() for p in PYTHON} == tombs
    assert {p: (out / p).stat().st_mtime_ns for p in PYTHON} == mtimes
    # a post tagged python again: the real feed is back, and no longer retired
    _post(blog.parent / "posts", "2024-01-04-third.md", "Third", ["python"])
    _build(blog)
    back = (out / "tags/python.atom.xml").read_bytes()
    assert b"Third" in back and b"This feed has ended" not in back and back != live
    assert _moves(blog)["ended"] == {}
    assert _moves(blog)["rules"] == {"moved": {}, "gone": []}


def test_an_ended_custom_feed_keeps_the_title_it_was_published_with(blog: Path) -> None:
    # a custom feed without title: is "<site>: <name>" while live; so is its tombstone
    text = blog.read_text("utf-8")
    blog.write_text(text + "feeds: {custom: {pythonic: {any_tags: [python]}}}\n", "utf-8")
    _build(blog)
    out = blog.parent / "out"
    live = feedparser.parse(str(out / "custom/pythonic.atom.xml")).feed.title
    assert live == "Test Blog: pythonic"
    blog.write_text(text, "utf-8")  # the custom feed is taken out of the config
    _build(blog)
    ended = feedparser.parse(str(out / "custom/pythonic.atom.xml"))
    assert ended.feed.title == live
    assert [e.title for e in ended.entries] == ["This feed has ended"]
    check_feeds([out / "custom/pythonic.atom.xml", out / "custom/pythonic.rss.xml"])


def test_a_quick_build_keeps_tombstones_and_rules(
    blog: Path, racy_window: Callable[[], None]
) -> None:
    set_config(blog, redirects={"netlify": True})
    out = blog.parent / "out"
    _build(blog)
    _retag(blog)
    _build(blog)
    kept = {p: (out / p).read_bytes() for p in (*PYTHON, "_redirects")}
    racy_window()
    post = blog.parent / "posts" / "2024-01-03-second.md"
    post.write_text(post.read_text().replace("About Second.", "About Second, edited."))
    said = _build(blog, "-v")
    assert "edited" in (out / "tags/go.atom.xml").read_text()
    assert "quick" in said.lower(), said  # only the body changed: the quick path
    assert {p: (out / p).read_bytes() for p in kept} == kept


def test_retired_remove_deletes_the_feed_but_remembers_it(blog: Path) -> None:
    set_config(blog, retired="remove", redirects={"netlify": True})
    out = blog.parent / "out"
    _build(blog)
    _retag(blog)
    _build(blog)
    assert not any((out / p).exists() for p in PYTHON)
    assert "/feeds/tags/python.atom.xml /feeds/tags/python.atom.xml 410!" in (
        (out / "_redirects").read_text()
    )
    _build(blog)  # still retired at the next build
    assert "/feeds/tags/python.json" in (out / "_redirects").read_text()


def test_a_new_path_template_is_a_move(blog: Path) -> None:
    set_config(blog, redirects={"netlify": True})
    out = blog.parent / "out"
    _build(blog)
    feeds = {"tags": {"atom": "topics/{slug}.atom.xml"}}
    set_config(blog, feeds=feeds)
    _build(blog)
    rules = (out / "_redirects").read_text()
    assert "/feeds/tags/go.atom.xml https://blog.example.org/feeds/topics/go.atom.xml 301!" in rules
    assert "tags/go.rss.xml" not in rules  # the RSS feeds did not move
    [entry] = check_feeds([out / "tags/go.atom.xml"])[out / "tags/go.atom.xml"].entries
    assert entry.title == "This feed has moved"
    assert entry.link == "https://blog.example.org/feeds/topics/go.atom.xml"


# -- the static hosts' rules ---------------------------------------------------------------------
def _moved_and_retired(blog: Path, **redirects: bool) -> Path:
    set_config(
        blog,
        moved={"old/all.xml": "atom.xml", "go.xml": "https://elsewhere.example.net/go.xml"},
        redirects=redirects,
    )
    _build(blog)
    _retag(blog)
    _build(blog)
    return blog.parent / "out"


def test_netlify_redirects(blog: Path) -> None:
    out = _moved_and_retired(blog, netlify=True)
    lines = (out / "_redirects").read_text().splitlines()
    assert [line for line in lines if not line.startswith("#")] == [
        "/feeds/go.xml https://elsewhere.example.net/go.xml 301!",
        "/feeds/old/all.xml https://blog.example.org/feeds/atom.xml 301!",
        "/feeds/tags/python.atom.xml /feeds/tags/python.atom.xml 410!",
        "/feeds/tags/python.json /feeds/tags/python.json 410!",
        "/feeds/tags/python.rss.xml /feeds/tags/python.rss.xml 410!",
    ]
    assert not (out / ".htaccess").exists()
    assert not (out / "feedwright-redirects.nginx.conf").exists()


def test_apache_htaccess(blog: Path) -> None:
    out = _moved_and_retired(blog, apache=True)
    lines = (out / ".htaccess").read_text().splitlines()
    assert [line for line in lines if not line.startswith("#")] == [
        'RedirectMatch 301 "^/feeds/go\\.xml$" "https://elsewhere.example.net/go.xml"',
        'RedirectMatch 301 "^/feeds/old/all\\.xml$" "https://blog.example.org/feeds/atom.xml"',
        'RedirectMatch 410 "^/feeds/tags/python\\.atom\\.xml$"',
        'RedirectMatch 410 "^/feeds/tags/python\\.json$"',
        'RedirectMatch 410 "^/feeds/tags/python\\.rss\\.xml$"',
    ]


def test_rules_name_the_url_a_feed_was_published_at(blog: Path) -> None:
    """A path that needs quoting ('%', a space, a non-ASCII letter): each host's rule matches
    the path of the URL the feed gave as its own, which is what subscribers request."""
    set_config(blog, redirects={"netlify": True, "nginx": True, "apache": True})
    out = blog.parent / "out"
    set_config(blog, feeds={"tags": {"atom": "50%25 off/café/{slug}.atom.xml"}})
    _build(blog)
    old = "50%25 off/café/go.atom.xml"
    published = feedparser.parse((out / old).read_bytes()).feed.links
    [self_url] = [link.href for link in published if link.rel == "self"]
    sent = urllib.parse.urlsplit(self_url).path
    decoded = urllib.parse.unquote(sent)
    assert decoded == "/feeds/" + old  # the URL names the file it was published in
    set_config(blog, feeds={"tags": {"atom": "topics/{slug}.atom.xml"}})
    _build(blog)
    new = "https://blog.example.org/feeds/topics/go.atom.xml"
    assert f"{sent} {new} 301!" in (out / "_redirects").read_text().splitlines()
    nginx = (out / "feedwright-redirects.nginx.conf").read_text().splitlines()
    assert f'    "{decoded}" "{new}";' in nginx
    apache = (out / ".htaccess").read_text().splitlines()
    assert f'RedirectMatch 301 "^{re.escape(decoded)}$" "{new}"' in apache


def test_rule_files_are_removed_when_turned_off(blog: Path) -> None:
    out = _moved_and_retired(blog, netlify=True, nginx=True, apache=True)
    names = ("_redirects", ".htaccess", "feedwright-redirects.nginx.conf")
    assert all((out / name).is_file() for name in names)
    mtimes = {name: (out / name).stat().st_mtime_ns for name in names}
    _build(blog, "--full")
    assert {name: (out / name).stat().st_mtime_ns for name in names} == mtimes  # unchanged
    set_config(blog, redirects={})
    _build(blog)
    assert not any((out / name).exists() for name in names)


def test_a_moved_path_that_is_still_a_feed_is_refused(blog: Path) -> None:
    set_config(blog, moved={"tags/go.atom.xml": "atom.xml"})
    done = cli("build", "-c", blog)
    assert done.returncode == 1
    assert "output-clash" in done.stdout + done.stderr or "both be written" in (
        done.stdout + done.stderr
    )
    assert "moved: tags/go.atom.xml" in done.stdout + done.stderr


def test_moved_paths_must_stay_in_the_output_folder(blog: Path) -> None:
    set_config(blog, moved={"../x.xml": "atom.xml"})
    done = cli("build", "-c", blog)
    assert done.returncode == 2
    assert "plain path relative to the output folder" in done.stdout + done.stderr


# -- feedwright serve ---------------------------------------------------------------------------
def test_serve_answers_301_and_410(blog: Path) -> None:
    _moved_and_retired(blog)
    proc = DaemonProcess(blog, "--bind", "127.0.0.1:0", command="serve")
    try:
        port = port_of(proc)
        moved = fetch(port, "/old/all.xml")
        assert moved.status == 301
        assert moved.header("Location") == SITE_FEED
        away = fetch(port, "/go.xml", method="HEAD")
        assert (away.status, away.body) == (301, b"")
        assert away.header("Location") == "https://elsewhere.example.net/go.xml"
        for path in PYTHON:
            gone = fetch(port, "/" + path)
            assert gone.status == 410, path
            assert gone.header("Cache-Control") == "public, max-age=300"
        assert fetch(port, "/tags/go.atom.xml").status == 200
        assert fetch(port, "/tags/nothing.atom.xml").status == 404
        # the tag comes back: served again at once, without a restart
        _post(blog.parent / "posts", "2024-01-04-third.md", "Third", ["python"])
        _build(blog)
        back = fetch(port, "/tags/python.atom.xml")
        assert back.status == 200 and b"Third" in back.body
    finally:
        assert proc.stop() == 0, proc.log


# -- a real nginx ---------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """An nginx binary and a scratch prefix folder (skipped without nginx)."""
    binary = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).is_file()), None
    )
    if binary is None:
        unavailable("nginx is not installed (apt-get install nginx-light)")
    assert binary is not None
    prefix = tmp_path / "nginx"
    (prefix / "logs").mkdir(parents=True)
    yield Path(binary), prefix


def test_nginx_serves_the_generated_map(blog: Path, nginx: tuple[Path, Path]) -> None:
    binary, prefix = nginx
    out = _moved_and_retired(blog, nginx=True)
    port = _free_port()
    # the site's root holds the output folder as feeds/, as feeds_url says
    root = prefix / "html"
    root.mkdir()
    (root / "feeds").symlink_to(out)
    conf = prefix / "nginx.conf"
    # as root, workers would run as nobody, who cannot read pytest's private folders
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf.write_text(
        f"""{user}daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {out}/feedwright-redirects.nginx.conf;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        disable_symlinks off;
        if ($feedwright_moved) {{ return 301 $feedwright_moved; }}
        if ($feedwright_gone) {{ return 410; }}
    }}
}}
"""
    )
    checked = subprocess.run(
        [binary, "-t", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen(
        [binary, "-p", str(prefix), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    opener = urllib.request.build_opener(_NoRedirect)

    def status(path: str) -> tuple[int, str | None]:
        try:
            with opener.open(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
                return reply.status, None
        except urllib.error.HTTPError as err:
            return err.code, err.headers.get("Location")

    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)
        assert status("/feeds/old/all.xml") == (301, SITE_FEED)
        assert status("/feeds/go.xml") == (301, "https://elsewhere.example.net/go.xml")
        for path in PYTHON:
            assert status(f"/feeds/{path}")[0] == 410, path
        assert status("/feeds/tags/go.atom.xml") == (200, None)
        assert status("/feeds/tags/nothing.atom.xml")[0] == 404
    finally:
        server.terminate()
        server.wait(10)


def test_a_record_with_a_time_that_cannot_be_read_is_not_trusted(tmp_path: Path) -> None:
    # read as unreadable (as if the file were gone), never a crash in the tombstone later
    from feedwright.moves.record import MOVES_FILE, MOVES_VERSION, read_moves

    ended = {"family": "tag", "format": "atom", "label": "x", "since": "yesterday"}
    data = {
        "version": MOVES_VERSION,
        "published": {},
        "ended": {"tags/x.atom.xml": ended},
        "rules": {"moved": {}, "gone": ["tags/x.atom.xml"]},
    }
    (tmp_path / MOVES_FILE).write_text(json.dumps(data), "utf-8")
    assert read_moves(tmp_path).ended == {}
    ended["since"] = "2025-01-02T03:04:05Z"
    (tmp_path / MOVES_FILE).write_text(json.dumps(data), "utf-8")
    assert set(read_moves(tmp_path).ended) == {"tags/x.atom.xml"}
