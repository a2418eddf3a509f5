"""`feedwright run` as a real process with real signals, on a copy of the sample blog; and
the single run that both it and `feedwright build` make, in this process."""

from __future__ import annotations

import datetime as dt
import shutil
import signal
from collections.abc import Sequence
from pathlib import Path

import feedparser
import pytest

from conftest import check_feeds, feed_files, run_cli
from daemon_helpers import DaemonProcess, add_post, bulk_posts, set_config
from feedwright.config import Config, load_config
from feedwright.errors import LockedError
from feedwright.parallel import WorkerError
from feedwright.publish import OUTPUT_SUFFIXES, output_lock
from feedwright.run.once import run_once
from feedwright.state.status import read_status
from feedwright.types import Change


def titles(feed: Path) -> list[str]:
    if not feed.exists():
        return []
    return [e.title for e in feedparser.parse(feed.read_bytes()).entries]


@pytest.fixture
def blog(sample_copy: Path) -> Path:
    set_config(sample_copy / "config.yaml", schedule={"every": "1s"})
    return sample_copy


def test_an_added_post_appears_after_the_next_scheduled_run(blog: Path) -> None:
    daemon = DaemonProcess(blog / "config.yaml")
    try:
        daemon.wait_builds(1)
        add_post(blog / "posts", "2025-09-30-brand-new.md", "Brand New Post")
        daemon.wait_for(
            "the new post in the site feed",
            lambda: "Brand New Post" in titles(blog / "feeds" / "atom.xml"),
        )
        assert "Brand New Post" in titles(blog / "feeds" / "tags" / "fresh.rss.xml")
        assert "Brand New Post" in titles(blog / "feeds" / "categories" / "news.atom.xml")
    finally:
        assert daemon.stop() == 0
    check_feeds(feed_files(blog / "feeds"))


def test_watch_mode_rebuilds_on_change_without_waiting_for_the_schedule(
    sample_copy: Path,
) -> None:
    set_config(sample_copy / "config.yaml", schedule={"every": "1h"})
    daemon = DaemonProcess(sample_copy / "config.yaml", "--watch")
    try:
        daemon.wait_builds(1)
        add_post(sample_copy / "posts", "2025-09-30-watched.md", "Watched Post")
        daemon.wait_for(
            "the watched post", lambda: "Watched Post" in titles(sample_copy / "feeds" / "rss.xml")
        )
        # the build's log line follows its files by a moment
        daemon.wait_for("the watch-triggered build's log line", lambda: "[watch]" in daemon.log)
        assert "[schedule]" not in daemon.log
    finally:
        assert daemon.stop() == 0


def test_a_future_post_appears_at_its_publication_time(sample_copy: Path) -> None:
    set_config(sample_copy / "config.yaml", schedule={"every": "1h"})
    when = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=4)
    add_post(
        sample_copy / "posts",
        f"{when:%Y-%m-%d}-scheduled.md",
        "Scheduled Post",
        f"date: {when:%Y-%m-%d %H:%M:%S} +0000\n",
    )
    daemon = DaemonProcess(sample_copy / "config.yaml")
    try:
        daemon.wait_builds(1)
        assert "Scheduled Post" not in titles(sample_copy / "feeds" / "atom.xml")
        daemon.wait_for(
            "the scheduled post",
            lambda: "Scheduled Post" in titles(sample_copy / "feeds" / "atom.xml"),
        )
        daemon.wait_for("the build's log line", lambda: "[future-post]" in daemon.log)
        assert dt.datetime.now(dt.UTC) >= when
    finally:
        assert daemon.stop() == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_during_a_build_finishes_it_then_exits_0(blog: Path, sig: int) -> None:
    bulk_posts(blog / "posts", 600)
    daemon = DaemonProcess(blog / "config.yaml", "--full")
    cache = blog / ".feedwright" / "cache.sqlite"
    daemon.wait_for("start", lambda: daemon.count(" started: ") == 1)
    # signal once the build is under way (a stop before it begins rightly skips it)
    daemon.wait_for("the build to begin", cache.exists)
    daemon.signal(sig)
    assert daemon.stop() == 0
    log = daemon.log
    assert log.index(" build ok ") < log.index(" stopped")
    assert daemon.builds() == 1
    check_feeds(feed_files(blog / "feeds"))
    # no worker process outlives the daemon (workers must not inherit its SIGTERM handler)
    leftovers = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if proc.name.isdigit() and str(blog / "config.yaml").encode() in cmdline:
            leftovers.append(proc.name)
    assert leftovers == []


