"""A Jekyll post's date: the front matter ``date:`` (any value, read through Ruby's
``to_s`` and ``Time.parse``), else the file name's date, in the site's zone."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feedwright.scan.ruby_date import dropped_parts
from feedwright.scan.ruby_time import RubyTimeError, ruby_time_parse

# in the note on a YAML timestamp without a zone: what the note is about
ZONELESS = "not in the site's timezone"


def site_zone(timezone: str | None) -> dt.tzinfo:
    """The zone Jekyll runs in: the site's ``timezone``, else the machine's local zone."""
    if timezone:
        try:
            return ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            # Ruby with an unknown TZ name falls back to UTC
            return dt.UTC
    tz_env = os.environ.get("TZ")
    if tz_env:
        try:
            return ZoneInfo(tz_env.lstrip(":"))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    local = dt.datetime.now().astimezone().tzinfo
    return local if local is not None else dt.UTC


def ruby_to_s(value: object) -> str:
    """What ``value.to_s`` gives in Ruby for the scalars YAML produces (Jekyll parses a
    ``date:`` via its ``to_s``). Psych reads a timestamp without a zone as UTC, and a
    Ruby Time's ``to_s`` has no fraction of a second."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        offset = value.utcoffset() or dt.timedelta(0)
        # Ruby pads the year to four digits (0001), C's strftime may not
        stamp = f"{value.year:04d}-" + value.strftime("%m-%d %H:%M:%S")
        if value.tzinfo is dt.UTC:
            return f"{stamp} UTC"
        total = int(offset.total_seconds())
        sign = "-" if total < 0 else "+"
        hours, rest = divmod(abs(total), 3600)
        return f"{stamp} {sign}{hours:02d}{rest // 60:02d}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def _time_parse(text: str, now: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """:func:`ruby_time_parse`, once per text, time and zone: a post's date is read more
    than once, and many posts share the day of their file name. Fixed-offset zones are
    equal when their offsets are: the zone's name keeps them apart in the key."""
    return _cached_parse(text, now, zone, zone.tzname(None))


@functools.lru_cache(maxsize=4096)
def _cached_parse(text: str, now: dt.datetime, zone: dt.tzinfo, _name: str | None) -> dt.datetime:
    return ruby_time_parse(text, now, zone)


def post_date(
    front_matter_date: object,
    filename_date: str,
    timezone: str | None,
    *,
    now: dt.datetime | None = None,
) -> tuple[dt.datetime, list[str]]:
    """A post's date as Jekyll computes it: the front matter ``date:`` when present
    (any value, read through Ruby's ``to_s`` and ``Time.parse``), else the file name's
    date; both in the site's zone. Returns the date and notes about odd values; raises
    :class:`RubyTimeError` when Jekyll would stop with "Invalid date"."""
    zone = site_zone(timezone)
    now = now or dt.datetime.now(dt.UTC)
    notes: list[str] = []
    if front_matter_date is not None and front_matter_date != "":
        text = ruby_to_s(front_matter_date)
        parsed = _time_parse(text, now, zone)
        if isinstance(front_matter_date, dt.datetime) and front_matter_date.tzinfo is None:
            local = parsed.astimezone(zone)
            if local.utcoffset():  # (in a UTC site it is the time meant)
                written = front_matter_date.isoformat(" ")
                notes.append(
                    f"date {written} has no zone, so Jekyll reads it as UTC ({ZONELESS}), "
                    f"{local:%Y-%m-%d %H:%M} in the site's zone"
                )
        elif isinstance(front_matter_date, str):
            if not re.search(r"\d{4}|'\d\d", front_matter_date):
                notes.append(
                    f"date {front_matter_date!r} has no four-digit year; "
                    f"Jekyll reads it as {parsed.isoformat()}"
                )
            if front_matter_date.strip() and dropped_parts(front_matter_date):
                notes.append(
                    f"date {front_matter_date!r}: part of it is ignored; "
                    f"read as {parsed.isoformat()}"
                )
        if filename_date:
            try:
                from_name = _time_parse(filename_date, now, zone)
            except RubyTimeError:
                from_name = None
            if from_name is not None and from_name.date() != parsed.date():
                notes.append(
                    f"the front matter date {parsed.date().isoformat()} differs from the "
                    f"file name's {from_name.date().isoformat()}; Jekyll uses the front matter"
                )
        return parsed, notes
    if front_matter_date == "":
        raise RubyTimeError(f"no time information in {front_matter_date!r}")
    return _time_parse(filename_date, now, zone), notes
