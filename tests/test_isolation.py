"""One hostile post never stops the other posts' feeds: each case below is one extra file
in a blog with a good post, and the good post's feed is published every time."""

from __future__ import annotations

import os
import time
from pathlib import Path

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_cli, write_config
from feedwright.guard import Budget, guarded_map
from feedwright.parallel import Team

GOOD = "---\ntitle: Good post\n---\nHello from the good post.\n"


def blog(tmp_path: Path, name: str | bytes, body: str, **extra: object) -> Path:
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "2024-01-01-good.md").write_text(GOOD, "utf-8")
    if isinstance(name, bytes):
        with open(os.path.join(os.fsencode(posts), name), "wb") as handle:
            handle.write(body.encode("utf-8"))
    else:
        (posts / name).write_text(body, "utf-8")
    return write_config(tmp_path, posts, **extra)


def build(tmp_path: Path, config: Path, code: int) -> str:
    done = run_cli("build", "--config", config, "--jobs", "1")
    out = done.stdout + done.stderr
    assert "Traceback" not in out, out
    assert done.returncode == code, out
    feed = feedparser.parse((tmp_path / "out" / "atom.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert "Good post" in [e.title for e in feed.entries]
    return out


@pytest.mark.parametrize("ref", ["&#1;", "&#8;", "&#x1F;", "&#xFFFE;"])
def test_references_xml_forbids_are_removed(tmp_path: Path, ref: str) -> None:
    text = f'---\ntitle: Bad\n---\nfirst\n\nhi {ref} <a href="/x" title="a{ref}b">x</a>\n'
    config = blog(tmp_path, "2024-02-01-bad.md", text)
    out = build(tmp_path, config, 0)
    assert "2024-02-01-bad.md:6: warning: removed 2 character(s) that XML forbids" in out
    feed = feedparser.parse((tmp_path / "out" / "atom.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["Bad", "Good post"]
    check = run_cli("check", "--config", config)
    assert check.returncode == 0, check.stdout + check.stderr


def test_control_character_in_permalink(tmp_path: Path) -> None:
    text = '---\ntitle: Bad\npermalink: "/a\\x01b/"\n---\nhi\n'
    config = blog(tmp_path, "2024-02-01-bad.md", text)
    out = build(tmp_path, config, 0)
    assert "2024-02-01-bad.md:3: warning: removed 1 character(s) that XML forbids from" in out
    feed = feedparser.parse((tmp_path / "out" / "atom.xml").read_bytes())
    assert "https://blog.example.org/ab/" in [e.link for e in feed.entries]


@pytest.mark.parametrize("full", [False, True])
def test_file_name_not_utf8(tmp_path: Path, full: bool) -> None:
    config = blog(tmp_path, b"2024-02-10-\xff.md", "---\ntitle: Bad\n---\nhi\n")
    out = build(tmp_path, config, 1)
    assert "2024-02-10-\\xff.md: file name is not valid UTF-8" in out
    if full:  # and again, with nothing reused
        assert "2024-02-10-\\xff.md" in build(tmp_path, config, 1)
    check = run_cli("check", "--config", config)
    assert check.returncode == 1
    assert "2024-02-10-\\xff.md: error: file name is not valid UTF-8" in check.stdout


def test_deeply_nested_list(tmp_path: Path) -> None:
    body = "".join("  " * depth + "- item\n" for depth in range(300))
    config = blog(tmp_path, "2024-02-01-deep.md", "---\ntitle: Deep\n---\n" + body)
    out = build(tmp_path, config, 1)
    assert "2024-02-01-deep.md: error: rendering failed: RecursionError" in out
    feed = feedparser.parse((tmp_path / "out" / "atom.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["Good post"]


def test_a_post_that_fails_leaves_its_place_to_the_next_one(tmp_path: Path) -> None:
    """With one entry per feed, the newest post failing lets the good one move up: it is
    rendered then, and published whole."""
    body = "".join("  " * depth + "- item\n" for depth in range(300))
    config = blog(tmp_path, "2024-02-01-deep.md", "---\ntitle: Deep\n---\n" + body, limit=1)
    build(tmp_path, config, 1)
    entry = feedparser.parse((tmp_path / "out" / "atom.xml").read_bytes()).entries[0]
    assert "Hello from the good post." in entry.content[0].value


@pytest.mark.parametrize("unit", ["[", "[a](", "<a ", "<![CDATA["])
def test_quadratic_input_is_stopped(tmp_path: Path, unit: str) -> None:
    body = unit * (60_000 // len(unit))
    text = "---\ntitle: Slow\n---\n" + body + "\n"
    config = blog(tmp_path, "2024-02-01-slow.md", text, limits={"render_seconds": 0.5})
    started = time.monotonic()
    out = build(tmp_path, config, 1)
    assert time.monotonic() - started < 30
    assert "2024-02-01-slow.md: error: rendering took longer than limits.render_seconds" in out


def test_deepening_quotes_are_stopped(tmp_path: Path) -> None:
    body = "".join(">" * depth + " x\n" for depth in range(1, 2000))
    config = blog(
        tmp_path,
        "2024-02-01-quotes.md",
        "---\ntitle: Quotes\n---\n" + body,
        limits={"render_seconds": 1, "render_memory": "300MB"},
    )
    out = build(tmp_path, config, 1)
    assert "2024-02-01-quotes.md: error: rendering " in out


def _nap(context: float, item: int) -> int:
    if item == 1:
        time.sleep(60)  # stuck
    return item * 10


def _boom(context: None, item: int) -> int:
    if item == 2:
        raise RecursionError("too deep")
    if item == 3:
        os._exit(3)  # the process dies with it
    return item


def test_stuck_item_is_stopped_and_its_worker_replaced() -> None:
    with Team(1) as team:
        started = time.monotonic()
        out = list(guarded_map(team, _nap, 0.0, [0, 1, 2, 3], Budget(0.3)))
        assert time.monotonic() - started < 5
        assert [o.value for o in out] == [0, None, 20, 30]
        assert out[1].failure == "timeout"
        # a new worker took the stuck one's place and keeps working
        again = list(guarded_map(team, _boom, None, [0, 1, 2, 3, 4], Budget(5)))
    assert [o.value for o in again] == [0, 1, None, None, 4]
    assert [o.failure for o in again] == [None, None, "error", "died", None]
    assert "RecursionError: too deep" in again[2].detail


def _hungry(context: None, item: int) -> int:
    block = bytearray(item * 1024 * 1024)
    return len(block)


def test_memory_budget() -> None:
    with Team(2) as team:
        out = list(guarded_map(team, _hungry, None, [1, 400, 2], Budget(10, 100 * 1024 * 1024)))
    assert [o.failure for o in out] == [None, "memory", None]
    assert out[2].value == 2 * 1024 * 1024


HOSTILE_PIECES = [
    "[",
    "[a](",
    "<a ",
    "<![CDATA[",
    "> ",
    "- ",
    "  ",
    "*",
    "_",
    "`",
    "&#1;",
    "&#xFFFE;",
    "\x01",
    "{{",
    "{%",
    "\n",
    "|",
    "#",
    "<div>",
    "\ud800",
    "text",
]


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pieces=st.lists(st.sampled_from(HOSTILE_PIECES), max_size=40),
    repeat=st.integers(1, 3000),
    front=st.sampled_from(["title: Fuzz", 'permalink: "/\\x02/"', "tags: [a, '\\x03']", ""]),
)
def test_fuzz_the_good_feed_is_always_published(
    tmp_path_factory: pytest.TempPathFactory, pieces: list[str], repeat: int, front: str
) -> None:
    tmp_path = tmp_path_factory.mktemp("fuzz")
    body = "".join(pieces) * (repeat if len(pieces) < 5 else max(1, repeat // 20))
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "2024-01-01-good.md").write_text(GOOD, "utf-8")
    data = f"---\n{front}\n---\n{body}\n".encode("utf-8", "surrogatepass")
    (posts / "2024-02-01-fuzz.md").write_bytes(data)
    config = write_config(tmp_path, posts, limits={"render_seconds": 1})
    done = run_cli("build", "--config", config)
    out = done.stdout + done.stderr
    assert "Traceback" not in out, out
    assert done.returncode in (0, 1), out
    feed = feedparser.parse((tmp_path / "out" / "atom.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert "Good post" in [e.title for e in feed.entries]


@pytest.mark.parametrize(
    "body",
    [
        "{{" * 40_000,
        "[a](b) *em* **strong** _u_ " * (2 * 1024 * 1024 // 28),
    ],
    ids=["liquid-braces", "2MB-links-emphasis"],
)
def test_big_hostile_bodies_end_within_the_post_limits(tmp_path: Path, body: str) -> None:
    """Each is rendered, or stopped at limits.render_seconds: never a stuck build."""
    text = "---\ntitle: Big\n---\n" + body + "\n"
    config = blog(tmp_path, "2024-02-01-big.md", text, limits={"render_seconds": 2})
    started = time.monotonic()
    done = run_cli("build", "--config", config, "--jobs", "1")
    out = done.stdout + done.stderr
    assert "Traceback" not in out, out
    assert time.monotonic() - started < 60
    feed = feedparser.parse((tmp_path / "out" / "atom.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    titles = [e.title for e in feed.entries]
    assert "Good post" in titles
    if "Big" not in titles:
        assert done.returncode == 1
        assert "2024-02-01-big.md: error: rendering " in out, out


def test_a_device_named_like_a_post_is_not_read(tmp_path: Path) -> None:
    import stat

    config = blog(tmp_path, "2024-01-02-other.md", GOOD.replace("Good", "Other"))
    device = tmp_path / "posts" / "2024-02-01-zero.md"
    try:  # /dev/zero's numbers: reading it would never end
        os.mknod(device, stat.S_IFCHR | 0o644, os.makedev(1, 5))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    started = time.monotonic()
    out = build(tmp_path, config, 0)
    assert time.monotonic() - started < 60
    assert "2024-02-01-zero.md: warning: skipped: not a regular file" in out
