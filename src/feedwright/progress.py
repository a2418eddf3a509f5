"""A progress line for long builds on a terminal: posts scanned, posts rendered, feeds
written. It appears only after a short delay (quick builds stay silent), only when
stderr is a terminal, and never under --quiet."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

DELAY_SECONDS = float(os.environ.get("FEEDWRIGHT_PROGRESS_DELAY", "1.5"))


class Progress:
    def __init__(self, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.start = time.monotonic()
        self._last = 0.0
        self._shown = False

    def update(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.start < DELAY_SECONDS:
            return
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        self._shown = True
        self.stream.write(f"\r\x1b[K{stage}: {done}/{total}")
        self.stream.flush()

    def done(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False


class Silent(Progress):
    def __init__(self) -> None:
        super().__init__(enabled=False)
