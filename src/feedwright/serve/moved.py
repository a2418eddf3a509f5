"""Which requests ``feedwright serve`` answers with 301 (a moved feed: ``Location`` is the
new absolute URL) or 410 (a retired feed), from the rules the last build recorded in the
state folder (:mod:`feedwright.moves`). The rules are read again whenever that file
changes, so a build's new rules apply at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from feedwright.moves import MOVES_FILE, Rules, read_moves
from feedwright.serve.cache import StateFile


@dataclass(frozen=True, slots=True)
class Answer:
    status: int  # 301 or 410
    location: str | None
    message: str


class MovedFeeds:
    """The last build's rules, cached while the state file stays the same."""

    def __init__(self) -> None:
        self._file = StateFile(MOVES_FILE, lambda state: read_moves(state).rules)

    def rules(self, state: Path) -> Rules:
        rules = self._file.get(state)
        return Rules() if rules is None else rules

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
