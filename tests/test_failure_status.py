"""A run that fails before its build starts is recorded too: after it, `feedwright status`
exits 1 and `/healthz` answers 503, and the published feeds are as they were. The one
exception is a run refused because another holds the output folder: that run is building,
and its status is the one that counts. Each command runs as a subprocess, as users run it."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from conftest import run_cli
from daemon_helpers import DaemonProcess, set_config
from feedwright.errors import EXIT_FILES, EXIT_LOCKED, EXIT_USAGE
from feedwright.publish import output_lock
from feedwright.serve import FeedApp, ServeSettings
from test_faults import edit_a_post, make_blog, published, status_result


def health(root: Path, state: Path | None = None) -> int:
    """What `/healthz` answers for the blog's state folder, from the server's own app."""
    settings = ServeSettings(
        output=root / "out",
        state=state or root / "state",
        public_url="https://blog.example.org/feeds/",
        cache_control="no-cache",
    )
    response = FeedApp(settings).respond(
        "GET", {"PATH_INFO": "/healthz", "REMOTE_ADDR": "127.0.0.1"}
    )
    assert b"error" not in response.body  # ok or failing, never why
    return response.status


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    config = make_blog(root)
    first = run_cli("build", "-q", "-c", config)
    assert first.returncode == 0, first.stderr
    assert health(root) == 200
    edit_a_post(root)
    return root


def assert_reported(stderr: str) -> None:
    """One `feedwright: ` line (an invalid config lists its problems under it)."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if not line.startswith("  - ")]
    assert len(lines) == 1 and lines[0].startswith("feedwright: "), stderr


def test_a_config_that_does_not_validate_is_recorded(blog: Path) -> None:
    before = published(blog / "out")
    config = blog / "config.yaml"
    config.write_text(config.read_text("utf-8") + "limit: lots\n", "utf-8")
    result = run_cli("build", "-c", config)
    assert result.returncode == EXIT_USAGE
    assert_reported(result.stderr)
    assert status_result(blog / "state") == "failed"
    assert health(blog) == 503
    status = run_cli("status", "-c", config)  # the config is still invalid: status says why
    assert status.returncode == 1
    assert "invalid configuration" in status.stdout and "limit" in status.stdout
    assert "Traceback" not in status.stderr
    assert published(blog / "out") == before


def test_a_config_that_cannot_be_read_names_no_state_folder(blog: Path) -> None:
    config = blog / "config.yaml"
    config.write_text("site: [unclosed\n", "utf-8")
    result = run_cli("build", "-c", config)
    assert result.returncode == EXIT_USAGE
    assert_reported(result.stderr)
    assert "not valid YAML" in result.stderr
    assert status_result(blog / "state") == "ok"  # nothing could say where to record it
    status = run_cli("status", "-c", config)
    assert status.returncode == EXIT_USAGE and "not valid YAML" in status.stderr


def test_a_config_with_the_state_inside_the_output_records_nothing_there(blog: Path) -> None:
    config = blog / "config.yaml"
    set_config(config, state=str(blog / "out" / "state"))
    result = run_cli("build", "-c", config)
    assert result.returncode == EXIT_USAGE
    assert not (blog / "out" / "state").exists()  # the output is published: never there


def test_a_build_refused_by_a_locked_output_is_not_a_failure(blog: Path) -> None:
    before = published(blog / "out")
    with output_lock(blog / "out"):  # another run, building
        result = run_cli("build", "-c", blog / "config.yaml")
    assert result.returncode == EXIT_LOCKED
    assert_reported(result.stderr)
    assert status_result(blog / "state") == "ok"
    assert run_cli("status", "-c", blog / "config.yaml").returncode == 0
    assert health(blog) == 200
    assert published(blog / "out") == before


def test_an_invalid_config_while_another_run_holds_the_output_is_not_recorded(
    blog: Path,
) -> None:
    config = blog / "config.yaml"
    config.write_text(config.read_text("utf-8") + "limit: lots\n", "utf-8")
    with output_lock(blog / "out"):
        result = run_cli("build", "-c", config)
    assert result.returncode == EXIT_USAGE
    assert status_result(blog / "state") == "ok"


