"""The status file: what the last run did, in the state folder (never the output)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from feedwright.publish import atomic_write
from feedwright.types import Severity

if TYPE_CHECKING:
    from feedwright.types import BuildReport

STATUS_FILE = "status.json"
MAX_LISTED = 50


@dataclass(frozen=True, slots=True)
class StatusCounts:
    """How many posts and feeds the run saw, in the order the status file lists them."""

    posts_found: int
    posts_indexed: int
    posts_skipped: int
    feeds_written: int
    feeds_unchanged: int
    feeds_removed: int
    errors: int
    warnings: int

    def to_json(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}

    @classmethod
    def from_json(cls, data: object) -> StatusCounts | None:
        if not isinstance(data, dict):
            return None
        values = [data.get(name) for name in cls.__slots__]
        ints = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
        return cls(*ints) if len(ints) == len(values) else None


@dataclass(frozen=True, slots=True)
class Status:
    """One run's outcome. Times are ISO 8601 text, as the file stores them. ``counts``,
    ``errors``, ``warnings`` and ``next_future_post`` describe the build's report and are
    written only when there was one (``counts`` is None when there was not)."""

    started: str
    duration_seconds: float
    result: str  # "ok", "errors" or "failed"
    trigger: str
    error: str | None
    next_run: str | None
    last_good_posts: int | None  # posts of the last run that did not fail
    last_success: str | None
    counts: StatusCounts | None = None
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    next_future_post: str | None = None

    @property
    def healthy(self) -> bool:
        return self.result in ("ok", "errors")

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "started": self.started,
            "duration_seconds": self.duration_seconds,
            "result": self.result,
            "trigger": self.trigger,
            "error": self.error,
            "next_run": self.next_run,
            "last_good_posts": self.last_good_posts,
            "last_success": self.last_success,
        }
        if self.counts is not None:
            data["counts"] = self.counts.to_json()
            data["errors"] = list(self.errors)
            data["warnings"] = list(self.warnings)
            data["next_future_post"] = self.next_future_post
        return data

    @classmethod
    def from_json(cls, data: object) -> Status | None:
        """The status ``data`` describes, or None when it is not one."""
        if not isinstance(data, dict):
            return None
        started, result = data.get("started"), data.get("result")
        duration = data.get("duration_seconds")
        if not (
            isinstance(started, str)
            and isinstance(duration, int | float)
            and not isinstance(duration, bool)
            and isinstance(result, str)
        ):
            return None
        last_good = data.get("last_good_posts")
        return cls(
            started=started,
            duration_seconds=duration,
            result=result,
            trigger=_text(data.get("trigger")) or "build",
            error=_text(data.get("error")),
            next_run=_text(data.get("next_run")),
            last_good_posts=last_good
            if isinstance(last_good, int) and not isinstance(last_good, bool)
            else None,
            last_success=_text(data.get("last_success")),
            counts=StatusCounts.from_json(data.get("counts")),
            errors=_texts(data.get("errors")),
            warnings=_texts(data.get("warnings")),
            next_future_post=_text(data.get("next_future_post")),
        )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _texts(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def read_status(state: Path) -> Status | None:
    try:
        data = json.loads((state / STATUS_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return Status.from_json(data)


def result_of(report: BuildReport | None, error: str | None) -> str:
    if error is not None or report is None or report.failed:
        return "failed"
    return "errors" if report.errors else "ok"


def write_status(
    state: Path,
    *,
    started: dt.datetime,
    duration: float,
    report: BuildReport | None,
    error: str | None = None,
    next_run: dt.datetime | None = None,
    trigger: str = "build",
) -> Status:
    """Record one run. A failed run keeps the last good post count, which the next build
    uses to notice a folder that suddenly lost most of its posts."""
    previous = read_status(state)
    result = result_of(report, error)
    status = Status(
        started=started.isoformat(timespec="seconds"),
        duration_seconds=round(duration, 3),
        result=result,
        trigger=trigger,
        error=error or (report.failed if report is not None else None),
        next_run=None if next_run is None else next_run.isoformat(timespec="seconds"),
        last_good_posts=None if previous is None else previous.last_good_posts,
        last_success=None if previous is None else previous.last_success,
    )
    if report is not None:
        warnings = [d.format() for d in report.diagnostics if d.severity is Severity.WARNING]
        errors = [d.format() for d in report.diagnostics if d.severity is Severity.ERROR]
        status = replace(
            status,
            counts=StatusCounts(
                posts_found=report.files_seen,
                posts_indexed=report.indexed,
                posts_skipped=len(report.skipped),
                feeds_written=len(report.by_action("write")),
                feeds_unchanged=len(report.by_action("unchanged")),
                feeds_removed=len(report.by_action("remove")),
                errors=len(errors),
                warnings=len(warnings),
            ),
            errors=tuple(errors[:MAX_LISTED]),
            warnings=tuple(warnings[:MAX_LISTED]),
            next_future_post=None if report.next_future is None else report.next_future.isoformat(),
        )
        if result != "failed":
            status = replace(status, last_good_posts=report.indexed, last_success=status.started)
    state.mkdir(parents=True, exist_ok=True)
    _save(state / STATUS_FILE, (json.dumps(status.to_json(), indent=2) + "\n").encode())
    return status


def _save(path: Path, data: bytes) -> None:
    """Write the status atomically; where that cannot be done (a full disk or a folder that
    cannot be written to has no room for the temporary file) overwrite the file in place,
    so that a stale "ok" never outlives the run that failed."""
    try:
        atomic_write(path, data)
    except OSError:
        try:
            with path.open("r+b") as handle:  # never creates: only an existing status file
                handle.write(data)
                handle.truncate()
        except OSError:
            pass
        else:
            return
        raise


def clear_next_run(state: Path) -> None:
    """A daemon that stops has no next run: take it out of the status file (when there
    is one that names one, and the state folder can be written)."""
    status = read_status(state)
    if status is None or status.next_run is None:
        return
    data = replace(status, next_run=None).to_json()
    with contextlib.suppress(OSError):  # the daemon is stopping: a stale "next run" at worst
        atomic_write(state / STATUS_FILE, (json.dumps(data, indent=2) + "\n").encode())
