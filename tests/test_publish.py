"""The publisher: feeds replaced atomically and only when their bytes change, stale files
removed only when feedwright wrote them, nothing changed when a write fails or on a dry
run, and no temporary file left behind."""

from __future__ import annotations

import errno
import json
import os
import stat
import time
from pathlib import Path

import pytest

from feedwright.errors import FeedwrightError, LockedError
from feedwright.publish import (
    MANIFEST,
    TMP_PREFIX,
    Manifest,
    Publisher,
    UnsafeOutputError,
    atomic_write,
    clean_temp_files,
    output_lock,
    publish,
    read_manifest,
)
from feedwright.types import Change

FIRST = {
    "atom.xml": b"<feed>one</feed>",
    "tags/kubevirt.atom.xml": b"<feed>kubevirt</feed>",
    "tags/storage.atom.xml": b"<feed>storage</feed>",
    "index.html": b"<html>feeds</html>",
}


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "out"


@pytest.fixture
def state(tmp_path: Path) -> Path:
    folder = tmp_path / "state"
    folder.mkdir()
    return folder


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (temporary ones included) and its bytes."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def temp_files(folder: Path) -> list[Path]:
    return list(folder.rglob(TMP_PREFIX + "*"))


def actions(changes: list[Change]) -> list[tuple[str, str, str]]:
    return [(c.relpath, c.action, c.reason) for c in changes]


def first_build(out: Path, state: Path) -> None:
    publish(out, state, dict(FIRST), read_manifest(state))


# -- writing -------------------------------------------------------------------------------
def test_a_first_build_writes_every_file_and_a_manifest(out: Path, state: Path) -> None:
    changes = publish(out, state, dict(FIRST), read_manifest(state))

    assert tree(out) == FIRST
    assert [(rel, action) for rel, action, _ in actions(changes)] == [
        (rel, "write") for rel in sorted(FIRST)
    ]
    assert {reason for _, _, reason in actions(changes)} == {"new feed"}
    assert read_manifest(state).names == set(FIRST)
    # readable by a web server running as another user
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in out.rglob("*") if p.is_file())
    assert not temp_files(out)


def test_only_files_whose_bytes_changed_are_rewritten(out: Path, state: Path) -> None:
    first_build(out, state)
    before = {rel: (out / rel).stat() for rel in FIRST}

    files: dict[str, bytes | None] = dict(FIRST)
    files["atom.xml"] = b"<feed>two</feed>"
    files["index.html"] = None  # known unchanged without rendering it
    changes = publish(out, state, files, read_manifest(state))

    assert actions(changes) == [
        ("atom.xml", "write", "entries changed"),
        ("index.html", "unchanged", "same entries"),
        ("tags/kubevirt.atom.xml", "unchanged", "same bytes"),
        ("tags/storage.atom.xml", "unchanged", "same bytes"),
    ]
    assert (out / "atom.xml").read_bytes() == b"<feed>two</feed>"
    assert (out / "atom.xml").stat().st_ino != before["atom.xml"].st_ino  # replaced by rename
    for rel in ("index.html", "tags/kubevirt.atom.xml", "tags/storage.atom.xml"):
        now = (out / rel).stat()
        assert (now.st_ino, now.st_mtime_ns) == (before[rel].st_ino, before[rel].st_mtime_ns)
    assert read_manifest(state).names == set(FIRST)  # unchanged files are still feedwright's


def test_atomic_write_replaces_a_file_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "status.json"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["status.json"]


# -- removing ------------------------------------------------------------------------------
def test_stale_feeds_are_removed_and_emptied_folders_pruned(out: Path, state: Path) -> None:
    first_build(out, state)
    files = {rel: data for rel, data in FIRST.items() if not rel.startswith("tags/")}

    changes = publish(out, state, dict(files), read_manifest(state))

    assert ("tags/kubevirt.atom.xml", "remove") in [(r, a) for r, a, _ in actions(changes)]
    assert tree(out) == files
    assert not (out / "tags").exists()
    assert read_manifest(state).names == set(files)


