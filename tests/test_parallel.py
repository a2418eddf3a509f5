"""The process team that scans, renders and serializes: the build's own process works
alongside its helpers, results come back in order, and failures surface as errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from feedwright.guard import Budget, guarded_map
from feedwright.parallel import Team, WorkerError


def _square_and_pid(offset: int, item: int) -> tuple[int, int]:
    time.sleep(0.0002)  # slow enough that the helper gets its share
    return item * item + offset, os.getpid()


def _fail_on(bad: int, item: int) -> int:
    time.sleep(0.001)  # slow enough that the helper gets its share
    if item >= bad and os.getpid() != PARENT:
        raise ValueError(f"cannot take {item}")
    return item


def _die_on(bad: int, item: int) -> int:
    time.sleep(0.001)
    if item >= bad and os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGKILL)
    return item


PARENT = os.getpid()


def test_results_come_in_order_and_two_jobs_are_two_processes() -> None:
    items = list(range(2000))
    with Team(2) as team:
        got = list(team.map(_square_and_pid, 7, items, chunk=16))
    assert [value for value, _ in got] == [i * i + 7 for i in items]
    pids = {pid for _, pid in got}
    # The build's own process takes its share, so --jobs 2 forks one helper, not two.
    assert os.getpid() in pids
    assert len(pids) == 2


def test_one_job_forks_nothing() -> None:
    with Team(1) as team:
        got = list(team.map(_square_and_pid, 0, list(range(300)), chunk=16))
    assert {pid for _, pid in got} == {os.getpid()}


def test_a_team_is_reused_across_calls_with_different_contexts() -> None:
    with Team(2) as team:
        first = list(team.map(_square_and_pid, 1, list(range(200)), chunk=8))
        second = list(team.map(_square_and_pid, 1000, list(range(200)), chunk=8))
    assert [v for v, _ in first] == [i * i + 1 for i in range(200)]
    assert [v for v, _ in second] == [i * i + 1000 for i in range(200)]
    helpers = {p for _, p in first} - {os.getpid()}
    assert helpers == {p for _, p in second} - {os.getpid()}  # the same helper, not a new one


def test_an_error_in_a_helper_is_raised_with_its_message() -> None:
    # chunks are handed out in order, two ahead to the helper: it gets some from 200 on
    with pytest.raises(WorkerError, match="cannot take"), Team(2) as team:
        list(team.map(_fail_on, 200, list(range(400)), chunk=4))


def test_a_helper_that_dies_is_reported() -> None:
    with pytest.raises(WorkerError, match="stopped unexpectedly"), Team(2) as team:
        list(team.map(_die_on, 100, list(range(400)), chunk=4))


def test_helpers_exit_when_the_build_process_is_killed() -> None:
    script = textwrap.dedent(
        """
        import os, sys, time
        from feedwright.parallel import Team

        def slow(_, item):
            time.sleep(0.01)
            return os.getpid()

        team = Team(2)
        for pid in team.map(slow, None, list(range(100000)), chunk=1):
            if pid != os.getpid():
                print(pid, flush=True)
                break
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    helper = int(proc.stdout.readline())
    os.kill(helper, 0)  # alive while the build is
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(helper, 0)
        except ProcessLookupError:
            break
        try:  # reaped by init in a container whose init reaps; else poll for zombie state
            with open(f"/proc/{helper}/stat") as handle:
                if handle.read().split(") ")[1].startswith("Z"):
                    break
        except OSError:
            break
        time.sleep(0.05)
    else:
        os.kill(helper, signal.SIGKILL)
        pytest.fail("the helper outlived the killed build process")


def _identity(_: None, item: object) -> object:
    time.sleep(0.001)
    return item


def test_an_item_that_cannot_be_sent_to_a_helper_raises_instead_of_hanging() -> None:
    items: list[object] = list(range(200))
    items[100:] = [lambda: None] * 100  # functions defined inline cannot be pickled
    with pytest.raises(WorkerError, match="stopped unexpectedly"), Team(2) as team:
        list(team.map(_identity, None, items, chunk=4))


def _big(_: None, item: int) -> bytes:
    return bytes(2_000_000)


def test_closing_after_an_abandoned_map_does_not_wait_for_its_helpers() -> None:
    started = time.monotonic()
    with Team(2) as team:
        results = team.map(_big, None, list(range(400)), chunk=4)
        next(results)
        results.close()  # abandoned: the helper is blocked writing 8 MB nobody reads
    assert time.monotonic() - started < 10


def test_one_map_at_a_time() -> None:
    with Team(2) as team:
        first = team.map(_identity, None, list(range(100)), chunk=4)
        next(first)
        with pytest.raises(RuntimeError, match="one map at a time"):
            next(team.map(_identity, None, list(range(100)), chunk=4))
        first.close()
        assert list(team.map(_identity, None, list(range(100)), chunk=4)) == list(range(100))


def _locked(context: tuple[threading.Lock, int], item: int) -> tuple[int, int]:
    with context[0]:
        return item + context[1], os.getpid()


def test_helpers_forked_for_a_guarded_map_start_with_its_context() -> None:
    # A quick build's render helper is forked when the build needs it: the context (every
    # post's link) comes with the fork instead of being pickled and sent. A lock cannot
    # be pickled, so this map only works if nothing was sent.
    with Team(2) as team:
        context = (threading.Lock(), 10)
        outcomes = list(guarded_map(team, _locked, context, [1, 2, 3], Budget(30)))
        assert [o.value[0] for o in outcomes if o.value] == [11, 12, 13]
        assert all(o.value[1] != os.getpid() for o in outcomes if o.value)
        # The same helpers in a later map are sent its context, as before.
        later = list(guarded_map(team, _square_and_pid, 1, [4], Budget(30)))
        assert later[0].value is not None and later[0].value[0] == 17
