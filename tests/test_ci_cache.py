"""A CI job that keeps the state folder (and the output folder) in a cache between runs,
as docs/ci.md configures it: the cache may come from another branch or commit, from
another feedwright version, or be damaged. Whatever it holds, the build publishes what a
clean ``build --full`` of the checked-out posts publishes, byte for byte.

Each run is real processes in one workspace path, emptied and checked out again as a CI
runner does; the cache is a copy that keeps modification times, as tar does."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import run_cli

STATE = ".feedwright"
OUTPUT = "feeds"
# the same instant on every file of a checkout, as fixed as a CI checkout's is not
A_TIME_NS = 1_700_000_000_123_456_789


def post(title: str, tags: str, body: str, date: str = "") -> str:
    head = f"date: {date}\n" if date else ""
    return f"---\ntitle: {title}\n{head}tags: [{tags}]\n---\n{body}\n"


BRANCH_A = {
    "2024-01-01-one.md": post("One", "alpha", "The first post, with alpha words."),
    "2024-01-02-two.md": post("Two", "alpha, beta", "Second post, kept as it is."),
    "2024-01-03-three.md": post("Three", "beta", "Third post: *some* text."),
    "2024-01-04-four.md": post("Four", "gamma", "Fourth post, removed on branch B."),
    "2024-01-05-five.md": post("Five", "alpha", "Fifth post, body changes on B."),
    "2024-01-06-six.md": post("Six", "delta", "Sixth post, tag changes on B."),
}
# B: the same size (and, below, the same mtime) with other bytes; one removed, one added
BRANCH_B = {
    **{k: v for k, v in BRANCH_A.items() if k != "2024-01-04-four.md"},
    "2024-01-05-five.md": post("Five", "alpha", "Fifth post, BODY CHANGED on B."),
    "2024-01-06-six.md": post("Six", "omega", "Sixth post, tag changes on B."),
    "2024-01-07-seven.md": post("Seven", "beta", "A post that only branch B has."),
}
SAME_STAT = ("2024-01-05-five.md", "2024-01-06-six.md")
CONFIG_A = 'site: {title: CI, url: "https://example.org/"}\n'
CONFIG_B = CONFIG_A + "limit: 3\n"  # the branch changed the config too


def test_branches_differ_where_the_test_says() -> None:
    for name in SAME_STAT:
        assert len(BRANCH_A[name]) == len(BRANCH_B[name])
        assert BRANCH_A[name] != BRANCH_B[name]


def checkout(ws: Path, posts: dict[str, str], config: str, folder: str = "posts") -> None:
    """A fresh checkout: the workspace emptied and every file written again; a post kept
    from branch A keeps A's modification time (git would give it the checkout time: the
    harder case is the one where size and mtime say nothing changed)."""
    shutil.rmtree(ws, ignore_errors=True)
    (ws / folder).mkdir(parents=True)
    (ws / "config.yaml").write_text(config)
    for name, text in posts.items():
        path = ws / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.utime(path, ns=(A_TIME_NS, A_TIME_NS))


def save_cache(ws: Path, cache: Path) -> None:
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir()
    for name in (STATE, OUTPUT):
        shutil.copytree(ws / name, cache / name, copy_function=shutil.copy2)


def restore_cache(cache: Path, ws: Path, *, output: bool = False) -> None:
    """The state folder, as docs/ci.md caches it; ``output``: the output folder too."""
    for name in (STATE, OUTPUT) if output else (STATE,):
        shutil.copytree(cache / name, ws / name, copy_function=shutil.copy2)


def build(ws: Path, *args: str) -> str:
    result = run_cli("build", "-v", "-c", ws / "config.yaml", *args, cwd=ws)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def published(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def clean_full(tmp_path: Path, posts: dict[str, str], config: str, folder: str) -> Path:
    clean = tmp_path / "clean"
    checkout(clean, posts, config, folder)
    build(clean, "--full")
    return clean / OUTPUT


def assert_same_feeds(ws: Path, clean: Path) -> None:
    """The clean build's files, byte for byte. The state folder also carries what earlier
    builds published (feeds that ended get a final entry, docs/serving.md): restored from
    another branch, its feeds that this one lacks come as such tombstones, never with
    content. docs/ci.md says so, and how to key the cache to avoid them."""
    got, want = published(ws / OUTPUT), published(clean)
    assert set(want) <= set(got)
    differ = [name for name in want if got[name] != want[name]]
    assert differ == []
    for name in sorted(set(got) - set(want)):
        assert b"This feed has ended" in got[name], name
        assert b"BODY" not in got[name] and b"only branch" not in got[name], name


@pytest.fixture
def cached_a(tmp_path: Path) -> tuple[Path, Path]:
    """Branch A built in the workspace, its state and output folders saved as a cache."""
    ws, cache = tmp_path / "ws", tmp_path / "cache"
    checkout(ws, BRANCH_A, CONFIG_A)
    build(ws)
    save_cache(ws, cache)
    return ws, cache


def test_a_cache_from_another_branch_publishes_what_a_clean_build_does(
    tmp_path: Path, cached_a: tuple[Path, Path]
) -> None:
    ws, cache = cached_a
    for name in SAME_STAT:  # the stat that the cache recorded for A's file
        st = (ws / "posts" / name).stat()
        assert (st.st_size, st.st_mtime_ns) == (len(BRANCH_A[name]), A_TIME_NS)
    checkout(ws, BRANCH_B, CONFIG_B)
    for name in SAME_STAT:
        st = (ws / "posts" / name).stat()
        assert (st.st_size, st.st_mtime_ns) == (len(BRANCH_A[name]), A_TIME_NS)
    restore_cache(cache, ws)
    build(ws)
    feed = (ws / OUTPUT / "atom.xml").read_text()
    assert "BODY CHANGED" in feed and "only branch B has" in feed
    assert (ws / OUTPUT / "tags" / "omega.atom.xml").exists()
    assert_same_feeds(ws, clean_full(tmp_path, BRANCH_B, CONFIG_B, "posts"))
    # and the next run, from the cache this run leaves, is still right
    save_cache(ws, cache)
    checkout(ws, BRANCH_B, CONFIG_B)
    restore_cache(cache, ws)
    build(ws)
    assert_same_feeds(ws, tmp_path / "clean" / OUTPUT)


def test_the_same_cache_back_on_branch_a_publishes_a_again(
    tmp_path: Path, cached_a: tuple[Path, Path]
) -> None:
    ws, cache = cached_a
    checkout(ws, BRANCH_B, CONFIG_B)
    restore_cache(cache, ws)
    build(ws)
    save_cache(ws, cache)  # B's cache, restored on A (a fallback restore-key)
    checkout(ws, BRANCH_A, CONFIG_A)
    restore_cache(cache, ws)
    build(ws)
    assert_same_feeds(ws, clean_full(tmp_path, BRANCH_A, CONFIG_A, "posts"))


def test_a_cache_from_a_newer_version_is_rebuilt_with_a_note(
    tmp_path: Path, cached_a: tuple[Path, Path]
) -> None:
    ws, cache = cached_a
    with sqlite3.connect(cache / STATE / "cache.sqlite") as db:
        db.execute("UPDATE meta SET value = '99.0.0' WHERE key = 'version'")
    db.close()
    checkout(ws, BRANCH_B, CONFIG_B)
    restore_cache(cache, ws)
    said = build(ws)
    assert "cache written by another version (99.0.0); rebuilt it" in said
    assert_same_feeds(ws, clean_full(tmp_path, BRANCH_B, CONFIG_B, "posts"))


def test_an_output_folder_restored_too_keeps_the_feeds_of_tags_gone_since(
    tmp_path: Path, cached_a: tuple[Path, Path]
) -> None:
    """Restoring the output folder from the cache as well: every feed B has is right, but
    the feeds of A's tags that B no longer has stay. The restored folder and files are
    new inodes, so the manifest (which removes only files this build's output folder
    got from feedwright) removes nothing. docs/ci.md therefore caches the state only."""
    ws, cache = cached_a
    checkout(ws, BRANCH_B, CONFIG_B)
    restore_cache(cache, ws, output=True)
    build(ws)
    got, want = published(ws / OUTPUT), published(clean_full(tmp_path, BRANCH_B, CONFIG_B, "posts"))
    assert [name for name in want if got.get(name) != want[name]] == []
    left = sorted(set(got) - set(want))
    if left:
        pytest.xfail(f"feeds of tags gone since are left in a restored output folder: {left}")


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_cache_is_rebuilt_with_a_note(
    tmp_path: Path, cached_a: tuple[Path, Path], damage: str
) -> None:
    ws, cache = cached_a
    db = cache / STATE / "cache.sqlite"
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3] if damage == "truncated" else b"\x13" * len(data))
    checkout(ws, BRANCH_B, CONFIG_B)
    restore_cache(cache, ws)
    said = build(ws)
    assert "cache unreadable" in said and "rebuilt it" in said
    assert_same_feeds(ws, clean_full(tmp_path, BRANCH_B, CONFIG_B, "posts"))


JEKYLL_CONFIG = (
    'jekyll: site\ndrafts: true\noutput: feeds\nsite: {title: CI, url: "https://example.org/"}\n'
)


def test_a_draft_dated_by_its_file_time_follows_the_checkout(tmp_path: Path) -> None:
    """Jekyll dates a draft without a date by its file's modification time: the same bytes
    checked out again (a new mtime) must not keep the date the cache saw."""
    ws, cache = tmp_path / "ws", tmp_path / "cache"
    files = {
        "_config.yml": "title: CI\nurl: https://example.org\n",
        "_posts/2024-01-02-dated.md": post("Dated", "alpha", "A dated post."),
        "_drafts/draft.md": post("Draft", "alpha", "A draft without a date."),
    }
    checkout(ws, files, JEKYLL_CONFIG, "site")
    build(ws)
    save_cache(ws, cache)
    checkout(ws, files, JEKYLL_CONFIG, "site")
    later = A_TIME_NS + 400 * 86_400 * 10**9  # a checkout more than a year later
    os.utime(ws / "site" / "_drafts" / "draft.md", ns=(later, later))
    restore_cache(cache, ws)
    build(ws)
    clean = tmp_path / "clean"
    checkout(clean, files, JEKYLL_CONFIG, "site")
    os.utime(clean / "site" / "_drafts" / "draft.md", ns=(later, later))
    build(clean, "--full")
    assert_same_feeds(ws, clean / OUTPUT)
