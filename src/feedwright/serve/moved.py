"""Which requests ``feedwright serve`` answers with 301 (a moved feed: ``Location`` is the
new absolute URL) or 410 (a retired feed), from the rules the last build recorded in the
state folder (:mod:`feedwright.moves`). The rules are read again whenever that file
changes, so a build's new rules apply at once."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from feedwright.moves import MOVES_FILE, Rules, read_moves


@dataclass(frozen=True, slots=True)
class Answer:
    status: int  # 301 or 410
    location: str | None
    message: str


class MovedFeeds:
    """The last build's rules, cached while the state file stays the same."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: tuple[tuple[int, ...], Rules] | None = None

    def rules(self, state: Path) -> Rules:
        try:
            info = os.stat(state / MOVES_FILE)
        except OSError:
            return Rules()
        key = (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)
        with self._lock:
            if self._cached is None or self._cached[0] != key:
                self._cached = (key, read_moves(state).rules)
            return self._cached[1]

    def answer(self, state: Path, path_info: str) -> Answer | None:
        """301 or 410 for a request path (WSGI's PATH_INFO) that names a moved or retired
        feed; None for every other path."""
        try:
            path = path_info.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return None
        rules = self.rules(state)
        relpath = path[1:] if path.startswith("/") else None
        if relpath is None or not (rules.moved or rules.gone):
            return None
        url = rules.moved.get(relpath)
        if url is not None:
            return Answer(301, url, f"this feed has moved to {url}")
        if relpath in rules.gone:
            return Answer(410, None, "this feed has ended and will not be updated again")
        return None
