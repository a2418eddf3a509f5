"""Who polls the feeds, and how politely: :class:`PollStats` counts, per client (its
User-Agent and address) and feed, the fetches that carried a validator (``If-None-Match``
or ``If-Modified-Since``) and those that did not; keeps the latest subscriber count each
feed service states in its User-Agent ("123 subscribers"); and, when asked, tells a
client that re-fetches a feed unconditionally sooner than an interval how long to wait
(``429`` with ``Retry-After``). Conditional fetches are never throttled.

The counts are kept in the state folder (``stats.json``, written atomically now and then
and when serving stops) so that they survive a restart; ``feedwright status`` and
``/stats`` (when enabled, to loopback clients only) report them."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from feedwright.publish import atomic_write

log = logging.getLogger("feedwright")

STATS_FILE = "stats.json"
SAVE_SECONDS = 60.0  # how often the counts are written while serving
MAX_CLIENTS = 5000  # clients kept; the one seen longest ago goes first
MAX_AGENT = 300  # characters of a User-Agent kept

Clock = Callable[[], float]

_COUNT = re.compile(r"(\d[\d,]*)\s*(?:subscribers?|readers?)\b", re.IGNORECASE)
# Feed services by a word of their User-Agent, and the name they are reported under.
_SERVICES = (
    ("feedly", "Feedly"),
    ("inoreader", "Inoreader"),
    ("newsblur", "NewsBlur"),
    ("feedbin", "Feedbin"),
    ("theoldreader", "The Old Reader"),
    ("old reader", "The Old Reader"),
    ("bazqux", "BazQux"),
    ("feedhq", "FeedHQ"),
    ("feedspot", "Feedspot"),
    ("feedwrangler", "Feed Wrangler"),
    ("netvibes", "Netvibes"),
    ("newsify", "Newsify"),
    ("digg", "Digg Reader"),
    ("feedpress", "FeedPress"),
    ("feedburner", "FeedBurner"),
)
_COMPATIBLE = re.compile(r"\(compatible;\s*([^;)]+)", re.IGNORECASE)


def service_name(user_agent: str) -> str:
    """A feed service's name: a known one, else what its User-Agent calls itself (its
    first product, or the first word of a ``Mozilla/5.0 (compatible; ...)`` comment)."""
    low = user_agent.lower()
    for needle, name in _SERVICES:
        if needle in low:
            return name
    compatible = _COMPATIBLE.search(user_agent)
    if user_agent.startswith("Mozilla/") and compatible:
        return compatible[1].split("/")[0].strip()[:60]
    product = re.split(r"[/(;]| - ", user_agent, maxsplit=1)[0].strip()
    return product[:60] or "unknown"


def subscribers(user_agent: str) -> tuple[str, int] | None:
    """The service and the subscriber count a feed service's User-Agent states ("123
    subscribers", "45 readers"), or None."""
    match = _COUNT.search(user_agent)
    if match is None:
        return None
    return service_name(user_agent), int(match[1].replace(",", ""))


def is_conditional(headers: Mapping[str, object]) -> bool:
    """Whether a WSGI request carries a validator."""
    return bool(headers.get("HTTP_IF_NONE_MATCH") or headers.get("HTTP_IF_MODIFIED_SINCE"))


def _iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat(timespec="seconds")


def _seconds(text: object) -> float | None:
    if not isinstance(text, str):
        return None
    try:
        return dt.datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


@dataclass(slots=True)
class _Fetches:
    """One client's fetches of one feed (mutable: the counter's own bookkeeping)."""

    conditional: int = 0
    unconditional: int = 0
    throttled: int = 0
    last_fetch: float | None = None
    last_unconditional: float | None = None  # when the last unconditional one was served

    def to_json(self) -> dict[str, object]:
        return {
            "conditional": self.conditional,
            "unconditional": self.unconditional,
            "throttled": self.throttled,
            "last_fetch": _iso(self.last_fetch),
            "last_unconditional": _iso(self.last_unconditional),
        }

    @classmethod
    def from_json(cls, data: object) -> _Fetches:
        if not isinstance(data, dict):
            return cls()
        return cls(
            _count(data.get("conditional")),
            _count(data.get("unconditional")),
            _count(data.get("throttled")),
            _seconds(data.get("last_fetch")),
            _seconds(data.get("last_unconditional")),
        )


