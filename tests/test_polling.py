"""Polite polling, as a feed host sees it: `serve` counts each client's conditional and
unconditional fetches per feed, reads the subscriber counts feed services state in their
User-Agent, reports both (``/stats`` when enabled and only on this machine, and
``feedwright status``), keeps them across a restart, and can answer ``429`` with
``Retry-After`` to a client that re-fetches unconditionally too often. Requests go over
real HTTP (http.client); the counter's clock is a fake one, so nothing sleeps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import cli, write_config
from daemon_helpers import DaemonProcess
from feedwright.serve import FeedApp, HttpServer, ServeSettings
from feedwright.serve.polling import STATS_FILE, subscribers
from serve_helpers import Reply, fetch, port_of

PUBLIC = "https://blog.example.org/feeds/"
FEEDLY = "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 123 subscribers; )"
INOREADER = "Mozilla/5.0 (compatible; inoreader.com; 45 subscribers)"
READER = "SimpleReader/2.1 (+https://reader.example.net/)"


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (FEEDLY, ("Feedly", 123)),
        (INOREADER, ("Inoreader", 45)),
        (
            "NewsBlur Feed Fetcher - 12 subscribers - https://www.newsblur.com/site/1/blog",
            ("NewsBlur", 12),
        ),
        ("Feedbin feed-id:1234 - 56 subscribers", ("Feedbin", 56)),
        ("Mozilla/5.0 (compatible; theoldreader.com; 7 subscribers)", ("The Old Reader", 7)),
        ("BazQux/2.4 (+https://bazqux.com/fetcher; 1 subscriber)", ("BazQux", 1)),
        ("FooFeeds/3.0 (+https://foofeeds.example; 1,204 readers)", ("FooFeeds", 1204)),
        ("Mozilla/5.0 (compatible; BarBot/1.1; 9 readers)", ("BarBot", 9)),
        (READER, None),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", None),
    ],
)
def test_subscriber_counts_are_read_from_each_service(
    user_agent: str, expected: tuple[str, int] | None
) -> None:
    assert subscribers(user_agent) == expected


# -- a real server, with a fake clock ---------------------------------------------------------
class FakeClock:
    def __init__(self) -> None:
        self.now = 1_767_225_600.0  # 2026-01-01T00:00:00Z

    def __call__(self) -> float:
        return self.now


@dataclass
class Served:
    app: FeedApp
    server: HttpServer
    clock: FakeClock
    state: Path

    def get(self, path: str, agent: str = READER, **headers: str) -> Reply:
        sent = {"User-Agent": agent, **{k.replace("_", "-"): v for k, v in headers.items()}}
        return fetch(self.server.port, path, sent)

    def stats(self) -> dict[str, object]:
        reply = self.get("/stats")
        assert reply.status == 200, reply.body
        assert reply.header("Content-Type") == "application/json; charset=utf-8"
        data: dict[str, object] = json.loads(reply.body)
        return data

    def stop(self) -> None:
        self.server.stop()
        self.app.polls.keep(self.state)  # what `serve` does when it stops


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("polling")
    posts = folder / "posts"
    posts.mkdir()
    (posts / "2025-01-02-hello.md").write_text("---\ntitle: Hello\n---\nHello.\n")
    # index.html too: a page that is not a feed, which serve answers without counting it
    discovery = {"index": True, "opml": False, "autodiscovery": False, "stylesheet": False}
    config = write_config(folder, posts, discovery=discovery)
    result = cli("build", "-c", config)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "out", folder / "state"


@pytest.fixture
def serve(blog: tuple[Path, Path], tmp_path: Path) -> Iterator[Served]:
    """A server of the built blog with its own state folder; more with ``start(...)``."""
    out, built_state = blog
    state = tmp_path / "state"
    state.mkdir()
    for name in ("manifest.json", "status.json"):
        (state / name).write_bytes((built_state / name).read_bytes())
    clock = FakeClock()
    running: list[Served] = []

    def start(**settings: object) -> Served:
        app = FeedApp(ServeSettings(out, state, PUBLIC, "no-cache", **settings), clock)  # type: ignore[arg-type]
        server = HttpServer(app, "127.0.0.1:0")
        server.start()
        running.append(Served(app, server, clock, state))
        return running[-1]

    served = start(stats=True)
    served.start = start  # type: ignore[attr-defined]
    yield served
    for one in running:
        one.server.stop()


def feed(stats: dict[str, object], path: str) -> dict[str, object]:
    feeds = stats["feeds"]
    assert isinstance(feeds, dict)
    entry: dict[str, object] = feeds[path]
    return entry


def client(stats: dict[str, object], agent: str) -> dict[str, object]:
    clients = stats["clients"]
    assert isinstance(clients, list)
    [found] = [c for c in clients if c["user_agent"] == agent]
    assert found["address"] == "127.0.0.1"
    by_feed: dict[str, object] = found["feeds"]
    return by_feed


def test_conditional_and_unconditional_fetches_are_counted_per_client_and_feed(
    serve: Served,
) -> None:
    first = serve.get("/atom.xml")
    assert first.status == 200
    etag = first.header("ETag")
    assert etag is not None
    assert serve.get("/atom.xml").status == 200
    assert serve.get("/atom.xml", If_None_Match=etag).status == 304
    assert serve.get("/atom.xml", If_Modified_Since="Thu, 01 Jan 2099 00:00:00 GMT").status == 304
    assert serve.get("/rss.xml", FEEDLY).status == 200
    assert serve.get("/index.html").status == 200  # not a feed: not counted
    stats = serve.stats()
    assert set(stats["feeds"]) == {"atom.xml", "rss.xml"}  # type: ignore[arg-type]
    mine = client(stats, READER)
    assert set(mine) == {"atom.xml"}
    assert mine["atom.xml"]["conditional"] == 2  # type: ignore[index]
    assert mine["atom.xml"]["unconditional"] == 2  # type: ignore[index]
    assert feed(stats, "atom.xml") | {"subscribers": {}} == {
        "conditional": 2,
        "unconditional": 2,
        "throttled": 0,
        "clients": 1,
        "subscribers": {},
        "subscribers_total": 0,
    }
    assert feed(stats, "rss.xml")["unconditional"] == 1
    assert feed(stats, "rss.xml")["clients"] == 1


def test_the_latest_subscriber_count_of_each_service_is_kept_per_feed(serve: Served) -> None:
    serve.get("/rss.xml", FEEDLY)
    serve.clock.now += 3600
    serve.get("/rss.xml", FEEDLY.replace("123", "130"))
    serve.get("/rss.xml", INOREADER)
    serve.get("/atom.xml", "NewsBlur Feed Fetcher - 12 subscribers - https://www.newsblur.com/")
    stats = serve.stats()
    rss = feed(stats, "rss.xml")
    services = rss["subscribers"]
    assert isinstance(services, dict)
    assert {name: s["count"] for name, s in services.items()} == {"Feedly": 130, "Inoreader": 45}
    assert rss["subscribers_total"] == 175
    assert feed(stats, "atom.xml")["subscribers_total"] == 12


def test_stats_are_off_by_default(serve: Served) -> None:
    plain = serve.start()  # type: ignore[attr-defined]
    assert plain.get("/atom.xml").status == 200
    assert plain.get("/stats").status == 404


@pytest.mark.parametrize(("remote", "expected"), [("127.0.0.1", 200), ("203.0.113.9", 404)])
def test_stats_are_only_for_clients_on_this_machine(
    serve: Served, remote: str, expected: int
) -> None:
    seen: list[str] = []
    body = b"".join(
        serve.app(
            {"REQUEST_METHOD": "GET", "PATH_INFO": "/stats", "REMOTE_ADDR": remote},
            lambda status, headers, exc=None: seen.append(status),  # type: ignore[arg-type,misc,return-value]
        )
    )
    assert int(seen[0].split()[0]) == expected
    assert (b'"clients"' in body) == (expected == 200)


def test_an_unconditional_refetch_too_soon_gets_429_and_a_conditional_one_never(
    serve: Served,
) -> None:
    polite = serve.start(stats=True, min_interval=300.0)  # type: ignore[attr-defined]
    first = polite.get("/rss.xml")
    assert first.status == 200
    polite.clock.now += 100
    again = polite.get("/rss.xml")
    assert again.status == 429
    assert again.header("Retry-After") == "200"
    polite.clock.now += 50
    assert polite.get("/rss.xml").header("Retry-After") == "150"  # a 429 does not reset it
    etag = first.header("ETag")
    assert etag is not None
    assert polite.get("/rss.xml", If_None_Match=etag).status == 304
    assert polite.get("/rss.xml", If_None_Match='"stale"').status == 200  # changed: served
    assert polite.get("/rss.xml", FEEDLY).status == 200  # another client has its own pace
    assert polite.get("/atom.xml").status == 200  # and so has another feed
    polite.clock.now += 150
    assert polite.get("/rss.xml").status == 200
    mine = client(polite.stats(), READER)["rss.xml"]
    assert isinstance(mine, dict)
    assert (mine["unconditional"], mine["throttled"], mine["conditional"]) == (2, 2, 2)


def test_without_polite_nobody_is_throttled(serve: Served) -> None:
    assert [serve.get("/rss.xml").status for _ in range(5)] == [200] * 5


def test_the_counts_survive_a_restart(serve: Served) -> None:
    serve.get("/atom.xml")
    serve.get("/atom.xml", FEEDLY)
    serve.stop()
    saved = json.loads((serve.state / STATS_FILE).read_text("utf-8"))
    assert feed(saved, "atom.xml")["unconditional"] == 2
    again = serve.start(stats=True)  # type: ignore[attr-defined]
    again.get("/atom.xml")
    stats = again.stats()
    assert client(stats, READER)["atom.xml"]["unconditional"] == 2  # type: ignore[index]
    assert feed(stats, "atom.xml")["subscribers_total"] == 123
    assert stats["since"] == saved["since"]


def test_the_counts_are_saved_while_serving(serve: Served) -> None:
    serve.get("/atom.xml")
    assert not (serve.state / STATS_FILE).exists()
    serve.clock.now += 61
    serve.get("/atom.xml")
    saved = json.loads((serve.state / STATS_FILE).read_text("utf-8"))
    assert feed(saved, "atom.xml")["unconditional"] == 2


# -- `feedwright serve` and `feedwright status`, as users run them ----------------------------
def test_serve_keeps_the_counts_across_restarts_and_status_reports_them(
    blog: tuple[Path, Path], tmp_path: Path
) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "2025-01-02-hello.md").write_text("---\ntitle: Hello\n---\nHello.\n")
    config = write_config(tmp_path, posts, serve={"stats": True})
    assert cli("build", "-c", config).returncode == 0
    for run in (1, 2):
        proc = DaemonProcess(config, "--bind", "127.0.0.1:0", command="serve")
        try:
            port = port_of(proc)
            assert fetch(port, "/atom.xml", {"User-Agent": FEEDLY}).status == 200
        finally:
            assert proc.stop() == 0, proc.log
        data = json.loads((tmp_path / "state" / STATS_FILE).read_text("utf-8"))
        assert feed(data, "atom.xml")["unconditional"] == run
    status = cli("status", "-c", config, "--format", "json")
    assert status.returncode == 0, status.stderr
    polling = json.loads(status.stdout)["polling"]
    assert feed(polling, "atom.xml")["subscribers_total"] == 123
    text = cli("status", "-c", config)
    assert "0 conditional and 2 unconditional fetches by 1 clients" in text.stdout
    assert "123 subscribers" in text.stdout
