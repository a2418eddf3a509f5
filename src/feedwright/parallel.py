"""Work spread over processes: parsing post files, rendering posts, serializing feeds.

A :class:`Team` is the build's own process plus ``jobs - 1`` forked helpers. The helpers
are forked once, when the first large batch comes, before the build holds much: a helper
forked later would count every page of the parent's memory as its own. The parent works
too, on the same queue of chunks, so ``--jobs 2`` means two processes, not three. Tasks
are module-level functions with a picklable context, and every result is a pure function
of its inputs, so the output never depends on the number of processes."""

from __future__ import annotations

import gc
import multiprocessing as mp
import multiprocessing.connection as mpc
import os
import queue
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from feedwright.errors import FeedwrightError
from feedwright.guard import guarded_call

PARALLEL_MIN = 32  # below this many items, sending them out costs more than it saves
POLL_SECONDS = 0.002  # how often the parent, busy with its own chunk, looks for results
PIPE_BYTES = 1 << 20  # room for a whole chunk's results, so a helper rarely waits

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")


class WorkerError(FeedwrightError):
    """A helper process failed or died."""


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _widen(conn: Connection) -> None:
    try:
        import fcntl

        fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):  # not Linux, or above pipe-max-size
        pass


def _helper_main(
    tasks: Connection,
    results: Connection,
    inherited: list[Connection],
    state: Any,
    shared: tuple[int, tuple[Callable[[Any, Any], Any], Any]] | None,
) -> None:
    """A helper's life: run chunks until the parent sends None or goes away. ``shared`` is
    the context of the call under way when it was forked (see :meth:`Team.share`)."""
    # What the parent held at the fork is never garbage here: keep the collector off it,
    # so that it neither spends time on it nor writes to (and so copies) its pages.
    gc.freeze()
    for conn in inherited:  # the other ends, and earlier helpers' pipes: EOF must reach us
        conn.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C and the daemon's signals are
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the parent's to handle; a build in
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # progress finishes there
    contexts: dict[int, tuple[Callable[[Any, Any], Any], Any]] = {}
    if shared is not None:
        contexts[shared[0]] = shared[1]
    while True:
        try:
            message = tasks.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        kind, call, payload = message
        if kind == "context":
            contexts.clear()
            contexts[call] = payload
            continue
        entry = contexts.get(call)
        if entry is None:  # a chunk of a call the parent has given up on
            continue
        func, context = entry
        if kind == "guard":  # one item, its failure the item's own (see feedwright.guard)
            index, item, memory = payload
            state[1] = time.monotonic()
            state[0] = index
            answer = ("ok", call, index, guarded_call(func, context, item, memory))
            state[0] = -1
            try:
                results.send(answer)
            except (BrokenPipeError, OSError):
                return
            continue
        index, items = payload
        try:
            out: tuple[str, int, int, Any] = (
                "ok",
                call,
                index,
                [func(context, item) for item in items],
            )
        except BaseException as exc:  # reported, then raised by the parent
            out = ("error", call, index, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        try:
            results.send(out)
        except (BrokenPipeError, OSError):
            return


class Worker:
    """A helper process, its pipes, and what it is working on (``state``: the index of its
    guarded item, or -1, and when it began that item, by ``time.monotonic``)."""

    def __init__(
        self,
        process: Any,
        tasks: Connection,
        results: Connection,
        state: Any,
        spare: bool,
        preloaded: int | None = None,
    ) -> None:
        self.process = process
        self.preloaded = preloaded  # the call whose context it was forked with
        self.tasks = tasks
        self.results = results
        self.state = state
        self.spare = spare  # forked for guarded maps only: plain maps leave it out
        self.outbox: queue.SimpleQueue[object] = queue.SimpleQueue()
        self.pending = 0  # chunks sent and not yet answered
        self.error: str | None = None  # why a message could not be sent
        # Chunks are sent from a thread: a send can wait for the helper to read, and the
        # parent must go on working (and reading results) meanwhile.
        self.sender = threading.Thread(target=self._send_all, daemon=True)
        self.sender.start()

    def _send_all(self) -> None:
        while True:
            message = self.outbox.get()
            try:
                self.tasks.send(message)
            except (BrokenPipeError, OSError):
                return  # the helper is gone; the parent finds out when reading
            except BaseException as exc:  # cannot be sent (pickling): stop the helper,
                self.error = f"{type(exc).__name__}: {exc}"  # so the parent hears of it
                self.process.kill()
                return
            if message is None:
                return


class Team:
    """The build's process plus ``jobs - 1`` helpers, forked on first use."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._helpers: list[Worker] = []
        self._inherited: list[Connection] = []  # the parent's ends: a new helper closes them
        self._calls = 0
        self._started = False
        self._busy = False  # a map is under way (one at a time)
        self._abandoned = False  # a map was left before its end
        # the call (and its function and context) that helpers forked now start with
        self._shared: tuple[int, tuple[Callable[[Any, Any], Any], Any]] | None = None

    def __enter__(self) -> Team:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        self.close(abort=exc is not None)

    def _start(self) -> None:
        self._started = True
        if self.jobs <= 1 or not self.can_fork:
            return
        for _ in range(self.jobs - 1):
            self._helpers.append(self._spawn(spare=False))
        # and the one more that a guarded map (rendering) uses, now that the build holds
        # little: forked after the scan, it would start with every page of the index
        self._helpers.append(self._spawn(spare=True))

    @property
    def can_fork(self) -> bool:
        return "fork" in mp.get_all_start_methods()

    def _spawn(self, spare: bool) -> Worker:
        context = mp.get_context("fork")
        task_r, task_w = context.Pipe(duplex=False)
        result_r, result_w = context.Pipe(duplex=False)
        _widen(result_w)
        _widen(task_w)
        state = context.RawArray("d", [-1.0, 0.0])
        process = context.Process(
            target=_helper_main,
            args=(task_r, result_w, [*self._inherited, task_w, result_r], state, self._shared),
            daemon=True,
            name="feedwright-helper",
        )
        process.start()
        task_r.close()
        result_w.close()
        self._inherited += [task_w, result_r]
        preloaded = None if self._shared is None else self._shared[0]
        return Worker(process, task_w, result_r, state, spare, preloaded)

    def workers(self, count: int) -> list[Worker]:
        """At least ``count`` helpers (forked now if need be), for a guarded map."""
        if not self._started:
            self._start()
        while len(self._helpers) < count:
            self._helpers.append(self._spawn(spare=True))
        return self._helpers[:count]

    def replace(self, worker: Worker) -> Worker:
        """Kill ``worker`` (stuck, or dead already) and fork another in its place."""
        worker.process.kill()
        worker.process.join()
        worker.outbox.put(None)
        for conn in (worker.tasks, worker.results):
            conn.close()
            self._inherited.remove(conn)
        fresh = self._spawn(worker.spare)
        self._helpers[self._helpers.index(worker)] = fresh
        return fresh

    def abandon(self) -> None:
        """A guarded map was left before its end: stop the helpers when closing."""
        self._abandoned = True

    def next_call(self) -> int:
        self._calls += 1
        return self._calls

    def share(self, call: int, func: Callable[[Any, Any], Any] | None, context: Any) -> None:
        """Helpers forked from now on (until the next share) start with ``call``'s
        function and context in memory, as the fork copies it: nothing is pickled or sent
        to them (a quick build's one helper would otherwise be sent every post's link).
        ``func`` None forgets the last one."""
        self._shared = None if func is None else (call, (func, context))

    def prepare(self, size: int) -> None:
        """Fork the helpers now if a batch of ``size`` items will use them, for example
        before the build starts a thread of its own (forking is safest without one)."""
        if size >= PARALLEL_MIN and not self._started:
            self._start()

    def close(self, abort: bool = False) -> None:
        abort = abort or self._abandoned
        helpers, self._helpers = self._helpers, []
        self._inherited = []
        self._shared = None
        for helper in helpers:
            if abort:
                helper.process.terminate()
            helper.outbox.put(None)
        for helper in helpers:
            helper.process.join(timeout=5 if abort else 30)
            if helper.process.is_alive():
                helper.process.kill()
                helper.process.join()
            helper.sender.join(timeout=5)
            helper.tasks.close()
            helper.results.close()

    def map(
        self,
        func: Callable[[C, T], R],
        context: C,
        items: Sequence[T],
        chunk: int,
        progress: Callable[[int, int], None] | None = None,
    ) -> Iterator[R]:
        """``func(context, item)`` for every item, yielded in order as soon as each result
        and those before it are done. ``func`` is a module-level function; ``context`` is
        sent once to each helper. ``progress(done, total)`` is called as results come in."""
        total = len(items)
        self.prepare(total)
        if total < PARALLEL_MIN or not any(not h.spare for h in self._helpers):
            for done, item in enumerate(items, 1):
                yield func(context, item)
                if progress is not None:
                    progress(done, total)
            return
        if self._busy:
            raise RuntimeError("one map at a time: finish or close the previous one first")
        self._busy = True
        finished = False
        try:
            yield from _Run(self, func, context, items, max(1, chunk), progress).results()
            finished = True
        finally:
            self._busy = False
            # helpers may still be answering an abandoned batch: close() stops them
            self._abandoned = self._abandoned or not finished


class _Run:
    """One :meth:`Team.map` call over helpers: chunks are handed out in order, two at a
    time per helper, and the parent takes the next one itself whenever it is free."""

    def __init__(
        self,
        team: Team,
        func: Callable[[Any, Any], Any],
        context: Any,
        items: Sequence[Any],
        chunk: int,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        team._calls += 1
        self.call = team._calls
        self.helpers = [h for h in team._helpers if not h.spare]
        self.func = func
        self.context = context
        self.items = items
        self.progress = progress
        self.bounds = [(s, min(s + chunk, len(items))) for s in range(0, len(items), chunk)]
        self.next = 0  # the next chunk nobody has taken
        self.done: dict[int, list[Any]] = {}
        for helper in self.helpers:
            helper.outbox.put(("context", self.call, (func, context)))
            helper.pending = 0

    def _hand_out(self) -> None:
        for helper in self.helpers:
            while helper.pending < 2 and self.next < len(self.bounds):
                start, end = self.bounds[self.next]
                helper.outbox.put(("run", self.call, (self.next, self.items[start:end])))
                helper.pending += 1
                self.next += 1

    def _receive(self, helper: Worker) -> None:
        try:
            kind, call, index, payload = helper.results.recv()
        except (EOFError, OSError) as exc:
            helper.process.join(timeout=1)
            why = f": {helper.error}" if helper.error else ""
            raise WorkerError(
                f"a worker process stopped unexpectedly (exit code {helper.process.exitcode}){why}"
            ) from exc
        if call != self.call:  # pragma: no cover - a late answer from an earlier call
            return
        helper.pending -= 1
        if kind == "error":
            raise WorkerError(f"a worker process failed: {payload}")
        self.done[index] = payload

    def _collect(self, block: bool) -> None:
        if block:
            ready = mpc.wait([h.results for h in self.helpers if h.pending])
            for helper in self.helpers:
                if helper.results in ready:
                    self._receive(helper)
        else:
            for helper in self.helpers:
                while helper.pending and helper.results.poll():
                    self._receive(helper)
        self._hand_out()

    def results(self) -> Iterator[Any]:
        total = len(self.items)
        emitted = 0  # chunks yielded
        finished = 0  # items yielded
        self._hand_out()
        while emitted < len(self.bounds):
            while emitted in self.done:
                out = self.done.pop(emitted)
                emitted += 1
                yield from out
                finished += len(out)
                if self.progress is not None:
                    self.progress(finished, total)
            if emitted >= len(self.bounds):
                break
            if self.next < len(self.bounds):  # the parent's own share
                index = self.next
                self.next += 1
                start, end = self.bounds[index]
                out = []
                polled = time.monotonic()
                for item in self.items[start:end]:
                    out.append(self.func(self.context, item))
                    if time.monotonic() - polled > POLL_SECONDS:  # keep the helpers fed
                        self._collect(block=False)
                        polled = time.monotonic()
                self.done[index] = out
                self._collect(block=False)
            else:
                assert any(h.pending for h in self.helpers), "chunks lost"
                self._collect(block=True)
