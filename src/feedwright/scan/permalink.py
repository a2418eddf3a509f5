"""Post URLs exactly as Jekyll 4 builds them (``Jekyll::URL`` and ``Drops::UrlDrop``)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from urllib.parse import quote

from feedwright.errors import FeedwrightError

_PLACEHOLDER = re.compile(r":([a-z_]+)")
# Jekyll's escape_path leaves unreserved, sub-delims, ':', '@' and '/' alone.
_SAFE = "/!$&'()*+,;=:@-._~"


class PermalinkError(FeedwrightError, ValueError):
    """A permalink pattern names a placeholder Jekyll does not know."""


def slugify_pretty(text: str) -> str:
    """Jekyll ``slugify(mode: "pretty", cased: true)``, used for ``:title``."""
    return re.sub(r"[^\w.~!$&'()+,;=@]+", "-", text).strip("-")


def slugify_default(text: str) -> str:
    """Jekyll ``slugify`` in its default mode, used for ``:slug`` and ``:name``."""
    return re.sub(r"[^\w]+|_+", "-", text).strip("-").lower()


def titleize_slug(slug: str) -> str:
    """Jekyll ``Utils.titleize_slug``: split on '-', Ruby ``capitalize`` each word."""
    return " ".join(word[:1].upper() + word[1:].lower() for word in slug.split("-"))


def escape_path(value: str) -> str:
    if not value or re.fullmatch(r"[a-zA-Z0-9./-]+", value):
        return value
    return quote(value, safe=_SAFE)


@functools.lru_cache(maxsize=64)
def used_placeholders(template: str) -> frozenset[str]:
    names: set[str] = set()
    for name in _PLACEHOLDER.findall(template):
        names.add(name)
        names.add(name.rstrip("_"))
    return frozenset(names)


def placeholders(
    date: dt.datetime,
    slug: str,
    basename: str,
    categories: tuple[str, ...],
    output_ext: str,
    only: frozenset[str] | None = None,
) -> dict[str, str]:
    """The values Jekyll fills in; with ``only``, just those (the rest cost time)."""
    if only is not None and only <= _CHEAP.keys():
        return {k: _CHEAP[k](date, slug, basename, categories, output_ext) for k in only}
    seen: list[str] = []
    for category in categories:
        low = category.lower()
        if low not in seen:
            seen.append(low)
    return {
        "year": date.strftime("%Y"),
        "month": date.strftime("%m"),
        "day": date.strftime("%d"),
        "hour": date.strftime("%H"),
        "minute": date.strftime("%M"),
        "second": date.strftime("%S"),
        "i_day": str(date.day),
        "i_month": str(date.month),
        "short_month": (
            ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        )[date.month - 1],
        "long_month": (
            [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ]
        )[date.month - 1],
        "short_year": date.strftime("%y"),
        "y_day": date.strftime("%j"),
        "week": f"{date.isocalendar().week:02d}",
        "w_year": str(date.isocalendar().year),
        "short_day": (["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])[date.weekday()],
        "long_day": (
            ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        )[date.weekday()],
        "title": slugify_pretty(slug),
        "slug": slugify_default(slug),
        "name": slugify_default(basename),
        "categories": "/".join(seen),
        "output_ext": output_ext,
        "collection": "posts",
    }


_Value = Callable[[dt.datetime, str, str, tuple[str, ...], str], str]
_CHEAP: dict[str, _Value] = {
    "year": lambda d, s, b, c, e: f"{d.year:04d}",
    "month": lambda d, s, b, c, e: f"{d.month:02d}",
    "day": lambda d, s, b, c, e: f"{d.day:02d}",
    "i_month": lambda d, s, b, c, e: str(d.month),
    "i_day": lambda d, s, b, c, e: str(d.day),
    "title": lambda d, s, b, c, e: slugify_pretty(s),
    "slug": lambda d, s, b, c, e: slugify_default(s),
    "output_ext": lambda d, s, b, c, e: e,
    "categories": lambda d, s, b, c, e: "/".join(dict.fromkeys(x.lower() for x in c)),
}


def render(template: str, values: dict[str, str]) -> str:
    """Fill a permalink template, then sanitize the way ``Jekyll::URL#to_s`` does."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        pool = [name, name.rstrip("_")] if name.endswith("_") else [name]
        for key in pool:
            if key in values:
                return escape_path(values[key]) + name[len(key) :]
        raise PermalinkError(
            f"unknown permalink placeholder ':{name}'; known: "
            + ", ".join(":" + k for k in sorted(values))
        )

    url = re.sub(r"/+", "/", _PLACEHOLDER.sub(fill, template))
    url = ("/" + url).replace("..", "/").replace("./", "")
    return re.sub(r"/+", "/", url)
