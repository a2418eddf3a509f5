"""One writer per output folder."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from feedwright.errors import LockedError


@contextlib.contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """One writer per output folder: an exclusive flock on the folder itself, released by
    the kernel when the process dies, so a stale lock can never block."""
    output.mkdir(parents=True, exist_ok=True)
    fd = os.open(output, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise LockedError(output) from None
            exc.filename = str(output)  # the folder that cannot be locked
            raise
        yield
    finally:
        os.close(fd)
