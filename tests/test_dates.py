"""Dates that every feed reader accepts: a site zone's local mean time (offsets with
seconds, such as Europe/Paris's +00:09:21 before 1911) is written as whole minutes in
every feed and page, and a year outside 1900-9999 skips its post with an error that names
the line, while the other posts are published."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest

from conftest import check_feeds, cli, write_config
from feedwright.config import load_config
from feedwright.pipeline import build
from feedwright.scan.dates import utc_for_mean_time
from feedwright.types import BuildReport, Diagnostic, Severity

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
FINE = "2024-02-01-fine.md"
OLD = "1900-06-01-old.md"


def post(posts: Path, name: str, front: str) -> None:
    posts.mkdir(parents=True, exist_ok=True)
    (posts / name).write_text(f"---\ntitle: {name[11:-3]}\n{front}---\nBody.\n", "utf-8")


def paris_blog(tmp_path: Path, posts: dict[str, str], **extra: object) -> Path:
    folder = tmp_path / "posts"
    post(folder, FINE, "")
    for name, front in posts.items():
        post(folder, name, front)
    site = {
        "title": "Test Blog",
        "url": "https://blog.example.org/",
        "description": "A test blog",
        "author": "Test Author",
        "timezone": "Europe/Paris",
    }
    return write_config(tmp_path, folder, site=site, **extra)


def run(config_path: Path) -> BuildReport:
    report = build(load_config(config_path), now=NOW, lock=False)
    assert report.failed is None, report.failed
    return report


def found(report: BuildReport, code: str) -> list[Diagnostic]:
    return [d for d in report.diagnostics if d.code == code]


def mean_time_offsets(out: Path) -> list[str]:
    """Paris Mean Time as any page or feed could write it (ISO 8601 or RFC 822)."""
    bad = []
    for path in sorted(out.rglob("*")):
        if path.suffix in (".xml", ".json", ".html") and path.is_file():
            text = path.read_text("utf-8")
            bad += [f"{path.name}: {m}" for m in re.findall(r"[+-]00:?09(?::21)?", text)]
    return bad


def test_a_1900_post_in_paris_is_read_as_utc_and_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import w3c

    # The validator calls every date before 1990 implausible (a warning): true of any
    # post written in 1900, whatever its offset. Every other warning still fails.
    monkeypatch.setitem(w3c.ALLOWED_WARNINGS, "ImplausibleDate", "a post from 1900")
    config = paris_blog(
        tmp_path,
        {OLD: "date: 1900-06-01 08:00:00 +0009\n", "1900-07-01-mean.md": ""},
        formats=["atom", "rss", "json"],
        discovery={"index": True, "opml": False, "autodiscovery": False, "stylesheet": False},
    )
    report = run(config)
    assert report.indexed == 3 and not report.skipped
    warned = found(report, "date-offset")
    # Jekyll shows every date in the site zone, here Paris Mean Time (+00:09:21); the post
    # dated by its file name alone has no date: line to name
    assert sorted((d.path, d.line) for d in warned) == [(OLD, 3), ("1900-07-01-mean.md", None)]
    assert all("+00:09:21" in d.message for d in warned)
    assert "read it as 1900-07-01T00:00:00+00:00" in warned[1].message
    out = tmp_path / "out"
    assert mean_time_offsets(out) == []
    feeds = check_feeds([out / "atom.xml", out / "rss.xml", out / "feed.json"])
    for path in (out / "atom.xml", out / "rss.xml"):
        dates = {e.title: e.published_parsed for e in feeds[path].entries}
        assert dates["mean"][:6] == (1900, 7, 1, 0, 0, 0)  # the file name's day, at UTC
        assert dates["old"][:6] == (1900, 6, 1, 8, 0, 21)  # 07:51 UTC is 08:00:21 in Paris
    items = {i["title"]: i for i in json.loads((out / "feed.json").read_bytes())["items"]}
    assert items["mean"]["date_published"] == "1900-07-01T00:00:00+00:00"
    rss = (out / "rss.xml").read_text("utf-8")
    assert "<pubDate>Sun, 01 Jul 1900 00:00:00 +0000</pubDate>" in rss


def test_the_date_line_with_local_mean_time_is_named(tmp_path: Path) -> None:
    config = paris_blog(tmp_path, {OLD: "date: 1900-06-01 08:00:00\n"})
    report = run(config)
    (warned,) = found(report, "date-offset")
    assert (warned.path, warned.line, warned.severity) == (OLD, 3, Severity.WARNING)
    atom = (tmp_path / "out" / "atom.xml").read_text("utf-8")
    # YAML reads the zone-less timestamp as UTC (as Jekyll does); Paris shows 08:09:21
    assert "<published>1900-06-01T08:09:21+00:00</published>" in atom


@pytest.mark.parametrize(
    ("front", "year"),
    [("date: 0001-01-01\n", 1), ("date: 10000-01-01\n", 10000), ("date: 1899-12-31\n", 1899)],
)
def test_a_year_feeds_cannot_show_skips_the_post_and_names_the_line(
    tmp_path: Path, front: str, year: int
) -> None:
    name = "2024-01-01-odd.md"
    report = run(paris_blog(tmp_path, {name: front}))
    (error,) = found(report, "date-range")
    assert (error.path, error.line, error.severity) == (name, 3, Severity.ERROR)
    assert f"year {year}" in error.message
    assert "RSS and Atom readers cannot show this date; use a year between 1900 and 9999" in (
        error.message
    )
    assert [s.relpath for s in report.skipped] == [name]
    feed = feedparser.parse((tmp_path / "out" / "atom.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["fine"]


@pytest.mark.parametrize(
    ("front", "code", "text"),
    [
        # a zone that moves the moment past either end of the calendar
        ("date: 0001-01-01 00:00:00 +05:00\n", "date-range", "'0001-01-01 00:00:00 +0500'"),
        ("date: 9999-12-31 23:59:59 -05:00\n", "date-range", "outside the years 1 to 9999"),
        ("updated: 9999-12-31 23:59:59 -05:00\n", "updated", "between 1900 and 9999; ignored"),
        ("updated: 2024-01-01 10:00:00 +25:00\n", "updated", "+25:00 is a day or more"),
    ],
)
def test_a_moment_past_the_calendar_is_reported_on_its_line(
    tmp_path: Path, front: str, code: str, text: str
) -> None:
    name = "2024-01-01-odd.md"
    report = run(paris_blog(tmp_path, {name: front}))
    (problem,) = found(report, code)
    assert (problem.path, problem.line) == (name, 3)
    assert text in problem.message
    published = not report.skipped
    assert problem.severity == (Severity.WARNING if published else Severity.ERROR)
    titles = [
        e.title for e in feedparser.parse((tmp_path / "out" / "atom.xml").read_bytes()).entries
    ]
    assert titles == (["fine", "odd"] if published else ["fine"])


def test_a_pub_year_feeds_cannot_show_names_its_line(tmp_path: Path) -> None:
    name = "2024-01-01-reprint.md"
    config = paris_blog(
        tmp_path, {name: "pub-date: June 28\npub-year: 1850\n"}, publication_date="pub"
    )
    report = run(config)
    (error,) = found(report, "date-range")
    assert (error.path, error.line) == (name, 4)
    assert "1850" in error.message and "between 1900 and 9999" in error.message
    assert [s.relpath for s in report.skipped] == [name]


def test_the_cli_reports_year_one_and_publishes_the_other_post(tmp_path: Path) -> None:
    config = paris_blog(tmp_path, {"0001-01-01-ancient.md": ""})
    result = cli("build", "-c", config)
    assert result.returncode == 1  # an error, but the build went on
    out = result.stdout + result.stderr
    assert "0001-01-01-ancient.md" in out
    assert "RSS and Atom readers cannot show this date; use a year between 1900 and 9999" in out
    feeds = check_feeds([tmp_path / "out" / "atom.xml", tmp_path / "out" / "rss.xml"])
    for parsed in feeds.values():
        assert [e.title for e in parsed.entries] == ["fine"]


@pytest.mark.parametrize(
    ("zone", "year", "expected"),
    [
        ("Europe/Paris", 1900, "+00:00"),  # +00:09:21
        ("Europe/Amsterdam", 1930, "+00:00"),  # +00:19:32
        ("Africa/Monrovia", 1960, "+00:00"),  # -00:44:30
        ("Europe/Paris", 2024, "+01:00"),
        ("Asia/Kolkata", 2024, "+05:30"),
    ],
)
def test_only_a_mean_time_offset_is_read_as_utc(zone: str, year: int, expected: str) -> None:
    value = dt.datetime(year, 1, 15, 12, 0, tzinfo=ZoneInfo(zone))
    assert utc_for_mean_time(value).isoformat() == f"{year}-01-15T12:00:00{expected}"
