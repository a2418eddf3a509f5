"""Ruby's ``Time.parse`` (time.rb) over ``Date._parse`` (:mod:`feedwright.scan.ruby_date`),
for the shapes Jekyll sites write: Jekyll reads a post's ``date:`` through them, so a date
means what it means to ``jekyll build``."""

from __future__ import annotations

import datetime as dt
import re

from feedwright.errors import FeedwrightError
from feedwright.scan.dates import YEAR_RANGE_HINT
from feedwright.scan.ruby_date import date_parse


class RubyTimeError(FeedwrightError, ValueError):
    """Ruby's ``Time.parse`` raises ArgumentError for this text."""


class YearRangeError(RubyTimeError):
    """A year Ruby accepts but no feed can carry (and Python's dates do not reach)."""


# Time::ZoneOffset (time.rb), in hours.
_ZONE_OFFSET = {
    "UTC": 0, "Z": 0, "UT": 0, "GMT": 0,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8, "I": 9, "K": 10,
    "L": 11, "M": 12, "N": -1, "O": -2, "P": -3, "Q": -4, "R": -5, "S": -6, "T": -7,
    "U": -8, "V": -9, "W": -10, "X": -11, "Y": -12,
}  # fmt: skip


def _zone_offset(zone: str, year: int, local: dt.tzinfo) -> int | None:
    """``Time.zone_offset``: seconds east of UTC, or None when Ruby does not know it
    (then the time is read as local time)."""
    z = zone.upper()
    m = re.fullmatch(r"([+-])(\d\d)(:?)(\d\d)(?:\3(\d\d))?", z)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        return sign * ((int(m.group(2)) * 60 + int(m.group(4))) * 60 + int(m.group(5) or 0))
    if re.fullmatch(r"[+-]\d\d", z):
        return int(z) * 3600
    if z in _ZONE_OFFSET:
        return _ZONE_OFFSET[z] * 3600
    for month in (1, 7):
        probe = dt.datetime(year, month, 1, tzinfo=local)
        name = probe.tzname()
        if name is not None and name.upper() == z:
            offset = probe.utcoffset()
            return None if offset is None else int(offset.total_seconds())
    return None


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _ruby_components(
    year: int, mon: int, day: int, hour: int, minute: int, sec: int, usec: int
) -> dt.datetime:
    """Ruby's ``Time.utc``/``Time.local`` argument rules: days past the month's end roll
    into the next month, 24:00:00 is the next midnight, second 60 the next minute."""
    if not 1 <= mon <= 12:
        raise RubyTimeError("mon out of range")
    if not 1 <= day <= 31:
        raise RubyTimeError("argument out of range")
    if not 0 <= hour <= 24 or (hour == 24 and (minute or sec or usec)):
        raise RubyTimeError("argument out of range")
    if not 0 <= minute <= 59 or not 0 <= sec <= 60:
        raise RubyTimeError("argument out of range")
    if not 1 <= year <= 9999:
        raise YearRangeError(f"the year {year}: {YEAR_RANGE_HINT}")
    base = dt.datetime(year, mon, 1)
    return base + dt.timedelta(
        days=day - 1, hours=hour, minutes=minute, seconds=sec, microseconds=usec
    )


def _local(naive: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """Local wall time to an instant the way Ruby (``mktime``) does: a time in a DST gap
    moves forward, an ambiguous one takes the later (standard time) reading."""
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        back = first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
        if back != naive:  # a gap: Ruby reads it with the offset before the change
            return first.astimezone(dt.UTC).astimezone(zone)
        return second
    return first


def ruby_time_parse(text: str, now: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """Ruby's ``Time.parse(text, now)`` with ``ENV["TZ"]`` set to ``zone``; the result is
    aware, in ``zone`` (as Jekyll's ``.localtime`` leaves it)."""
    try:
        return _time_parse(text, now, zone)
    except OverflowError:  # 9999-12-31 23:00 -05:00 is in the year 10000 in UTC
        raise YearRangeError(
            f"{text!r} falls outside the years 1 to 9999: {YEAR_RANGE_HINT}"
        ) from None
    except RubyTimeError:
        raise
    except ValueError as exc:  # a UTC offset of a day or more: Ruby's "utc_offset out of range"
        raise RubyTimeError(f"argument out of range: {exc}") from None


def _time_parse(text: str, now: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    d = date_parse(text)
    year, yday, mon, day = d.year, d.yday, d.mon, d.mday
    hour, minute, sec, frac = d.hour, d.minute, d.sec, d.sec_fraction
    if all(v is None for v in (year, yday, mon, day, hour, minute, sec, frac)):
        raise RubyTimeError(f"no time information in {text!r}")
    now = now.astimezone(zone)
    off: int | None = None
    if d.zone:
        off = _zone_offset(d.zone, year if year is not None else now.year, zone)
    if yday is not None:
        if not 1 <= yday <= 366:
            raise RubyTimeError(f"yday {yday} out of range")
        y = year if year is not None else now.year
        first = dt.date(y, 1, 1) + dt.timedelta(days=yday - 1)
        year, mon, day = first.year, first.month, first.day
    ref = now.astimezone(dt.timezone(dt.timedelta(seconds=off))) if off is not None else now
    usec = None if frac is None else int(frac * 1_000_000)
    # the missing leading components come from ``now``, the rest are the minimum
    filled = [year, mon, day, hour, minute, sec]
    now_parts = [ref.year, ref.month, ref.day, ref.hour, ref.minute, ref.second]
    for i, value in enumerate(filled):
        if value is not None:
            break
        filled[i] = now_parts[i]
    else:
        if usec is None:
            usec = ref.microsecond
    y, mo, da, ho, mi, se = (
        v if v is not None else (1 if i in (1, 2) else 0) for i, v in enumerate(filled)
    )
    naive = _ruby_components(y, mo, da, ho, mi, se, usec or 0)
    if off is not None:
        aware = naive.replace(tzinfo=dt.timezone(dt.timedelta(seconds=off)))
        return aware.astimezone(zone)
    return _local(naive, zone)
