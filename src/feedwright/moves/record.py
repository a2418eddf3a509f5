"""What the state folder remembers about feeds that are gone: ``moves.json`` lists the
feed files the last build published (site, tag and category feeds, each format) and
every feed path that has ended since, so a tag feed whose last post was retagged stays
answered with 410 (or a tombstone) across builds, and a feed whose file name changed
(a new path template) is answered with 301. A path that gets a feed again is simply
published again and forgotten here."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from feedwright.config import Config, FeedFormat
from feedwright.feeds import FeedPlan, feed_url
from feedwright.publish import atomic_write, plain_relpath

MOVES_FILE = "moves.json"
MOVES_VERSION = 1
# archives come and go with the years
TRACKED = frozenset({"site", "tag", "category", "author", "language", "custom", "collection"})
CONFIGURED = "config"  # the family of an ended path that only ``moved:`` names
_MAX_HOPS = 16


@dataclass(frozen=True, slots=True)
class Published:
    """A feed file a build published."""

    family: str
    key: str
    format: FeedFormat
    label: str
    title: str = ""  # the feed's title, which its tombstone keeps


@dataclass(frozen=True, slots=True)
class Ended:
    """A feed path that no longer has its feed: retired, or moved to ``to`` (an output
    path) because its feed is now written elsewhere."""

    family: str  # site, tag, category, or CONFIGURED
    format: FeedFormat
    label: str
    since: str  # when a build first found it gone: ISO 8601, UTC, in seconds
    to: str | None = None
    title: str = ""  # the feed's title when it was published


@dataclass(frozen=True, slots=True)
class Rules:
    """What a request for a gone feed path gets: 301 to an absolute URL, or 410."""

    moved: Mapping[str, str] = field(default_factory=dict)  # output path -> absolute URL
    gone: frozenset[str] = frozenset()  # output paths


@dataclass(frozen=True, slots=True)
class Moves:
    published: Mapping[str, Published] = field(default_factory=dict)
    ended: Mapping[str, Ended] = field(default_factory=dict)
    rules: Rules = Rules()


def format_of(path: str) -> FeedFormat:
    """A path's feed format as its name suggests it (for paths only ``moved:`` names)."""
    name = path.rsplit("/", 1)[-1].lower()
    if name.endswith(".json"):
        return FeedFormat.JSON
    return FeedFormat.RSS if "rss" in name else FeedFormat.ATOM


def advance(previous: Moves, plans: Iterable[FeedPlan], config: Config, now: dt.datetime) -> Moves:
    """The moves after a build that publishes ``plans``: each feed the last build
    published and this one does not has ended (moved, when the same feed is now written at
    another path); ended paths that are planned again are forgotten."""
    plans = list(plans)
    planned = {path for plan in plans for path in plan.paths.values()}
    published = {
        path: Published(plan.family, plan.key, fmt, plan.label, plan.title)
        for plan in plans
        if plan.family in TRACKED
        for fmt, path in plan.paths.items()
    }
    where = {(p.family, p.key, p.format): path for path, p in published.items()}
    since = now.astimezone(dt.UTC).replace(microsecond=0).strftime(SINCE_FORMAT)
    ended: dict[str, Ended] = {}
    for path, gone in previous.ended.items():
        if path in planned or (gone.family == CONFIGURED and path not in config.moved):
            continue
        ended[path] = gone
    for path, was in previous.published.items():
        if path in planned or path in ended:
            continue
        to = where.get((was.family, was.key, was.format))
        ended[path] = Ended(was.family, was.format, was.label, since, to, was.title)
    for path in config.moved:
        if path not in ended and path not in planned:
            ended[path] = Ended(CONFIGURED, format_of(path), "", since)
    ordered = {path: ended[path] for path in sorted(ended)}
    return Moves(dict(sorted(published.items())), ordered, rules_of(ordered, config))


def rules_of(ended: Mapping[str, Ended], config: Config) -> Rules:
    """301 for each path ``moved:`` names or whose feed moved (following a chain of moves
    to its end), 410 for every other ended path."""
    targets = {path: gone.to for path, gone in ended.items() if gone.to is not None}
    targets.update(config.moved)
    moved: dict[str, str] = {}
    for old in sorted(targets):
        target, hops = targets[old], 0
        while target in targets and hops < _MAX_HOPS and target != old:
            target, hops = targets[target], hops + 1
        absolute = target.startswith(("http://", "https://"))
        moved[old] = target if absolute else feed_url(config, target)
    gone = frozenset(path for path in ended if path not in moved)
    return Rules(MappingProxyType(moved), gone)


SINCE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def ended_at(gone: Ended) -> dt.datetime:
    """When a build first found ``gone`` gone."""
    return dt.datetime.strptime(gone.since, SINCE_FORMAT).replace(tzinfo=dt.UTC)


def _since(value: str) -> str:
    """``value`` when it is a time as :data:`SINCE_FORMAT` writes it; ValueError (a file
    that cannot be read) otherwise, never later in the tombstone that reads it."""
    dt.datetime.strptime(value, SINCE_FORMAT)
    return value


def read_moves(state: Path) -> Moves:
    """The moves the last build recorded (none when the file is missing or unreadable)."""
    try:
        data = json.loads((state / MOVES_FILE).read_text("utf-8"))
        if data.get("version") != MOVES_VERSION:
            return Moves()
        published = {
            path: Published(
                v["family"], v["key"], FeedFormat(v["format"]), v["label"], v.get("title", "")
            )
            for path, v in data["published"].items()
            if plain_relpath(path)
        }
        ended = {
            path: Ended(
                v["family"],
                FeedFormat(v["format"]),
                v["label"],
                _since(v["since"]),
                v.get("to"),
                v.get("title", ""),
            )
            for path, v in data["ended"].items()
            if plain_relpath(path)
        }
        rules = data["rules"]
        moved = {str(k): str(v) for k, v in rules["moved"].items()}
        return Moves(published, ended, Rules(moved, frozenset(map(str, rules["gone"]))))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Moves()


def write_moves(state: Path, moves: Moves) -> None:
    data = {
        "version": MOVES_VERSION,
        "published": {
            path: {
                "family": p.family,
                "key": p.key,
                "format": p.format.value,
                "label": p.label,
                "title": p.title,
            }
            for path, p in moves.published.items()
        },
        "ended": {
            path: {
                "family": e.family,
                "format": e.format.value,
                "label": e.label,
                "since": e.since,
                "title": e.title,
                **({} if e.to is None else {"to": e.to}),
            }
            for path, e in moves.ended.items()
        },
        "rules": {"moved": dict(moves.rules.moved), "gone": sorted(moves.rules.gone)},
    }
    atomic_write(state / MOVES_FILE, (json.dumps(data, indent=1) + "\n").encode())
