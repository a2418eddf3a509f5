"""Incremental builds and crash safety: the cache, byte-identical output, kill -9."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ROOT, check_feeds, cli, feed_files

_AUDIT = """
import json, sys
opened = []
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)) or event == "open" and \\
            hasattr(args[0], "__fspath__"):
        opened.append(str(args[0]))
sys.addaudithook(hook)
from feedwright.cli import main
code = main(sys.argv[1:])
print("OPENED=" + json.dumps(opened))
sys.exit(code)
"""


def audited_build(config: Path, *args: str) -> tuple[int, list[str], str]:
    result = subprocess.run(
        [sys.executable, "-c", _AUDIT, "build", "-c", str(config), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    line = [x for x in result.stdout.splitlines() if x.startswith("OPENED=")]
    opened = json.loads(line[0].removeprefix("OPENED=")) if line else []
    return result.returncode, opened, result.stdout + result.stderr


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def posts_opened(opened: list[str], posts: Path) -> list[str]:
    root = str(posts.resolve())
    return sorted({p for p in opened if str(Path(p).resolve()).startswith(root + "/")})


def test_after_one_post_changes_only_that_post_file_is_opened(sample_copy: Path) -> None:
    posts = sample_copy / "posts"
    config = sample_copy / "config.yaml"
    time.sleep(1.2)  # let the copies age past the racy-timestamp window
    code, opened, out = audited_build(config)
    assert code in (0, 1), out
    assert len(posts_opened(opened, posts)) == len(list(posts.rglob("*.m*")))
    code, opened, out = audited_build(config)
    assert posts_opened(opened, posts) == [], out
    assert "0 written" in out
    target = sorted(posts.glob("*.md"))[0]
    target.write_text(target.read_text().replace("\n---\n", "\n---\nAn edited first line.\n\n", 1))
    code, opened, out = audited_build(config)
    assert posts_opened(opened, posts) == [str(target.resolve())], out
    assert "written" in out and " 0 written" not in out


def test_incremental_output_equals_a_full_build_byte_for_byte(
    sample_copy: Path, tmp_path: Path
) -> None:
    config = sample_copy / "config.yaml"
    assert cli("build", "-c", config).returncode in (0, 1)
    posts = sample_copy / "posts"
    victim = sorted(posts.glob("*.md"))[1]
    victim.write_text(victim.read_text().replace("tags:", "tags: [changed-tag]\nold-tags:", 1))
    moved = sorted(posts.glob("*.md"))[2]
    moved.rename(posts / moved.name.replace(".md", "-renamed.md"))
    sorted(posts.glob("*.md"))[3].unlink()
    # the renamed post gets a new URL, hence a new id: accepted here (see test_ids.py)
    assert cli("build", "-c", config, "--accept-id-change").returncode in (0, 1)
    incremental = tree(sample_copy / "feeds")
    full_out = tmp_path / "full"
    # the tag feeds that ended stay as tombstones: the full build starts from that history
    (tmp_path / "full-state").mkdir()
    shutil.copy(sample_copy / ".feedwright" / "moves.json", tmp_path / "full-state")
    result = cli(
        "build", "-c", config, "--full", "--output", full_out, "--state", tmp_path / "full-state"
    )
    assert result.returncode in (0, 1), result.stderr
    assert tree(full_out) == incremental


def test_a_corrupt_cache_is_rebuilt_and_changes_no_byte(
    sample_copy: Path, racy_window: Callable[[], None]
) -> None:
    config = sample_copy / "config.yaml"
    assert cli("build", "-c", config).returncode in (0, 1)
    before = tree(sample_copy / "feeds")
    cache = sample_copy / ".feedwright" / "cache.sqlite"
    assert cache.exists()
    for garbage in (b"this is not a database" * 100, b""):
        for extra in cache.parent.glob("cache.sqlite-*"):
            extra.unlink()
        cache.write_bytes(garbage)
        result = cli("build", "-c", config, "-v")
        assert result.returncode in (0, 1), result.stderr
        if garbage:  # (an empty file is simply a new database)
            assert "rebuilt it" in result.stderr
        assert tree(sample_copy / "feeds") == before
    shutil.rmtree(sample_copy / ".feedwright")
    assert cli("build", "-c", config).returncode in (0, 1)
    assert tree(sample_copy / "feeds") == before
    # A note about one run is not repeated by later runs that reuse its report.
    (sample_copy / ".feedwright" / "cache.sqlite").write_bytes(b"not a database" * 100)
    for extra in (sample_copy / ".feedwright").glob("cache.sqlite-*"):
        extra.unlink()
    (sample_copy / ".feedwright" / "snapshot.json").unlink()  # else nothing opens the cache
    assert "rebuilt it" in cli("build", "-c", config, "-v").stderr
    racy_window()
    assert "rebuilt it" not in cli("build", "-c", config, "-v").stderr  # no-op
    post = sample_copy / "posts" / "2024-05-04-storage-classes.md"
    post.write_text(post.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    racy_window()
    quick = cli("build", "-c", config, "-v")
    assert "quick rebuild" in quick.stdout and "rebuilt it" not in quick.stderr


def test_a_broken_edit_keeps_the_last_good_version(sample_copy: Path) -> None:
    config = sample_copy / "config.yaml"
    assert cli("build", "-c", config).returncode in (0, 1)
    before = tree(sample_copy / "feeds")
    target = sorted((sample_copy / "posts").glob("*.md"))[0]
    target.write_text("---\ntitle: [unclosed\n---\nbroken\n")
    result = cli("build", "-c", config)
    assert result.returncode == 1
    assert f"{target.name}:3: error: skipped: front matter is not valid YAML" in result.stderr
    assert "flow sequence that starts on line 2" in result.stderr
    assert "keep its last good version" in result.stderr
    assert tree(sample_copy / "feeds") == before


def _bulk(posts: Path, count: int, title: str) -> None:
    body = "Some *text* with [a link](/x.html).\n\n" * 60
    for n in range(count):
        (posts / f"2021-02-{n % 28 + 1:02d}-bulk-{n}.md").write_text(
            f"---\ntitle: {title} {n}\ntags: [bulk, t{n % 40}]\n---\n{body}", "utf-8"
        )


@pytest.fixture(scope="module")
def old_and_new(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """The sample blog with 400 "Old" posts built, then rewritten as "New" posts (not yet
    built); the old feeds and those of a full build of the new posts."""
    top = tmp_path_factory.mktemp("kill9")
    blog = top / "blog"
    shutil.copytree(ROOT / "posts", blog / "posts")
    shutil.copytree(ROOT / "assets", blog / "assets")  # the podcast's media and artwork
    shutil.copytree(ROOT / "releases", blog / "releases")  # the releases collection
    shutil.copy(ROOT / "config.yaml", blog / "config.yaml")
    config = blog / "config.yaml"
    _bulk(blog / "posts", 400, "Old")
    assert cli("build", "-c", config).returncode in (0, 1)
    old = tree(blog / "feeds")
    _bulk(blog / "posts", 400, "New")
    reference = top / "reference"
    cli("build", "-c", config, "--full", "--output", reference, "--state", top / "rs")
    return blog, old, tree(reference)


@pytest.mark.parametrize("delay", [0.3, 0.6, 0.9, 1.2, 1.6])
def test_kill_9_mid_build_leaves_only_complete_feeds(
    old_and_new: tuple[Path, dict[str, bytes], dict[str, bytes]], tmp_path: Path, delay: float
) -> None:
    shared, old, new = old_and_new
    blog = tmp_path / "blog"
    shutil.copytree(shared, blog)  # the posts, the old feeds and the state of their build
    config = blog / "config.yaml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "feedwright", "build", "-q", "--full", "-c", str(config)], cwd=ROOT
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    now = tree(blog / "feeds")
    for name, data in now.items():
        if name.endswith(".xml"):
            assert data in (old.get(name), new.get(name)), f"{name} is neither old nor new"
    check_feeds(feed_files(blog / "feeds"))
    result = cli("build", "-c", config)
    assert result.returncode in (0, 1), result.stderr
    assert tree(blog / "feeds") == new
    assert not list((blog / "feeds").rglob(".feedwright-tmp-*"))


_DIE_WHILE_WRITING = """
import os, sys, time
import feedwright.publish

