"""The APScheduler adapter's trigger arithmetic, with an injected clock (no sleeping)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from feedwright.config import ScheduleConfig, parse_duration
from feedwright.run.scheduler import BuildScheduler

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 10, 12, 0, 7, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: dt.datetime) -> None:
        self.value = now

    def now(self) -> dt.datetime:
        return self.value


def _sched(
    every: str | None = None, cron: str | None = None, zone: str = "UTC", now: dt.datetime = T0
) -> tuple[BuildScheduler, FakeClock]:
    clock = FakeClock(now)
    sched = BuildScheduler(
        ScheduleConfig(every=every, cron=cron), ZoneInfo(zone), lambda reason: None, clock
    )
    return sched, clock


def test_interval_counts_from_start() -> None:
    sched, clock = _sched(every="15m")
    assert sched.next_schedule_time() == T0
    first = sched.next_schedule_time(T0 + dt.timedelta(seconds=1), previous=T0)
    assert first == T0 + dt.timedelta(minutes=15)
    clock.value = T0 + dt.timedelta(minutes=31)
    assert sched.next_schedule_time() == T0 + dt.timedelta(minutes=45)


def test_cron_uses_the_site_time_zone() -> None:
    sched, _ = _sched(cron="30 6 * * *", zone="Europe/Berlin")
    fire = sched.next_schedule_time()
    assert fire is not None
    assert fire.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M") == "06:30"
    assert fire.astimezone(UTC) == dt.datetime(2026, 3, 11, 5, 30, tzinfo=UTC)


def test_cron_every_five_minutes() -> None:
    sched, _ = _sched(cron="*/5 * * * *")
    assert sched.next_schedule_time() == dt.datetime(2026, 3, 10, 12, 5, tzinfo=UTC)


def test_future_post_trigger_is_the_earliest_next_run() -> None:
    sched, clock = _sched(every="1h")
    post_time = T0 + dt.timedelta(minutes=7, seconds=3)
    sched.set_future(post_time)
    assert sched.future_time() == post_time
    assert sched.next_run(T0 + dt.timedelta(seconds=1)) == post_time
    clock.value = post_time + dt.timedelta(seconds=1)
    due = sched.future_time()
    assert due is not None and due <= clock.now()  # overdue: runs at once, never skipped
    sched.set_future(None)
    assert sched.next_run(T0 + dt.timedelta(seconds=1)) == T0 + dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "seconds"), [("15m", 900), ("1h30m", 5400), ("45s", 45), ("2h", 7200)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


def test_bad_schedules_are_config_errors() -> None:
    from feedwright.config import config_from_mapping
    from feedwright.errors import ConfigError

    for schedule, message in (
        ({"every": "soon"}, "schedule.every: must be a duration"),
        ({"cron": "* * *"}, "five-field cron"),
        ({"cron": "61 * * * *"}, "invalid cron expression"),
        ({"every": "1m", "cron": "* * * * *"}, "exactly one of"),
    ):
        with pytest.raises(ConfigError, match=message):
            config_from_mapping(
                {"site": {"title": "t", "url": "https://a.example/"}, "schedule": schedule}
            )
