"""Log lines of the long-running commands (``run``, ``serve``) and of WebSub pings: plain
text or one JSON object per line on stderr, and the daemon's record of each build."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from feedwright.state.status import Status
from feedwright.types import BuildReport, Diagnostic, Severity

log = logging.getLogger("feedwright")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, message and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "message": record.getMessage(),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            data.update(extra)
        return json.dumps(data, ensure_ascii=False)


def setup_logging(fmt: str) -> None:
    """Send feedwright's log to stderr as ``text`` (timestamped lines) or ``json``."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


class RunLog:
    """The log of a series of builds: one line per build, and each error or warning once
    while it lasts (not again on every build)."""

    def __init__(self) -> None:
        self._last_diags: set[Diagnostic] = set()

    def build(
        self,
        report: BuildReport | None,
        *,
        error: str | None,
        duration: float,
        trigger: str,
        status: Status | None,
    ) -> None:
        """Log one build; ``status`` is None when the status file could not be written."""
        if report is None or report.failed:
            cause = error or (report.failed if report else "unknown")
            log.error(
                "build failed after %.2fs [%s]: %s; published feeds left as they were, "
                "retrying at the next run",
                duration,
                trigger,
                cause,
                extra={
                    "fields": {
                        "event": "build",
                        "result": "failed",
                        "error": cause,
                        "trigger": trigger,
                    }
                },
            )
            if report is not None:
                self.diagnostics(report)
            return
        self.diagnostics(report)
        counts = {} if status is None or status.counts is None else status.counts.to_json()
        result = "errors" if report.errors else "ok"
        next_run = None
        if status is not None:
            result, next_run = status.result, status.next_run
        level = logging.WARNING if report.errors else logging.INFO
        log.log(
            level,
            "build %s in %.2fs [%s]: %d posts indexed, %d skipped; feeds %d written, "
            "%d unchanged, %d removed; %d errors, %d warnings; next run %s",
            result,
            duration,
            trigger,
            report.indexed,
            len(report.skipped),
            counts.get("feeds_written", 0),
            counts.get("feeds_unchanged", 0),
            counts.get("feeds_removed", 0),
            report.errors,
            report.warnings,
            next_run,
            extra={
                "fields": {
                    "event": "build",
                    "trigger": trigger,
                    "duration_seconds": round(duration, 3),
                    **counts,
                    "result": result,
                    "next_run": next_run,
                }
            },
        )

    def diagnostics(self, report: BuildReport) -> None:
        current = {d for d in report.diagnostics if d.severity is not Severity.NOTE}
        for diag in report.diagnostics:
            if diag in current and diag not in self._last_diags:
                level = logging.ERROR if diag.severity is Severity.ERROR else logging.WARNING
                log.log(
                    level,
                    "%s",
                    diag.format(),
                    extra={
                        "fields": {
                            "event": "diagnostic",
                            "file": diag.path,
                            "line": diag.line,
                            "code": diag.code,
                        }
                    },
                )
        self._last_diags = current
