"""Hostile, broken and odd posts (tests/data/hostile, plus special files made here): each
has one expected outcome, the build still publishes valid feeds for everything else, and
nothing is written outside the output folder."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import feedparser
import jsonschema
import pytest

from conftest import ROOT, check_feeds, feed_files, run_cli, write_config

HOSTILE = ROOT / "tests" / "data" / "hostile"

# file -> (in the feeds?, expected text in that file's diagnostics, or None)
EXPECTED: dict[str, tuple[bool, str | None]] = {
    "2024-01-01-good.md": (True, None),
    "2024-01-02-bom.md": (True, None),
    "2024-01-03-crlf.md": (True, None),
    "2024-01-04-latin1.md": (True, "2: warning: not valid UTF-8 (byte 14); read as cp1252"),
    "2024-01-05-no-front-matter.md": (True, "1: note: no front matter: published as Jekyll 4"),
    "2024-01-06-unclosed.md": (
        False,
        "1: error: skipped: front matter opened with '---' is never closed",
    ),
    "2024-01-07-empty.md": (True, "warning: empty file: published with no content"),
    "2024-01-08-folder.md/": (False, "note: a folder named like a post"),
    "2024-01-09-unpublished.md": (False, "note: not published: published: false"),
    "2024-01-10-yaml-error.md": (False, "4: error: skipped: front matter is not valid YAML"),
    "2024-01-11-list-front-matter.md": (False, "error: skipped: front matter must be a mapping"),
    "2024-01-12-non-string-key.md": (False, "3: error: skipped: front-matter key False is a bool"),
    "2024-01-13-typo.md": (True, "3: warning: unknown key 'pug-year': did you mean 'pub-year'?"),
    "2024-01-14-bad-date.md": (False, "3: error: skipped: date: cannot parse date"),
    "2024-01-15-bad-pub-date.md": (True, "warning: unknown month 'smarch'"),
    "2024-01-16-mojibake.md": (True, "2: warning: mojibake (UTF-8 read as Windows-1252) repaired"),
    "2024-01-17-control-chars.md": (True, "warning: removed 3 character(s) that XML forbids"),
    "2024-01-18-scripts.md": (True, "warning: unsafe or unsupported HTML removed: onclick="),
    "2024-01-19-hostile-tags.md": (True, "warning: tags: 1 empty name(s) ignored"),
    "2024-01-20-many-tags.md": (True, "warning: 2000 tags; only the first 100 are used"),
    "2024-01-21-cdata-rtl.md": (True, None),
    "2024-01-22-surrogate.md": (
        False,
        "error: skipped: front matter is not valid YAML: found "
        "invalid Unicode character escape code",
    ),
    "2024-01-23-yaml-bomb.md": (
        False,
        "error: skipped: front matter expands to more than 10000 values",
    ),
    "2024-01-24-recursive-alias.md": (False, "error: skipped: front matter refers to itself"),
    "2024-01-25-draft-flag.md": (True, "3: warning: draft: true is not a Jekyll setting"),
    "2024-01-26-links.md": (True, "warning: '2024-01-01-good.md' links to a Markdown source"),
    # a date YAML cannot build stays text, which Jekyll's date rules read
    "2024-01-27-feb-30.md": (True, "3: warning: the front matter date 2024-03-01 differs"),
    "2024-01-28-year-zero.md": (False, "3: error: skipped: date: cannot parse date '0000-00-00'"),
    "2024-01-29-offset-a-day.md": (False, "3: error: skipped: date: cannot parse date"),
    "2024-01-30-end-of-time.md": (False, "3: error: skipped: date 9999-12-31 23:59:59-05:00"),
    "2024-01-31-huge-number.md": (True, None),  # an integer of 5000 digits
    "2024-02-05-filter-errors.md": (True, "6: warning: date: year 3170843 is out of range"),
    "notes.md": (False, "error: skipped: file name does not start with a date"),
    "sub/2024-01-01-good.md": (
        False,
        "error: skipped: same URL https://blog.example.org/2024/good.html as 2024-01-01-good.md",
    ),
    # made by the fixture: these cannot live in git
    "2024-02-01-fifo.md": (False, "warning: skipped: not a regular file"),
    "2024-02-02-outside.md": (False, "warning: skipped: symlink leads outside the posts folder"),
    "2024-02-03-loop.md": (False, "warning: skipped: broken or looping symlink"),
    "linked-folder/": (False, "warning: skipped: symlinked folder not followed"),
    "2024-02-04-huge.md": (False, "warning: skipped: larger than limits.post_size"),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    top = tmp_path_factory.mktemp("hostile")
    posts = top / "blog" / "posts"
    shutil.copytree(HOSTILE, posts)
    os.mkfifo(posts / "2024-02-01-fifo.md")
    outside = top / "secret.md"
    outside.write_text("---\ntitle: Secret\n---\nnot for publishing\n")
    (posts / "2024-02-02-outside.md").symlink_to(outside)
    (posts / "2024-02-03-loop.md").symlink_to("loop-b.md")
    (posts / "loop-b.md").symlink_to("2024-02-03-loop.md")
    (posts / "linked-folder").symlink_to(top)
    (posts / "2024-02-04-huge.md").write_text(
        "---\ntitle: Huge\n---\n" + "x" * (5 * 1024 * 1024 + 10)
    )
    config = write_config(top / "blog", posts, limit=1000)
    return top, config


def _snapshot(top: Path, skip: tuple[Path, ...]) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(top):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d not in skip]
        for name in dirnames + filenames:
            path = here / name
            st = path.lstat()
            if stat.S_ISDIR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
                out[str(path)] = (0, 0)  # presence only: a new child changes a folder's mtime
            else:
                out[str(path)] = (st.st_size, st.st_mtime_ns)
    return out


def test_every_hostile_file_has_its_expected_outcome(
    hostile: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import w3c

    # Jekyll publishes an empty post: its entry has a title and a link, and no text
    monkeypatch.setitem(w3c.ALLOWED_WARNINGS, "MissingTextualContent", "an empty post has no text")
    top, config = hostile
    blog = config.parent
    before = _snapshot(top, (blog / "out", blog / "state"))
    result = run_cli("build", "-c", config, "-v", "--now", "2025-01-01T00:00:00Z")
    assert result.returncode == 1, result.stderr  # some posts had errors
    # nothing written (or touched) outside the output and state folders
    assert _snapshot(top, (blog / "out", blog / "state")) == before
    assert not (blog / "out" / "tags" / ".." / ".." / "etc").exists()
    for path in (blog / "out").rglob("*"):
        assert path.resolve().is_relative_to((blog / "out").resolve())

    feeds = check_feeds(feed_files(blog / "out"))
    site = feeds[blog / "out" / "atom.xml"]
    published = {e.link.rsplit("/", 1)[1] for e in site.entries}
    lines = result.stderr.splitlines()
    for name, (in_feeds, message) in EXPECTED.items():
        slug = name.rsplit("/", 1)[-1][11:].removesuffix(".md") + ".html"
        assert (slug in published) == in_feeds or name.startswith("sub/"), name
        if message is not None:
            assert any(line.startswith(name) and message in line for line in lines), (
                f"{name}: expected {message!r}"
            )
        if not in_feeds and name.endswith(".md"):
            assert name in result.stdout, f"{name} is not listed as skipped"
    assert "not for publishing" not in json.dumps([e.get("content") for e in site.entries])


def test_hostile_tag_names_give_safe_distinct_files(hostile: tuple[Path, Path]) -> None:
    _, config = hostile
    out = config.parent / "out"
    run_cli("build", "-c", config, "--now", "2025-01-01T00:00:00Z")
    doc = feedparser.parse((out / "atom.xml").read_bytes())
    entry = next(e for e in doc.entries if e.link.endswith("/hostile-tags.html"))
    labels = {t.term for t in entry.tags}
    assert {"../../etc/passwd", "CON", ".", "😄🎉", "C++", "C#", "]]>"} <= labels
    names = sorted(p.name for p in (out / "tags").glob("*.atom.xml"))
    tag_files = [n for n in names if not n.startswith("t") or n.startswith("t-")]
    for name in names:
        stem = name.removesuffix(".atom.xml")
        assert stem.replace("-", "").isalnum() and stem.isascii() and len(name) < 120
        assert stem.lower() not in {"con", "prn", "aux", "nul"}
    assert len(set(names)) == len(names) and tag_files


def test_hostile_content_is_neutralised(hostile: tuple[Path, Path]) -> None:
    _, config = hostile
    out = config.parent / "out"
    run_cli("build", "-c", config, "--now", "2025-01-01T00:00:00Z")
    data = (out / "atom.xml").read_text("utf-8")
    for bad in ("onclick", "javascript:", "&lt;script", "&lt;form", "&lt;iframe", "&lt;object"):
        assert bad not in data, bad
    assert "https://player.example/v/1" in data  # the embed became a link
    assert (
        "It’s a café story." in feedparser.parse(data.encode()).entries[0].content[0].value
        or "It’s a café story." in data
    )


def test_check_reports_every_problem_with_exit_codes(hostile: tuple[Path, Path]) -> None:
    _, config = hostile
    result = run_cli("check", "-c", config, "--now", "2025-01-01T00:00:00Z")
    assert result.returncode == 1
    assert "2024-01-13-typo.md:3: warning: unknown key 'pug-year'" in result.stdout
    assert "warning: tags 'C#', 'C++' all slug to 'c'" in result.stdout
    data = json.loads(run_cli("check", "-c", config, "--format", "json").stdout)
    # embeds: link (the default) replaces them, as asked: a note, as in build (-v shows it)
    (embed,) = [
        f for f in data["findings"] if f["file"] == "2024-01-18-scripts.md" and f["code"] == "embed"
    ]
    assert (embed["severity"], embed["code"]) == ("note", "embed")
    assert embed["message"].startswith("iframe, object, script replaced by a link")
    schema = json.loads(run_cli("check", "-c", config, "--schema").stdout)
    jsonschema.validate(data, schema)
    assert data["summary"]["errors"] == sum(1 for f in data["findings"] if f["severity"] == "error")


def test_check_on_a_clean_blog_passes_strict(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "2024-01-01-fine.md").write_text(
        "---\ntitle: Fine\nauthor: A\ndescription: Fine.\ntags: [a]\n---\nAll good.\n"
    )
    config = write_config(tmp_path, posts)
    result = run_cli("check", "-c", config, "--strict")
    assert result.returncode == 0, result.stdout
    assert "0 error(s), 0 warning(s)" in result.stdout
    (posts / "2024-01-02-odd.md").write_text("---\ntitle: Odd\npug-year: 2024\n---\nx\n")
    assert run_cli("check", "-c", config, "--strict").returncode == 3
    assert run_cli("check", "-c", config).returncode == 0


def test_feed_size_budget(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    for n in range(1, 6):
        (posts / f"2024-01-0{n}-big-{n}.md").write_text(
            f"---\ntitle: Big {n}\n---\n" + ("Lorem ipsum dolor sit amet. " * 400) + "\n"
        )
    config = write_config(
        tmp_path,
        posts,
        limits={"feed_size": "20KB"},
        formats=["atom", "rss", "json"],
        archives={"enabled": True},
    )
    result = run_cli("check", "-c", config)
    # every file a reader fetches: the feeds in each format, and the yearly archive
    for name in ("out/atom.xml", "out/rss.xml", "out/feed.json", "out/archive/2024.atom.xml"):
        assert f"{name}: warning: feed is" in result.stdout, name
    assert "over the 20 KB budget" in result.stdout
