"""Post URLs exactly as Jekyll 4 builds them (``Jekyll::URL`` and ``Drops::UrlDrop``)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

_PLACEHOLDER = re.compile(r":([a-z_]+)")
# Jekyll's escape_path leaves unreserved, sub-delims, ':', '@' and '/' alone.
_SAFE = "/!$&'()*+,;=:@-._~"


class PermalinkError(ValueError):
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


def placeholders(
    date: dt.datetime, slug: str, basename: str, categories: tuple[str, ...], output_ext: str
) -> dict[str, str]:
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
