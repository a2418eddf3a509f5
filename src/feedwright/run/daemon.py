"""``feedwright run``: the daemon. One thread builds; schedule, future-post and watch
triggers only mark the build "dirty", so builds never overlap and a trigger that arrives
during a build runs exactly one more build after it. SIGTERM/SIGINT let a running build
finish, then exit 0; SIGHUP reloads the config (an invalid one is logged and ignored)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import signal
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from feedwright.config import Config, load_config
from feedwright.errors import FeedwrightError
from feedwright.pipeline import build
from feedwright.publish import clean_temp_files, output_lock
from feedwright.run.scheduler import BuildScheduler
from feedwright.run.websub import Publisher
from feedwright.scan.sources import posts_root
from feedwright.state.status import write_status
from feedwright.types import BuildReport, Diagnostic, Severity

log = logging.getLogger("feedwright")
POLL_SECONDS = 0.2  # how soon a signal is noticed between builds


class JsonFormatter(logging.Formatter):
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
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


class Daemon:
    def __init__(
        self,
        config_path: Path,
        overrides: Mapping[str, Any],
        config: Config,
        *,
        watch: bool = False,
        full_first: bool = False,
        jobs: int | None = None,
    ) -> None:
        self.config_path = config_path
        self.overrides = dict(overrides)
        self.config = config
        self.watch = watch
        self.full_first = full_first
        self.jobs = jobs
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._reasons: list[str] = []
        self._stop = False
        self._reload = False
        self._last_diags: set[Diagnostic] = set()
        self._watch_stop = threading.Event()
        self._watch_ready = threading.Event()
        self.scheduler = BuildScheduler(config.schedule, config.site.zone, self.request)
        self.publisher = Publisher()  # WebSub pings, off the build thread

    # -- triggers ---------------------------------------------------------------------
    def request(self, reason: str) -> None:
        with self._lock:
            self._reasons.append(reason)
        self._wake.set()

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        # Only plain assignments here: the handler runs in the main thread, which may hold
        # the very lock that Event.set() would need (a deadlock); the loop polls instead.
        if signum == signal.SIGHUP:
            self._reload = True
        else:
            self._stop = True

    # -- main loop --------------------------------------------------------------------
    def run(self) -> int:
        output = self.config.output
        with output_lock(output):
            clean_temp_files(output)
            previous: dict[signal.Signals, Any] = {}
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                previous[sig] = signal.signal(sig, self._on_signal)
            watcher = None
            try:
                log.info(
                    "started: posts %s, output %s, schedule %s%s",
                    posts_root(self.config),
                    output,
                    self._describe_schedule(),
                    ", watching" if self.watch else "",
                )
                self.scheduler.start()
                if self.watch:
                    watcher = threading.Thread(target=self._watch_loop, name="watch", daemon=True)
                    watcher.start()
                    # Build once the watcher is watching, so no change can fall in between.
                    self._watch_ready.wait(timeout=10)
                self.request("start")
                self._loop()
            finally:
                self._watch_stop.set()
                self.scheduler.shutdown()
                self.publisher.close()
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
        log.info("stopped")
        return 0

    def _loop(self) -> None:
        while True:
            self._wake.wait(timeout=POLL_SECONDS)
            if self._stop:
                return
            if self._reload:
                self._reload = False
                self._do_reload()
            if not self._wake.is_set():
                continue
            self._wake.clear()
            with self._lock:
                reasons, self._reasons = self._reasons, []
            if reasons:
                self._build("+".join(sorted(set(reasons))))

    def _describe_schedule(self) -> str:
        sched = self.config.schedule
        return f"every {sched.every}" if sched.every else f"cron '{sched.cron}'"

    def _do_reload(self) -> None:
        try:
            new = load_config(self.config_path, self.overrides)
        except FeedwrightError as exc:
            log.error("reload failed, keeping the old config: %s", exc)
            return
        if new.output.resolve() != self.config.output.resolve():
            log.error(
                "reload: output cannot change while running (restart instead); "
                "keeping the old config"
            )
            return
        self.config = new
        self.scheduler.reschedule(new.schedule, new.site.zone)
        log.info("reloaded %s: schedule %s", self.config_path, self._describe_schedule())
        self.request("reload")

    def _build(self, trigger: str) -> None:
        started = dt.datetime.now(dt.UTC)
        clock = time.monotonic()
        report: BuildReport | None = None
        error: str | None = None
        try:
            report = build(self.config, lock=False, full=self.full_first, jobs=self.jobs)
            self.full_first = False
        except Exception as exc:  # never crash: log, keep the feeds, retry next time
            error = f"{type(exc).__name__}: {exc}"
        duration = time.monotonic() - clock
        if report is not None:
            self.scheduler.set_future(report.next_future)
        status = write_status(
            self.config.state,
            started=started,
            duration=duration,
            report=report,
            error=error,
            next_run=self.scheduler.next_run(),
            trigger=trigger,
        )
        self._log_build(report, error, duration, trigger, status)
        if report is not None and not report.failed:
            self.publisher.submit(self.config, report.changes)

    def _log_build(
        self,
        report: BuildReport | None,
        error: str | None,
        duration: float,
        trigger: str,
        status: dict[str, Any],
    ) -> None:
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
                self._log_diagnostics(report)
            return
        self._log_diagnostics(report)
        counts = status.get("counts", {})
        level = logging.WARNING if report.errors else logging.INFO
        log.log(
            level,
            "build %s in %.2fs [%s]: %d posts indexed, %d skipped; feeds %d written, "
            "%d unchanged, %d removed; %d errors, %d warnings; next run %s",
            status["result"],
            duration,
            trigger,
            report.indexed,
            len(report.skipped),
            counts.get("feeds_written", 0),
            counts.get("feeds_unchanged", 0),
            counts.get("feeds_removed", 0),
            report.errors,
            report.warnings,
            status.get("next_run"),
            extra={
                "fields": {
                    "event": "build",
                    "trigger": trigger,
                    "duration_seconds": round(duration, 3),
                    **counts,
                    "result": status["result"],
                    "next_run": status.get("next_run"),
                }
            },
        )

    def _log_diagnostics(self, report: BuildReport) -> None:
        """Errors and warnings, each once while it lasts (not again on every build)."""
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

    def _watch_loop(self) -> None:
        from watchfiles import watch

        paths = [posts_root(self.config), self.config_path]
        try:
            for changes in watch(
                *paths,
                debounce=300,
                step=50,
                stop_event=self._watch_stop,
                raise_interrupt=False,
                recursive=True,
                yield_on_timeout=True,
                rust_timeout=200,
            ):
                self._watch_ready.set()  # the first (empty) yield: watching is active
                if not changes:
                    continue
                names = sorted({Path(p).name for _, p in changes})
                if any(Path(p).resolve() == self.config_path.resolve() for _, p in changes):
                    self._reload = True
                log.info(
                    "change detected: %s", ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
                )
                self.request("watch")
        except Exception as exc:  # the schedule still runs without the watcher
            log.error("file watching stopped: %s", exc)
        finally:
            self._watch_ready.set()
