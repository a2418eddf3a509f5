"""Listening for ``feedwright serve``: :class:`HttpServer` runs a WSGI application on
waitress, and :func:`serve_until_signal` serves until SIGTERM or SIGINT (SIGHUP
reloads)."""

from __future__ import annotations

import contextlib
import errno
import logging
import resource
import signal
import socket
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server

from feedwright.errors import FeedwrightError, ServeError

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

log = logging.getLogger("feedwright")

POLL_SECONDS = 0.2  # how soon a stop signal is noticed
THREADS = 4
# Connections held at once (waitress's default is 100: a hundred idle sockets locked every
# new client out), capped by the open-file limit; a connection idle this long (no request
# in progress) is closed, checked every CLEANUP_SECONDS.
CONNECTION_LIMIT = 1000
IDLE_TIMEOUT_SECONDS = 30
CLEANUP_SECONDS = 5
_SPARE_FILES = 64  # descriptors kept for the files being served, logs and the build


def connection_limit(wanted: int) -> int:
    """``wanted``, or fewer when the open-file limit cannot hold that many sockets (the
    soft limit is raised toward the hard one first)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + _SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < needed:
        raised = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - _SPARE_FILES))


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
            connection_limit=connection_limit(CONNECTION_LIMIT),
            channel_timeout=IDLE_TIMEOUT_SECONDS,
            cleanup_interval=CLEANUP_SECONDS,
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
        # plain assignments only (see run.daemon.Daemon._on_signal); the loop below polls
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
