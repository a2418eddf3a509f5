"""When a post was published and last updated: the publication date (``pub-date:``/
``pub-year:``, for posts written long before the site put them up) and ``updated:``/
``last_modified_at:``, each doubt reported. The site date (file name or ``date:``) is
:mod:`.site_post`'s."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from feedwright.config import Config, PublicationDate
from feedwright.scan.dates import (
    YEAR_RANGE_HINT,
    DateParseError,
    midnight,
    offset_text,
    parse_pub_date,
    parse_site_date,
    utc_for_mean_time,
    year_in_range,
)
from feedwright.scan.report import PostError, Report
from feedwright.types import Severity


def resolve_publication_date(
    meta: dict[str, object],
    lines: dict[str, int],
    site: dt.datetime,
    config: Config,
    report: Report,
) -> dt.datetime:
    """The date the feeds show: the site date, unless ``publication_date: pub`` and
    the post has ``pub-date:`` or ``pub-year:``. Raises :class:`PostError` for a year
    feed readers cannot show; an offset with seconds (local mean time, before the zone
    kept standard time) is read as UTC (wall time kept), with a warning."""
    if not year_in_range(site.year):
        raise PostError(
            "date-range",
            f"date {site.date()}: the year {site.year}: {YEAR_RANGE_HINT}",
            lines.get("date"),
            "write date: with a four-digit year from 1900 on",
        )
    published = _publication_date(meta, lines, site, config, report)
    pub_line = lines.get("pub-date", lines.get("pub-year"))
    if not year_in_range(published.year):
        raise PostError(
            "date-range",
            f"pub-date/pub-year {published.date()}: the year {published.year}: {YEAR_RANGE_HINT}",
            pub_line,
            "write pub-year: with a four-digit year from 1900 on",
        )
    key = "date" if published is site else "pub-date"
    return _minute_offset(published, key, lines.get("date") if key == "date" else pub_line, report)


def _minute_offset(value: dt.datetime, key: str, line: int | None, report: Report) -> dt.datetime:
    """``value`` with a whole-minute offset; a warning on ``key``'s line when it was not."""
    fixed = utc_for_mean_time(value)
    if fixed is not value:
        report.add(
            Severity.WARNING,
            "date-offset",
            f"{key}: {value.isoformat()} has the UTC offset {offset_text(value)} "
            f"({value.tzname()}, the local mean time before the zone kept standard time), "
            f"which feed readers reject; the feeds read it as {fixed.isoformat()}",
            line,
            "the date is kept; only the time of day moves by the mean-time offset",
        )
    return fixed


def _publication_date(
    meta: dict[str, object],
    lines: dict[str, int],
    site: dt.datetime,
    config: Config,
    report: Report,
) -> dt.datetime:
    if config.publication_date is PublicationDate.SITE:
        return site
    raw_year, raw_date = meta.get("pub-year"), meta.get("pub-date")
    if raw_year is None and raw_date is None:
        return site
    year = site.year
    if raw_year is not None:
        try:
            year = int(str(raw_year).strip())
            if not year_in_range(year):
                raise PostError(
                    "date-range",
                    f"pub-year {raw_year!r}: {YEAR_RANGE_HINT}",
                    lines.get("pub-year"),
                    "write pub-year: with a four-digit year from 1900 on",
                )
        except ValueError:
            report.add(
                Severity.WARNING,
                "pub-year",
                f"pub-year {raw_year!r} is not a year; using {site.year} from the site date",
                lines.get("pub-year"),
                "write pub-year: 2024",
            )
            year = site.year
    if raw_date is None:
        return (
            site
            if year == site.year
            else midnight(_safe_date(year, site.month, site.day), config.site.zone)
        )
    try:
        parsed = parse_pub_date(raw_date)
    except DateParseError as exc:
        report.add(
            Severity.WARNING,
            "pub-date",
            f"{exc}; using the site date {site.date()}",
            lines.get("pub-date"),
            "write pub-date: June 28",
        )
        return site
    if parsed.year is not None and raw_year is None:
        year = parsed.year
    day = parsed.day
    if day is None:
        same_month = parsed.month == site.month and year == site.year
        day = site.day if same_month else 1
        report.add(
            Severity.WARNING,
            "pub-date-month-only",
            f"pub-date {raw_date!r} has no day; using {year}-{parsed.month:02d}-{day:02d}",
            lines.get("pub-date"),
            f"write the day too, e.g. pub-date: {raw_date} {day}",
        )
        if not same_month:
            _mismatch(site, year, parsed.month, day, lines, report)
    elif (year, parsed.month, day) != (site.year, site.month, site.day):
        _mismatch(site, year, parsed.month, day, lines, report)
    try:
        pub_day = dt.date(year, parsed.month, day)
    except ValueError:
        report.add(
            Severity.WARNING,
            "pub-date",
            f"pub-date {raw_date!r} in {year} is not a real date; using the site date",
            lines.get("pub-date"),
            "fix the day",
        )
        return site
    return site if pub_day == site.date() else midnight(pub_day, config.site.zone)


def _mismatch(
    site: dt.datetime,
    year: int,
    month: int,
    day: int,
    lines: dict[str, int],
    report: Report,
) -> None:
    report.add(
        Severity.WARNING,
        "date-mismatch",
        f"pub-date/pub-year say {year}-{month:02d}-{day:02d} but the site date (used in the "
        f"URL) is {site.date()}; the feeds use the pub date",
        lines.get("pub-date", lines.get("pub-year")),
        "make pub-date/pub-year and the file name agree, or set publication_date: site",
    )


def resolve_updated(
    meta: dict[str, object],
    lines: dict[str, int],
    published: dt.datetime,
    zone: ZoneInfo,
    report: Report,
) -> dt.datetime:
    """``updated:`` (else ``last_modified_at:``) when it is a date no earlier than the
    publication; else the publication date."""
    for key in ("updated", "last_modified_at"):
        if meta.get(key) is None:
            continue
        try:
            value = parse_site_date(meta[key], zone)
        except DateParseError as exc:
            report.add(Severity.WARNING, "updated", f"{key}: {exc}; ignored", lines.get(key))
            continue
        if value < published:
            report.add(
                Severity.WARNING,
                "updated",
                f"{key}: {value.isoformat()} is before the publication date "
                f"{published.isoformat()}; ignored",
                lines.get(key),
                f"remove {key} or set it to the date of the last real change",
            )
            continue
        return _minute_offset(value, key, lines.get(key), report)
    return published


def _safe_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return dt.date(year, month, 28)
