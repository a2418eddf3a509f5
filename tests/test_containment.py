"""Nothing is written or deleted outside the output folder, and nothing private is served:
each case is one planted file or one config line in a blog that also has good posts."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import run_cli
from daemon_helpers import DaemonProcess, add_post, set_config
from feedwright.publish import MANIFEST, Publisher, UnsafeOutputError, publish, read_manifest
from feedwright.serve import FeedApp, ServeSettings
from serve_helpers import fetch, port_of

PUBLIC = "https://tidepool.example.org/feeds/"
SECRET = "hub-secret-s3cr3t"
Stamps = dict[str, tuple[bytes, int]]


def stamps(folder: Path) -> Stamps:
    """Bytes and mtime of every file below ``folder``: what "untouched" means."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def one_line_error(stderr: str, *needles: str) -> None:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("feedwright: ")]
    assert len(lines) == 1, stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


# -- the writer -----------------------------------------------------------------------------
def test_a_symlinked_tag_folder_is_an_error_and_nothing_is_written(sample_copy: Path) -> None:
    config = sample_copy / "config.yaml"
    assert run_cli("build", "-c", config).returncode == 0
    out, outside = sample_copy / "feeds", sample_copy / "outside"
    # the attacker's folder: files named like the tag feeds, and one like a stale feed
    outside.mkdir()
    for feed in (out / "tags").iterdir():
        (outside / feed.name).write_bytes(b"<feed>not feedwright's</feed>")
    (outside / "old.atom.xml").write_bytes(b"<feed>keep me</feed>")
    shutil.rmtree(out / "tags")
    (out / "tags").symlink_to(Path("..") / "outside")
    before_outside, before_out = stamps(outside), stamps(out)
    # a new post: every tag feed it is in has new entries
    add_post(sample_copy / "posts", "2024-12-01-fresh.md", "Fresh", "tags: [Tidepool]\n")

    for args in ((), ("--full",)):
        result = run_cli("build", "-c", config, *args)

        assert result.returncode == 1, result.stdout + result.stderr
        one_line_error(result.stderr, str(out / "tags"), "symbolic link", "replace it")
        assert stamps(outside) == before_outside
        assert stamps(out) == before_out  # nothing published, not even the site feed
        assert not list(sample_copy.rglob(".feedwright-tmp-*"))


def test_stale_removal_never_follows_a_symlinked_folder(tmp_path: Path) -> None:
    out, state, outside = tmp_path / "out", tmp_path / "state", tmp_path / "outside"
    state.mkdir()
    publish(
        out,
        state,
        {"atom.xml": b"<feed/>", "tags/old.atom.xml": b"<feed>old</feed>"},
        read_manifest(state),
    )
    outside.mkdir()
    (outside / "old.atom.xml").write_bytes(b"<feed>keep me</feed>")
    shutil.rmtree(out / "tags")
    (out / "tags").symlink_to(outside)
    before = stamps(outside)

    changes = publish(out, state, {"atom.xml": b"<feed/>"}, read_manifest(state))

    assert [(c.relpath, c.action) for c in changes] == [("atom.xml", "unchanged")]
    assert stamps(outside) == before
    assert (out / "tags").is_symlink()


@pytest.mark.parametrize("planted", ["symlink", "file"])
def test_the_writer_refuses_a_folder_that_is_not_a_real_folder(
    tmp_path: Path, planted: str
) -> None:
    out, state, outside = tmp_path / "out", tmp_path / "state", tmp_path / "outside"
    (out / "feeds").mkdir(parents=True)
    state.mkdir()
    outside.mkdir()
    (outside / "x.atom.xml").write_bytes(b"precious")
    if planted == "symlink":
        (out / "feeds" / "tags").symlink_to(outside)
    else:
        (out / "feeds" / "tags").write_bytes(b"a file")
    before = stamps(tmp_path)

    with pytest.raises(UnsafeOutputError) as caught:
        publish(
            out,
            state,
            {"atom.xml": b"<feed/>", "feeds/tags/x.atom.xml": b"<feed/>"},
            read_manifest(state),
        )

    assert caught.value.path == out / "feeds" / "tags"
    what = "a symbolic link" if planted == "symlink" else "a file, not a folder"
    assert str(caught.value).startswith(f"{out / 'feeds' / 'tags'}: {what}")
    assert stamps(tmp_path) == before


def test_symlinks_planted_in_the_state_folder_are_replaced_never_followed(
    tmp_path: Path,
) -> None:
    from test_faults import edit_a_post, make_blog

    root = tmp_path / "site"
    config = make_blog(root)
    assert run_cli("build", "-q", "-c", config).returncode == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    state = root / "state"
    for name in ("cache.sqlite", "status.json", MANIFEST, "snapshot.json"):
        (outside / name).write_bytes(b"precious")
        (state / name).unlink()
        (state / name).symlink_to(outside / name)
    for name in ("cache.sqlite-wal", "cache.sqlite-shm"):
        (state / name).unlink(missing_ok=True)
    before = stamps(outside)
    edit_a_post(root)
    result = run_cli("build", "-c", config)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert stamps(outside) == before
    assert b"Body three." in (root / "out" / "atom.xml").read_bytes()
    assert json.loads((state / "status.json").read_text("utf-8"))["result"] == "ok"


