"""The progress line: shown on a terminal, never in pipes or under --quiet."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_cli, write_config


def _blog(tmp_path: Path) -> Path:
    posts = tmp_path / "posts"
    posts.mkdir()
    for n in range(80):
        (posts / f"2024-03-{n % 28 + 1:02d}-p{n}.md").write_text(
            f"---\ntitle: P{n}\ntags: [t{n % 7}]\n---\nBody **{n}**.\n"
        )
    return write_config(tmp_path, posts)


def _on_terminal(*args: str | Path) -> str:
    master, slave = pty.openpty()
    env = {**os.environ, "FEEDWRIGHT_PROGRESS_DELAY": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "feedwright", *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_on_a_terminal(tmp_path: Path) -> None:
    config = _blog(tmp_path)
    shown = _on_terminal("build", "-c", config, "--jobs", "1")
    assert "posts scanned: 80/80" in shown
    assert "posts rendered: " in shown
    assert "feeds written: 16/16" in shown


def test_no_progress_in_pipes_or_when_quiet(tmp_path: Path) -> None:
    config = _blog(tmp_path)
    piped = run_cli("build", "-c", config, "--full", env={"FEEDWRIGHT_PROGRESS_DELAY": "0"})
    assert "posts scanned" not in piped.stderr + piped.stdout
    quiet = _on_terminal("build", "-c", config, "--full", "-q")
    assert "posts scanned" not in quiet