def test_files_feedwright_did_not_write_are_never_removed(out: Path, state: Path) -> None:
    first_build(out, state)
    (out / "tags" / "handmade.atom.xml").write_bytes(b"mine")
    (out / "robots.txt").write_bytes(b"User-agent: *")

    publish(out, state, {"atom.xml": FIRST["atom.xml"]}, read_manifest(state))

    assert tree(out) == {
        "atom.xml": FIRST["atom.xml"],
        "robots.txt": b"User-agent: *",
        "tags/handmade.atom.xml": b"mine",  # its folder stays: it is not empty
    }


def test_a_manifest_cannot_point_outside_the_output_folder(
    tmp_path: Path, out: Path, state: Path
) -> None:
    first_build(out, state)
    victim = tmp_path / "victim.xml"
    victim.write_bytes(b"precious")
    (tmp_path / "notes.txt").write_bytes(b"notes")
    recorded = json.loads((state / MANIFEST).read_text())

    def ino(path: Path) -> list[int]:
        return [path.stat().st_ino, path.stat().st_mtime_ns]

    recorded["files"] = {
        "../victim.xml": ino(victim),
        str(victim): ino(victim),
        "tags/../../victim.xml": ino(victim),
        "./atom.xml": ino(out / "atom.xml"),
        "tags\\storage.atom.xml": ino(out / "tags" / "storage.atom.xml"),
        "../notes.txt": ino(tmp_path / "notes.txt"),
        "": ino(victim),
        "index.html": ino(out / "index.html"),
        "tags/kubevirt.atom.xml": "not an inode",
    }
    (state / MANIFEST).write_text(json.dumps(recorded))

    assert read_manifest(state).names == {"index.html"}
    publish(out, state, {}, read_manifest(state))

    assert victim.read_bytes() == b"precious"
    assert (tmp_path / "notes.txt").exists()
    assert not (out / "index.html").exists()
    assert (out / "atom.xml").exists()  # not in the (rewritten) manifest: kept


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not json",
        "[]",
        '{"files": "atom.xml"}',
        "{}",
        # the names alone (an older manifest): no folder identity, no inodes
        '{"output": "out", "files": ["atom.xml", "index.html"]}',
    ],
)
def test_an_unreadable_manifest_removes_nothing(out: Path, state: Path, content: str) -> None:
    first_build(out, state)
    (state / MANIFEST).write_text(content)
    assert read_manifest(state) == Manifest()
    publish(out, state, {}, read_manifest(state))
    assert tree(out) == FIRST


def test_the_manifest_of_another_output_folder_removes_nothing(tmp_path: Path, state: Path) -> None:
    """``output:`` changed: the old folder's list must not remove a file of the new one,
    even one of the same name."""
    old, new = tmp_path / "old", tmp_path / "new"
    publish(old, state, dict(FIRST), read_manifest(state))
    (new / "tags").mkdir(parents=True)
    (new / "tags" / "kubevirt.atom.xml").write_bytes(b"<feed>not feedwright's</feed>")

    changes = publish(new, state, {"atom.xml": b"<feed>one</feed>"}, read_manifest(state))

    assert [c.action for c in changes] == ["write"]
    assert (new / "tags" / "kubevirt.atom.xml").read_bytes() == b"<feed>not feedwright's</feed>"
    assert tree(old) == FIRST


def test_a_file_replaced_since_it_was_written_is_not_removed(out: Path, state: Path) -> None:
    first_build(out, state)
    (out / "tags" / "storage.atom.xml").unlink()
    time.sleep(0.02)  # later than the clock's step: a replacement is never the same moment
    (out / "tags" / "storage.atom.xml").write_bytes(b"<feed>mine now</feed>")  # a new inode

    publish(out, state, {"atom.xml": FIRST["atom.xml"]}, read_manifest(state))

    assert tree(out) == {
        "atom.xml": FIRST["atom.xml"],
        "tags/storage.atom.xml": b"<feed>mine now</feed>",
    }


