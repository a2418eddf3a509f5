"""The one module that talks to APScheduler (3.x). Keeping it here keeps a port to
APScheduler 4 local.

Three kinds of trigger fire builds: the configured schedule (``every`` or ``cron``), a
one-off run at the publication time of the next future-dated post, and (from the runner)
the file watcher. Every job only calls ``on_trigger(reason)``; the runner serializes the
builds, so jobs are instant and can never overlap or be lost to a misfire.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from feedwright.config import ScheduleConfig

SCHEDULE_JOB = "schedule"
FUTURE_JOB = "future-post"


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


def make_trigger(schedule: ScheduleConfig, zone: ZoneInfo, start: dt.datetime) -> Any:
    """The APScheduler trigger for ``schedule``: an interval counted from ``start``, or a
    five-field cron expression in the site's time zone."""
    interval = schedule.interval
    if interval is not None:
        return IntervalTrigger(
            seconds=int(interval.total_seconds()), start_date=start, timezone=dt.UTC
        )
    assert schedule.cron is not None
    return CronTrigger.from_crontab(schedule.cron, timezone=zone)


class BuildScheduler:
    """Schedules build triggers. ``clock`` is injectable so the trigger arithmetic can be
    tested without sleeping (:meth:`next_schedule_time`, :meth:`future_time`)."""

    def __init__(
        self,
        schedule: ScheduleConfig,
        zone: ZoneInfo,
        on_trigger: Callable[[str], None],
        clock: Clock | None = None,
    ) -> None:
        self.clock = clock or SystemClock()
        self.on_trigger = on_trigger
        self.zone = zone
        self.schedule = schedule
        self.trigger = make_trigger(schedule, zone, self.clock.now())
        self.future_at: dt.datetime | None = None
        self._scheduler: BackgroundScheduler | None = None

    # -- pure trigger arithmetic (no threads) ---------------------------------------------
    def next_schedule_time(
        self, now: dt.datetime | None = None, previous: dt.datetime | None = None
    ) -> dt.datetime | None:
        fire: dt.datetime | None = self.trigger.get_next_fire_time(
            previous, now or self.clock.now()
        )
        return fire

    def future_time(self, now: dt.datetime | None = None) -> dt.datetime | None:
        if self.future_at is None:
            return None
        fire: dt.datetime | None = DateTrigger(run_date=self.future_at).get_next_fire_time(
            None, now or self.clock.now()
        )
        return fire

    def next_run(self, now: dt.datetime | None = None) -> dt.datetime | None:
        if self._scheduler is not None:
            times = [j.next_run_time for j in self._scheduler.get_jobs() if j.next_run_time]
            return min(times) if times else None
        times = [t for t in (self.next_schedule_time(now), self.future_time(now)) if t]
        return min(times) if times else None

    # -- the running scheduler ------------------------------------------------------------
    def start(self) -> None:
        self._scheduler = BackgroundScheduler(
            timezone=dt.UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self._scheduler.add_job(
            self.on_trigger, self.trigger, args=["schedule"], id=SCHEDULE_JOB, replace_existing=True
        )
        self._scheduler.start()
        if self.future_at is not None:
            self.set_future(self.future_at)

    def set_future(self, when: dt.datetime | None) -> None:
        """Fire once at ``when`` (the next future-dated post's publication time)."""
        self.future_at = when
        if self._scheduler is None:
            return
        if when is None:
            if self._scheduler.get_job(FUTURE_JOB) is not None:
                self._scheduler.remove_job(FUTURE_JOB)
            return
        self._scheduler.add_job(
            self.on_trigger,
            DateTrigger(run_date=when),
            args=["future-post"],
            id=FUTURE_JOB,
            replace_existing=True,
        )

    def reschedule(self, schedule: ScheduleConfig, zone: ZoneInfo) -> None:
        self.schedule, self.zone = schedule, zone
        self.trigger = make_trigger(schedule, zone, self.clock.now())
        if self._scheduler is not None:
            self._scheduler.add_job(
                self.on_trigger,
                self.trigger,
                args=["schedule"],
                id=SCHEDULE_JOB,
                replace_existing=True,
            )

    def shutdown(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        self._scheduler = None


# A fixed start and span, so that the gap (and the feeds' ttl) never depends on when or
# where it is computed; wall-clock time (UTC), so that a DST change is no shorter gap.
_GAP_FROM = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
_GAP_SPAN = dt.timedelta(days=400)
_GAP_FIRES = 512


@functools.lru_cache(maxsize=16)
def shortest_gap(cron: str) -> dt.timedelta | None:
    """The shortest time between two runs of a five-field cron expression, in wall-clock
    time over a fixed year (every month and weekday), or None when it runs less than
    twice in it. An expression that runs more often is cut off after 512 runs, which
    already show its shortest gap."""
    trigger = CronTrigger.from_crontab(cron, timezone=dt.UTC)
    end = _GAP_FROM + _GAP_SPAN
    previous: dt.datetime | None = None
    shortest: dt.timedelta | None = None
    now = _GAP_FROM
    for _ in range(_GAP_FIRES):
        fire: dt.datetime | None = trigger.get_next_fire_time(previous, now)
        if fire is None or fire > end:
            break
        if previous is not None and (shortest is None or fire - previous < shortest):
            shortest = fire - previous
        previous, now = fire, fire + dt.timedelta(seconds=1)
    return shortest
