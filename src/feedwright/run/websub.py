"""WebSub publishing: after a build has put its files in place, tell each configured hub
which feed URLs changed (``hub.mode=publish``), so subscribers get new posts in seconds
instead of at their next poll. Only feeds whose bytes changed are named. A hub that is
down is retried with backoff and logged; it never fails or holds up a build."""

from __future__ import annotations

import http.client
import logging
import queue
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from feedwright.config import FEED_SUFFIXES, Config
from feedwright.feeds import feed_url
from feedwright.types import Change

log = logging.getLogger("feedwright")
USER_AGENT = "feedwright (WebSub publisher)"
BACKOFF_SECONDS = 0.5  # first retry after this, then doubling


@dataclass(frozen=True, slots=True)
class PingResult:
    hub: str
    topics: tuple[str, ...]
    ok: bool
    attempts: int
    detail: str  # the hub's HTTP status, or why it could not be reached


def changed_feeds(config: Config, changes: Iterable[Change]) -> list[str]:
    """The public URLs of the feed files a build wrote (new or changed bytes)."""
    return [
        feed_url(config, c.relpath)
        for c in changes
        if c.action == "write" and c.relpath.endswith(FEED_SUFFIXES)
    ]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A publish ping is a POST: following a redirect would resend it as a GET and count
    the hub's answer to that as success. A redirect is reported (HTTP 30x) instead."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _post(hub: str, topics: Sequence[str], timeout: float) -> int:
    # PubSubHubbub 0.3 section 7.1: hub.url "may be repeated to indicate multiple topics"
    fields = [("hub.mode", "publish"), *(("hub.url", topic) for topic in topics)]
    body = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(
        hub,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": USER_AGENT,
        },
    )
    with _OPENER.open(request, timeout=timeout) as response:
        status: int = response.status
        return status


def ping(
    hub: str,
    topics: Sequence[str],
    *,
    timeout: float,
    retries: int,
    sleep: Callable[[float], object] = time.sleep,
    stop: threading.Event | None = None,
) -> PingResult:
    """One ``publish`` notification, retried on network errors, 429 and 5xx."""
    named = tuple(topics)
    attempts = 0
    detail = ""
    while True:
        attempts += 1
        try:
            status = _post(hub, named, timeout)
            return PingResult(hub, named, True, attempts, f"HTTP {status}")
        except urllib.error.HTTPError as exc:
            detail = f"HTTP {exc.code}"
            if exc.code != 429 and exc.code < 500:
                return PingResult(hub, named, False, attempts, detail)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            # refused, timed out, DNS, a bad URL, or a reply that is not HTTP
            reason = getattr(exc, "reason", exc)
            detail = str(reason) or type(exc).__name__
        if attempts > retries or (stop is not None and stop.is_set()):
            return PingResult(hub, named, False, attempts, detail)
        sleep(BACKOFF_SECONDS * 2 ** (attempts - 1))


def ping_hubs(
    hubs: Sequence[str],
    topics: Sequence[str],
    *,
    timeout: float,
    retries: int,
    sleep: Callable[[float], object] = time.sleep,
    stop: threading.Event | None = None,
) -> list[PingResult]:
    """Ping every hub once about all the topics; each result is logged."""
    results: list[PingResult] = []
    for hub in hubs:
        result = ping(hub, topics, timeout=timeout, retries=retries, sleep=sleep, stop=stop)
        results.append(result)
        fields = {
            "event": "websub",
            "hub": hub,
            "topics": list(topics),
            "ok": result.ok,
            "attempts": result.attempts,
            "detail": result.detail,
        }
        what = topics[0] if len(topics) == 1 else f"{len(topics)} changed feeds"
        if result.ok:
            log.info("websub: %s notified of %s", hub, what, extra={"fields": fields})
        else:
            log.warning(
                "websub: %s not notified of %s after %d attempt(s): %s",
                hub,
                what,
                result.attempts,
                result.detail,
                extra={"fields": fields},
            )
    return results


def notify_hubs(config: Config, changes: Iterable[Change]) -> list[PingResult]:
    """Ping the configured hubs about the feeds a build changed (nothing if none), and
    return when every hub has answered or run out of retries."""
    hubs = config.websub.hubs
    topics = changed_feeds(config, changes) if hubs else []
    if not topics:
        return []
    return ping_hubs(hubs, topics, timeout=config.websub.timeout, retries=config.websub.retries)


class HubNotifier:
    """:func:`notify_hubs` on a background thread, for the daemon: a slow or dead hub
    never delays the next build. Jobs are handled in order; ``close`` stops retrying and
    waits briefly."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Config, list[Change]] | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, name="websub", daemon=True)
        self._thread.start()

    def submit(self, config: Config, changes: Iterable[Change]) -> None:
        if config.websub.hubs:
            self._jobs.put((config, list(changes)))

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            config, changes = job
            topics = changed_feeds(config, changes)
            if topics and not self._stop.is_set():
                try:
                    ping_hubs(
                        config.websub.hubs,
                        topics,
                        timeout=config.websub.timeout,
                        retries=config.websub.retries,
                        sleep=self._stop.wait,
                        stop=self._stop,
                    )
                except Exception as exc:  # never let one bad hub end the pinging
                    log.error("websub: publishing failed: %r", exc)

    def close(self, wait: float = 5.0) -> None:
        self._stop.set()
        self._jobs.put(None)
        self._thread.join(wait)
