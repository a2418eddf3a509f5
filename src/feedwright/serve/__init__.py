"""``feedwright serve``: the output folder over HTTP, done right for feed readers.

:class:`FeedApp` is a small WSGI application: strong content ETags, ``Last-Modified``,
conditional GET (``304``), gzip, the right content types, ``Link`` headers for WebSub,
``/healthz`` from the status file, and feeds shown as pages (through their XSL
stylesheet) to browsers. It never serves anything outside the output folder: no ``..``,
no symlink, no dotfile, no temporary file. Each file is read whole into memory and cached
by inode, mtime and size, so a build that replaces files (by atomic rename) never makes a
client see a partial one. :class:`HttpServer` runs it on waitress."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import errno
import gzip
import hashlib
import json
import logging
import os
import re
import signal
import socket
import stat
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.sax.saxutils import unescape

from lxml import etree
from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server

from feedwright.errors import FeedwrightError, ServeError
from feedwright.publish import OUTPUT_SUFFIXES, TMP_PREFIX
from feedwright.state.status import read_status

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from feedwright.config import Config

log = logging.getLogger("feedwright")

HEALTH_PATH = "/healthz"
INDEX = "index.html"
MAX_FILE_BYTES = 64 * 1024 * 1024  # larger files are not served (nothing feedwright writes)
CACHE_ENTRIES = 1024
CACHE_BYTES = 128 * 1024 * 1024
POLL_SECONDS = 0.2  # how soon a stop signal is noticed
THREADS = 4

ATOM = "application/atom+xml"
RSS = "application/rss+xml"
JSON_FEED = "application/feed+json"
_XML_TYPES = ("application/xml", "text/xml")
_XSL_TYPES = ("text/xsl", "application/xslt+xml", "application/xml", "text/xml")
# by the end of the file name, longest first; "xml" means: look at the root element
_TYPES: tuple[tuple[str, str, str], ...] = (
    (".atom.xml", "atom", ATOM),
    (".rss.xml", "rss", RSS),
    (".atom", "atom", ATOM),
    (".rss", "rss", RSS),
    (".json", "json", JSON_FEED),
    (".opml", "opml", "text/x-opml"),
    (".html", "html", "text/html"),
    (".xsl", "xsl", "application/xslt+xml"),
    (".xml", "xml", "application/xml"),
)
FEED_KINDS = frozenset({"atom", "rss", "json"})
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


def parse_bind(value: str, what: str = "bind") -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8080`` for IPv6; port 0 picks a free one)."""
    text = value.strip()
    if text.startswith("["):
        host, sep, port = text[1:].partition("]:")
    else:
        host, sep, port = text.rpartition(":")
        if ":" in host:
            sep = ""  # an IPv6 address without brackets: ambiguous
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ServeError(
            f"{what}: must be HOST:PORT such as 127.0.0.1:8080 or [::1]:8080, got {value!r}"
        )
    return host, int(port)


# -- representations and the cache -----------------------------------------------------
@dataclass(frozen=True, slots=True)
class Representation:
    """One response body, its gzip twin and their validators."""

    body: bytes
    gzipped: bytes
    etag: str  # strong, quoted; the gzip twin's is etag + "-gz"
    last_modified: int  # seconds since the epoch
    content_type: str

    @classmethod
    def of(cls, body: bytes, last_modified: float, content_type: str) -> Representation:
        digest = hashlib.sha256(body).hexdigest()[:32]
        return cls(
            body=body,
            # mtime=0: the same bytes always compress to the same bytes (stable ETag)
            gzipped=gzip.compress(body, compresslevel=6, mtime=0),
            etag=f'"{digest}"',
            last_modified=int(last_modified),
            content_type=content_type,
        )

    @property
    def gzip_etag(self) -> str:
        return self.etag[:-1] + '-gz"'

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped)


@dataclass(frozen=True, slots=True)
class StaticFile:
    relpath: str
    kind: str  # atom, rss, json, opml, html, xsl, xml
    rep: Representation
    stylesheet: str | None  # relpath of the XSL stylesheet in the output folder, if any

    @property
    def is_feed(self) -> bool:
        return self.kind in FEED_KINDS


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