def test_sighup_with_a_broken_config_keeps_the_old_one(blog: Path) -> None:
    daemon = DaemonProcess(blog / "config.yaml")
    try:
        daemon.wait_builds(1)
        config = blog / "config.yaml"
        config.write_text(config.read_text() + "\nlimit: lots\n")
        daemon.signal(signal.SIGHUP)
        daemon.wait_for("the reload error", lambda: daemon.count("reload failed") == 1)
        assert "limit" in daemon.log
        add_post(blog / "posts", "2025-09-30-after-hup.md", "After HUP")
        daemon.wait_for(
            "a build on the old config", lambda: "After HUP" in titles(blog / "feeds" / "atom.xml")
        )
        assert daemon.proc.poll() is None
    finally:
        assert daemon.stop() == 0


def test_a_second_writer_on_the_same_output_is_refused(blog: Path) -> None:
    daemon = DaemonProcess(blog / "config.yaml")
    try:
        daemon.wait_builds(1)
        before = {p: p.read_bytes() for p in feed_files(blog / "feeds")}
        other = run_cli("build", "-c", blog / "config.yaml", "--full")
        assert other.returncode == 75
        assert "locked by another feedwright run" in other.stderr
        second = run_cli("run", "-c", blog / "config.yaml")
        assert second.returncode == 75
        assert {p: p.read_bytes() for p in feed_files(blog / "feeds")} == before
    finally:
        assert daemon.stop() == 0


def test_status_reports_the_last_run_and_fails_after_a_failed_one(blog: Path) -> None:
    daemon = DaemonProcess(blog / "config.yaml", "--log-format", "json")
    try:
        daemon.wait_builds(1)
        status = run_cli("status", "-c", blog / "config.yaml")
        assert status.returncode == 0, status.stdout + status.stderr
        assert "last run: ok" in status.stdout and "next run: 20" in status.stdout
        for folder in ("posts", "releases"):  # the posts and the collection's documents
            for post in (blog / folder).rglob("*.m*"):
                post.unlink()
        daemon.wait_for("a failed build", lambda: daemon.count('"result": "failed"') >= 1)
        failed = run_cli("status", "-c", blog / "config.yaml")
        assert failed.returncode == 1
        assert "no publishable posts" in failed.stdout
    finally:
        assert daemon.stop() == 0
    assert all(line.startswith("{") for line in daemon.lines)
    assert feed_files(blog / "feeds"), "a failed build must not remove the published feeds"
    check_feeds(feed_files(blog / "feeds"))
    published = {
        p.relative_to(blog / "feeds").as_posix() for p in (blog / "feeds").rglob("*") if p.is_file()
    }
    assert all(name.endswith(OUTPUT_SUFFIXES) for name in published), published
    assert not [n for n in published if n.rsplit("/", 1)[-1].startswith(".")], published


# -- one run, as both `feedwright build` and the daemon make it (in this process) ----------
def _sample_config(blog: Path) -> Config:
    return load_config(blog / "config.yaml", {})


