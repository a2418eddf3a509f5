"""``feedwright run``: the daemon. One thread builds; schedule, future-post and watch
triggers only mark the build "dirty", so builds never overlap and a trigger that arrives
during a build runs exactly one more build after it. SIGTERM/SIGINT let a running build
finish, then exit 0; SIGHUP reloads the config (an invalid one is logged and ignored)."""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import os
import re
import signal
import threading
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from feedwright.config import Config, load_config
from feedwright.errors import FeedwrightError, one_line
from feedwright.publish import clean_temp_files, output_lock
from feedwright.run.logs import RunLog, log
from feedwright.run.once import run_once
from feedwright.run.scheduler import BuildScheduler
from feedwright.run.websub import HubNotifier
from feedwright.scan.sources import post_rules, posts_root
from feedwright.state.status import clear_next_run
from feedwright.types import BuildReport

POLL_SECONDS = 0.2  # how soon a signal is noticed between builds

# Files editors and tools write next to the one being saved, then rename or delete: vim's
# 4913 probe and .swp files, backups ending in ~, emacs's .#lock and #autosave#, sed -i's
# sedXXXXXX, and dot-files such as .goutputstream-XXXXXX.
_EDITOR_TEMP = re.compile(r"^(4913|\d+~?|sed[A-Za-z0-9]{6}|\..*|#.*#|.*~|.*\.sw[a-p])$")


def _identity(folder: Path) -> tuple[int, int] | None:
    """Which folder ``folder`` names now (through any symlink): its device and inode."""
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def editor_temp(name: str) -> bool:
    """Whether ``name`` is an editor's or tool's temporary file, not a post or config."""
    return _EDITOR_TEMP.match(name) is not None


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
        self._config_problem: str | None = None  # why the config file did not reload
        self.run_log = RunLog()
        self._watch_stop = threading.Event()
        self._watch_ready = threading.Event()
        self._watched: tuple[int, int] | None = None  # the posts folder being watched
        self._reloaded = threading.Event()  # a reload was tried (the watch starts anew)
        self.scheduler = BuildScheduler(config.schedule, config.site.zone, self.request)
        self.notifier = HubNotifier()  # WebSub pings, off the build thread

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
                self.notifier.close()
                clear_next_run(self.config.state)  # no run is due from a stopped daemon
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
                self._reloaded.set()
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
            self._refuse(f"{one_line(str(exc))} (building with the previous config)")
            return
        if new.output.resolve() != self.config.output.resolve():
            log.error(
                "reload: output cannot change while running (restart instead); "
                "keeping the old config"
            )
            self._refuse(
                f"{self.config_path}: output cannot change while `feedwright run` runs; "
                "restart it (building with the previous config)"
            )
            return
        self._config_problem = None
        self.config = new
        self.scheduler.reschedule(new.schedule, new.site.zone)
        log.info("reloaded %s: schedule %s", self.config_path, self._describe_schedule())
        self.request("reload")

    def _refuse(self, problem: str) -> None:
        """A config file that did not reload: the builds go on with the last good config,
        and each is recorded as failed, so ``status`` and ``/healthz`` say that the file
        needs fixing, until a reload succeeds."""
        self._config_problem = problem
        self.request("reload")

    def _build(self, trigger: str) -> None:
        result = run_once(
            self.config,
            trigger=trigger,
            full=self.full_first,
            jobs=self.jobs,
            lock=False,  # held by run() for the daemon's life
            plan_next=self._plan_next,
            notify=self.notifier.submit,
            run_log=self.run_log,
            raise_errors=False,  # never crash: log, keep the feeds, retry next time
            problem=self._config_problem,
        )
        if result.report is not None:
            self.full_first = False
        release_memory()

    def _plan_next(self, report: BuildReport | None) -> dt.datetime | None:
        if report is not None:
            self.scheduler.set_future(report.next_future)
        return self.scheduler.next_run()

    def _watch_loop(self) -> None:
        """Watch the posts folder, the collections' folders outside it and the config
        until the daemon stops. A posts folder replaced while watching (renamed over, or
        swapped for a symlink) is watched anew: the old watch would follow the folder
        that is gone. So are the folders after the config changed (a collection added)."""
        try:
            while not self._watch_stop.is_set():
                root = posts_root(self.config)
                if not self._watch(root, _identity(root)):
                    return
                if _identity(root) != self._watched:
                    log.info("posts folder %s was replaced: watching the new one", root)
                    self.request("watch")
                    continue
                # the config changed: watch its folders once it has been read again
                while not self._reloaded.wait(0.05) and not self._watch_stop.is_set():
                    pass
        except Exception as exc:  # the schedule still runs without the watcher
            log.error("file watching stopped: %s", exc)
        finally:
            self._watch_ready.set()

    def _watch(self, root: Path, identity: tuple[int, int] | None) -> bool:
        """Watch ``root``, the collections' folders outside it and the config; False when
        the daemon stops, True when ``root`` no longer names the folder it named when the
        watch began, or the config changed (its folders may have)."""
        from watchfiles import watch

        self._watched = identity
        inside = root.resolve()
        others = [
            source.folder
            for source in post_rules(self.config).collections
            if source.folder.is_dir() and not source.folder.resolve().is_relative_to(inside)
        ]
        for changes in watch(
            root,
            *others,
            self.config_path,
            debounce=300,
            step=50,
            stop_event=self._watch_stop,
            raise_interrupt=False,
            recursive=True,
            yield_on_timeout=True,
            rust_timeout=200,
        ):
            self._watch_ready.set()  # the first (empty) yield: watching is active
            if _identity(root) != identity:
                return True
            if not changes:
                continue
            config = any(Path(p).resolve() == self.config_path.resolve() for _, p in changes)
            if config:
                self._reloaded.clear()  # before the build thread can see the request
                self._reload = True
            names = sorted({Path(p).name for _, p in changes} - {""})
            names = [n for n in names if not editor_temp(n)]
            if not names and not config:
                continue  # only an editor's temporary files: the save itself follows
            log.info(
                "change detected: %s", ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
            )
            self.request("watch")
            if config:
                return True  # watched again once the config has been read
        return False


_M_ARENA_MAX = -8  # glibc's mallopt parameter


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


def limit_arenas() -> None:
    """At most two C allocator arenas for the daemon's threads (the server's, the
    scheduler's, the watcher's): with one arena per thread, freed memory scatters and the
    process keeps growing. Call before the threads start; not glibc: nothing to do."""
    libc = _libc()
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is not None:
        mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        mallopt(_M_ARENA_MAX, 2)


def release_memory() -> None:
    """Give the memory a build freed back to the system. A daemon that builds after every
    edit frees most of what each build held, but the C allocator keeps the pages (per
    thread, and fragmented), so its size crept up build after build."""
    gc.collect()
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:  # glibc
        trim.argtypes = [ctypes.c_size_t]
        trim(0)