def test_a_file_where_the_output_folder_should_be_under_run(blog: Path) -> None:
    (blog / "elsewhere").write_text("not a folder", "utf-8")
    result = run_cli("run", "-c", blog / "config.yaml", "--output", blog / "elsewhere")
    assert result.returncode == EXIT_FILES
    assert_reported(result.stderr)
    assert "a file is in the way" in result.stderr
    assert status_result(blog / "state") == "failed"
    assert run_cli("status", "-c", blog / "config.yaml").returncode == 1
    assert health(blog) == 503


def test_a_state_path_that_is_a_file_leaves_status_failing(blog: Path) -> None:
    before = published(blog / "out")
    (blog / "plain").write_text("not a folder", "utf-8")
    result = run_cli("build", "-c", blog / "config.yaml", "--state", blog / "plain")
    assert result.returncode == EXIT_FILES
    assert_reported(result.stderr)
    status = run_cli("status", "-c", blog / "config.yaml", "--state", blog / "plain")
    assert status.returncode == 1
    assert "is a file, not a folder" in status.stderr
    assert health(blog, blog / "plain") == 503
    assert published(blog / "out") == before


def test_a_state_folder_without_room_for_a_new_file_still_records_the_failure(
    blog: Path, tmp_path: Path
) -> None:
    """A full disk or a folder that cannot be written to: no temporary file can be made
    there, but the status file can still be overwritten in place."""
    from test_faults import inject

    env = inject(
        tmp_path,
        f"""
        import errno, tempfile
        real = tempfile.mkstemp
        def mkstemp(*args, dir=None, **kwargs):
            if dir is not None and str(dir).startswith({str(blog / "state")!r}):
                raise OSError(errno.ENOSPC, "No space left on device", str(dir))
            return real(*args, dir=dir, **kwargs)
        tempfile.mkstemp = mkstemp
        """,
    )
    before = published(blog / "out")
    result = run_cli("build", "-c", blog / "config.yaml", env=env)
    assert result.returncode == EXIT_FILES
    assert_reported(result.stderr)
    assert status_result(blog / "state") == "failed"
    data = json.loads((blog / "state" / "status.json").read_text("utf-8"))
    assert "no space left" in data["error"]
    assert health(blog) == 503
    assert published(blog / "out") == before


def test_a_daemon_whose_config_stops_loading_reports_failing_until_it_is_fixed(
    blog: Path,
) -> None:
    config = blog / "config.yaml"
    set_config(config, schedule={"every": "1h"})
    good = config.read_text("utf-8")
    daemon = DaemonProcess(config)
    try:
        daemon.wait_builds(1)
        assert status_result(blog / "state") == "ok"
        config.write_text(good + "limit: lots\n", "utf-8")
        daemon.signal(signal.SIGHUP)
        daemon.wait_for("the failure recorded", lambda: status_result(blog / "state") == "failed")
        assert health(blog) == 503
        assert run_cli("status", "-c", config).returncode == 1
        config.write_text(good, "utf-8")
        daemon.signal(signal.SIGHUP)
        daemon.wait_for("the recovery", lambda: status_result(blog / "state") == "ok")
        assert health(blog) == 200
    finally:
        assert daemon.stop() == 0


@pytest.mark.parametrize("name", ["status.json", "manifest.json", "snapshot.json"])
def test_a_state_file_replaced_by_a_folder_leaves_status_failing(blog: Path, name: str) -> None:
    (blog / "state" / name).unlink()
    (blog / "state" / name).mkdir()
    result = run_cli("build", "-c", blog / "config.yaml")
    assert "Traceback" not in result.stderr
    assert str(blog / "state" / name) in result.stderr
    assert "a folder is in the way" in result.stderr
    # the feeds are published before the state is saved: they are whole and new
    assert b"Body three." in published(blog / "out")["atom.xml"]
    if name == "status.json":  # only the record of the build failed
        assert result.returncode == 0
    else:
        assert result.returncode == EXIT_FILES
        assert_reported(result.stderr)
    status = run_cli("status", "-c", blog / "config.yaml")
    assert status.returncode == 1
    assert health(blog) == 503
