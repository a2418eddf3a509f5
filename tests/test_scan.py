"""The scan stage through the library: which files of a posts folder become posts, what
front matter is accepted, and what a post's metadata says, with the diagnostics a
person sees for odd files."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from feedwright.config import config_from_mapping
from feedwright.errors import FeedwrightError
from feedwright.scan import (
    FileOutcome,
    PostError,
    Scanner,
    decode,
    read_limited,
    scan,
    split_front_matter,
    walk_posts,
)
from feedwright.scan.dates import DateParseError, parse_site_date
from feedwright.scan.permalink import PermalinkError, render
from feedwright.types import ScanResult, Severity

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def blog(tmp_path: Path, files: dict[str, str | bytes], **config: Any) -> ScanResult:
    posts = tmp_path / "posts"
    posts.mkdir(exist_ok=True)
    for rel, text in files.items():
        path = posts / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    data = {"site": {"title": "Blog", "url": "https://blog.example.org/"}, "posts": str(posts)}
    return scan(config_from_mapping({**data, **config}), NOW)


def codes(result: ScanResult, rel: str) -> list[str]:
    return [d.code for d in result.diagnostics if d.path == rel]


POST = "---\ntitle: Hello\ndescription: A post.\nauthor: Ann\n---\nBody text.\n"


# -- walking the folder ------------------------------------------------------------------


def test_walk_finds_posts_in_a_stable_order_and_says_what_it_passed_over(tmp_path: Path) -> None:
    root = tmp_path / "posts"
    (root / "b").mkdir(parents=True)
    (root / "_drafts").mkdir()
    (root / ".git").mkdir()
    for rel in ("b/2024-01-02-x.md", "2024-01-01-a.markdown", "_drafts/2024-01-03-d.md"):
        (root / rel).write_text(POST, encoding="utf-8")
    (root / "notes.txt").write_text("x", encoding="utf-8")
    (root / ".git" / "2024-01-04-hidden.md").write_text(POST, encoding="utf-8")

    found, skipped, diags = walk_posts(root)

    assert [rel for rel, _ in found] == ["2024-01-01-a.markdown", "b/2024-01-02-x.md"]
    assert {s.relpath: s.error for s in skipped} == {"_drafts/": False, "notes.txt": False}
    assert all(d.severity is Severity.NOTE for d in diags)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs symlinks and FIFOs")
def test_walk_reads_nothing_through_links_that_leave_the_folder_or_loop(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "2024-01-01-secret.md").write_text(POST, encoding="utf-8")
    root = tmp_path / "posts"
    root.mkdir()
    (root / "2024-01-02-ok.md").write_text(POST, encoding="utf-8")
    (root / "2024-01-03-inside-link.md").symlink_to(root / "2024-01-02-ok.md")
    (root / "2024-01-04-out.md").symlink_to(outside / "2024-01-01-secret.md")
    (root / "2024-01-05-loop.md").symlink_to(root / "2024-01-05-loop.md")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    os.mkfifo(root / "2024-01-06-pipe.md")

    found, skipped, diags = walk_posts(root)

    assert [rel for rel, _ in found] == ["2024-01-02-ok.md", "2024-01-03-inside-link.md"]
    reasons = {s.relpath: s.reason for s in skipped}
    assert "outside the posts folder" in reasons["2024-01-04-out.md"]
    assert "looping" in reasons["2024-01-05-loop.md"]
    assert "not followed" in reasons["linked/"]
    assert "FIFO" in reasons["2024-01-06-pipe.md"]
    assert all(d.hint for d in diags if d.severity is Severity.WARNING)


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "2024-01-01-big.md"
    path.write_bytes(b"---\ntitle: x\n---\n" + b"y" * 100)
    assert read_limited(path, 1000) == path.read_bytes()

    outcome = read_limited(path, 50)

    assert isinstance(outcome, FileOutcome)
    assert outcome.post is None and outcome.skipped is not None
    assert "limits.post_size" in outcome.skipped.reason
    result = blog(tmp_path, {"2024-01-01-big.md": POST + "x" * 200}, limits={"post_size": 100})
    assert result.posts == ()
    assert codes(result, "2024-01-01-big.md") == ["too-large"]  # named after the file


# -- front matter ------------------------------------------------------------------------


def test_front_matter_is_split_from_the_body_with_line_numbers() -> None:
    fm = split_front_matter(
        decode(b"\xef\xbb\xbf---\r\ntitle: T\r\ntags: [a]\r\n---\r\n\r\nBody\r\n")
    )
    assert fm is not None
    assert fm.data == {"title": "T", "tags": ["a"]}
    assert fm.key_lines == {"title": 2, "tags": 3}
    assert (fm.body, fm.body_line) == ("Body\n", 6)
    assert split_front_matter("No front matter\n") is None


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("---\ntitle: x\n", "front-matter-unclosed", 1),
        ("---\ntitle: x\ntags: [a\n---\n", "yaml", 4),
        ("---\n- a\n- b\n---\n", "front-matter-type", 1),
        ("---\ntitle: x\nyes: 1\n---\n", "front-matter-key", 3),
        (
            "---\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                for p, c in zip("abcd", "bcde", strict=True)
            )
            + "---\n",
            "yaml-bomb",
            None,
        ),
    ],
)
def test_bad_front_matter_is_refused_with_a_code_and_line(
    text: str, code: str, line: int | None
) -> None:
    with pytest.raises(PostError) as caught:
        split_front_matter(text)
    assert caught.value.code == code
    if line is not None:
        assert caught.value.line == line
    assert caught.value.hint


def test_every_deliberate_scan_error_shares_the_root_and_stays_a_value_error() -> None:
    with pytest.raises(FeedwrightError):
        split_front_matter("---\nx: [\n---\n")
    with pytest.raises(ValueError):
        parse_site_date("Smarch 32", ZoneInfo("UTC"))
    with pytest.raises(FeedwrightError):
        parse_site_date("Smarch 32", ZoneInfo("UTC"))
    with pytest.raises(PermalinkError) as caught:
        render("/:nonsense/", {})
    assert isinstance(caught.value, FeedwrightError) and isinstance(caught.value, ValueError)
    assert issubclass(DateParseError, FeedwrightError)


# -- metadata ----------------------------------------------------------------------------


def test_a_plain_post_gets_its_date_slug_url_and_people(tmp_path: Path) -> None:
    result = blog(
        tmp_path,
        {
            "2024-03-05-first-steps.md": "---\ntitle: First\nauthor: ann\ntags: a, b\n"
            "category: Notes\n---\nHi\n"
        },
        authors={"Ann": {"name": "Ann Example", "email": "ann@example.org"}},
    )
    (post,) = result.posts
    assert post.slug == "first-steps"
    assert post.published == dt.datetime(2024, 3, 5, tzinfo=dt.UTC)
    assert post.url == "https://blog.example.org/notes/2024/03/05/first-steps.html"
    assert [(a.name, a.email) for a in post.authors] == [("Ann Example", "ann@example.org")]
    assert (post.tags, post.categories) == (("a", "b"), ("Notes",))
    assert post.body == "Hi\n"


def test_odd_files_are_skipped_or_kept_with_a_diagnostic(tmp_path: Path) -> None:
    result = blog(
        tmp_path,
        {
            "notes.md": POST,
            "2024-02-30-no-such-day.md": POST,
            "2024-01-01-empty.md": "",
            "2024-01-02-plain.md": "Just text\n",
            "2024-01-03-draft.md": "---\ntitle: D\ndraft: true\n---\n",
            "2024-01-04-later.md": "---\ntitle: L\ndate: 2027-01-01\n---\n",
            "2024-01-05-untitled-thing.md": "---\ndescription: d\n---\nx\n",
            "2024-01-06-typo.md": "---\ntitle: T\npug-year: 2020\n---\n",
            "2024-01-07-latin.md": "---\ntitle: Caf\xe9\n---\n".encode("latin-1"),
        },
    )
    skipped = {s.relpath: s for s in result.skipped}
    assert skipped["notes.md"].error and "date" in skipped["notes.md"].reason
    posts = {p.relpath: p for p in result.posts}
    # Ruby's Time.parse rolls Feb 30 over into March, as jekyll build does
    assert posts["2024-02-30-no-such-day.md"].site_date.date() == dt.date(2024, 3, 1)
    assert "date-filename" in codes(result, "2024-02-30-no-such-day.md")
    # Jekyll 4 publishes files without front matter, even empty ones
    assert posts["2024-01-01-empty.md"].body == ""
    assert "empty" in codes(result, "2024-01-01-empty.md")
    assert posts["2024-01-02-plain.md"].title == "Plain"
    assert "no-front-matter" in codes(result, "2024-01-02-plain.md")
    # draft: true means nothing to Jekyll: published, with a warning
    assert "draft-key" in codes(result, "2024-01-03-draft.md")
    assert "2024-01-03-draft.md" in posts
    assert not skipped["2024-01-04-later.md"].error
    assert result.next_future == dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    assert posts["2024-01-05-untitled-thing.md"].title == "Untitled Thing"
    assert "title-derived" in codes(result, "2024-01-05-untitled-thing.md")
    typo = [d for d in result.diagnostics if d.code == "unknown-key"]
    assert len(typo) == 1 and "'pub-year'" in typo[0].message and typo[0].line == 3
    assert posts["2024-01-07-latin.md"].title == "Café"
    assert "encoding" in codes(result, "2024-01-07-latin.md")
    assert result.files_seen == 9


def test_a_pub_date_moves_the_feed_date_but_not_the_url(tmp_path: Path) -> None:
    text = "---\ntitle: Old\npub-date: June 28\npub-year: 2019\n---\n"
    result = blog(tmp_path, {"2024-01-10-old.md": text})
    (post,) = result.posts
    assert post.published == dt.datetime(2019, 6, 28, tzinfo=dt.UTC)
    assert post.site_date == dt.datetime(2024, 1, 10, tzinfo=dt.UTC)
    assert "/2024/" in post.url
    assert "date-mismatch" in codes(result, "2024-01-10-old.md")

    site_only = blog(tmp_path, {}, publication_date="site")
    assert site_only.posts[0].published == post.site_date


def test_updated_before_publication_and_too_many_tags_are_reported(tmp_path: Path) -> None:
    text = "---\ntitle: T\nupdated: 2020-01-01\ntags: [a, b, c, d]\n---\n"
    result = blog(tmp_path, {"2024-01-10-t.md": text}, limits={"tags_per_post": 2})
    (post,) = result.posts
    assert post.updated == post.published
    assert post.tags == ("a", "b")
    assert {"updated", "too-many-tags"} <= set(codes(result, "2024-01-10-t.md"))


def test_without_encoding_repair_a_non_utf8_post_is_refused(tmp_path: Path) -> None:
    result = blog(
        tmp_path,
        {"2024-01-07-latin.md": "---\ntitle: Caf\xe9\n---\n".encode("latin-1")},
        repair={"encoding": False},
    )
    assert result.posts == ()
    (diag,) = [d for d in result.diagnostics if d.code == "encoding"]
    assert diag.severity is Severity.ERROR and diag.line == 2


def test_mojibake_is_repaired_and_reported_on_its_line(tmp_path: Path) -> None:
    text = "---\ntitle: Fine\n---\nline one\nIt\u00e2\u20ac\u2122s broken\n"
    result = blog(tmp_path, {"2024-01-08-m.md": text})
    assert result.posts[0].body == "line one\nIt\u2019s broken\n"
    (diag,) = [d for d in result.diagnostics if d.code == "mojibake"]
    assert diag.line == 5 and "repaired" in diag.message


def test_the_body_read_later_matches_the_scanned_one(tmp_path: Path) -> None:
    path = tmp_path / "2024-01-01-x.md"
    path.write_bytes(b"---\r\ntitle: X\r\n---\r\n\r\nBody \x07here\r\n")
    config = config_from_mapping({"site": {"title": "B", "url": "https://b.example/"}})
    scanner = Scanner(config, NOW)
    post = scanner.read(path, path.name).post
    assert post is not None and post.body == "Body here\n"
    assert scanner.body(path) == (post.body, post.body_sha)


def test_a_post_swapped_after_the_walk_is_read_only_as_a_regular_file_inside(
    tmp_path: Path,
) -> None:
    """Between the folder listing and the read a post may be replaced: by a symlink to a
    private file outside the folder, or by a FIFO. Neither is read (nor hangs the build);
    a symlink that stays inside the folder still works."""
    import os

    from feedwright.scan import read_limited

    posts = tmp_path / "posts"
    posts.mkdir()
    secret = tmp_path / "private.txt"
    secret.write_text("---\ntitle: secret\n---\nprivate\n", "utf-8")
    inside = posts / "2024-01-01-real.md"
    inside.write_text("---\ntitle: Real\n---\nreal\n", "utf-8")
    link_out, link_in, fifo = (posts / f"2024-01-0{i}-x.md" for i in (2, 3, 4))
    link_out.symlink_to(secret)
    link_in.symlink_to(inside)
    os.mkfifo(fifo)
    out = read_limited(link_out, 1000, posts)
    assert not isinstance(out, bytes) and out.skipped is not None and out.skipped.error
    assert read_limited(link_in, 1000, posts) == inside.read_bytes()
    got = read_limited(fifo, 1000, posts)  # returns at once: never opened for a blocking read
    assert not isinstance(got, bytes) and "not a regular file" in got.skipped.reason  # type: ignore[union-attr]
