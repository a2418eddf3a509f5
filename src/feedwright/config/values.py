"""The values ``config.yaml`` holds that need more than a type: absolute URLs, feed path
templates, durations, sizes, cron expressions and Jekyll's named permalink styles. Each
check raises :class:`ValueError` with a message that says what is allowed; the models in
:mod:`feedwright.config.model` turn it into a config error naming the key."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BeforeValidator

FEED_SUFFIXES = (".xml", ".atom", ".rss", ".json")

# Jekyll's named permalink styles (Jekyll 4, Utilities#permalink_style).
PERMALINK_STYLES: dict[str, str] = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}


def absolute_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"must be an absolute http(s) URL such as https://example.org/, got {value!r}"
        )
    return value


def check_path_template(value: str, family: str, needs_slug: bool) -> str:
    """A feed path relative to the output folder; ``{slug}`` is its only placeholder."""
    if needs_slug and "{slug}" not in value:
        raise ValueError(f"the {family} path template must contain {{slug}}, got {value!r}")
    leftover = re.sub(r"\{slug\}", "", value)
    if "{" in leftover or "}" in leftover:
        raise ValueError(f"only the placeholder {{slug}} is allowed, got {value!r}")
    parts = Path(value.replace("{slug}", "x")).parts
    if Path(value).is_absolute() or ".." in parts or not value.endswith(FEED_SUFFIXES):
        raise ValueError(
            "must be a relative path inside the output folder ending in .xml (or .json for "
            f"JSON Feed), got {value!r}"
        )
    return value


def expand_permalink(value: object) -> object:
    """A named permalink style (``pretty``, ``date``, ...) as its pattern."""
    if isinstance(value, str) and value in PERMALINK_STYLES:
        return PERMALINK_STYLES[value]
    return value


def ids_shorthand(value: object) -> object:
    """``ids: tag`` is short for ``ids: {scheme: tag}``."""
    if isinstance(value, str):
        return {"scheme": value}
    return value


_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$")


def parse_duration(value: str | int) -> dt.timedelta:
    """``15m``, ``1h30m``, ``90s`` or a number of seconds."""
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    else:
        match = _DURATION.match(str(value))
        if match is None or not any(match.groups()):
            raise ValueError(f"must be a duration such as 15m, 1h or 30s, got {value!r}")
        h, m, sec = (int(g) if g else 0 for g in match.groups())
        seconds = h * 3600 + m * 60 + sec
    if seconds < 1:
        raise ValueError(f"must be at least 1s, got {value!r}")
    return dt.timedelta(seconds=seconds)


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?\s*$")


def parse_size(value: str | int) -> int:
    """``512KB``, ``5MB`` or a number of bytes."""
    if isinstance(value, int) and not isinstance(value, bool):
        number, unit = float(value), ""
    else:
        match = _SIZE.match(str(value))
        if match is None:
            raise ValueError(f"must be a size such as 512KB or 5MB, got {value!r}")
        number, unit = float(match[1]), match[2].lower()
    size = int(number * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit])
    if size < 1:
        raise ValueError(f"must be at least 1 byte, got {value!r}")
    return size


def _size(value: object) -> object:
    if isinstance(value, str | int) and not isinstance(value, bool):
        return parse_size(value)
    return value


Size = Annotated[int, BeforeValidator(_size)]


def check_cron(value: str) -> str:
    """A five-field cron expression that APScheduler accepts."""
    fields = value.split()
    if len(fields) != 5:
        raise ValueError(
            f"must be a five-field cron expression (minute hour day month weekday) such as "
            f"'*/15 * * * *', got {value!r}"
        )
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ValueError(f"invalid cron expression {value!r}: {exc}") from None
    return value


# Jekyll's default ``markdown_ext``.
MARKDOWN_EXT = ("markdown", "mkdown", "mkdn", "mkd", "md")


def markdown_ext_list(value: object) -> object:
    """``markdown,mkd`` (Jekyll's comma-separated form) or a list, as bare lower-case
    extensions without dots."""
    if isinstance(value, str):
        value = value.split(",")
    if isinstance(value, list):
        exts = [str(v).strip().lower().lstrip(".") for v in value]
        if not all(re.fullmatch(r"[a-z0-9_+-]+", e) for e in exts) or not exts:
            raise ValueError(
                f"must list file extensions such as markdown,md (or [markdown, md]), got {value!r}"
            )
        return list(dict.fromkeys(exts))
    return value


# Tags Liquid and Jekyll define themselves; a custom tag cannot take their names.
BUILTIN_LIQUID_TAGS = frozenset(
    "assign break capture case comment continue cycle decrement echo endcapture for if "
    "ifchanged include include_relative increment liquid link post_url raw render tablerow "
    "unless highlight endhighlight endraw endcomment endfor endif endunless endcase".split()
)


def check_liquid_tag(name: str) -> str:
    """A custom Liquid tag's name: a word that is not one of Liquid's own tags."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name):
        raise ValueError(f"tag names are words such as youtube or note, got {name!r}")
    if name in BUILTIN_LIQUID_TAGS:
        raise ValueError(f"{name!r} is one of Liquid's own tags; choose another name")
    return name


def plain(value: object) -> object:
    """A YAML value as Liquid and a JSON digest can both take it: mapping keys as
    strings, tuples as lists, bytes (``!!binary``) as text."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


PlainMapping = Annotated[dict[str, object], BeforeValidator(plain)]
