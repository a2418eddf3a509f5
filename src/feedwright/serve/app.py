"""The WSGI application of ``feedwright serve``: :class:`FeedApp` answers ``GET`` and
``HEAD`` for the files of the output folder with strong ETags, ``Last-Modified``,
``304``, gzip, ``Link`` headers for WebSub, ``/healthz`` from the status file, and feeds
shown as pages (through their XSL stylesheet) to browsers. Files and pages are cached in
memory, by inode, mtime and size."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import quote

from lxml import etree

from feedwright.serve.files import (
    Representation,
    StaticFile,
    classify,
    open_inside,
    read_all,
    safe_parts,
    stylesheet_relpath,
)
from feedwright.serve.http import accepts_gzip, http_date, not_modified, prefers_html
from feedwright.state.status import read_status

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from feedwright.config import Config

log = logging.getLogger("feedwright")

HEALTH_PATH = "/healthz"
MAX_FILE_BYTES = 64 * 1024 * 1024  # larger files are not served (nothing feedwright writes)
CACHE_ENTRIES = 1024
CACHE_BYTES = 128 * 1024 * 1024
_STATUS_TEXT = {
    200: "200 OK",
    304: "304 Not Modified",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
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

    @classmethod
    def from_config(cls, config: Config) -> ServeSettings:
        return cls(
            output=config.output,
            state=config.state,
            public_url=config.public_feeds_url.rstrip("/") + "/",
            cache_control=config.serve.cache_control,
            hubs=tuple(config.websub.hubs),
        )


@dataclass(frozen=True, slots=True)
class _Rendered:
    rep: Representation | None  # None: the stylesheet failed; serve the feed


K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """A thread-safe LRU bounded by entry count and total size."""

    def __init__(self, max_entries: int, max_bytes: int, size: Callable[[V], int]) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        size = self._size(value)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= self._size(old)
            self._items[key] = value
            self._bytes += size
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= self._size(dropped)

    def __len__(self) -> int:
        return len(self._items)


# a stylesheet reads no file and no URL, and writes nothing (lxml-stubs omit the constant)
_NO_ACCESS: etree.XSLTAccessControl = etree.XSLTAccessControl.DENY_ALL  # type: ignore[attr-defined]


# -- the WSGI application -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    @classmethod
    def text(cls, status: int, message: str, *extra: tuple[str, str]) -> Response:
        body = (message + "\n").encode()
        return cls(
            status,
            (
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
                *extra,
            ),
            body,
        )


class FeedApp:
    """The WSGI application. ``settings`` is fixed, or a function read on every request
    (so a daemon's reloaded config applies at once)."""

    def __init__(self, settings: ServeSettings | Callable[[], ServeSettings]) -> None:
        self._settings: Callable[[], ServeSettings] = (
            (lambda: settings) if isinstance(settings, ServeSettings) else settings
        )
        self.files: BoundedCache[tuple[Any, ...], StaticFile] = BoundedCache(
            CACHE_ENTRIES, CACHE_BYTES, lambda f: f.rep.size
        )
        self.pages: BoundedCache[tuple[str, str], _Rendered] = BoundedCache(
            CACHE_ENTRIES // 4, CACHE_BYTES // 4, lambda p: p.rep.size if p.rep else 0
        )
        self._transforms: BoundedCache[str, etree.XSLT] = BoundedCache(16, 16, lambda _: 1)
        self._xslt_lock = threading.Lock()  # an XSLT object runs one transform at a time

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
        parts = safe_parts(path)
        found = None if parts is None else self.load(settings, parts)
        if found is None:
            return Response.text(404, "not found")
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
        status = read_status(settings.state)
        if status is None:
            status = {"result": None, "error": "no build has run yet"}
        healthy = status.get("result") in ("ok", "errors")
        body = (json.dumps(status, indent=2) + "\n").encode()
        return Response(
            200 if healthy else 503,
            (
                ("Content-Type", "application/json; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ),
            body,
        )

    # -- files ----------------------------------------------------------------------------
    def load(self, settings: ServeSettings, parts: Sequence[str]) -> StaticFile | None:
        """A file of the output folder, from the cache while it is the same file."""
        opened = open_inside(settings.output, parts)
        if opened is None:
            return None
        fd, info = opened
        relpath = "/".join(parts)
        key = (
            str(settings.output),
            settings.public_url,
            relpath,
            info.st_dev,
            info.st_ino,
            info.st_mtime_ns,
            info.st_size,
        )
        cached = self.files.get(key)
        if cached is not None:
            os.close(fd)
            return cached
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
            self.files.put(key, found)
        return found

    def page(self, settings: ServeSettings, feed: StaticFile) -> Representation | None:
        """The feed as HTML through its XSL stylesheet (None: serve the feed itself)."""
        assert feed.stylesheet is not None
        sheet = self.load(settings, feed.stylesheet.split("/"))
        if sheet is None:
            return None
        key = (feed.rep.etag, sheet.rep.etag)
        rendered = self.pages.get(key)
        if rendered is None:
            rendered = _Rendered(self._render(feed, sheet))
            self.pages.put(key, rendered)
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


def _loggable(environ: WSGIEnvironment) -> str:
    """The request target as sent (percent-encoded), with control characters escaped."""
    raw = str(environ.get("REQUEST_URI") or quote(str(environ.get("PATH_INFO", ""))))
    return "".join(c if 0x20 < ord(c) < 0x7F else f"%{ord(c):02X}" for c in raw[:2000])
