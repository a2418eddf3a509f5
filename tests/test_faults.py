"""What `feedwright build` does when the file system or the environment fails it: one line
that names the path, what is wrong and the fix; a documented exit code; no traceback; the
published feeds untouched; and a status file that says the run failed.

Each fault runs ``python -m feedwright build`` as a subprocess. Faults that need root (a
full or read-only file system, mounted as a small tmpfs) skip where they cannot be made;
faults a root user cannot meet (permission denied, a lock the file system refuses, a bug)
are injected into the subprocess through a ``sitecustomize`` module."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import run_cli, write_config
from feedwright.errors import EXIT_BUG, EXIT_FILES


def make_blog(root: Path, **extra: object) -> Path:
    posts = root / "posts"
    posts.mkdir(parents=True)
    for day in range(1, 4):
        (posts / f"2024-01-0{day}-post-{day}.md").write_text(
            f"---\ntitle: Post {day}\nauthor: Ann\n---\nBody {day}.\n", "utf-8"
        )
    return write_config(root, posts, **extra)


def published(output: Path) -> dict[str, bytes]:
    if not output.is_dir():
        return {}
    return {
        p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()
    }


def edit_a_post(root: Path) -> None:
    """A change that the next build would publish, were it not for the fault."""
    post = root / "posts" / "2024-01-03-post-3.md"
    post.write_text(post.read_text("utf-8").replace("Body 3.", "Body three."), "utf-8")


def status_result(state: Path) -> str | None:
    try:
        data = json.loads((state / "status.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return str(data.get("result"))


def assert_one_line(stderr: str, path: Path | str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("feedwright: ")]
    assert len(lines) == 1, stderr
    assert str(path) in lines[0], stderr
    return lines[0]


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    config = make_blog(root)
    first = run_cli("build", "-q", "-c", config)
    assert first.returncode == 0, first.stderr
    edit_a_post(root)
    return root


def inject(tmp_path: Path, code: str) -> dict[str, str]:
    """An environment whose Python runs ``code`` before feedwright starts."""
    folder = tmp_path / "inject"
    folder.mkdir(parents=True)
    (folder / "sitecustomize.py").write_text(textwrap.dedent(code), "utf-8")
    return {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))
    }


@contextlib.contextmanager
def tmpfs(mountpoint: Path, *options: str) -> Iterator[Path]:
    """A small tmpfs at ``mountpoint``, or a skip where mounting is not allowed."""
    mountpoint.mkdir(parents=True, exist_ok=True)
    mount, umount = shutil.which("mount"), shutil.which("umount")
    if os.geteuid() != 0 or mount is None or umount is None:
        pytest.skip("mounting a tmpfs needs root")
    sized = any(option.startswith("size=") for option in options)
    opts = ",".join(options if sized else ("size=64k", *options))
    made = subprocess.run(
        [mount, "-t", "tmpfs", "-o", opts, "tmpfs", str(mountpoint)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode(errors='replace')}")
    try:
        yield mountpoint
    finally:
        subprocess.run([umount, str(mountpoint)], check=False)


# -- a path of the wrong type --------------------------------------------------------------
def test_a_file_where_the_output_folder_should_be(tmp_path: Path) -> None:
    root = tmp_path / "site"
    config = make_blog(root)
    (root / "out").write_text("not a folder", "utf-8")
    result = run_cli("build", "-c", config)
    assert result.returncode == EXIT_FILES
    line = assert_one_line(result.stderr, root / "out")
    assert "a file is in the way" in line and "output:" in line
    assert (root / "out").read_text("utf-8") == "not a folder"
    assert status_result(root / "state") == "failed"
    status = run_cli("status", "-c", config)
    assert status.returncode == 1 and "a file is in the way" in status.stdout


def test_a_file_where_the_state_folder_should_be(blog: Path) -> None:
    before = published(blog / "out")
    shutil.rmtree(blog / "state")
    (blog / "state").write_text("not a folder", "utf-8")
    result = run_cli("build", "-c", blog / "config.yaml")
    assert result.returncode == EXIT_FILES
    line = assert_one_line(result.stderr, blog / "state")
    assert "state:" in line
    assert published(blog / "out") == before


def test_a_parent_that_is_a_file(blog: Path) -> None:
    (blog / "plain").write_text("x", "utf-8")
    result = run_cli("build", "-c", blog / "config.yaml", "--output", blog / "plain" / "out")
    assert result.returncode == EXIT_FILES
    assert_one_line(result.stderr, blog / "plain")
    assert status_result(blog / "state") == "failed"


def test_a_folder_where_the_cache_should_be_only_slows_the_build(blog: Path) -> None:
    before = published(blog / "out")
    (blog / "state" / "cache.sqlite").unlink()
    (blog / "state" / "cache.sqlite").mkdir()
    result = run_cli("build", "-c", blog / "config.yaml")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "cache cannot be written" in result.stderr
    assert str(blog / "state" / "cache.sqlite") in result.stderr
    after = published(blog / "out")
    assert after != before and b"Body three." in after["atom.xml"]
    assert status_result(blog / "state") == "ok"


# -- a full or read-only file system ---------------------------------------------------------
def test_a_full_disk_under_the_output_folder(tmp_path: Path) -> None:
    root = tmp_path / "site"
    config = make_blog(root)
    with tmpfs(root / "out") as out:
        (out / "ballast").write_bytes(b"\0" * 60_000)  # leave no room for a feed
        result = run_cli("build", "-c", config)
        assert result.returncode == EXIT_FILES
        line = assert_one_line(result.stderr, out)
        assert "no space left" in line
        assert sorted(published(out)) == ["ballast"]
    assert status_result(root / "state") == "failed"


def test_a_full_state_folder_is_one_line_and_the_failure_is_still_recorded(
    tmp_path: Path,
) -> None:
    root = tmp_path / "site"
    config = make_blog(root)
    with tmpfs(root / "fullstate", "size=256k") as state:
        first = run_cli("build", "-q", "-c", config, "--state", state)
        assert first.returncode == 0, first.stderr
        edit_a_post(root)
        fd = os.open(state / "ballast", os.O_WRONLY | os.O_CREAT)
        with contextlib.suppress(OSError):  # fill the file system to the last block
            while True:
                os.write(fd, b"\0" * 4096)
        os.close(fd)
        result = run_cli("build", "-c", config, "--state", state)
        assert result.returncode == EXIT_FILES
        line = assert_one_line(result.stderr, state)
        assert "no space left" in line and "state:" in line
        # the feeds are written before the state: they are published, the failure is said
        assert b"Body three." in published(root / "out")["atom.xml"]
        assert status_result(state) == "failed"
        status = run_cli("status", "-c", config, "--state", state)
        assert status.returncode == 1 and "no space left" in status.stdout


def test_a_read_only_output_folder(blog: Path) -> None:
    with tmpfs(blog / "readonly", "ro") as readonly:
        result = run_cli("build", "-c", blog / "config.yaml", "--output", readonly)
        assert result.returncode == EXIT_FILES
        line = assert_one_line(result.stderr, readonly)
        assert "read-only file system" in line
    assert status_result(blog / "state") == "failed"


def test_a_read_only_state_folder(blog: Path) -> None:
    before = published(blog / "out")
    with tmpfs(blog / "readonly", "ro") as readonly:
        result = run_cli("build", "-c", blog / "config.yaml", "--state", readonly)
        assert result.returncode == EXIT_FILES
        line = assert_one_line(result.stderr, readonly)
        assert "read-only file system" in line and "state:" in line
    assert published(blog / "out") == before


# -- faults a root user cannot meet, injected ----------------------------------------------
def test_permission_denied_on_the_state_folder(blog: Path, tmp_path: Path) -> None:
    before = published(blog / "out")
    env = inject(
        tmp_path,
        f"""
        import errno, tempfile
        real = tempfile.mkstemp
        def mkstemp(*args, dir=None, **kwargs):
            if dir is not None and str(dir).startswith({str(blog / "state")!r}):
                raise PermissionError(errno.EACCES, "Permission denied", str(dir))
            return real(*args, dir=dir, **kwargs)
        tempfile.mkstemp = mkstemp
        """,
    )
    result = run_cli("build", "-c", blog / "config.yaml", env=env)
    assert result.returncode == EXIT_FILES
    line = assert_one_line(result.stderr, blog / "state")
    assert "permission denied" in line
    assert published(blog / "out") == before


def test_an_output_folder_that_cannot_be_locked(blog: Path, tmp_path: Path) -> None:
    before = published(blog / "out")
    env = inject(
        tmp_path,
        """
        import errno, fcntl
        def flock(fd, op):
            raise OSError(errno.ENOLCK, "No locks available")
        fcntl.flock = flock
        """,
    )
    result = run_cli("build", "-c", blog / "config.yaml", env=env)
    assert result.returncode == EXIT_FILES
    line = assert_one_line(result.stderr, blog / "out")
    assert "cannot be locked" in line
    assert published(blog / "out") == before
    assert status_result(blog / "state") == "failed"


BUG = """
import feedwright.pipeline
def open_store(*args, **kwargs):
    raise RuntimeError("a planted bug")
feedwright.pipeline.open_store = open_store
"""


def test_a_bug_is_one_line_and_a_traceback_file(blog: Path, tmp_path: Path) -> None:
    before = published(blog / "out")
    result = run_cli("build", "-c", blog / "config.yaml", env=inject(tmp_path, BUG))
    assert result.returncode == EXIT_BUG
    saved = blog / "state" / "traceback.txt"
    line = assert_one_line(result.stderr, saved)
    assert "a bug in feedwright" in line and "a planted bug" in line
    assert "Traceback" in saved.read_text("utf-8")
    assert published(blog / "out") == before
    assert status_result(blog / "state") == "failed"
    debug = run_cli("--debug", "build", "-c", blog / "config.yaml", env=inject(tmp_path / "d", BUG))
    assert debug.returncode == EXIT_BUG
    assert "Traceback" in debug.stderr and "a planted bug" in debug.stderr
