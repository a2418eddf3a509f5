"""Work spread over processes: parsing post files and rendering posts. Workers are forked
(they share the parent's memory copy-on-write, so nothing large is pickled on the way in)
and each result is a pure function of its inputs, so the output never depends on the
number of processes."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

PARALLEL_MIN = 32  # below this many items, starting workers costs more than it saves

T = TypeVar("T")
R = TypeVar("R")

_JOB: tuple[Callable[[Any], Any], list[Any]] | None = None


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _JOB is not None
    func, items = _JOB
    return [func(item) for item in items[bounds[0] : bounds[1]]]


def map_ordered(
    func: Callable[[T], R],
    items: list[T],
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[R]:
    """``[func(x) for x in items]``, over ``jobs`` forked processes when worthwhile.
    ``progress(done, total)`` is called from the parent as results come in."""
    return list(imap_ordered(func, items, jobs, progress))


def imap_ordered(
    func: Callable[[T], R],
    items: list[T],
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[R]:
    """:func:`map_ordered`, yielding each result as soon as it and those before it are
    done, so the caller can store and drop results instead of holding them all."""
    global _JOB
    if jobs <= 1 or len(items) < PARALLEL_MIN or "fork" not in mp.get_all_start_methods():
        for done, item in enumerate(items, 1):
            yield func(item)
            if progress is not None:
                progress(done, len(items))
        return
    workers = min(jobs, len(items))
    size = max(1, len(items) // (workers * 8))
    bounds = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _JOB = (func, items)
    pool = mp.get_context("fork").Pool(workers, initializer=_worker_signals)
    try:
        done = 0
        for chunk in pool.imap(_run_chunk, bounds):
            done += len(chunk)
            yield from chunk
            if progress is not None:
                progress(done, len(items))
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
        _JOB = None


def _worker_signals() -> None:
    """Workers leave signals to the parent: Ctrl-C and the daemon's SIGTERM/SIGHUP are
    handled there (a build in progress finishes); workers just do their share."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
