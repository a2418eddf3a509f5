"""How often readers should fetch the feeds, as the feeds say it: RSS ``<ttl>`` (minutes)
and the RSS 1.0 syndication module's ``sy:updatePeriod`` and ``sy:updateFrequency``.

The value comes from the config only, never from how the process was started, so that
``build`` and the daemon write the same bytes: ``feeds.ttl`` when set (0: say nothing),
else the ``schedule`` written in the config file (``every``, or the shortest gap between
two runs of ``cron``), else nothing: feedwright's default schedule is no promise."""

from __future__ import annotations

import datetime as dt
import math

from feedwright.config import Config, ScheduleConfig

SY_NS = "http://purl.org/rss/1.0/modules/syndication/"

# sy:updatePeriod values and their length in minutes (a month and a year as the module's
# readers count them: 30 and 365 days)
_PERIODS = (
    ("hourly", 60),
    ("daily", 24 * 60),
    ("weekly", 7 * 24 * 60),
    ("monthly", 30 * 24 * 60),
    ("yearly", 365 * 24 * 60),
)


def schedule_minutes(schedule: ScheduleConfig) -> int | None:
    """The schedule's interval in whole minutes (at least 1), or None for a cron
    expression that runs less than twice a year."""
    interval = schedule.interval
    if interval is None:
        assert schedule.cron is not None
        from feedwright.run.scheduler import shortest_gap  # loads APScheduler

        interval = shortest_gap(schedule.cron)
    if interval is None:
        return None
    return max(1, math.ceil(interval / dt.timedelta(minutes=1)))


def ttl_minutes(config: Config) -> int | None:
    """The feeds' ttl in minutes, or None to leave it (and sy:*) out."""
    if config.feeds.ttl is not None:
        return config.feeds.ttl or None
    if "schedule" not in config.model_fields_set:  # the default schedule
        return None
    return schedule_minutes(config.schedule)


def update_period(minutes: int) -> tuple[str, int]:
    """``sy:updatePeriod`` and ``sy:updateFrequency`` (updates per period) for a ttl: hourly
    or daily when the ttl divides it (45 minutes: daily, 32), else the shortest period as
    long as the ttl, with the frequency rounded down, so that a reader never fetches more
    often than the ttl says (7 minutes: hourly, 8)."""
    longer = [(name, length) for name, length in _PERIODS if length >= minutes]
    for name, length in longer[:2]:
        if name in ("hourly", "daily") and length % minutes == 0:
            return name, length // minutes
    if not longer:
        return "yearly", 1
    name, length = longer[0]
    return name, length // minutes
