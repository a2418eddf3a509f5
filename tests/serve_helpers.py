"""Talk to `feedwright serve` and `feedwright run --serve` over real HTTP."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from daemon_helpers import DaemonProcess

HOST = "127.0.0.1"
_LISTENING = re.compile(r"serving \S+ on http://127\.0\.0\.1:(\d+)/")
# what browsers and feed readers send
BROWSER_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
)
READER_ACCEPT = (
    "application/atom+xml,application/rdf+xml,application/rss+xml,application/x-netcdf,"
    "application/xml;q=0.9,text/xml;q=0.2,*/*;q=0.1"
)


def port_of(proc: DaemonProcess) -> int:
    """The port from the "serving ... on http://127.0.0.1:PORT/" log line."""
    proc.wait_for("the listening line", lambda: _LISTENING.search(proc.log) is not None)
    match = _LISTENING.search(proc.log)
    assert match is not None
    return int(match[1])


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Message
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def all(self, name: str) -> list[str]:
        return self.headers.get_all(name) or []


def fetch(
    port: int, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> Reply:
    """One request; ``path`` is sent exactly as given (http.client does not normalise it)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return Reply(response.status, response.msg, response.read())
    finally:
        conn.close()


def raw_request(port: int, target: bytes) -> tuple[int, bytes]:
    """Send a request line byte for byte (for targets no HTTP client would send)."""
    with socket.create_connection((HOST, port), timeout=10) as sock:
        sock.sendall(
            b"GET " + target + b" HTTP/1.1\r\nHost: " + HOST.encode() + b"\r\n"
            b"Connection: close\r\n\r\n"
        )
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    data = b"".join(chunks)
    return int(data.split(b" ", 2)[1]), data


def access_log(proc: DaemonProcess, since: int = 0) -> list[tuple[str, str, int]]:
    """(method, path, status) of each request logged, as text or JSON lines."""
    found = []
    for line in proc.lines[since:]:
        if line.startswith("{"):
            data = json.loads(line)
            if data.get("event") == "request":
                found.append((data["method"], data["path"], data["status"]))
            continue
        match = re.search(r" INFO ([A-Z]+) (\S+) (\d{3}) \d+ bytes", line)
        if match:
            found.append((match[1], match[2], int(match[3])))
    return found


def statuses(proc: DaemonProcess, path: str, since: int = 0) -> list[int]:
    return [status for method, p, status in access_log(proc, since) if p == path]


def published_files(output: Path) -> list[str]:
    """Relative paths of the files a client may ask for (no dotfiles, no symlinks)."""
    found = []
    for folder, dirs, files in os.walk(output):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            path = Path(folder) / name
            if not name.startswith(".") and not path.is_symlink():
                found.append(path.relative_to(output).as_posix())
    return sorted(found)
