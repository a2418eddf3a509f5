"""What the pages for people share: media types and names of the formats, the page style,
link targets, and one way of writing a date (the same for every format of a feed)."""

from __future__ import annotations

import datetime as dt
import posixpath
from html import escape
from urllib.parse import quote

from feedwright.config import FeedFormat
from feedwright.scan.dates import utc_for_mean_time

MIME = {
    FeedFormat.ATOM: "application/atom+xml",
    FeedFormat.RSS: "application/rss+xml",
    FeedFormat.JSON: "application/feed+json",
}
FORMAT_NAME = {FeedFormat.ATOM: "Atom", FeedFormat.RSS: "RSS", FeedFormat.JSON: "JSON Feed"}
_MONTHS = (
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
)

PAGE_CSS = """
:root{color-scheme:light dark;--fg:#1b1b1f;--bg:#fdfdfc;--muted:#55575d;--line:#d9dade;
--link:#0b57d0}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8ea;--bg:#16171a;--muted:#a9abb2;
--line:#34363c;--link:#8ab4f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:1rem/1.55 system-ui,-apple-system,
"Segoe UI",Roboto,sans-serif}
main{max-width:46rem;margin:0 auto;padding:1.25rem 1rem 3rem}
h1{font-size:1.7rem;line-height:1.2;margin:.5rem 0}
h2{font-size:1.25rem;margin:2rem 0 .25rem;padding-top:.5rem;border-top:1px solid var(--line)}
h3{font-size:1.05rem;margin:0}
a{color:var(--link)}
a:focus-visible{outline:3px solid var(--link);outline-offset:2px}
.lead,.section-note,.meta{color:var(--muted)}
.howto{border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem}
ul.feeds{list-style:none;margin:0;padding:0}
ul.feeds>li{padding:.75rem 0;border-bottom:1px solid var(--line)}
ul.feeds>li:last-child{border-bottom:0}
nav{margin:1rem 0}
nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}
.meta{margin:.1rem 0 .4rem;font-size:.9rem}
.formats{display:flex;flex-wrap:wrap;gap:.5rem;margin:0;padding:0;list-style:none}
.formats a{display:inline-block;min-width:2.75rem;padding:.35rem .7rem;border:1px solid
var(--line);border-radius:999px;text-align:center;text-decoration:none}
.formats a:hover{border-color:var(--link)}
"""


def href(relpath: str) -> str:
    """An output path as an escaped, percent-encoded ``href`` value."""
    return escape(quote(relpath, safe="/-._~"), quote=True)


def relative(target: str, page: str) -> str:
    """The output path ``target`` as seen from the page at output path ``page`` (both
    plain paths inside the output folder): ``posixpath.relpath``'s answer, without the
    look at the working folder that it takes for each call."""
    folder = posixpath.dirname(page)
    parts, start = target.split("/"), folder.split("/") if folder else []
    common = 0
    for a, b in zip(parts, start):  # noqa: B905 - stops at the shorter, on purpose
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + parts[common:]) or "."


def human_date(value: dt.datetime) -> str:
    """``20 May 2025``: the day of ``value`` in its own offset, in English whatever the
    locale, as every page for people writes it."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def time_element(value: dt.datetime) -> str:
    return f'<time datetime="{utc_for_mean_time(value).isoformat()}">{human_date(value)}</time>'