def test_after_output_changes_the_old_folders_list_removes_nothing(sample_copy: Path) -> None:
    config = sample_copy / "config.yaml"
    posts = sample_copy / "posts"
    extra = add_post(posts, "2024-12-01-oddity.md", "Oddity", "tags: [oddity]\n")
    assert run_cli("build", "-c", config).returncode == 0
    assert (sample_copy / "feeds" / "tags" / "oddity.atom.xml").is_file()
    extra.unlink()  # the tag is gone: its feeds are stale in the old folder
    site = sample_copy / "site"
    (site / "tags").mkdir(parents=True)
    (site / "tags" / "oddity.atom.xml").write_bytes(b"<feed>written by hand</feed>")
    before = stamps(site)
    set_config(config, output="site")

    result = run_cli("build", "-c", config)

    assert result.returncode == 0, result.stdout + result.stderr
    assert stamps(site)["tags/oddity.atom.xml"] == before["tags/oddity.atom.xml"]
    assert (site / "atom.xml").is_file()
    manifest = json.loads((sample_copy / ".feedwright" / MANIFEST).read_text())
    assert manifest["inode"] == site.stat().st_ino  # now the new folder's list


def test_a_plain_list_of_names_removes_nothing(tmp_path: Path) -> None:
    out, state = tmp_path / "out", tmp_path / "state"
    state.mkdir()
    publish(out, state, {"atom.xml": b"<feed/>", "old.atom.xml": b"<feed/>"}, set())
    with Publisher(out, state, {"atom.xml", "old.atom.xml"}) as publisher:
        publisher.add("atom.xml", b"<feed/>")
        assert [c.action for c in publisher.finish()] == ["unchanged"]
    assert (out / "old.atom.xml").exists()


# -- the server, in process -------------------------------------------------------------------
def call(app: FeedApp, path: str, remote: str = "127.0.0.1") -> tuple[int, dict[str, str], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: Iterable[tuple[str, str]], exc: object = None) -> Any:
        seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)
        return lambda data: None

    body = b"".join(
        app(
            {"REQUEST_METHOD": "GET", "PATH_INFO": path, "REMOTE_ADDR": remote},
            start_response,  # type: ignore[arg-type]
        )
    )
    return seen["status"], seen["headers"], body


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """An output folder written by the publisher, and its state folder."""
    out, state = tmp_path / "out", tmp_path / "state"
    state.mkdir()
    feed = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>'
    files: dict[str, bytes | None] = {
        "atom.xml": feed,
        "feed.json": b'{"version": "https://jsonfeed.org/version/1.1", "items": []}',
        "tags/a.json": b'{"version": "https://jsonfeed.org/version/1.1", "items": []}',
    }
    publish(out, state, files, read_manifest(state))
    status = {
        "started": "2026-01-01T12:00:00+00:00",
        "duration_seconds": 0.5,
        "result": "ok",
        "trigger": "build",
        "error": None,
        "next_run": None,
        "last_good_posts": 1,
        "last_success": "2026-01-01T12:00:00+00:00",
        "counts": {
            "posts_found": 1,
            "posts_indexed": 1,
            "posts_skipped": 0,
            "feeds_written": 3,
            "feeds_unchanged": 0,
            "feeds_removed": 0,
            "errors": 0,
            "warnings": 1,
        },
        "errors": [],
        "warnings": ["posts/2026-02-01-embargoed.md: secret launch has no description"],
        "next_future_post": "2026-02-01T09:00:00+00:00",
    }
    (state / "status.json").write_text(json.dumps(status))
    return out, state


def test_a_hard_link_to_an_outside_file_is_not_served(
    tmp_path: Path, built: tuple[Path, Path]
) -> None:
    out, state = built
    (tmp_path / "private.xml").write_text(f"<secret>{SECRET}</secret>")
    os.link(tmp_path / "private.xml", out / "linked.atom.xml")
    app = FeedApp(ServeSettings(out, state, PUBLIC, "no-cache"))

    status, _, body = call(app, "/linked.atom.xml")

    assert (status, SECRET.encode() in body) == (404, False)
    assert call(app, "/atom.xml")[0] == 200


@pytest.mark.parametrize("name", ["ATOM.XML", "atom.Xml", "feed.JSON", "x.Atom"])
def test_suffixes_are_matched_case_sensitively(built: tuple[Path, Path], name: str) -> None:
    out, state = built
    (out / name).write_text(f"<secret>{SECRET}</secret>")
    app = FeedApp(ServeSettings(out, state, PUBLIC, "no-cache"))
    status, _, body = call(app, "/" + name)
    assert (status, SECRET.encode() in body) == (404, False)


