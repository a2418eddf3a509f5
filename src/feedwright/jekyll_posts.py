"""A Jekyll site's posts, found, dated and addressed exactly as Jekyll 4.3 does it.

``find_posts`` walks the site the way Jekyll's ``Reader``/``PostReader``/``EntryFilter``
do; ``post_date`` parses dates the way Jekyll's ``Utils.parse_date`` (Ruby's ``Time.parse``,
then the site's time zone) does; ``published`` applies the ``future``/``unpublished``/drafts
rules; ``post_url`` and ``post_destination`` build the URL and output file of a post.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from feedwright.errors import FeedwrightError
from feedwright.jekyll_site import DefaultsSet, JekyllSite, deep_merge, style_to_permalink

# Document::DATE_FILENAME_MATCHER and DATELESS_FILENAME_MATCHER.
DATE_FILENAME = re.compile(r"^(?>.+/)*?(\d{2,4}-\d{1,2}-\d{1,2})-([^/]*)(\.[^.]+)$")
DATELESS_FILENAME = re.compile(r"^(?:.+/)*(.*)(\.[^.]+)$")
# Document::YAML_FRONT_MATTER_REGEXP (Ruby's ``m`` flag is Python's DOTALL; ``^``/``$``
# always match at line ends in Ruby).
FRONT_MATTER = re.compile(r"\A(---\s*\n.*?\n?)^((---|\.\.\.)\s*$\n?)", re.S | re.M)


class JekyllPostError(FeedwrightError):
    """A post that stops ``jekyll build`` (an invalid date, or bad front matter under
    ``strict_front_matter``)."""

    exit_code = 1

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


class RubyTimeError(ValueError):
    """Ruby's ``Time.parse`` raises ArgumentError for this text."""


# --------------------------------------------------------------------------------------
# Ruby's Date._parse and Time.parse (date_parse.c and time.rb), for the shapes Jekyll
# sites write. Each sub-parser replaces what it matched with a space, as Ruby's does.

_ABBR_DAYS = "sun|mon|tue|wed|thu|fri|sat"
_ABBR_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_ERA = r"(c(?:e|\.e\.)|b(?:ce|\.c\.e\.)|a(?:d|\.d\.)|b(?:c|\.c\.))?"
_I = re.I

_P_DAY = re.compile(rf"\b({_ABBR_DAYS})[^-/\d\s]*", _I)
_P_TIME = re.compile(
    r"("
    r"(?:\d+\s*:\s*\d+(?:\s*:\s*\d+(?:[,.]\d*)?)?|\d+\s*h(?:\s*\d+m?(?:\s*\d+s?)?)?)"
    r"(?:\s*[ap](?:m\b|\.m\.))?"
    r"|\d+\s*[ap](?:m\b|\.m\.)"
    r")"
    r"(?:\s*("
    r"(?:gmt|utc?)?[-+]\d+(?:[,.:]\d+(?::\d+)?)?"
    r"|[A-Za-z.\s]+(?:standard|daylight)\stime\b"
    r"|[A-Za-z]+(?:\sdst)?\b"
    r"))?",
    _I,
)
_P_TIME2 = re.compile(
    r"\A(\d+)h?(?:\s*:?\s*(\d+)m?(?:\s*:?\s*(\d+)(?:[,.](\d+))?s?)?)?(?:\s*([ap])(?:m\b|\.m\.))?",
    _I,
)
_P_EU = re.compile(
    rf"('?\d+)[^-\d\s]*\s*({_ABBR_MONTHS})[^-\d\s']*"
    rf"(?:\s*{_ERA}\s*('?-?\d+(?:(?:st|nd|rd|th)\b)?))?",
    _I,
)
_P_US = re.compile(
    rf"\b({_ABBR_MONTHS})[^-\d\s']*\s*('?\d+)[^-\d\s']*(?:\s*,?\s*{_ERA}\s*('?-?\d+))?",
    _I,
)
_P_ISO = re.compile(r"('?[-+]?\d+)-(\d+)-('?-?\d+)")
_P_JIS = re.compile(r"\b([mtshr])(\d+)\.(\d+)\.(\d+)", _I)
_P_VMS11 = re.compile(rf"('?-?\d+)-({_ABBR_MONTHS})[^-/.]*-('?-?\d+)", _I)
_P_VMS12 = re.compile(rf"\b({_ABBR_MONTHS})[^-/.]*-('?-?\d+)(?:-('?-?\d+))?", _I)
_P_SLA = re.compile(r"('?-?\d+)/\s*('?\d+)(?:\D\s*('?-?\d+))?")
_P_DOT = re.compile(r"('?-?\d+)\.\s*('?\d+)\.\s*('?-?\d+)")
_P_ISO21 = re.compile(r"\b(\d{2}|\d{4})?-?w(\d{2})(?:-?(\d))?\b", _I)
_P_ISO22 = re.compile(r"-w-(\d)\b", _I)
_P_ISO23 = re.compile(r"--(\d{2})?-(\d{2})\b")
_P_ISO24 = re.compile(r"--(\d{2})(\d{2})?\b")
_P_ISO25_NOT = re.compile(r"[,.](\d{2}|\d{4})-\d{3}\b")
_P_ISO25 = re.compile(r"\b(\d{2}|\d{4})-(\d{3})\b")
_P_ISO26_NOT = re.compile(r"\d-\d{3}\b")
_P_ISO26 = re.compile(r"\b-(\d{3})\b")
_P_YEAR = re.compile(r"'(\d+)\b")
_P_MON = re.compile(rf"\b({_ABBR_MONTHS})\S*", _I)
_P_MDAY = re.compile(r"(\d+)(st|nd|rd|th)\b", _I)
_P_DDD = re.compile(
    r"([-+]?)(\d{2,14})(?:\s*t?\s*(\d{2,6})?(?:[,.](\d*))?)?"
    r"(?:\s*(z\b|[-+]\d{1,4}\b|\[[-+]?\d[^\]]*\]))?",
    _I,
)
_P_BC = re.compile(r"\b(bc\b|bce\b|b\.c\.|b\.c\.e\.)", _I)
_P_FRAG = re.compile(r"\A\s*(\d{1,2})\s*\Z")
_P_CLEAN = re.compile(r"[^-+',./:@A-Za-z0-9\[\]\u0080-\U0010ffff]+")

