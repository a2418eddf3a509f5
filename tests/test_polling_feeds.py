"""How often readers should fetch: RSS ``ttl`` and ``sy:updatePeriod``/``updateFrequency``
come from the schedule written in config.yaml or from ``feeds.ttl``, never from how the
process runs, and every feed that carries them still validates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from lxml import etree

from conftest import FIXED_NOW, check_feeds, cli, write_config
from daemon_helpers import DaemonProcess

SY = "{http://purl.org/rss/1.0/modules/syndication/}"
ATOM = "{http://www.w3.org/2005/Atom}"


def build(blog: Path, **settings: object) -> Path:
    config = blog / "config.yaml"
    data = yaml.safe_load(config.read_text("utf-8"))
    for key, value in settings.items():
        merged = isinstance(value, dict) and isinstance(data.get(key), dict)
        data[key] = {**data[key], **value} if merged else value
    config.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    result = cli("build", "-c", config, "--now", FIXED_NOW)
    assert result.returncode == 0, result.stdout + result.stderr
    return blog / "feeds"


def refresh(path: Path) -> tuple[str | None, str | None, str | None]:
    """The ttl, sy:updatePeriod and sy:updateFrequency a feed says (None: absent)."""
    root = etree.parse(str(path)).getroot()
    parent = root[0] if root.tag == "rss" else root
    ttl = parent.findtext("ttl")
    return ttl, parent.findtext(f"{SY}updatePeriod"), parent.findtext(f"{SY}updateFrequency")


def test_feeds_say_nothing_without_a_schedule_in_the_config(sample_copy: Path) -> None:
    out = build(sample_copy)
    assert refresh(out / "rss.xml") == (None, None, None)
    assert refresh(out / "atom.xml") == (None, None, None)
    assert b"syndication" not in (out / "rss.xml").read_bytes()


@pytest.mark.parametrize(
    ("schedule", "rss", "atom"),
    [
        ({"every": "15m"}, ("15", "hourly", "4"), (None, "hourly", "4")),
        ({"every": "1h30m"}, ("90", "daily", "16"), (None, "daily", "16")),
        ({"cron": "0 */6 * * *"}, ("360", "daily", "4"), (None, "daily", "4")),
        ({"cron": "0 9 * * 1-5"}, ("1440", "daily", "1"), (None, "daily", "1")),
    ],
)
def test_the_schedule_gives_ttl_and_update_period_in_valid_feeds(
    sample_copy: Path,
    schedule: dict[str, str],
    rss: tuple[str, str, str],
    atom: tuple[None, str, str],
) -> None:
    out = build(sample_copy, schedule=schedule)
    assert refresh(out / "rss.xml") == rss
    assert refresh(out / "categories" / "news.rss.xml") == rss
    assert refresh(out / "atom.xml") == atom
    # an RFC 5005 archive is not polled
    assert refresh(out / "archive" / "2024.atom.xml") == (None, None, None)
    check_feeds(sorted(out.rglob("*.xml")))


def test_a_cron_that_runs_less_than_twice_a_year_says_nothing(sample_copy: Path) -> None:
    out = build(sample_copy, schedule={"cron": "0 0 29 2 *"})
    assert refresh(out / "rss.xml") == (None, None, None)


def test_feeds_ttl_overrides_the_schedule_and_zero_turns_it_off(sample_copy: Path) -> None:
    out = build(sample_copy, schedule={"every": "15m"}, feeds={"ttl": 60})
    assert refresh(out / "rss.xml") == ("60", "hourly", "1")
    check_feeds([out / "rss.xml", out / "atom.xml"])
    out = build(sample_copy, schedule={"every": "15m"}, feeds={"ttl": 0})
    assert refresh(out / "rss.xml") == (None, None, None)
    out = build(sample_copy, feeds={"ttl": 45})  # no schedule needed
    assert refresh(out / "rss.xml") == ("45", "daily", "32")


def test_a_bad_ttl_is_a_config_error(sample_copy: Path) -> None:
    config = sample_copy / "config.yaml"
    data = yaml.safe_load(config.read_text("utf-8"))
    data["feeds"]["ttl"] = -5
    config.write_text(yaml.safe_dump(data), "utf-8")
    result = cli("build", "-c", config, "--now", FIXED_NOW)
    assert result.returncode != 0
    assert "ttl" in result.stdout + result.stderr


def test_the_daemon_writes_the_same_bytes_as_build(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "2025-01-02-hello.md").write_text("---\ntitle: Hello\n---\nHello.\n")
    config = write_config(tmp_path, posts, schedule={"every": "10m"})
    assert cli("build", "-c", config).returncode == 0
    built = {p.name: p.read_bytes() for p in (tmp_path / "out").glob("*.xml")}
    assert refresh(tmp_path / "out" / "rss.xml") == ("10", "hourly", "6")
    shutil.rmtree(tmp_path / "out")
    shutil.rmtree(tmp_path / "state")
    proc = DaemonProcess(config)
    try:
        proc.wait_builds(1)
    finally:
        assert proc.stop() == 0, proc.log
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").glob("*.xml")} == built
