"""One run: build the feeds, record the run in the status file, tell the WebSub hubs
which feeds changed, and log the result. ``feedwright build`` makes one run;
``feedwright run`` (the daemon) makes one on every trigger."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from feedwright.config import Config
from feedwright.errors import LockedError
from feedwright.pipeline import build
from feedwright.progress import Progress
from feedwright.run.logs import RunLog
from feedwright.run.websub import notify_hubs
from feedwright.state.status import Status, write_status
from feedwright.types import BuildReport, Change

log = logging.getLogger("feedwright")

Notify = Callable[[Config, Sequence[Change]], object]
PlanNext = Callable[[BuildReport | None], dt.datetime | None]


@dataclass(frozen=True, slots=True)
class RunResult:
    report: BuildReport | None  # None when the build raised
    error: str | None  # why the build raised
    duration: float  # seconds
    status: Status | None  # what the status file now says (None after a dry run)


def run_once(
    config: Config,
    *,
    trigger: str = "build",
    now: dt.datetime | None = None,
    dry_run: bool = False,
    full: bool = False,
    jobs: int | None = None,
    lock: bool = True,
    progress: Progress | None = None,
    plan_next: PlanNext | None = None,
    notify: Notify = notify_hubs,
    run_log: RunLog | None = None,
    raise_errors: bool = True,
) -> RunResult:
    """Build once and do the bookkeeping around it. A build that raises is recorded as
    failed (status and log) and then raised again, unless ``raise_errors`` is False (the
    daemon never stops over one build). A locked output folder is raised at once: the run
    that holds it is the one whose status counts. ``plan_next(report)`` returns when the
    next run is due, for the status file. Hubs are told only after a successful build
    that wrote something, and a hub can never fail the build. A dry run only builds."""
    started = dt.datetime.now(dt.UTC)
    clock = time.monotonic()
    report: BuildReport | None = None
    error: str | None = None
    raised: Exception | None = None
    try:
        report = build(
            config, now=now, dry_run=dry_run, full=full, lock=lock, jobs=jobs, progress=progress
        )
    except LockedError:
        raise
    except Exception as exc:  # recorded below; the published feeds are untouched
        error, raised = f"{type(exc).__name__}: {exc}", exc
    duration = time.monotonic() - clock
    if dry_run:
        if raised is not None and raise_errors:
            raise raised
        return RunResult(report, error, duration, None)
    status = write_status(
        config.state,
        started=started,
        duration=duration,
        report=report,
        error=error,
        next_run=None if plan_next is None else plan_next(report),
        trigger=trigger,
    )
    if run_log is not None:
        run_log.build(report, error=error, duration=duration, trigger=trigger, status=status)
    if raised is not None:
        if raise_errors:
            raise raised
    elif report is not None and not report.failed:
        try:
            notify(config, report.changes)
        except Exception as exc:  # the feeds are written: a hub can never fail the build
            log.warning("websub: publishing failed: %r", exc)
    return RunResult(report, error, duration, status)