@dataclass(slots=True)
class _Client:
    user_agent: str
    address: str
    feeds: dict[str, _Fetches] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Subscribers:
    """The latest count one service stated for one feed."""

    count: int
    seen: float


class PollStats:
    """The counts, safe to share between the server's threads. ``clock`` gives the time
    in seconds since the epoch (injectable for tests)."""

    def __init__(self, clock: Clock = time.time, max_clients: int = MAX_CLIENTS) -> None:
        self.clock = clock
        self.max_clients = max_clients
        self.since = clock()
        self._clients: OrderedDict[tuple[str, str], _Client] = OrderedDict()
        self._subscribers: dict[tuple[str, str], Subscribers] = {}
        self._lock = threading.Lock()
        self._save_lock = threading.Lock()
        self._saved = clock()
        self._dirty = False

    def request(
        self, environ: Mapping[str, object], path: str, min_interval: float | None, state: Path
    ) -> int | None:
        """:meth:`fetch` for a WSGI request; saves the counts when it is time."""
        agent, address = environ.get("HTTP_USER_AGENT"), environ.get("REMOTE_ADDR")
        wait = self.fetch(
            path,
            None if agent is None else str(agent),
            None if address is None else str(address),
            conditional=is_conditional(environ),
            min_interval=min_interval,
        )
        with self._lock:  # one request claims the save: two at once would both write
            due = self._dirty and self.clock() - self._saved >= SAVE_SECONDS
            if due:
                self._saved = self.clock()
        if due:
            self.keep(state)
        return wait

    def fetch(
        self,
        path: str,
        user_agent: str | None,
        address: str | None,
        *,
        conditional: bool,
        min_interval: float | None = None,
    ) -> int | None:
        """Count one GET of the feed at ``path``. Returns None to serve it, or the whole
        seconds the client should wait: an unconditional fetch sooner than
        ``min_interval`` after the last one this client was served."""
        agent = (user_agent or "")[:MAX_AGENT]
        now = self.clock()
        stated = subscribers(agent) if agent else None
        with self._lock:
            self._dirty = True
            if stated is not None:
                self._subscribers[(stated[0], path)] = Subscribers(stated[1], now)
            key = (agent, address or "")
            client = self._clients.pop(key, None) or _Client(agent, address or "")
            self._clients[key] = client  # the most recently seen last
            while len(self._clients) > self.max_clients:
                self._clients.popitem(last=False)
            fetches = client.feeds.setdefault(path, _Fetches())
            fetches.last_fetch = now
            if conditional:
                fetches.conditional += 1
                return None
            last = fetches.last_unconditional
            if min_interval is not None and last is not None and now - last < min_interval:
                fetches.throttled += 1
                return max(1, math.ceil(min_interval - (now - last)))
            fetches.unconditional += 1
            fetches.last_unconditional = now
            return None

    # -- reports --------------------------------------------------------------------------
    def to_json(self) -> dict[str, object]:
        """The counts by feed (with the subscribers each service stated) and by client."""
        with self._lock:
            clients = [(c.user_agent, c.address, dict(c.feeds)) for c in self._clients.values()]
            stated = dict(self._subscribers)
            feeds: dict[str, dict[str, object]] = {}
            for _, _, by_feed in clients:
                for path, f in by_feed.items():
                    entry = feeds.setdefault(path, _feed_entry())
                    for name in ("conditional", "unconditional", "throttled"):
                        entry[name] = _count(entry[name]) + getattr(f, name)
                    entry["clients"] = _count(entry["clients"]) + 1
            for (service, path), seen in sorted(stated.items()):
                entry = feeds.setdefault(path, _feed_entry())
                services = entry["subscribers"]
                assert isinstance(services, dict)
                services[service] = {"count": seen.count, "seen": _iso(seen.seen)}
                entry["subscribers_total"] = _count(entry["subscribers_total"]) + seen.count
            client_list = [
                {
                    "user_agent": agent,
                    "address": address,
                    "feeds": {p: f.to_json() for p, f in sorted(by_feed.items())},
                }
                for agent, address, by_feed in reversed(clients)  # most recent first
            ]
        return {
            "since": _iso(self.since),
            "updated": _iso(self.clock()),
            "feeds": dict(sorted(feeds.items())),
            "clients": client_list,
        }

    def restore(self, data: object) -> None:
        """Take over the counts of an earlier run (a ``stats.json``)."""
        if not isinstance(data, dict):
            return
        with self._lock:
            self.since = _seconds(data.get("since")) or self.since
            clients = data.get("clients")
            for item in reversed(clients) if isinstance(clients, list) else ():
                if not isinstance(item, dict) or not isinstance(item.get("feeds"), dict):
                    continue
                agent, address = str(item.get("user_agent", "")), str(item.get("address", ""))
                client = _Client(agent, address)
                for path, counts in item["feeds"].items():
                    client.feeds[str(path)] = _Fetches.from_json(counts)
                self._clients[(agent, address)] = client
            feeds = data.get("feeds")
            for path, entry in feeds.items() if isinstance(feeds, dict) else ():
                services = entry.get("subscribers") if isinstance(entry, dict) else None
                for service, seen in services.items() if isinstance(services, dict) else ():
                    count = _count(seen.get("count")) if isinstance(seen, dict) else 0
                    if count and isinstance(seen, dict):
                        when = _seconds(seen.get("seen")) or self.since
                        self._subscribers[(str(service), str(path))] = Subscribers(count, when)

    # -- the file ----------------------------------------------------------------------------
    def save(self, state: Path) -> None:
        """Write the counts to ``state/stats.json`` (atomically)."""
        with self._save_lock:
            with self._lock:
                self._dirty = False
                self._saved = self.clock()
            data = self.to_json()
            state.mkdir(parents=True, exist_ok=True)
            atomic_write(state / STATS_FILE, (json.dumps(data, indent=2) + "\n").encode())

    def keep(self, state: Path) -> None:
        """:meth:`save`, with a warning when it fails: counting never costs a reader
        its feed, nor a stopping server its exit status."""
        try:
            self.save(state)
        except OSError as exc:
            log.warning("cannot save the polling counts in %s: %s", state, exc)