_ERAS = {"m": 1867, "t": 1911, "s": 1925, "h": 1988, "r": 2018}


def _mon_num(text: str) -> int:
    return _ABBR_MONTHS.split("|").index(text[:3].lower()) + 1


class _Scan:
    def __init__(self, text: str) -> None:
        self.text = text
        self.h: dict[str, Any] = {"_comp": True}

    def sub(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        m = pattern.search(self.text)
        if m:
            self.text = self.text[: m.start()] + " " + self.text[m.end() :]
        return m

    def s3e(self, y: str | None, m: str | None, d: str | None, bc: bool = False) -> None:
        """``s3e``: decide which of three numbers is the year, month and day."""
        if y is not None and m is not None and d is None:
            y, m, d = d, y, m
        if y is None:
            if d is not None and len(d) > 2:
                y, d = d, None
            if d is not None and d.startswith("'"):
                y, d = d, None
        if y is not None:
            s = y.lstrip("'")
            mm = re.match(r"([-+]?\d*)(.*)", s, re.S)
            if mm and mm.group(2):
                y, d = d, mm.group(1)
        if m is not None and (m.startswith("'") or len(m) > 2):
            y, m, d = m, d, y
        if d is not None and (d.startswith("'") or len(d) > 2):
            y, d = d, y
        if y is not None:
            mm = re.search(r"([-+]?)(\d*)", y.lstrip("'") if y else "")
            if mm and (mm.group(1) or mm.group(2)):
                if mm.group(1) or len(mm.group(2)) > 2:
                    self.h["_comp"] = False
                self.h["year"] = int(mm.group(1) + (mm.group(2) or "0"))
        if bc:
            self.h["_bc"] = True
        if m is not None:
            mm = re.search(r"\d+", m)
            if mm:
                self.h["mon"] = int(mm.group())
        if d is not None:
            mm = re.search(r"\d+", d)
            if mm:
                self.h["mday"] = int(mm.group())


def _bc(text: str | None) -> bool:
    return bool(text) and text[0] in "bB"  # type: ignore[index]


def _date_parse(text: str) -> dict[str, Any]:
    """Ruby's ``Date._parse(text, true)`` for the sub-parsers that matter to dates."""
    sc = _Scan(_P_CLEAN.sub(" ", text))
    h = sc.h
    if m := sc.sub(_P_DAY):
        h["wday"] = _ABBR_DAYS.split("|").index(m.group(1)[:3].lower())
    if m := sc.sub(_P_TIME):
        if m.group(2):
            h["zone"] = m.group(2)
        t = _P_TIME2.match(m.group(1))
        if t:
            hour = int(t.group(1))
            if t.group(5):
                hour = hour % 12 + (12 if t.group(5) in "pP" else 0)
            h["hour"] = hour
            if t.group(2) is not None:
                h["min"] = int(t.group(2))
            if t.group(3) is not None:
                h["sec"] = int(t.group(3))
            if t.group(4) is not None:
                h["sec_fraction"] = Fraction(int(t.group(4)), 10 ** len(t.group(4)))
    _date_part(sc)
    if _P_BC.search(sc.text):
        sc.sub(_P_BC)
        h["_bc"] = True
    frag = _P_FRAG.search(sc.text)
    if frag:
        n = int(frag.group(1))
        if "hour" in h and "mday" not in h and 1 <= n <= 31:
            h["mday"] = n
        if "mday" in h and "hour" not in h and 0 <= n <= 24:
            h["hour"] = n
    if h.pop("_bc", False) and "year" in h:
        h["year"] = -h["year"] + 1
    if h.pop("_comp") and "year" in h and 0 <= h["year"] <= 99:
        h["year"] += 1900 if h["year"] >= 69 else 2000
    return h


def _date_part(sc: _Scan) -> None:
    h = sc.h
    if m := sc.sub(_P_EU):
        sc.s3e(m.group(4), str(_mon_num(m.group(2))), m.group(1), _bc(m.group(3)))
        return
    if m := sc.sub(_P_US):
        sc.s3e(m.group(4), str(_mon_num(m.group(1))), m.group(2), _bc(m.group(3)))
        return
    if m := sc.sub(_P_ISO):
        sc.s3e(m.group(1), m.group(2), m.group(3))
        return
    if m := sc.sub(_P_JIS):
        h["year"] = int(m.group(2)) + _ERAS[m.group(1).lower()]
        h["mon"] = int(m.group(3))
        h["mday"] = int(m.group(4))
        return
    if m := sc.sub(_P_VMS11):
        sc.s3e(m.group(3), str(_mon_num(m.group(2))), m.group(1))
        return
    if m := sc.sub(_P_VMS12):
        sc.s3e(m.group(3), str(_mon_num(m.group(1))), m.group(2))
        return
    if m := sc.sub(_P_SLA):
        sc.s3e(m.group(1), m.group(2), m.group(3))
        return
    if m := sc.sub(_P_DOT):
        sc.s3e(m.group(1), m.group(2), m.group(3))
        return
    if m := sc.sub(_P_ISO21):
        h["cweek"] = int(m.group(2))  # week dates give Time.parse nothing to use
        return
    if m := sc.sub(_P_ISO22):
        h["cwday"] = int(m.group(1))
        return
    if m := sc.sub(_P_ISO23):
        if m.group(1):
            h["mon"] = int(m.group(1))
        h["mday"] = int(m.group(2))
        return
    if m := sc.sub(_P_ISO24):
        h["mon"] = int(m.group(1))
        if m.group(2):
            h["mday"] = int(m.group(2))
        return
    if not _P_ISO25_NOT.search(sc.text) and (m := sc.sub(_P_ISO25)):
        h["year"] = int(m.group(1))
        h["yday"] = int(m.group(2))
        if len(m.group(1)) > 2:
            h["_comp"] = False
        return
    if not _P_ISO26_NOT.search(sc.text) and (m := sc.sub(_P_ISO26)):
        h["yday"] = int(m.group(1))
        return
    if m := sc.sub(_P_YEAR):
        h["year"] = int(m.group(1))
        return
    if m := sc.sub(_P_MON):
        h["mon"] = _mon_num(m.group(1))
        return
    if m := sc.sub(_P_MDAY):
        h["mday"] = int(m.group(1))
        return
    if m := sc.sub(_P_DDD):
        _ddd(sc, m)


def _ddd(sc: _Scan, m: re.Match[str]) -> None:
    h = sc.h
    sign, digits, tdigits, frac, zone = m.groups()
    n = len(digits)
    cut = [digits[i : i + 2] for i in range(0, n, 2)]
    if n == 2:
        h["mday"] = int(digits)
    elif n == 4:
        h["mon"], h["mday"] = int(cut[0]), int(cut[1])
    elif n == 6:
        h["year"], h["mon"], h["mday"] = int(sign + cut[0]), int(cut[1]), int(cut[2])
    elif n == 8 or n in (10, 12, 14):
        h["year"] = int(sign + digits[:4])
        h["mon"], h["mday"] = int(digits[4:6]), int(digits[6:8])
        h["_comp"] = False
        rest = digits[8:]
        for key, i in (("hour", 0), ("min", 2), ("sec", 4)):
            if len(rest) >= i + 2:
                h[key] = int(rest[i : i + 2])
    elif n == 3:
        h["yday"] = int(digits)
    elif n == 5:
        h["year"], h["yday"] = int(sign + digits[:2]), int(digits[2:])
    elif n == 7:
        h["year"], h["yday"] = int(sign + digits[:4]), int(digits[4:])
        h["_comp"] = False
    if tdigits:
        for key, i in (("hour", 0), ("min", 2), ("sec", 4)):
            if len(tdigits) >= i + 2:
                h[key] = int(tdigits[i : i + 2])
        if frac:
            h["sec_fraction"] = Fraction(int(frac), 10 ** len(frac))
    if zone:
        h["zone"] = zone.strip("[]")


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
        raise RubyTimeError("year out of the range this parser supports")
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
    d = _date_parse(text)
    year, yday, mon, day = d.get("year"), d.get("yday"), d.get("mon"), d.get("mday")
    hour, minute, sec, frac = d.get("hour"), d.get("min"), d.get("sec"), d.get("sec_fraction")
    if all(v is None for v in (year, yday, mon, day, hour, minute, sec, frac)):
        raise RubyTimeError(f"no time information in {text!r}")
    now = now.astimezone(zone)
    off: int | None = None
    if d.get("zone"):
        off = _zone_offset(str(d["zone"]), year if year is not None else now.year, zone)
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


# --------------------------------------------------------------------------------------
# Dates


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
        if value.tzinfo is dt.UTC:
            return value.strftime("%Y-%m-%d %H:%M:%S UTC")
        total = int(offset.total_seconds())
        sign = "-" if total < 0 else "+"
        hours, rest = divmod(abs(total), 3600)
        return value.strftime("%Y-%m-%d %H:%M:%S ") + f"{sign}{hours:02d}{rest // 60:02d}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


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
        parsed = ruby_time_parse(text, now, zone)
        if isinstance(front_matter_date, dt.datetime) and front_matter_date.tzinfo is None:
            notes.append(f"date {text!r}: a YAML timestamp without a zone is read as UTC by Jekyll")
        elif isinstance(front_matter_date, str):
            if not re.search(r"\d{4}|'\d\d", front_matter_date):
                notes.append(
                    f"date {front_matter_date!r} has no four-digit year; "
                    f"Jekyll reads it as {parsed.isoformat()}"
                )
            if front_matter_date.strip() and _dropped_parts(front_matter_date):
                notes.append(
                    f"date {front_matter_date!r}: part of it is ignored; "
                    f"read as {parsed.isoformat()}"
                )
        if filename_date:
            try:
                from_name = ruby_time_parse(filename_date, now, zone)
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
    return ruby_time_parse(filename_date, now, zone), notes


def _dropped_parts(text: str) -> bool:
    """Whether Ruby's parser leaves digits of ``text`` unused (say a second year)."""
    sc = _Scan(_P_CLEAN.sub(" ", text))
    sc.sub(_P_DAY)
    sc.sub(_P_TIME)
    _date_part(sc)
    return bool(re.search(r"\d", sc.text))


# --------------------------------------------------------------------------------------
# Finding posts


@dataclass(frozen=True)
class PostFile:
    """One file Jekyll reads as a post (or a draft), with what Jekyll derives from it."""

    path: Path
    relative_path: str
    """Relative to the site source (Jekyll's ``relative_path``)."""
    draft: bool
    front_matter: Mapping[str, Any]
    """The post's data: front matter defaults merged under the file's own front matter."""
    has_front_matter: bool
    content: str
    date: dt.datetime
    slug: str
    title: str
    ext: str
    output_ext: str
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    url: str
    destination: str
    """The written file, relative to the destination folder."""
    notes: tuple[str, ...] = ()
    front_matter_error: str | None = None
    markdown: bool = False


@dataclass
class _Walk:
    site: JekyllSite
    source: str = ""
    found: list[tuple[str, str, bool]] = field(default_factory=list)


def _glob_include(site: JekyllSite, patterns: Sequence[str], entry: str) -> bool:
    """``EntryFilter#glob_include?`` (``entry`` relative to the source)."""
    full = os.path.join(str(site.source), entry.lstrip("/"))
    is_dir = os.path.isdir(full)
    for pattern in patterns:
        pat = os.path.join(str(site.source), pattern.lstrip("/"))
        if pattern.startswith("/"):
            pat = str(site.source) + pattern
        if fnmatch.fnmatchcase(full, pat) or full.startswith(pat):
            return True
        if is_dir and pat == full + "/":
            return True
    return False


def _filter(site: JekyllSite, entries: Sequence[str], base: str) -> list[str]:
    """``EntryFilter#filter`` for entries relative to ``base`` (a folder relative to the
    source, '' for the source itself)."""
    exclude = [p for p in site.exclude if p not in site.include]
    kept: list[str] = []
    for e in entries:
        if e.endswith("."):
            continue
        name = e.rsplit("/", 1)[-1]
        included = _glob_include(site, site.include, e) or _glob_include(site, site.include, name)
        rel = f"{base}/{e}" if base else e
        if _glob_include(site, exclude, rel) and not included:
            continue
        if site.safe and _symlink_outside(site, os.path.join(str(site.source), rel)):
            continue
        if included:
            kept.append(e)
            continue
        if e[:1] in "._#~" or name[:1] in "._#~" or e.endswith("~"):
            continue
        kept.append(e)
    return kept


def _symlink_outside(site: JekyllSite, path: str) -> bool:
    if not os.path.islink(path):
        return False
    return not os.path.realpath(path).startswith(str(site.source))


def _glob_all(base: str) -> list[str]:
    """Ruby's ``Dir["**/*"]``: no dot-files, symlinked folders listed but not entered."""
    out: list[str] = []

    def walk(folder: str, prefix: str) -> None:
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return
        for name in names:
            if name.startswith("."):
                continue
            rel = prefix + name
            out.append(rel)
            full = os.path.join(folder, name)
            if os.path.isdir(full) and not os.path.islink(full):
                walk(full, rel + "/")

    walk(base, "")
    return out


def _post_entries(site: JekyllSite, folder: str, magic: str) -> list[str]:
    """``Reader#get_entries``: files under ``folder/magic``, relative to it."""
    base_rel = f"{folder}/{magic}" if folder else magic
    base = os.path.join(str(site.source), base_rel)
    if not os.path.exists(base):
        return []
    entries = _filter(site, _glob_all(base), base_rel)
    return [e for e in entries if not os.path.isdir(os.path.join(base, e))]


def _walk_dirs(site: JekyllSite, folder: str, drafts: bool, out: list[tuple[str, bool]]) -> None:
    """``Reader#read_directories``: every folder Jekyll visits, posts first."""
    base = os.path.join(str(site.source), folder) if folder else str(site.source)
    if not os.path.isdir(base):
        return
    coll = site.collections_dir
    if not coll or folder.startswith(coll):
        for entry in _post_entries(site, folder, "_posts"):
            if DATE_FILENAME.match(entry):
                out.append((f"{folder}/_posts/{entry}" if folder else f"_posts/{entry}", False))
        if drafts:
            for entry in _post_entries(site, folder, "_drafts"):
                if DATELESS_FILENAME.match(entry):
                    rel = f"{folder}/_drafts/{entry}" if folder else f"_drafts/{entry}"
                    out.append((rel, True))
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return
    dest = str(site.destination)
    for name in _filter(site, names, folder):
        full = os.path.join(base, name)
        if os.path.isdir(full) and full != dest:
            _walk_dirs(site, f"{folder}/{name}" if folder else name, drafts, out)


def find_posts(site: JekyllSite, *, drafts: bool, now: dt.datetime | None = None) -> list[PostFile]:
    """Every file Jekyll reads as a post (and as a draft when ``drafts``), before the
    ``published``/``future`` rules, sorted as Jekyll sorts them (by date, then path).
    ``now`` stands for Jekyll's ``site.time`` (a post whose front matter cannot be read
    is dated then)."""
    now = now or dt.datetime.now(dt.UTC)
    found: list[tuple[str, bool]] = []
    _walk_dirs(site, "", drafts, found)
    posts: list[PostFile] = []
    for rel, is_draft in found:
        post = read_post(site, rel, draft=is_draft, now=now)
        if post is not None:
            posts.append(post)
    posts.sort(key=lambda p: (p.date, str(p.path)))
    return posts


def _ruby_truthy(value: object) -> bool:
    return value is not None and value is not False


def _merge_categories(data: dict[str, Any], other: dict[str, Any]) -> None:
    """``Document#merge_categories!``: a string splits on spaces; path categories stay
    first."""
    value = other.get("categories")
    if value is None:
        return
    if isinstance(value, str):
        value = value.split()
    if isinstance(data.get("categories"), list) and isinstance(value, list):
        value = list(dict.fromkeys([*data["categories"], *value]))
    other["categories"] = value


def _plural(data: Mapping[str, Any], singular: str, plural: str) -> list[Any]:
    """``Utils.pluralized_array_from_hash``."""
    value: Any = data.get(singular) if singular in data else None
    if value is None and plural in data:
        raw = data.get(plural)
        if isinstance(raw, str):
            value = raw.split()
        elif isinstance(raw, list):
            value = [v for v in raw if v is not None]
    out: list[Any] = []
    _flatten(value, out)
    return [v for v in out if v is not None]


def _flatten(value: Any, out: list[Any]) -> None:
    if isinstance(value, list):
        for item in value:
            _flatten(item, out)
    else:
        out.append(value)


def _scope_applies(site: JekyllSite, entry: DefaultsSet, rel: str, kind: str) -> bool:
    if entry.has_type and entry.type != kind:
        return False
    scope_path = entry.path
    if not isinstance(scope_path, str) or not scope_path:
        return True
    path = _sanitize_scope(rel)
    coll = site.collections_dir

    def strip_coll(p: str) -> str:
        return p[len(coll) + 1 :] if coll and p.startswith(coll + "/") else p

    if "*" in scope_path:
        for match in sorted(site.source.glob(scope_path)):
            rel_match = strip_coll(match.relative_to(site.source).as_posix())
            if path.startswith(rel_match):
                return True
        return False
    return path.startswith(strip_coll(scope_path))


def _sanitize_scope(path: str | None) -> str:
    if not path:
        return ""
    return path[1:] if path.startswith("/") else path


def _precedes(old: DefaultsSet | None, new: DefaultsSet) -> bool:
    """``FrontmatterDefaults#has_precedence?``."""
    if old is None:
        return True
    new_path, old_path = _sanitize_scope(new.path), _sanitize_scope(old.path)
    if len(new_path) != len(old_path):
        return len(new_path) >= len(old_path)
    if new.has_type:
        return True
    return not old.has_type


def front_matter_defaults(site: JekyllSite, rel: str, kind: str = "posts") -> dict[str, Any]:
    """``FrontmatterDefaults#all``: the values every matching ``defaults:`` scope gives,
    the more specific scopes winning."""
    out: dict[str, Any] = {}
    old: DefaultsSet | None = None
    for entry in site.defaults:
        if not _scope_applies(site, entry, rel, kind):
            continue
        if _precedes(old, entry):
            out = deep_merge(out, entry.values)
            old = entry
        else:
            out = deep_merge(entry.values, out)
    return out


def _categories_from_path(rel: str, special: str) -> list[str]:
    if rel.startswith(special):
        return []
    index = rel.find(special)
    head = rel[:index] if index >= 0 else rel
    base = rel.rsplit("/", 1)[-1]
    return [c for c in head.split("/") if c and c != special and c != base]


def titleize_slug(slug: str) -> str:
    """``Utils.titleize_slug`` (Ruby's ``split`` drops trailing empty fields)."""
    words = slug.split("-")
    while words and not words[-1]:
        words.pop()
    return " ".join(w[:1].upper() + w[1:].lower() for w in words)


def read_post(site: JekyllSite, rel: str, *, draft: bool, now: dt.datetime) -> PostFile | None:
    """Read one post file as ``Document#read`` does; None when Jekyll skips it (YAML
    files, content that is not UTF-8)."""
    path = site.source / rel
    ext = os.path.splitext(path.name)[1]
    if ext in (".yaml", ".yml"):
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    special = "_drafts" if draft else "_posts"
    coll_rel = f"{site.collections_dir}/{special}" if site.collections_dir else special
    data: dict[str, Any] = {}
    notes: list[str] = []
    date_source: object = None
    has_date = False

    def merge(other: dict[str, Any]) -> None:
        nonlocal date_source, has_date
        _merge_categories(data, other)
        data.update(deep_merge(data, other))
        if "date" in other:
            date_source = other["date"]
            has_date = True

    merge({"categories": _categories_from_path(rel, special)})
    merge(front_matter_defaults(site, rel))
    content = text
    fm_error: str | None = None
    has_fm = False
    m = FRONT_MATTER.match(text)
    if m:
        has_fm = True
        content = text[m.end() :]
        try:
            loaded = yaml.safe_load(m.group(1))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = None if mark is None else int(mark.line) + 1
            problem = getattr(exc, "problem", None) or str(exc)
            if site.config.get("strict_front_matter"):
                raise JekyllPostError(path, f"invalid front matter: {problem}", line) from None
            fm_error = f"line {line}: {problem}" if line else str(problem)
            loaded = None
        if loaded is not None and not isinstance(loaded, dict):
            fm_error = "the front matter is not a mapping of keys to values"
            loaded = None
        if isinstance(loaded, dict):
            merge({str(k): v for k, v in loaded.items()})
    zone = site_zone(site.timezone)
    filename_date = ""
    slug: str | None = None
    file_ext: str | None = None
    if fm_error is None:
        dm = DATE_FILENAME.match(rel)
        if dm:
            filename_date, slug, file_ext = dm.group(1), dm.group(2), dm.group(3)
        else:
            dl = DATELESS_FILENAME.match(rel)
            if dl:
                slug, file_ext = dl.group(1), dl.group(2)
        if slug is None:
            slug = os.path.splitext(path.name)[0]
        slug = slug.rstrip(".")
    try:
        if has_date:
            date, date_notes = post_date(date_source, filename_date, site.timezone, now=now)
            notes.extend(date_notes)
        elif filename_date:
            date, _ = post_date(None, filename_date, site.timezone, now=now)
        elif draft:
            date = dt.datetime.fromtimestamp(path.stat().st_mtime, zone)
        else:
            date = now.astimezone(zone)
    except RubyTimeError as exc:
        which = "front matter" if has_date else "file name"
        value = ruby_to_s(date_source) if has_date else filename_date
        raise JekyllPostError(path, f"invalid date {value!r} in the {which}: {exc}") from None
    if fm_error is not None:
        notes.append(f"front matter cannot be read ({fm_error}); Jekyll dates the post now")
        categories = [str(c) for c in data.get("categories") or []]
        tags: list[str] = []
        title = str(data.get("title") or "")
        data_slug = None
    else:
        cats = data.get("categories")
        first = cats if isinstance(cats, list) else ([] if cats is None else [cats])
        merged_cats = [*first, *_plural(data, "category", "categories")]
        flat: list[Any] = []
        _flatten([c if isinstance(c, list) else str(c) for c in merged_cats], flat)
        categories = list(dict.fromkeys(str(c) for c in flat))
        data["categories"] = categories
        tags = [str(t) for t in _plural(data, "tag", "tags")]
        data["tags"] = tags
        data_slug = data.get("slug")
        if not _ruby_truthy(data_slug):
            data_slug = slug
            data["slug"] = slug
        title_value = data.get("title")
        title = str(title_value) if _ruby_truthy(title_value) else titleize_slug(slug or "")
        data.setdefault("ext", file_ext)
    basename = os.path.splitext(path.name)[0]
    is_md = ext.lower() in site.markdown_ext
    converter_ext = ".html" if is_md else ext
    permalink = data.get("permalink")
    fm_permalink = permalink if isinstance(permalink, str) and permalink else None
    template = site.permalink
    url = post_url(
        template,
        date=date,
        slug=str(data_slug) if data_slug is not None else None,
        basename=basename,
        title=title,
        categories=tuple(categories),
        ext=ext,
        output_ext=output_ext(fm_permalink, converter_ext),
        front_matter_permalink=fm_permalink,
        relative_path=rel,
        collection_dir=coll_rel,
    )
    out_ext = output_ext(fm_permalink, converter_ext)
    return PostFile(
        path=path,
        relative_path=rel,
        draft=draft,
        front_matter=data,
        has_front_matter=has_fm,
        content=content,
        date=date,
        slug=str(data_slug if data_slug is not None else basename),
        title=title,
        ext=ext,
        output_ext=out_ext,
        categories=tuple(categories),
        tags=tuple(tags),
        url=url,
        destination=post_destination(url, out_ext),
        notes=tuple(notes),
        front_matter_error=fm_error,
        markdown=is_md,
    )


# --------------------------------------------------------------------------------------
# Publishing


def exclusion_reason(
    post: PostFile, site: JekyllSite, *, now: dt.datetime, drafts: bool = False
) -> str | None:
    """Why Jekyll leaves ``post`` out of the site, or None when it publishes it
    (``Publisher#publish?`` plus the drafts switch)."""
    if post.draft and not (drafts or site.show_drafts):
        return "a draft (drafts are only built with --drafts or show_drafts)"
    value = post.front_matter.get("published", True)
    if not _ruby_truthy(value) and not site.unpublished:
        return f"published: {ruby_to_s(value) or 'null'}"
    time_setting = site.config.get("time")
    site_time = now
    if time_setting is not None:
        site_time = ruby_time_parse(ruby_to_s(time_setting), now, site_zone(site.timezone))
    if not site.future and int(post.date.timestamp()) > int(site_time.timestamp()):
        return f"dated in the future ({post.date.isoformat()})"
    return None


def published(post: PostFile, site: JekyllSite, *, now: dt.datetime, drafts: bool = False) -> bool:
    return exclusion_reason(post, site, now=now, drafts=drafts) is None


def site_posts(site: JekyllSite, *, now: dt.datetime, drafts: bool = False) -> list[PostFile]:
    """The posts ``jekyll build`` (``--drafts`` when ``drafts``) writes, oldest first,
    ``limit_posts`` applied."""
    posts = [
        p
        for p in find_posts(site, drafts=drafts or bool(site.show_drafts), now=now)
        if published(p, site, now=now, drafts=drafts)
    ]
    if site.limit_posts > 0:
        posts = posts[-site.limit_posts :]
    return posts


# --------------------------------------------------------------------------------------
# URLs


def _slug_char(ch: str, extra: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in "LM" or cat == "Nd" or ch in extra


_PRETTY_EXTRA = "._~!$&'()+,;=@"


def slugify(text: str | None, mode: str = "default", *, cased: bool = False) -> str | None:
    """``Utils.slugify`` in the ``default``, ``pretty`` and ``raw`` modes."""
    if text is None:
        return None
    if mode == "raw":
        slug = re.sub(r"\s+", "-", text)
    else:
        extra = _PRETTY_EXTRA if mode == "pretty" else ""
        out: list[str] = []
        for ch in text:
            if _slug_char(ch, extra):
                out.append(ch)
            elif not out or out[-1] != "\0":
                out.append("\0")
        slug = "".join(out).replace("\0", "-")
    slug = re.sub(r"^-|-$", "", slug)
    return slug if cased else slug.lower()


_ESCAPE_SAFE = "-._~!$&'()*+,;=:@/?"


def escape_path(value: str) -> str:
    """``URL.escape_path`` (Addressable's encoding; '#' always becomes %23)."""
    if not value or re.fullmatch(r"[a-zA-Z0-9./-]+", value):
        return value
    return quote(value, safe=_ESCAPE_SAFE).replace("#", "%23")


def output_ext(front_matter_permalink: str | None, converter_ext: str) -> str:
    """``Renderer#output_ext``: a front matter permalink's own extension wins."""
    if front_matter_permalink and not front_matter_permalink.endswith("/"):
        ext = os.path.splitext(front_matter_permalink.rsplit("/", 1)[-1])[1]
        if ext:
            return ext
    return converter_ext


_SHORT_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_LONG_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_SHORT_DAYS = "Mon Tue Wed Thu Fri Sat Sun".split()
_LONG_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


def url_placeholders(
    *,
    date: dt.datetime,
    slug: str | None,
    basename: str,
    categories: Sequence[str],
    output_ext: str,
    relative_path: str,
    ext: str,
    collection: str = "posts",
    collection_dir: str = "_posts",
) -> dict[str, str]:
    """``Drops::UrlDrop``: every value a permalink template can use."""
    iso = date.isocalendar()
    cleaned = relative_path[: len(relative_path) - len(ext)] if ext else relative_path
    cleaned = cleaned.replace(collection_dir, "", 1).rstrip(".")
    cats = list(dict.fromkeys(str(c).lower() for c in categories))
    slug_cats = list(dict.fromkeys(slugify(str(c)) or "" for c in categories))
    return {
        "output_ext": output_ext,
        "path": cleaned,
        "collection": collection,
        "name": slugify(basename) or "",
        "title": slugify(slug, "pretty", cased=True)
        or slugify(basename, "pretty", cased=True)
        or "",
        "slug": slugify(slug) or slugify(basename) or "",
        "categories": "/".join(cats),
        "slugified_categories": "/".join(slug_cats),
        "year": f"{date.year:04d}",
        "month": f"{date.month:02d}",
        "day": f"{date.day:02d}",
        "hour": f"{date.hour:02d}",
        "minute": f"{date.minute:02d}",
        "second": f"{date.second:02d}",
        "i_day": str(date.day),
        "i_month": str(date.month),
        "short_month": _SHORT_MONTHS[date.month - 1],
        "long_month": _LONG_MONTHS[date.month - 1],
        "short_year": f"{date.year % 100:02d}",
        "w_year": str(iso.year),
        "week": f"{iso.week:02d}",
        "w_day": str(iso.weekday),
        "short_day": _SHORT_DAYS[date.weekday()],
        "long_day": _LONG_DAYS[date.weekday()],
        "y_day": f"{date.timetuple().tm_yday:03d}",
    }


class PermalinkTemplateError(FeedwrightError):
    """A permalink names a placeholder Jekyll does not have (``jekyll build`` stops)."""


def fill_template(template: str, values: Mapping[str, str]) -> str:
    """``URL#generate_url_from_drop`` then ``URL#sanitize_url``."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        key = name[:-1] if name.endswith("_") else name
        if key not in values:
            raise PermalinkTemplateError(
                f"the permalink {template!r} uses :{name}, which Jekyll does not know"
            )
        return escape_path(values[key]) + name[len(key) :]

    url = re.sub(r":([a-z_]+)", fill, template)
    url = ("/" + url).replace("..", "/").replace("./", "")
    return re.sub(r"/+", "/", url)


def post_url(
    permalink: str,
    *,
    date: dt.datetime,
    slug: str | None,
    title: str | None = None,
    categories: Sequence[str] = (),
    ext: str = ".md",
    output_ext: str = ".html",
    front_matter_permalink: str | None = None,
    collection: str = "posts",
    basename: str | None = None,
    relative_path: str | None = None,
    collection_dir: str = "_posts",
) -> str:
    """A post's URL as Jekyll builds it. ``permalink`` is the site's (a style name or a
    template); a front matter permalink replaces it and may use the same placeholders.
    ``:title`` comes from the slug (the ``slug:`` front matter, else the file name), never
    from ``title:``; ``title`` is accepted for symmetry and unused, as in Jekyll."""
    del title
    name = (
        basename
        if basename is not None
        else (f"{date:%Y-%m-%d}-{slug}" if slug is not None else "")
    )
    rel = relative_path if relative_path is not None else f"{collection_dir}/{name}{ext}"
    values = url_placeholders(
        date=date,
        slug=slug,
        basename=name,
        categories=categories,
        output_ext=output_ext,
        relative_path=rel,
        ext=ext,
        collection=collection,
        collection_dir=collection_dir,
    )
    if front_matter_permalink:
        return fill_template(front_matter_permalink, values)
    return fill_template(style_to_permalink(permalink), values)


def post_destination(url: str, output_ext: str) -> str:
    """``Document#destination`` relative to the destination folder."""
    path = unquote(url).lstrip("/")
    if url.endswith("/"):
        return path + "index.html"
    if not path.endswith(output_ext):
        path += output_ext
    return path
