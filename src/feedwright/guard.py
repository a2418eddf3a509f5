"""Work on one item that must not stop the others: an exception, a time budget or a
memory budget fails that item alone.

Guarded items run in helper processes (at least one, even with ``--jobs 1``), never in
the build's own process: only a process can be stopped in the middle of any work (a
regular expression backtracking in C does not look at signals), and only a process can
be given a memory limit of its own. The build's process watches the time each helper
spent on its item, kills a helper that overran and forks a new one in its place. Where
processes cannot be forked (not POSIX), items run in the build's process with the
exception guard alone."""

from __future__ import annotations

import collections
import multiprocessing.connection as mpc
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if sys.platform != "win32":
    import resource
else:  # pragma: no cover - no address-space limit there
    resource = None

if TYPE_CHECKING:
    from feedwright.parallel import Team, Worker

C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")

GRACE_SECONDS = 0.05  # how late past its budget a helper's item may be seen


@dataclass(frozen=True, slots=True)
class Budget:
    """What one item may take: ``seconds`` of wall time, ``memory`` bytes more than the
    helper held when it began (0: no limit)."""

    seconds: float
    memory: int = 0


@dataclass(frozen=True, slots=True)
class Guarded(Generic[R]):
    """One item's outcome: its ``value``, or why there is none. ``failure`` is "error" (an
    exception, including RecursionError), "memory", "timeout" or "died" (the helper
    process ended, for example killed by the system); ``detail`` says more."""

    value: R | None
    failure: str | None = None
    detail: str = ""


def guarded_call(
    func: Callable[[Any, Any], Any], context: Any, item: Any, memory: int
) -> tuple[str, Any]:
    """``func(context, item)`` as ``("ok", value)``, or ``(kind, message)`` for an exception
    (kind "memory" when it ran out of the ``memory`` bytes it may add, if not 0)."""
    limit = _address_space_limit(memory)
    try:
        return "ok", func(context, item)
    except MemoryError:
        return "memory", "MemoryError"
    except BaseException as exc:  # the item's failure, reported as such
        return "error", f"{type(exc).__name__}: {exc}"
    finally:
        if limit is not None and resource is not None:
            resource.setrlimit(resource.RLIMIT_AS, limit)


def _address_space_limit(memory: int) -> tuple[int, int] | None:
    """Let this process grow by at most ``memory`` bytes; the limits to restore after."""
    if not memory or resource is None:
        return None
    try:
        with open("/proc/self/statm") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        old = resource.getrlimit(resource.RLIMIT_AS)
        cap = size + memory if old[1] == resource.RLIM_INFINITY else min(old[1], size + memory)
        resource.setrlimit(resource.RLIMIT_AS, (cap, old[1]))
    except (OSError, ValueError):  # not Linux: the time budget still holds
        return None
    return old


def _outcome(kind: str, payload: Any) -> Guarded[Any]:
    return Guarded(payload) if kind == "ok" else Guarded(None, kind, str(payload))


def guarded_map(
    team: Team,
    func: Callable[[C, T], R],
    context: C,
    items: Sequence[T],
    budget: Budget,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[Guarded[R]]:
    """``func(context, item)`` for every item under ``budget``, yielded in order; a
    failure is the item's :class:`Guarded` outcome, never an exception here."""
    total = len(items)
    if not total:
        return
    if not team.can_fork:  # pragma: no cover - not POSIX
        for done, item in enumerate(items, 1):
            yield _outcome(*guarded_call(func, context, item, 0))
            if progress is not None:
                progress(done, total)
        return
    finished = False
    try:
        yield from _GuardedRun(team, func, context, items, budget, progress).results()
        finished = True
    finally:
        if not finished:
            team.abandon()


class _GuardedRun:
    def __init__(
        self,
        team: Team,
        func: Callable[[Any, Any], Any],
        context: Any,
        items: Sequence[Any],
        budget: Budget,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.team = team
        self.call = team.next_call()
        self.func = func
        self.context = context
        self.items = items
        self.budget = budget
        self.progress = progress
        self.todo = collections.deque(range(len(items)))
        self.done: dict[int, Guarded[Any]] = {}
        self.assigned: dict[Worker, list[int]] = {}
        team.share(self.call, func, context)  # helpers forked for this call inherit it
        for worker in team.workers(min(team.jobs, len(items))):
            self._adopt(worker)

    def _adopt(self, worker: Worker) -> None:
        if worker.preloaded != self.call:
            worker.outbox.put(("context", self.call, (self.func, self.context)))
        self.assigned[worker] = []

    def _hand_out(self) -> None:
        for worker, indexes in self.assigned.items():
            while len(indexes) < 2 and self.todo:
                index = self.todo.popleft()
                payload = (index, self.items[index], self.budget.memory)
                worker.outbox.put(("guard", self.call, payload))
                indexes.append(index)

    def _current(self, worker: Worker) -> tuple[int, float] | None:
        """The item ``worker`` is on and since when, if it is one of ours."""
        index, started = int(worker.state[0]), worker.state[1]
        if index != int(worker.state[0]) or index not in self.assigned[worker]:
            return None
        return index, started

    def _fail(self, worker: Worker, failure: str, detail: str) -> None:
        """Give ``worker``'s current item ``failure``; its other items go to another."""
        indexes = self.assigned.pop(worker)
        current = self._current_or_first(worker, indexes)
        self.done[current] = Guarded(None, failure, detail)
        self.todo.extendleft(reversed([i for i in indexes if i != current]))
        self._adopt(self.team.replace(worker))

    def _current_or_first(self, worker: Worker, indexes: list[int]) -> int:
        index = int(worker.state[0])
        return index if index in indexes else indexes[0]

    def _receive(self, worker: Worker) -> None:
        try:
            _, call, index, payload = worker.results.recv()
        except (EOFError, OSError):
            worker.process.join(timeout=1)
            code = worker.process.exitcode
            self._fail(worker, "died", f"the worker process stopped (exit code {code})")
            return
        if call != self.call or index not in self.assigned[worker]:  # pragma: no cover
            return
        self.assigned[worker].remove(index)
        self.done[index] = _outcome(*payload)

    def _watch(self) -> None:
        """Wait for results until the next budget runs out; stop helpers that overran."""
        busy = [w for w, indexes in self.assigned.items() if indexes]
        now = time.monotonic()
        ends = [
            current[1] + self.budget.seconds
            for w in busy
            if (current := self._current(w)) is not None
        ]
        wait = max(0.0, min(ends, default=now + self.budget.seconds) - now) + GRACE_SECONDS
        for conn in mpc.wait([w.results for w in busy], timeout=wait):
            for worker in busy:
                if worker.results is conn and worker in self.assigned:
                    self._receive(worker)
        now = time.monotonic()
        for worker in busy:
            if worker not in self.assigned:
                continue
            current = self._current(worker)
            if current is not None and now - current[1] > self.budget.seconds:
                seconds = self.budget.seconds
                self._fail(worker, "timeout", f"took longer than {seconds:g} seconds")

    def results(self) -> Iterator[Guarded[Any]]:
        total = len(self.items)
        emitted = 0
        try:
            while emitted < total:
                while emitted in self.done:
                    yield self.done.pop(emitted)
                    emitted += 1
                    if self.progress is not None:
                        self.progress(emitted, total)
                if emitted < total:
                    self._hand_out()
                    self._watch()
        finally:
            self.team.share(self.call, None, None)  # let the context go