def test_a_run_that_raises_is_recorded_as_failed_then_raised_or_kept(
    sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _sample_config(sample_copy)

    def broken(*args: object, **kwargs: object) -> None:
        raise WorkerError("a worker process stopped unexpectedly (exit code -9)")

    monkeypatch.setattr("feedwright.run.once.build", broken)
    with pytest.raises(WorkerError):
        run_once(config)
    status = read_status(config.state)
    assert status is not None and status.result == "failed"
    assert status.error is not None and "exit code -9" in status.error
    kept = run_once(config, trigger="schedule", raise_errors=False)
    assert kept.report is None and kept.error is not None and "WorkerError" in kept.error
    assert read_status(config.state) == kept.status


def test_a_locked_output_is_raised_without_touching_the_status(sample_copy: Path) -> None:
    config = _sample_config(sample_copy)
    first = run_once(config)
    assert first.status is not None and first.status.result == "ok"
    with output_lock(config.output), pytest.raises(LockedError):
        run_once(config)
    assert read_status(config.state) == first.status


def test_hubs_hear_of_changed_feeds_only_and_can_never_fail_a_run(sample_copy: Path) -> None:
    config = _sample_config(sample_copy)
    told: list[list[str]] = []

    def notify(_config: Config, changes: Sequence[Change]) -> None:
        told.append([c.relpath for c in changes if c.action == "write"])
        raise OSError("hub unreachable")

    result = run_once(config, notify=notify)
    assert result.report is not None and result.status is not None
    assert result.status.result == "ok"
    assert "atom.xml" in told[0]
    again = run_once(config, notify=notify)
    assert again.status is not None and again.status.result == "ok"
    assert told[1] == []
    dry = run_once(config, dry_run=True, notify=notify)
    assert dry.status is None and len(told) == 2


@pytest.mark.parametrize(
    "name", ["sed70pv0Q", "4913", ".2024-01-01-post.md.swp", "post.md~", ".#post.md", "#post.md#"]
)
def test_the_watch_log_leaves_out_editors_temporary_files(name: str) -> None:
    from feedwright.run.daemon import editor_temp

    assert editor_temp(name)


@pytest.mark.parametrize("name", ["2024-01-01-post.md", "config.yaml", "sedation.md", "4913.md"])
def test_the_watch_log_names_posts_and_the_config(name: str) -> None:
    from feedwright.run.daemon import editor_temp

    assert not editor_temp(name)


def test_watch_follows_a_posts_folder_that_is_replaced(sample_copy: Path) -> None:
    """Deployments swap the posts folder (a new checkout renamed over it, or a symlink
    switched): later edits in the new folder are still rebuilt."""
    set_config(sample_copy / "config.yaml", schedule={"every": "1h"})
    posts = sample_copy / "posts"
    fresh = sample_copy / "posts-v2"
    shutil.copytree(posts, fresh)
    daemon = DaemonProcess(sample_copy / "config.yaml", "--watch")
    try:
        daemon.wait_builds(1)
        shutil.rmtree(posts)
        posts.symlink_to(fresh, target_is_directory=True)
        daemon.wait_for("the new folder watched", lambda: "was replaced" in daemon.log)
        add_post(fresh, "2025-09-30-after-swap.md", "After The Swap")
        daemon.wait_for(
            "the post written after the swap",
            lambda: "After The Swap" in titles(sample_copy / "feeds" / "rss.xml"),
        )
    finally:
        assert daemon.stop() == 0


def test_watch_sees_the_collection_folders_beside_the_posts(sample_copy: Path) -> None:
    """A release note saved in releases/ (beside posts/) is published without waiting for
    the schedule; so is a document of a collection added to the config while it runs."""
    set_config(sample_copy / "config.yaml", schedule={"every": "1h"})
    feeds = sample_copy / "feeds" / "collections"
    daemon = DaemonProcess(sample_copy / "config.yaml", "--watch")
    try:
        daemon.wait_builds(1)
        add_post(sample_copy / "releases", "2025-09-30-v1.md", "Tidepool 1.0")
        daemon.wait_for(
            "the watched release note", lambda: "Tidepool 1.0" in titles(feeds / "releases.rss.xml")
        )
        talks = sample_copy / "talks"
        talks.mkdir()
        add_post(talks, "2025-09-01-intro.md", "An Introduction")
        config = sample_copy / "config.yaml"
        set_config(config, collections={"talks": {"folder": "talks"}})
        daemon.wait_for(
            "the new collection's feed",
            lambda: "An Introduction" in titles(feeds / "talks.rss.xml"),
        )
        add_post(talks, "2025-09-02-deep-dive.md", "A Deep Dive")
        daemon.wait_for(
            "the document saved in the new collection's folder",
            lambda: "A Deep Dive" in titles(feeds / "talks.rss.xml"),
        )
        assert "[schedule]" not in daemon.log
    finally:
        assert daemon.stop() == 0
