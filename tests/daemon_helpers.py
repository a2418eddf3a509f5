"""Run `feedwright run` as a real process and watch its log and output."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import yaml

DEADLINE = 60.0  # generous: polling stops as soon as the condition holds
_BUILD = re.compile(r"\bbuild (ok|errors|failed)\b")


class DaemonProcess:
    def __init__(self, config: Path, *args: str, command: str = "run") -> None:
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "feedwright", command, "-c", str(config), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    def count(self, text: str) -> int:
        return sum(1 for line in list(self.lines) if text in line)

    def wait_for(self, what: str, condition: Callable[[], bool]) -> None:
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            if condition():
                return
            if self.proc.poll() is not None and not condition():
                raise AssertionError(
                    f"daemon exited ({self.proc.returncode}) before {what}:\n{self.log}"
                )
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}:\n{self.log}")

    def builds(self) -> int:
        return sum(1 for line in list(self.lines) if _BUILD.search(line))

    def wait_builds(self, n: int) -> None:
        self.wait_for(f"{n} builds", lambda: self.builds() >= n)

    def signal(self, sig: int) -> None:
        os.kill(self.proc.pid, sig)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=DEADLINE)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        self._reader.join(timeout=5)
        return code


def set_config(config: Path, **changes: object) -> None:
    data = yaml.safe_load(config.read_text())
    data.update(changes)
    config.write_text(yaml.safe_dump(data, sort_keys=False))


def add_post(posts: Path, name: str, title: str, extra: str = "") -> Path:
    path = posts / name
    path.write_text(
        f"---\ntitle: {title}\nauthor: Test\ntags: [fresh]\ncategory: news\n{extra}---\n"
        f"A new post called {title}.\n",
        "utf-8",
    )
    return path


def bulk_posts(posts: Path, count: int) -> None:
    """Many ordinary posts, so that a build takes long enough to be interrupted."""
    body = "Some text with a [link](/x.html) and `code`.\n\n" * 40
    for n in range(count):
        (posts / f"2020-01-{n % 28 + 1:02d}-bulk-{n}.md").write_text(
            f"---\ntitle: Bulk {n}\ntags: [bulk, t{n % 50}]\n---\n{body}", "utf-8"
        )