def _feed_entry() -> dict[str, object]:
    return {
        "conditional": 0,
        "unconditional": 0,
        "throttled": 0,
        "clients": 0,
        "subscribers": {},
        "subscribers_total": 0,
    }


def read_stats(state: Path) -> dict[str, object] | None:
    """The counts a ``stats.json`` holds, or None when there is none (or it is unreadable)."""
    try:
        data = json.loads((state / STATS_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def load_stats(state: Path, clock: Clock = time.time) -> PollStats:
    """A counter that goes on from the counts of ``state`` (if any)."""
    stats = PollStats(clock)
    stats.restore(read_stats(state))
    return stats


def polling_summary(data: Mapping[str, object]) -> str:
    """One line for ``feedwright status``: fetches and subscribers over all feeds."""
    feeds = data.get("feeds")
    totals = dict.fromkeys(("conditional", "unconditional", "throttled", "subscribers_total"), 0)
    for entry in feeds.values() if isinstance(feeds, dict) else ():
        for name in totals:
            totals[name] += _count(entry.get(name)) if isinstance(entry, dict) else 0
    clients = data.get("clients")
    return (
        f"polling since {data.get('since')}: {totals['conditional']} conditional and "
        f"{totals['unconditional']} unconditional fetches by "
        f"{len(clients) if isinstance(clients, list) else 0} clients, "
        f"{totals['throttled']} throttled; {totals['subscribers_total']} subscribers "
        "stated by feed services"
    )
