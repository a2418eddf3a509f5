"""Date parsing: Jekyll's site dates and the blog's displayed ``pub-date``/``pub-year``."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

from feedwright.errors import FeedwrightError

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("january", "jan"),
        ("february", "feb"),
        ("march", "mar"),
        ("april", "apr"),
        ("may",),
        ("june", "jun"),
        ("july", "jul"),
        ("august", "aug"),
        ("september", "sep", "sept"),
        ("october", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ),
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _number

_MONTH = r"(?P<{g}>[A-Za-z]+)\.?"
_DAY = r"(?P<{g}>\d{{1,2}})(?:st|nd|rd|th)?"
_PUB_DATE = re.compile(
    r"^\s*(?:"
    + _MONTH.format(g="m1")
    + r"\s*,?\s*"
    + _DAY.format(g="d1")
    + r"|"
    + _DAY.format(g="d2")
    + r"\s+"
    + _MONTH.format(g="m2")
    + r"|"
    + _MONTH.format(g="m3")
    + r")\s*(?:,?\s*(?P<year>\d{4}))?\s*$"
)

# Jekyll (Ruby Time.parse) accepts these; PyYAML leaves the first shapes as strings.
_SITE_DATE = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ T\t]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?"
    r"\s*(?P<tz>Z|UTC|[+-]\d{2}:?\d{2})?$"
)


YEAR_MIN, YEAR_MAX = 1900, 9999
YEAR_RANGE_HINT = (
    f"RSS and Atom readers cannot show this date; use a year between {YEAR_MIN} and {YEAR_MAX}"
)


class DateParseError(FeedwrightError, ValueError):
    """A date value that cannot be understood."""


def year_in_range(year: int) -> bool:
    """Whether feed readers can show a date in ``year``: RSS dates (RFC 822) and the
    W3C validator stop at 1900 on one side; four-digit years at 9999 on the other."""
    return YEAR_MIN <= year <= YEAR_MAX


def utc_for_mean_time(value: dt.datetime) -> dt.datetime:
    """``value`` read as UTC, its wall time kept, when its UTC offset is not whole minutes.

    Before a zone adopted standard time, its offset is local mean time with seconds
    (Europe/Paris until 1911: +00:09:21), which RFC 3339, RFC 822 and JSON Feed readers
    reject. Rounding it (+00:09) would still fail the W3C validator's RFC 822 rule (offsets
    in whole half hours), so the time is read as UTC: the date stays the one the post was
    written with. A whole-minute offset leaves ``value`` (and its zone) as it is."""
    offset = value.utcoffset()
    if offset is None or (offset.seconds % 60 == 0 and not offset.microseconds):
        return value
    return value.replace(tzinfo=dt.UTC)


def offset_text(value: dt.datetime) -> str:
    """The UTC offset of ``value`` as written, e.g. ``+00:09:21``."""
    offset = value.utcoffset() or dt.timedelta(0)
    sign = "-" if offset < dt.timedelta(0) else "+"
    total = int(abs(offset.total_seconds()))
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


def midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=zone)


def normalize(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """Aware, in the site zone, without microseconds (they would leak into Atom dates)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    try:
        return value.astimezone(zone).replace(microsecond=0)
    except OverflowError:  # 9999-12-31 23:00 -05:00 is in the year 10000 in UTC
        raise DateParseError(f"{value.isoformat()}: {YEAR_RANGE_HINT}") from None
    except ValueError as exc:  # a UTC offset of a day or more
        raise DateParseError(f"{value!r}: {exc}") from None


def parse_site_date(value: object, zone: ZoneInfo) -> dt.datetime:
    """Parse a ``date:`` (or ``updated:``) value in any form Jekyll accepts."""
    if isinstance(value, dt.datetime):
        return normalize(value, zone)
    if isinstance(value, dt.date):
        return midnight(value, zone)
    if not isinstance(value, str) or not value.strip():
        raise DateParseError(
            f"expected a date such as 2024-06-28 or 2024-06-28 10:30:00 +0200, got {value!r}"
        )
    text = value.strip()
    m = _SITE_DATE.match(text)
    if m:
        try:
            naive = dt.datetime(
                int(m["y"]),
                int(m["mo"]),
                int(m["d"]),
                int(m["h"] or 0),
                int(m["mi"] or 0),
                int(m["s"] or 0),
            )
        except ValueError as exc:
            raise DateParseError(f"{text!r} is not a real date: {exc}") from None
        tz = m["tz"]
        if tz is None:
            return normalize(naive, zone)
        if tz in ("Z", "UTC"):
            return normalize(naive.replace(tzinfo=dt.UTC), zone)
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if offset >= dt.timedelta(hours=24):
            raise DateParseError(f"{text!r}: the UTC offset {tz} is a day or more")
        return normalize(naive.replace(tzinfo=dt.timezone(sign * offset)), zone)
    try:
        parsed = dateutil_parser.parse(text)
    except (ValueError, OverflowError):
        raise DateParseError(
            f"cannot parse date {text!r}; write it as 2024-06-28, 2024-06-28 10:30:00 +0200 "
            "or 2024-06-28T10:30:00-04:00"
        ) from None
    return normalize(parsed, zone)


class PubDate:
    """A parsed ``pub-date``: month, and day when the value has one."""

    __slots__ = ("day", "month", "year")

    def __init__(self, month: int, day: int | None, year: int | None) -> None:
        self.month = month
        self.day = day
        self.year = year


def parse_pub_date(value: object) -> PubDate:
    """Parse the shapes blogs write: ``June 28``, ``Jun 28``, ``Sept 11``, ``July, 18``,
    ``8 Jul``, ``September`` (month only), optionally followed by a year."""
    if isinstance(value, dt.date):
        return PubDate(value.month, value.day, value.year)
    if not isinstance(value, str):
        raise DateParseError(f"expected text such as 'June 28', got {value!r}")
    m = _PUB_DATE.match(value)
    if not m:
        raise DateParseError(f"cannot read pub-date {value!r}; write it as 'June 28' or 'Jun 28'")
    month_name = (m["m1"] or m["m2"] or m["m3"]).lower()
    month = MONTHS.get(month_name)
    if month is None:
        raise DateParseError(f"unknown month {month_name!r} in pub-date {value!r}")
    day_text = m["d1"] or m["d2"]
    year = int(m["year"]) if m["year"] else None
    return PubDate(month, int(day_text) if day_text else None, year)