# -- failures ------------------------------------------------------------------------------
def test_a_failed_write_leaves_the_published_feeds_as_they_were(
    out: Path, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_build(out, state)
    manifest = (state / MANIFEST).read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    files = {rel: data + b"<!-- new -->" for rel, data in FIRST.items()}
    files["tags/new.atom.xml"] = b"<feed>new</feed>"
    with pytest.raises(OSError, match="No space left"):
        publish(out, state, files, set(FIRST))

    assert tree(out) == FIRST  # no file replaced, none added, no temp file left
    assert (state / MANIFEST).read_bytes() == manifest


def test_a_feed_that_cannot_be_staged_stops_every_replacement(out: Path, state: Path) -> None:
    first_build(out, state)
    files = {rel: data + b"<!-- new -->" for rel, data in FIRST.items()}
    files["atom.xml/inner.xml"] = b"<feed/>"  # its folder is taken by a file

    with pytest.raises(UnsafeOutputError, match=r"atom\.xml: a file, not a folder,"):
        publish(out, state, files, read_manifest(state))

    assert tree(out) == FIRST


def test_an_error_before_finishing_discards_the_staged_files(out: Path, state: Path) -> None:
    first_build(out, state)

    class Interrupted(FeedwrightError):
        pass

    with pytest.raises(Interrupted), Publisher(out, state, set(FIRST)) as publisher:
        publisher.add("atom.xml", b"<feed>half a build</feed>")
        publisher.add("tags/new.atom.xml", b"<feed>new</feed>")
        raise Interrupted("a post could not be rendered")

    assert tree(out) == FIRST


def test_a_failed_rename_cleans_up_and_keeps_the_old_manifest(
    out: Path, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_build(out, state)
    manifest = (state / MANIFEST).read_bytes()
    real_rename = os.rename
    calls = 0

    def second_fails(src: str, dst: str, **dir_fds: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError(errno.EIO, "Input/output error")
        real_rename(src, dst, **dir_fds)

    monkeypatch.setattr(os, "rename", second_fails)
    files = {rel: data + b"<!-- new -->" for rel, data in FIRST.items()}
    with pytest.raises(OSError, match="Input/output error"):
        publish(out, state, files, set(FIRST))

    now = tree(out)
    assert set(now) == set(FIRST)  # every feed is whole, old or new; no temp file is left
    assert sum(now[rel] == files[rel] for rel in FIRST) == 1  # the one placed before it
    assert (state / MANIFEST).read_bytes() == manifest


def test_temp_files_of_a_killed_build_are_cleaned(out: Path) -> None:
    (out / "tags").mkdir(parents=True)
    (out / "atom.xml").write_bytes(b"feed")
    (out / f"{TMP_PREFIX}abc123").write_bytes(b"half")
    (out / "tags" / f"{TMP_PREFIX}def456").write_bytes(b"half")
    (out / "tags" / "notes.tmp").write_bytes(b"mine")

    clean_temp_files(out)

    assert tree(out) == {"atom.xml": b"feed", "tags/notes.tmp": b"mine"}
    clean_temp_files(out / "missing")  # no output yet: nothing to do, no error


# -- dry run -------------------------------------------------------------------------------
def test_a_dry_run_reports_the_changes_and_writes_nothing(out: Path, state: Path) -> None:
    assert actions(publish(out, state, dict(FIRST), set(), dry_run=True)) == [
        (rel, "write", "new feed") for rel in sorted(FIRST)
    ]
    assert not out.exists()
    assert not (state / MANIFEST).exists()

    first_build(out, state)
    manifest = (state / MANIFEST).read_bytes()
    files: dict[str, bytes | None] = {"atom.xml": b"<feed>two</feed>", "index.html": None}
    changes = publish(out, state, files, read_manifest(state), dry_run=True)

    assert [(rel, action) for rel, action, _ in actions(changes)] == [
        ("atom.xml", "write"),
        ("index.html", "unchanged"),
        ("tags/kubevirt.atom.xml", "remove"),
        ("tags/storage.atom.xml", "remove"),
    ]
    assert tree(out) == FIRST
    assert (state / MANIFEST).read_bytes() == manifest


# -- one writer ----------------------------------------------------------------------------
def test_one_writer_per_output_folder(out: Path) -> None:
    with output_lock(out):
        with pytest.raises(LockedError) as caught, output_lock(out):
            pass
        assert caught.value.exit_code == 75
        assert "locked by another feedwright run" in str(caught.value)
    with output_lock(out):  # released on leaving
        pass
