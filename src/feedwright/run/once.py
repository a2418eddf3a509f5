"""One run: build the feeds, record the run in the status file, tell the WebSub hubs
which feeds changed, and log the result. ``feedwright build`` makes one run;
``feedwright run`` (the daemon) makes one on every trigger."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from feedwright.config import Config
from feedwright.errors import LockedError, file_problem
from feedwright.pipeline import build
from feedwright.progress import Progress
from feedwright.publish import output_lock
from feedwright.run.logs import RunLog
from feedwright.state.status import Status, write_status
from feedwright.types import BuildReport, Change

log = logging.getLogger("feedwright")

Notify = Callable[[Config, Sequence[Change]], object]


def notify_hubs(config: Config, changes: Sequence[Change]) -> object:
    """Ping the WebSub hubs, if any: the HTTP client loads only for a site that has one
    (every build, a no-op too, would pay for it otherwise)."""
    if not config.websub.hubs:
        return []
    from feedwright.run.websub import notify_hubs as ping

    return ping(config, changes)


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
    accept_loss: bool = False,
    accept_id_change: bool = False,
    problem: str | None = None,
) -> RunResult:
    """Build once and do the bookkeeping around it. A build that raises is recorded as
    failed (status and log) and then raised again, unless ``raise_errors`` is False (the
    daemon never stops over one build). A locked output folder is raised at once: the run
    that holds it is the one whose status counts. ``plan_next(report)`` returns when the
    next run is due, for the status file. Hubs are told only after a successful build
    that wrote something, and a hub can never fail the build. A dry run only builds.
    A file or folder that cannot be used is raised as a one-line
    :class:`~feedwright.errors.FileProblem`; a status file that cannot be written is
    logged, and the build's own outcome stands. ``accept_loss``, ``accept_id_change``: see
    :func:`build`. ``problem``: why the run counts as failed in the status file even when
    the build succeeds (the daemon's config file that no longer loads: it builds with the
    last good one, and says so until the file is fixed)."""
    started = dt.datetime.now(dt.UTC)
    clock = time.monotonic()
    report: BuildReport | None = None
    error: str | None = None
    raised: Exception | None = None
    try:
        report = build(
            config,
            now=now,
            dry_run=dry_run,
            full=full,
            lock=lock,
            jobs=jobs,
            progress=progress,
            accept_loss=accept_loss,
            accept_id_change=accept_id_change,
        )
    except LockedError:
        raise
    except OSError as exc:  # a file or folder feedwright needs: say which, and the fix
        raised = file_problem(exc, settings_of(config))
        error = str(raised)
    except Exception as exc:  # recorded below; the published feeds are untouched
        error, raised = f"{type(exc).__name__}: {exc}", exc
    duration = time.monotonic() - clock
    if dry_run:
        if raised is not None and raise_errors:
            raise raised
        return RunResult(report, error, duration, None)
    status: Status | None = None
    try:
        status = write_status(
            config.state,
            started=started,
            duration=duration,
            report=report,
            error=error or problem,
            next_run=None if plan_next is None else plan_next(report),
            trigger=trigger,
        )
    except OSError as exc:  # the state folder is unusable: say so, keep the build's outcome
        if raised is None:  # (a failed build has said why already)
            log.warning("status not recorded: %s", file_problem(exc, settings_of(config)))
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


def record_failure(
    state: Path, error: str, *, trigger: str, output: Path | None = None
) -> Status | None:
    """Record a run that failed before its build could start (a config that does not
    load, a folder that cannot be used, a server that cannot listen) in the state folder,
    so that ``feedwright status`` and ``/healthz`` say so. Not when another run holds
    ``output``: that run is building, and its status is the one that counts. None when
    nothing was recorded (the state folder cannot be written either)."""
    if output is not None and output.is_dir():
        try:
            with output_lock(output):
                return _record(state, error, trigger)
        except LockedError:
            return None
        except OSError:
            pass  # an output folder that cannot be locked is one more reason it failed
    return _record(state, error, trigger)


def _record(state: Path, error: str, trigger: str) -> Status | None:
    try:
        return write_status(
            state,
            started=dt.datetime.now(dt.UTC),
            duration=0.0,
            report=None,
            error=error,
            trigger=trigger,
        )
    except OSError:
        return None


def settings_of(config: Config) -> dict[Path, str]:
    """The config's folders by the key that sets them, for messages that name the key."""
    folders = {config.posts: "posts:", config.output: "output:", config.state: "state:"}
    if config.jekyll is not None:
        folders.setdefault(config.jekyll, "jekyll:")
    return folders
