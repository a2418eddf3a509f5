"""Ruby's ``Date._parse`` and ``Time.parse`` (date_parse.c and time.rb), for the shapes
Jekyll sites write: Jekyll reads a post's ``date:`` through them, so a date means what it
means to ``jekyll build``. Each sub-parser replaces what it matched with a space, as
Ruby's does."""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction
from typing import Any

from feedwright.errors import FeedwrightError
from feedwright.scan.dates import YEAR_RANGE_HINT


class RubyTimeError(FeedwrightError, ValueError):
    """Ruby's ``Time.parse`` raises ArgumentError for this text."""


class YearRangeError(RubyTimeError):
    """A year Ruby accepts but no feed can carry (and Python's dates do not reach)."""


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


def dropped_parts(text: str) -> bool:
    """Whether Ruby's parser leaves digits of ``text`` unused (say a second year)."""
    sc = _Scan(_P_CLEAN.sub(" ", text))
    sc.sub(_P_DAY)
    sc.sub(_P_TIME)
    _date_part(sc)
    return bool(re.search(r"\d", sc.text))