def test_only_json_the_build_wrote_there_is_served(built: tuple[Path, Path]) -> None:
    out, state = built
    app = FeedApp(ServeSettings(out, state, PUBLIC, "no-cache"))
    assert call(app, "/feed.json")[0] == 200
    assert call(app, "/tags/a.json")[0] == 200
    (out / "feedwright.json").write_text(json.dumps({"websub": {"hubs": [SECRET]}}))
    shutil.copy(state / "status.json", out / "status.json")
    shutil.copy(state / MANIFEST, out / MANIFEST)
    (out / "tags" / "a.json").unlink()  # replaced by another file of the same name
    (out / "tags" / "a.json").write_text(json.dumps({"secret": SECRET}))
    for path in ("/feedwright.json", "/status.json", f"/{MANIFEST}", "/tags/a.json"):
        status, _, body = call(app, path, "127.0.0.1")
        assert (status, SECRET.encode() in body, b"embargoed" in body) == (404, False, False)


def test_json_is_not_served_with_the_manifest_of_another_folder(
    tmp_path: Path, built: tuple[Path, Path]
) -> None:
    out, state = built
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)  # same names, another folder
    app = FeedApp(ServeSettings(copy, state, PUBLIC, "no-cache"))
    assert call(app, "/feed.json")[0] == 404
    assert call(app, "/atom.xml")[0] == 200


def test_nothing_in_the_state_folder_is_served(built: tuple[Path, Path]) -> None:
    _, state = built
    (state / "private.xml").write_text(f"<secret>{SECRET}</secret>")
    (state / "sub").mkdir()
    (state / "sub" / "x.atom.xml").write_text(f"<secret>{SECRET}</secret>")
    app = FeedApp(ServeSettings(state, state, PUBLIC, "no-cache"))  # state served as output
    for path in ("/private.xml", "/sub/x.atom.xml", "/status.json", f"/{MANIFEST}"):
        status, _, body = call(app, path)
        assert (status, SECRET.encode() in body) == (404, False), path


def test_healthz_names_no_post_and_no_schedule(built: tuple[Path, Path]) -> None:
    out, state = built
    app = FeedApp(ServeSettings(out, state, PUBLIC, "no-cache"))
    status, headers, body = call(app, "/healthz", "203.0.113.9")
    assert status == 200
    assert headers["Cache-Control"] == "no-store"
    assert json.loads(body) == {"status": "ok", "last_build": "2026-01-01T12:00:00+00:00"}
    failed = json.loads((state / "status.json").read_text()) | {"result": "failed"}
    (state / "status.json").write_text(json.dumps(failed))
    status, _, body = call(app, "/healthz", "203.0.113.9")
    assert (status, json.loads(body)["status"]) == (503, "failing")
    assert b"embargoed" not in body and b"2026-02-01" not in body


@pytest.mark.parametrize(
    ("enabled", "remote", "expected"),
    [
        (False, "127.0.0.1", 404),
        (True, "127.0.0.1", 200),
        (True, "127.0.0.2", 200),
        (True, "::1", 200),
        (True, "::ffff:127.0.0.1", 200),
        (True, "203.0.113.9", 404),
        (True, "::ffff:203.0.113.9", 404),
        (True, "2001:db8::1", 404),
        (True, "", 404),
    ],
)
def test_the_full_status_is_opt_in_and_loopback_only(
    built: tuple[Path, Path], enabled: bool, remote: str, expected: int
) -> None:
    out, state = built
    app = FeedApp(ServeSettings(out, state, PUBLIC, "no-cache", status=enabled))
    status, _, body = call(app, "/status.json", remote)
    assert status == expected
    assert (b"embargoed" in body) == (expected == 200)


# -- the server, as users run it --------------------------------------------------------------
def test_a_config_inside_the_served_folder_is_refused_and_never_served(
    sample_copy: Path,
) -> None:
    """``output: .`` beside the config is refused: anything that publishes the folder would
    publish the config and its hub credentials. A copy left there is still never served."""
    site = sample_copy / "site"
    site.mkdir()
    data = yaml.safe_load((sample_copy / "config.yaml").read_text())
    data.update(
        output=".",
        posts="../posts",
        state="../state",
        websub={"hubs": [f"https://user:{SECRET}@hub.example.org/"]},
    )
    inside = site / "feedwright.json"
    inside.write_text(json.dumps(data))
    (site / "feedwright.yaml").write_text(yaml.safe_dump(data))
    refused = run_cli("build", "-c", inside)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "output" in refused.stderr and "Traceback" not in refused.stderr
    assert sorted(p.name for p in site.iterdir()) == ["feedwright.json", "feedwright.yaml"]
    data.update(output="site", posts="posts", state="state")
    config = sample_copy / "feedwright.json"
    config.write_text(json.dumps(data))
    built = run_cli("build", "-c", config)
    assert built.returncode == 0, built.stdout + built.stderr
    server = DaemonProcess(config, "--bind", "127.0.0.1:0", command="serve")
    try:
        port = port_of(server)
        assert fetch(port, "/feed.json").status == 200
        for path in ("/feedwright.json", "/feedwright.yaml", "/status.json", "/healthz"):
            reply = fetch(port, path)
            assert SECRET.encode() not in reply.body, path
            assert reply.status == (200 if path == "/healthz" else 404), path
    finally:
        assert server.stop() == 0
