"""The values ``config.yaml`` holds that need more than a type: absolute URLs, feed path
templates, durations, sizes, cron expressions and Jekyll's named permalink styles. Each
check raises :class:`ValueError` with a message that says what is allowed; the models in
:mod:`feedwright.config.model` turn it into a config error naming the key."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import deque
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


# What feedwright's own files are called. The output folder's clean-up deletes every file
# whose name starts with TEMP_PREFIX (publish.TMP_PREFIX), and the state folder holds
# STATE_FILES (publish.MANIFEST, state.status, serve.polling, state.snapshot, state.sqlite
# and SQLite's side files): no output path may take either.
TEMP_PREFIX = ".feedwright-tmp-"
STATE_FILES = frozenset(
    {
        "manifest.json",
        "status.json",
        "stats.json",
        "snapshot.json",
        "listing.txt",
        "moves.json",
        "cache.sqlite",
        "cache.sqlite-wal",
        "cache.sqlite-shm",
        "cache.sqlite-journal",
    }
)

# C0 and C1 control characters (NUL included): never part of a path feedwright writes.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_no_control(value: str) -> str:
    """A path or template without control characters (NUL, newline, escape, ...)."""
    bad = _CONTROL.search(value)
    if bad is not None:
        raise ValueError(
            f"must not contain control characters, found {bad.group()!r} at position "
            f"{bad.start()} of {value!r}"
        )
    return value


def check_path_template(value: str, family: str, needs_slug: bool) -> str:
    """A feed path relative to the output folder; ``{slug}`` is its only placeholder."""
    check_no_control(value)
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
    if "\\" in value:
        raise ValueError(f"separate folders with '/', not '\\', got {value!r}")
    names = value.split("/")
    if any(name in ("", ".") for name in names):
        tidy = "/".join(name for name in names if name not in ("", "."))
        raise ValueError(f"write it as {tidy!r} (no empty or '.' folder names), got {value!r}")
    if any(name.startswith(TEMP_PREFIX) for name in names):
        raise ValueError(
            f"names starting with {TEMP_PREFIX!r} are feedwright's temporary files, which "
            f"every build deletes; choose another name, got {value!r}"
        )
    if names[-1] in STATE_FILES:
        raise ValueError(
            f"{names[-1]!r} is the name of a file in feedwright's state folder; choose another "
            f"name, got {value!r}"
        )
    return value


# What a placeholder stands for in an output path: a slug (lowercase ASCII letters and
# digits in runs joined by single hyphens, as feedwright.index.terms makes them) or a
# publication year (digits).
_SLUG, _YEAR = "{slug}", "{year}"
_Pair = tuple[tuple[int, int], tuple[int, int]]


def _tokens(template: str) -> list[str]:
    """A template as literal characters and placeholders, compared case-insensitively (a
    case-insensitive file system holds ``Atom.xml`` and ``atom.xml`` in one file)."""
    text = unicodedata.normalize("NFC", template)
    out: list[str] = []
    i = 0
    while i < len(text):
        for slot in (_SLUG, _YEAR):
            if text.startswith(slot, i):
                out.append(slot)
                i += len(slot)
                break
        else:
            out.extend(text[i].casefold())
            i += 1
    return out


def _steps(tokens: list[str], state: tuple[int, int], char: str) -> list[tuple[int, int]]:
    """The states after reading ``char`` from ``state`` (token index, place in a slot:
    0 at its start, 1 after a letter or digit, 2 after a hyphen)."""
    i, sub = state
    out: list[tuple[int, int]] = []
    if i < len(tokens):
        token = tokens[i]
        if token == _SLUG:
            if char.isascii() and (char.islower() or char.isdigit()):
                out.append((i, 1))
            elif char == "-" and sub == 1:
                out.append((i, 2))
        elif token == _YEAR:
            if char.isascii() and char.isdigit():
                out.append((i, 1))
        elif token == char:
            out.append((i + 1, 0))
    return [s for step in out for s in _closure(tokens, step)]


def _closure(tokens: list[str], state: tuple[int, int]) -> list[tuple[int, int]]:
    """A state, and the next token's start when it ends a slot that may end there."""
    i, sub = state
    if i < len(tokens) and tokens[i] in (_SLUG, _YEAR) and sub == 1:
        return [state, (i + 1, 0)]
    return [state]


def shared_path(first: str, second: str) -> str | None:
    """A path that both templates can produce (``{slug}`` and ``{year}`` filled in as
    feedwright fills them), compared as a case-insensitive file system does; None when
    they never can."""
    a, b = _tokens(first), _tokens(second)
    literal = {t for t in a + b if t not in (_SLUG, _YEAR)}
    alphabet = sorted(literal | {"-"})
    alphabet += [next((c for c in "abcdefghijklmnopqrstuvwxyz" if c not in literal), "a")]
    alphabet += [next((c for c in "0123456789" if c not in literal), "0")]
    came: dict[_Pair, tuple[_Pair | None, str]] = {}
    todo: deque[_Pair] = deque()
    for pair in ((x, y) for x in _closure(a, (0, 0)) for y in _closure(b, (0, 0))):
        came[pair] = (None, "")
        todo.append(pair)
    end = ((len(a), 0), (len(b), 0))
    while todo:
        pair = todo.popleft()
        if pair == end:
            chars: list[str] = []
            at: _Pair | None = pair
            while at is not None:
                at, char = came[at]
                chars.append(char)
            return "".join(reversed(chars))
        for char in alphabet:
            for nx in _steps(a, pair[0], char):
                for ny in _steps(b, pair[1], char):
                    if (nx, ny) not in came:
                        came[(nx, ny)] = (pair, char)
                        todo.append((nx, ny))
    return None


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
