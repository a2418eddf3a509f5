"""Ruby's ``Date._parse`` (date_parse.c), for the shapes Jekyll sites write: the first
step of ``Time.parse`` (:mod:`feedwright.scan.ruby_time`). Each sub-parser replaces what
it matched with a space, as Ruby's does."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

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


def _date_hash(text: str) -> dict[str, Any]:
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


def dropped_parts(text: str) -> bool:
    """Whether Ruby's parser leaves digits of ``text`` unused (say a second year)."""
    sc = _Scan(_P_CLEAN.sub(" ", text))
    sc.sub(_P_DAY)
    sc.sub(_P_TIME)
    _date_part(sc)
    return bool(re.search(r"\d", sc.text))


@dataclass(frozen=True, slots=True)
class DateParts:
    """What ``Date._parse`` found in a text; None where the text does not say."""

    year: int | None
    yday: int | None
    mon: int | None
    mday: int | None
    hour: int | None
    minute: int | None
    sec: int | None
    sec_fraction: Fraction | None
    zone: str | None


def date_parse(text: str) -> DateParts:
    """Ruby's ``Date._parse(text)``, the parts ``Time.parse`` uses."""
    h = _date_hash(text)
    zone = h.get("zone")
    return DateParts(
        h.get("year"),
        h.get("yday"),
        h.get("mon"),
        h.get("mday"),
        h.get("hour"),
        h.get("min"),
        h.get("sec"),
        h.get("sec_fraction"),
        str(zone) if zone else None,
    )
