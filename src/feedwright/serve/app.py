"""The WSGI application of ``feedwright serve``: :class:`FeedApp` answers ``GET`` and
``HEAD`` for the files of the output folder with strong ETags, ``Last-Modified``,
``304``, gzip, ``Link`` headers for WebSub, ``/healthz`` (ok or failing, and when the
last build ran), the full status at ``/status.json`` (only when enabled, only to
loopback clients), and feeds shown as pages (through their XSL stylesheet) to browsers.
A ``.json`` file is served only when it is a file the last build wrote there (listed in
the manifest), so no config, status or state file is ever served. Files and pages are
cached in memory, one version per path, checked by inode, mtime and size."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from lxml import etree

from feedwright.publish import MANIFEST, read_manifest
from feedwright.serve.cache import BoundedCache, StateFile
from feedwright.serve.files import (
    Representation,
    StaticFile,
    classify,
    folder_identities,
    open_inside,
    read_all,
    safe_parts,
    stylesheet_relpath,
)
from feedwright.serve.http import (
    accepts_gzip,
    http_date,
    is_loopback,
    not_modified,
    prefers_html,
)
from feedwright.serve.moved import MovedFeeds
from feedwright.serve.polling import Clock, load_stats
from feedwright.state.status import read_status

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from feedwright.config import Config

log = logging.getLogger("feedwright")

HEALTH_PATH = "/healthz"
STATUS_PATH = "/status.json"
STATS_PATH = "/stats"
MAX_FILE_BYTES = 64 * 1024 * 1024  # larger files are not served (nothing feedwright writes)
CACHE_ENTRIES = 1024
CACHE_BYTES = 128 * 1024 * 1024
_STATUS_TEXT = {
    200: "200 OK",
    301: "301 Moved Permanently",
    304: "304 Not Modified",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    410: "410 Gone",
    429: "429 Too Many Requests",
    500: "500 Internal Server Error",
    503: "503 Service Unavailable",
}


# -- settings -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ServeSettings:
    """What the app needs from the config."""

    output: Path
    state: Path
    public_url: str  # where ``output`` is published, with a trailing slash
    cache_control: str
    hubs: tuple[str, ...] = ()
    status: bool = False  # the full status at STATUS_PATH, to loopback clients only
    stats: bool = False  # the polling counts at STATS_PATH, to loopback clients only
    min_interval: float | None = None  # seconds: sooner unconditional re-fetches get 429

    @classmethod
    def from_config(cls, config: Config) -> ServeSettings:
        return cls(
            output=config.output,
            state=config.state,
            public_url=config.public_feeds_url.rstrip("/") + "/",
            cache_control=config.serve.cache_control,
            hubs=tuple(config.websub.hubs),
            status=config.serve.status,
            stats=config.serve.stats,
            min_interval=config.serve.polite.seconds,
        )


@dataclass(frozen=True, slots=True)
class _Rendered:
    rep: Representation | None  # None: the stylesheet failed; serve the feed


# a stylesheet reads no file and no URL, and writes nothing (lxml-stubs omit the constant)
_NO_ACCESS: etree.XSLTAccessControl = etree.XSLTAccessControl.DENY_ALL  # type: ignore[attr-defined]


# -- the WSGI application -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    @classmethod
    def text(
        cls, status: int, message: str, *extra: tuple[str, str], cache: str = "no-store"
    ) -> Response:
        body = (message + "\n").encode()
        return cls(
            status,
            (
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", cache),
                *extra,
            ),
            body,
        )


class FeedApp:
    """The WSGI application. ``settings`` is fixed, or a function read on every request
    (so a daemon's reloaded config applies at once)."""

    def __init__(
        self, settings: ServeSettings | Callable[[], ServeSettings], clock: Clock = time.time
    ) -> None:
        self._settings: Callable[[], ServeSettings] = (
            (lambda: settings) if isinstance(settings, ServeSettings) else settings
        )
        # One version per path (and per feed and stylesheet for pages): the identity of
        # the version cached is part of the value, so a file a build replaced takes the
        # place of the old version instead of sitting beside it until it ages out.
        self.files: BoundedCache[tuple[str, str, str], tuple[tuple[int, ...], StaticFile]] = (
            BoundedCache(CACHE_ENTRIES, CACHE_BYTES, lambda f: f[1].rep.size)
        )
        self.pages: BoundedCache[tuple[str, str], tuple[tuple[str, str], _Rendered]] = BoundedCache(
            CACHE_ENTRIES // 4, CACHE_BYTES // 4, lambda p: p[1].rep.size if p[1].rep else 0
        )
        self._transforms: BoundedCache[str, etree.XSLT] = BoundedCache(16, 16, lambda _: 1)
        self._xslt_lock = threading.Lock()  # an XSLT object runs one transform at a time
        self._manifest = StateFile(MANIFEST, read_manifest)  # what the last build wrote
        self.moved = MovedFeeds()  # 301 and 410 for the feeds that moved or ended
        self.polls = load_stats(self.settings.state, clock)  # who fetches which feed, how

    @property
    def settings(self) -> ServeSettings:
        return self._settings()

    def configure(self, settings: ServeSettings) -> None:
        self._settings = lambda: settings

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.monotonic()
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        try:
            response = self.respond(method, environ)
        except Exception:
            log.exception("error serving %s", _loggable(environ))
            response = Response.text(500, "internal server error")
        body = b"" if method == "HEAD" else response.body
        start_response(_STATUS_TEXT[response.status], list(response.headers))
        self._access_log(environ, method, response, len(body), started)
        return [body]

    # -- responses ------------------------------------------------------------------------
    def respond(self, method: str, environ: WSGIEnvironment) -> Response:
        if method not in ("GET", "HEAD"):
            return Response.text(405, "method not allowed", ("Allow", "GET, HEAD"))
        settings = self.settings
        path = str(environ.get("PATH_INFO", ""))
        if path == HEALTH_PATH:
            return self._health(settings)
        if path in (STATUS_PATH, STATS_PATH):
            wanted = settings.status if path == STATUS_PATH else settings.stats
            if not (wanted and is_loopback(environ.get("REMOTE_ADDR"))):
                return Response.text(404, "not found")
            if path == STATUS_PATH:
                return self._status(settings)
            return _json(200, self.polls.to_json())
        ended = self.moved.answer(settings.state, path)
        if ended is not None:
            where = () if ended.location is None else (("Location", ended.location),)
            return Response.text(ended.status, ended.message, *where, cache=settings.cache_control)
        parts = safe_parts(path)
        found = None if parts is None else self.load(settings, parts)
        if found is None:
            return Response.text(404, "not found")
        if found.is_feed and method == "GET":
            wait = self.polls.request(environ, found.relpath, settings.min_interval, settings.state)
            if wait is not None:
                why = f"too many requests: fetch with If-None-Match, or wait {wait}s"
                return Response.text(429, why, ("Retry-After", str(wait)))
        rep = found.rep
        vary = ["Accept-Encoding"]
        if found.stylesheet is not None:
            vary.append("Accept")
            if prefers_html(environ.get("HTTP_ACCEPT"), rep.content_type.split(";")[0]):
                rep = self.page(settings, found) or rep
        gz = accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING"))
        etag = rep.gzip_etag if gz else rep.etag
        headers = [("ETag", etag)]
        if int(time.time()) > rep.last_modified:
            # A date in the current second cannot tell this version from one written later
            # in the same second (RFC 9110 8.8.2.2), and clients such as libcurl ignore a
            # 200 whose Last-Modified is not newer than their If-Modified-Since: until the
            # second is over, the ETag is the only validator.
            headers.append(("Last-Modified", http_date(rep.last_modified)))
        headers += [("Cache-Control", settings.cache_control), ("Vary", ", ".join(vary))]
        if found.is_feed:
            headers.extend(("Link", f'<{hub}>; rel="hub"') for hub in settings.hubs)
            headers.append(("Link", f'<{settings.public_url}{quote(found.relpath)}>; rel="self"'))
        if not_modified(environ, etag, rep.last_modified):
            return Response(304, tuple(headers))
        body = rep.gzipped if gz else rep.body
        headers += [
            ("Content-Type", rep.content_type),
            ("Content-Length", str(len(body))),
            ("X-Content-Type-Options", "nosniff"),
        ]
        if gz:
            headers.append(("Content-Encoding", "gzip"))
        return Response(200, tuple(headers), body)

    def _health(self, settings: ServeSettings) -> Response:
        """ok or failing, and when the last build started: nothing about any post."""
        status = read_status(settings.state)
        healthy = status is not None and status.healthy
        return _json(
            200 if healthy else 503,
            {
                "status": "ok" if healthy else "failing",
                "last_build": None if status is None else status.started,
            },
        )

    def _status(self, settings: ServeSettings) -> Response:
        status = read_status(settings.state)
        if status is None:
            return _json(503, {"result": None, "error": "no build has run yet"})
        return _json(200 if status.healthy else 503, status.to_json())

    # -- files ----------------------------------------------------------------------------
    def load(self, settings: ServeSettings, parts: Sequence[str]) -> StaticFile | None:
        """A file of the output folder, from the cache while it is the same file."""
        opened = open_inside(settings.output, parts, folder_identities(settings.state))
        if opened is None:
            return None
        fd, info = opened
        relpath = "/".join(parts)
        if relpath.endswith(".json") and not self._wrote(settings, relpath, info):
            os.close(fd)
            return None
        key = (str(settings.output), settings.public_url, relpath)
        identity = (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)
        cached = self.files.get(key)
        if cached is not None and cached[0] == identity:
            os.close(fd)
            return cached[1]
        if info.st_size > MAX_FILE_BYTES:
            os.close(fd)
            log.warning("not serving %s: larger than %d bytes", relpath, MAX_FILE_BYTES)
            return None
        data = read_all(fd)  # the whole file: a later rename cannot cut it short
        kind, ctype, sheets = classify(relpath, data)
        stylesheet = None
        if kind in ("atom", "rss"):
            stylesheet = stylesheet_relpath(relpath, sheets, settings.public_url)
        found = StaticFile(relpath, kind, Representation.of(data, info.st_mtime, ctype), stylesheet)
        if len(data) == info.st_size:  # not rewritten in place while read
            self.files.put(key, (identity, found))
        return found

    def _wrote(self, settings: ServeSettings, relpath: str, info: os.stat_result) -> bool:
        """Whether the last build wrote this very file (same folder, inode and mtime):
        the only JSON served is a JSON Feed, never a config, status or state file."""
        try:
            folder = os.stat(settings.output)
        except OSError:
            return False
        manifest = self._manifest.get(settings.state)
        if manifest is None:
            return False
        return manifest.wrote((folder.st_dev, folder.st_ino), relpath, info)

    def page(self, settings: ServeSettings, feed: StaticFile) -> Representation | None:
        """The feed as HTML through its XSL stylesheet (None: serve the feed itself)."""
        assert feed.stylesheet is not None
        sheet = self.load(settings, feed.stylesheet.split("/"))
        if sheet is None:
            return None
        key, version = (feed.relpath, sheet.relpath), (feed.rep.etag, sheet.rep.etag)
        cached = self.pages.get(key)
        if cached is not None and cached[0] == version:
            rendered = cached[1]
        else:
            rendered = _Rendered(self._render(feed, sheet))
            self.pages.put(key, (version, rendered))
        return rendered.rep

    def _render(self, feed: StaticFile, sheet: StaticFile) -> Representation | None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        try:
            with self._xslt_lock:
                transform = self._transforms.get(sheet.rep.etag)
                if transform is None:
                    transform = etree.XSLT(
                        etree.fromstring(sheet.rep.body, parser),
                        access_control=_NO_ACCESS,
                    )
                    self._transforms.put(sheet.rep.etag, transform)
                html = str(transform(etree.fromstring(feed.rep.body, parser)))
        except (etree.LxmlError, ValueError) as exc:
            log.warning(
                "cannot show %s as a page with %s: %s; serving the feed",
                feed.relpath,
                sheet.relpath,
                exc,
            )
            return None
        return Representation.of(
            html.encode("utf-8"),
            max(feed.rep.last_modified, sheet.rep.last_modified),
            "text/html; charset=utf-8",
        )

    # -- logging ----------------------------------------------------------------------------
    def _access_log(
        self,
        environ: WSGIEnvironment,
        method: str,
        response: Response,
        size: int,
        started: float,
    ) -> None:
        path = _loggable(environ)
        millis = (time.monotonic() - started) * 1000
        headers = dict(response.headers)
        log.info(
            "%s %s %d %d bytes %.1fms",
            method,
            path,
            response.status,
            size,
            millis,
            extra={
                "fields": {
                    "event": "request",
                    "method": method,
                    "path": path,
                    "status": response.status,
                    "bytes": size,
                    "duration_ms": round(millis, 2),
                    "encoding": headers.get("Content-Encoding"),
                    "remote": environ.get("REMOTE_ADDR"),
                    "user_agent": environ.get("HTTP_USER_AGENT"),
                }
            },
        )


def _json(status: int, data: object) -> Response:
    body = (json.dumps(data, indent=2) + "\n").encode()
    return Response(
        status,
        (
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ),
        body,
    )


def _loggable(environ: WSGIEnvironment) -> str:
    """The request target as sent (percent-encoded), with control characters escaped."""
    raw = str(environ.get("REQUEST_URI") or quote(str(environ.get("PATH_INFO", ""))))
    return "".join(c if 0x20 < ord(c) < 0x7F else f"%{ord(c):02X}" for c in raw[:2000])
