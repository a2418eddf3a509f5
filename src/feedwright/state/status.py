"""The status file: what the last run did, in the state folder (never the output)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from feedwright.publish import atomic_write
from feedwright.types import Severity

if TYPE_CHECKING:
    from feedwright.types import BuildReport

STATUS_FILE = "status.json"
MAX_LISTED = 50


def read_status(state: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((state / STATUS_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


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
) -> dict[str, Any]:
    """Record one run. A failed run keeps the last good post count, which the next build
    uses to notice a folder that suddenly lost most of its posts."""
    previous = read_status(state) or {}
    result = result_of(report, error)
    status: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "duration_seconds": round(duration, 3),
        "result": result,
        "trigger": trigger,
        "error": error or (report.failed if report is not None else None),
        "next_run": None if next_run is None else next_run.isoformat(timespec="seconds"),
        "last_good_posts": previous.get("last_good_posts"),
        "last_success": previous.get("last_success"),
    }
    if report is not None:
        warnings = [d.format() for d in report.diagnostics if d.severity is Severity.WARNING]
        errors = [d.format() for d in report.diagnostics if d.severity is Severity.ERROR]
        status["counts"] = {
            "posts_found": report.files_seen,
            "posts_indexed": report.indexed,
            "posts_skipped": len(report.skipped),
            "feeds_written": len(report.by_action("write")),
            "feeds_unchanged": len(report.by_action("unchanged")),
            "feeds_removed": len(report.by_action("remove")),
            "errors": len(errors),
            "warnings": len(warnings),
        }
        status["errors"] = errors[:MAX_LISTED]
        status["warnings"] = warnings[:MAX_LISTED]
        status["next_future_post"] = (
            None if report.next_future is None else report.next_future.isoformat()
        )
        if result != "failed":
            status["last_good_posts"] = report.indexed
            status["last_success"] = status["started"]
    state.mkdir(parents=True, exist_ok=True)
    atomic_write(state / STATUS_FILE, (json.dumps(status, indent=2) + "\n").encode())
    return status