# -- paths: nothing outside the output folder ---------------------------------------------
def safe_parts(path_info: str) -> list[str] | None:
    """The path's segments when it may name a served file, else None.

    ``path_info`` is WSGI's PATH_INFO: percent-decoded once by the server, as Latin-1. It is
    never decoded again (``%252e`` stays the literal ``%2e``, which is refused). Refused:
    anything but a plain relative path of non-hidden names, i.e. ``.``/``..``, empty
    segments, dotfiles (temporary files included), backslashes, NUL and other control
    characters, ``%`` and names with a suffix feedwright never writes."""
    try:
        path = path_info.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None
    if not path.startswith("/"):
        return None
    parts = path[1:].split("/")
    if parts[-1] == "":  # a folder: its index page
        parts[-1] = INDEX
    for part in parts:
        if (
            not part
            or part.startswith(".")
            or part.startswith(TMP_PREFIX)
            or "\\" in part
            or "%" in part
            or any(ord(c) < 0x20 or ord(c) == 0x7F for c in part)
        ):
            return None
    if not parts[-1].lower().endswith(OUTPUT_SUFFIXES):
        return None
    return parts


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def open_inside(root: Path, parts: Sequence[str]) -> tuple[int, os.stat_result] | None:
    """Open a regular file below ``root`` one segment at a time, relative to the folder
    opened before and never following a symlink, so neither a symlink nor a folder swapped
    for one mid-request can lead outside. Returns the open descriptor and its stat."""
    try:
        folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return None
    fd = -1
    try:
        for part in parts[:-1]:
            inner = os.open(part, _DIR_FLAGS, dir_fd=folder)
            os.close(folder)
            folder = inner
        fd = os.open(parts[-1], _FILE_FLAGS, dir_fd=folder)
        info = os.fstat(fd)
    except OSError:  # missing, a symlink (ELOOP), not a folder, unreadable
        if fd >= 0:
            os.close(fd)
        return None
    finally:
        os.close(folder)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        return None
    return fd, info


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    with os.fdopen(fd, "rb", buffering=0) as handle:
        while chunk := handle.read(1 << 20):
            chunks.append(chunk)
    return b"".join(chunks)