def die(*args, **kwargs):
    time.sleep(0.5)  # the scan and render rows, committed in the background, land
    os._exit(9)  # as kill -9 would: the new feeds are in temp files, none in place yet

feedwright.publish.Publisher.finish = die
from feedwright.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_build_killed_after_its_first_cache_commit_publishes_the_edit_next_time(
    sample_copy: Path, tmp_path: Path, racy_window: Callable[[], None]
) -> None:
    """A cold or full build commits what it scanned and rendered while it serializes the
    feeds, and records what it published only after writing them. Dying in between must
    not leave the cache claiming feeds that were never written."""
    config = sample_copy / "config.yaml"
    assert cli("build", "-c", config).returncode in (0, 1)
    victim = sample_copy / "posts" / "2024-02-12-welcome-to-tidepool.md"
    victim.write_text(victim.read_text() + "\nA sentence written before the crash.\n")
    died = subprocess.run(
        [sys.executable, "-c", _DIE_WHILE_WRITING, "build", "-q", "--full", "-c", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert died.returncode == 9, died.stderr
    assert "written before the crash" not in (sample_copy / "feeds" / "atom.xml").read_text()
    assert list((sample_copy / "feeds").rglob(".feedwright-tmp-*"))  # staged, not placed
    racy_window()  # past the cache's racy window, so file signatures are trusted
    assert cli("build", "-c", config).returncode in (0, 1)
    assert "written before the crash" in (sample_copy / "feeds" / "atom.xml").read_text()
    assert not list((sample_copy / "feeds").rglob(".feedwright-tmp-*"))
    full_out = tmp_path / "full"
    # the tag feeds that ended stay as tombstones: the full build starts from that history
    (tmp_path / "full-state").mkdir()
    shutil.copy(sample_copy / ".feedwright" / "moves.json", tmp_path / "full-state")
    result = cli(
        "build", "-c", config, "--full", "--output", full_out, "--state", tmp_path / "full-state"
    )
    assert result.returncode in (0, 1), result.stderr
    assert tree(full_out) == tree(sample_copy / "feeds")


def test_a_path_published_twice_in_one_build_keeps_the_later_bytes(tmp_path: Path) -> None:
    from feedwright.publish import Publisher

    out, state = tmp_path / "out", tmp_path / "state"
    out.mkdir()
    state.mkdir()
    (out / "index.html").write_bytes(b"current")
    with Publisher(out, state, set()) as publisher:
        publisher.add("index.html", b"first")
        publisher.add("index.html", b"current")  # the later answer: unchanged
        publisher.add("feed.xml", b"a")
        publisher.add("feed.xml", b"b")
        changes = publisher.finish()
    assert (out / "index.html").read_bytes() == b"current"
    assert (out / "feed.xml").read_bytes() == b"b"
    assert [(c.relpath, c.action) for c in changes] == [
        ("feed.xml", "write"),
        ("index.html", "unchanged"),
    ]
    assert not list(out.glob(".feedwright-tmp-*"))