# -- content types and stylesheets -----------------------------------------------------------
_NAME = re.compile(rb"[A-Za-z_][\w.:-]*")
_PSEUDO_ATTR = re.compile(r"""([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_PROLOG_LIMIT = 64 * 1024
# a stylesheet reads no file and no URL, and writes nothing (lxml-stubs omit the constant)
_NO_ACCESS: etree.XSLTAccessControl = etree.XSLTAccessControl.DENY_ALL  # type: ignore[attr-defined]


def xml_prolog(data: bytes) -> tuple[str | None, list[dict[str, str]]]:
    """The root element's local name (None when it cannot be found near the start) and the
    pseudo-attributes of each ``xml-stylesheet`` processing instruction before it."""
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    end = min(len(data), _PROLOG_LIMIT)
    sheets: list[dict[str, str]] = []
    while pos < end:
        while pos < end and data[pos] in b" \t\r\n":
            pos += 1
        if data.startswith(b"<?", pos):
            close = data.find(b"?>", pos)
            if close < 0:
                break
            target, *rest = data[pos + 2 : close].split(None, 1) or [b""]
            if target == b"xml-stylesheet":
                text = b"".join(rest).decode("utf-8", "replace")
                sheets.append(
                    {
                        m[1]: unescape(m[2] or m[3], {"&quot;": '"', "&apos;": "'"})
                        for m in _PSEUDO_ATTR.finditer(text)
                    }
                )
            pos = close + 2
        elif data.startswith(b"<!--", pos):
            close = data.find(b"-->", pos + 4)
            if close < 0:
                break
            pos = close + 3
        elif data.startswith(b"<!", pos):  # DOCTYPE, possibly with an internal subset
            bracket, close = data.find(b"[", pos), data.find(b">", pos)
            if 0 <= bracket < close:
                close = data.find(b"]", bracket)
                close = data.find(b">", close) if close >= 0 else -1
            if close < 0:
                break
            pos = close + 1
        elif data.startswith(b"<", pos):
            match = _NAME.match(data, pos + 1)
            if match is None:
                break
            return match[0].decode("ascii").rsplit(":", 1)[-1], sheets
        else:
            break
    return None, sheets


def classify(relpath: str, data: bytes) -> tuple[str, str, list[dict[str, str]]]:
    """(kind, content type, stylesheet instructions) of a file."""
    name = relpath.rsplit("/", 1)[-1].lower()
    kind, ctype = "other", "application/octet-stream"
    for suffix, k, t in _TYPES:
        if name.endswith(suffix):
            kind, ctype = k, t
            break
    sheets: list[dict[str, str]] = []
    if kind in ("atom", "rss", "xml"):
        root, sheets = xml_prolog(data)
        if kind == "xml" and root in ("feed", "rss"):
            kind, ctype = ("atom", ATOM) if root == "feed" else ("rss", RSS)
    return kind, f"{ctype}; charset=utf-8", sheets


def stylesheet_relpath(
    relpath: str, sheets: Iterable[dict[str, str]], public_url: str
) -> str | None:
    """The output-relative path of the first XSL stylesheet that lives in the output folder
    (a relative href, or an absolute one under the public URL); None for any other."""
    for sheet in sheets:
        media_type = sheet.get("type", "").strip().lower()
        href = sheet.get("href", "").strip()
        if media_type not in _XSL_TYPES or not href or sheet.get("alternate") == "yes":
            continue
        target = (
            urlsplit(urljoin(public_url + quote(relpath), href))
            ._replace(query="", fragment="")
            .geturl()
        )
        if not target.startswith(public_url):
            return None
        rel = unquote(target[len(public_url) :])
        parts = safe_parts("/" + rel) if rel else None
        return "/".join(parts) if parts and rel.endswith(".xsl") else None
    return None


# -- request headers ----------------------------------------------------------------------
def _q(params: Iterable[str]) -> float:
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return 0.0
            return q if 0.0 <= q <= 1.0 else 0.0
    return 1.0


def etag_matches(header: str, etag: str) -> bool:
    """``If-None-Match``: ``*`` or a list of entity tags, compared weakly (RFC 9110 13.1.2)."""
    if header.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    for item in header.split(","):
        tag = item.strip().removeprefix("W/")
        if tag == opaque or f'"{tag}"' == opaque:
            return True
    return False


def parse_http_date(value: str) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return when.timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):  # RFC 9110: ignore it
        return None


def accepts_gzip(header: str | None) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (``gzip``, ``x-gzip`` or ``*``, q > 0)."""
    if not header:
        return False
    explicit: float | None = None
    star: float | None = None
    for item in header.split(","):
        coding, *params = item.split(";")
        coding = coding.strip().lower()
        if coding in ("gzip", "x-gzip"):
            explicit = max(explicit or 0.0, _q(params))
        elif coding == "*":
            star = _q(params)
    chosen = explicit if explicit is not None else star
    return chosen is not None and chosen > 0


def media_quality(accept: str, media_type: str) -> float:
    """The q an ``Accept`` header gives ``media_type`` (the most specific range wins)."""
    main, _, sub = media_type.partition("/")
    best, quality = -1, 0.0
    for item in accept.split(","):
        media_range, *params = item.split(";")
        rng_main, _, rng_sub = media_range.strip().lower().partition("/")
        if (rng_main, rng_sub) == (main, sub):
            rank = 2
        elif rng_main == main and rng_sub == "*":
            rank = 1
        elif (rng_main, rng_sub) == ("*", "*"):
            rank = 0
        else:
            continue
        if rank > best:
            best, quality = rank, _q(params)
    return quality


def prefers_html(accept: str | None, feed_type: str) -> bool:
    """A browser's ``Accept`` (``text/html,...,*/*;q=0.8``) ranks HTML above the feed's own
    type and XML; a feed reader's ranks the feed first; ties go to the feed."""
    if not accept:
        return False
    html = media_quality(accept, "text/html")
    feed = max(media_quality(accept, t) for t in (feed_type, *_XML_TYPES))
    return html > 0 and html > feed


def http_date(seconds: float) -> str:
    return email.utils.formatdate(seconds, usegmt=True)


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
        if _not_modified(environ, etag, rep.last_modified):
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
        data = _read_all(fd)  # the whole file: a later rename cannot cut it short
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


def _not_modified(environ: WSGIEnvironment, etag: str, last_modified: int) -> bool:
    """RFC 9110 13.2.2: If-None-Match when present, else If-Modified-Since."""
    none_match = environ.get("HTTP_IF_NONE_MATCH")
    if none_match is not None:
        return etag_matches(str(none_match), etag)
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since:
        when = parse_http_date(str(since))
        return when is not None and last_modified <= when
    return False


def _loggable(environ: WSGIEnvironment) -> str:
    """The request target as sent (percent-encoded), with control characters escaped."""
    raw = str(environ.get("REQUEST_URI") or quote(str(environ.get("PATH_INFO", ""))))
    return "".join(c if 0x20 < ord(c) < 0x7F else f"%{ord(c):02X}" for c in raw[:2000])


# -- the HTTP server ----------------------------------------------------------------------
def _listen_socket(host: str, port: int, what: str) -> socket.socket:
    try:
        infos = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE | socket.AI_NUMERICSERV
        )
    except socket.gaierror as exc:
        raise ServeError(f"{what}: cannot resolve {host!r}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        in_use = exc.errno == errno.EADDRINUSE
        reason = "the address is already in use" if in_use else exc.strerror
        raise ServeError(
            f"{what}: cannot listen on {host}:{port}: {reason}", in_use=in_use
        ) from None
    return sock


class HttpServer:
    """waitress, behind three methods: :meth:`start` (in a thread), :meth:`serve_forever`
    (in this one) and :meth:`stop` (from any other thread). The address is bound when the
    server is made, so a bad or busy address fails before anything else starts."""

    def __init__(
        self, app: WSGIApplication, bind: str, *, what: str = "bind", label: str = ""
    ) -> None:
        host, port = parse_bind(bind, what)
        sock = _listen_socket(host, port, what)
        self._map: dict[int, Any] = {}
        server = create_server(
            app,
            map=self._map,
            sockets=[sock],
            threads=THREADS,
            ident="feedwright",
            clear_untrusted_proxy_headers=True,
            expose_tracebacks=False,
        )
        assert isinstance(server, BaseWSGIServer)  # one socket: never a MultiSocketServer
        self._server = server
        # waitress's own warnings (such as a full task queue) in feedwright's log format
        waitress_log = logging.getLogger("waitress")
        if log.handlers:
            waitress_log.handlers[:] = log.handlers
            waitress_log.propagate = False
        bound = sock.getsockname()
        self.host: str = bound[0]
        self.port: int = bound[1]
        self.label = label
        self._stopping = threading.Event()
        self._started = threading.Event()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def running(self) -> bool:
        return not self._done.is_set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, name="http", daemon=True)
        self._thread.start()

    def serve_forever(self) -> None:
        self._started.set()
        log.info(
            "serving %s on %s",
            self.label or "files",
            self.url,
            extra={
                "fields": {
                    "event": "listening",
                    "url": self.url,
                    "host": self.host,
                    "port": self.port,
                    "output": self.label,
                }
            },
        )
        try:
            while not self._stopping.is_set():
                wasyncore.loop(timeout=1.0, use_poll=True, map=self._map, count=1)
        except Exception:
            log.exception("the HTTP server on %s failed", self.url)
            raise
        finally:
            self._done.set()
            wasyncore.close_all(self._map)
            self._server.task_dispatcher.shutdown(timeout=5)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop accepting, close the connections, wait for the worker threads."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        if not self._started.is_set():  # never served: release what was made
            wasyncore.close_all(self._map)
            self._server.task_dispatcher.shutdown(timeout=5)
            return
        if not self._done.is_set():
            with contextlib.suppress(OSError):
                self._server.pull_trigger()  # wake the loop so it sees the flag
        if self._thread is not None:
            self._thread.join(timeout)


def serve_until_signal(server: HttpServer, reload: Callable[[], None] | None = None) -> int:
    """Serve until SIGTERM or SIGINT, then stop and return 0. SIGHUP calls ``reload`` (an
    error is logged and the old settings kept)."""
    flags = {"stop": False, "reload": False}

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        # plain assignments only (see runner.Daemon._on_signal); the loop below polls
        flags["reload" if signum == signal.SIGHUP else "stop"] = True

    previous = {
        sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    }
    server.start()
    try:
        while not flags["stop"]:
            time.sleep(POLL_SECONDS)
            if not server.running:
                raise FeedwrightError("the HTTP server stopped unexpectedly")
            if flags["reload"]:
                flags["reload"] = False
                if reload is not None:
                    try:
                        reload()
                    except FeedwrightError as exc:
                        log.error("reload failed, keeping the old config: %s", exc)
                    else:
                        log.info("reloaded the config")
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info("stopped")
    return 0
