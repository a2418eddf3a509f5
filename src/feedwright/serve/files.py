"""The output folder as ``feedwright serve`` sees it: request paths that may name a served
file, opening a file inside the folder without following symlinks, and what a file is
(its kind, content type and XSL stylesheet), with its bytes and validators."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.sax.saxutils import unescape

from feedwright.publish import OUTPUT_SUFFIXES, TMP_PREFIX

INDEX = "index.html"
ATOM = "application/atom+xml"
RSS = "application/rss+xml"
JSON_FEED = "application/feed+json"
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
    (".css", "css", "text/css"),
    (".xml", "xml", "application/xml"),
)
FEED_KINDS = frozenset({"atom", "rss", "json"})


# -- representations ---------------------------------------------------------------
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


# -- paths: nothing outside the output folder ---------------------------------------------
def safe_parts(path_info: str) -> list[str] | None:
    """The path's segments when it may name a served file, else None.

    ``path_info`` is WSGI's PATH_INFO: percent-decoded once by the server, as Latin-1. It is
    never decoded again (``%252e`` stays the literal ``%2e``, which is refused). Refused:
    anything but a plain relative path of non-hidden names, i.e. ``.``/``..``, empty
    segments, dotfiles (temporary files included), backslashes, NUL and other control
    characters, ``%`` and names with a suffix feedwright never writes (matched
    case-sensitively: ``FEED.XML`` is not a name feedwright writes)."""
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
    if not parts[-1].endswith(OUTPUT_SUFFIXES):
        return None
    return parts


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def open_inside(
    root: Path, parts: Sequence[str], refused: frozenset[tuple[int, int]] = frozenset()
) -> tuple[int, os.stat_result] | None:
    """Open a regular file below ``root`` one segment at a time, relative to the folder
    opened before and never following a symlink, so neither a symlink nor a folder swapped
    for one mid-request can lead outside. Refused (None): anything but a regular file with
    one link (a hard link may be a file from outside), and any file in or below a folder
    whose (device, inode) is in ``refused`` (the state folder). Returns the open descriptor and
    its stat."""
    try:
        folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return None
    fd = -1
    try:
        for part in (None, *parts[:-1]):
            if part is not None:
                inner = os.open(part, _DIR_FLAGS, dir_fd=folder)
                os.close(folder)
                folder = inner
            where = os.fstat(folder)
            if (where.st_dev, where.st_ino) in refused:  # in it, or below it
                return None
        fd = os.open(parts[-1], _FILE_FLAGS, dir_fd=folder)
        info = os.fstat(fd)
    except OSError:  # missing, a symlink (ELOOP), not a folder, unreadable
        if fd >= 0:
            os.close(fd)
        return None
    finally:
        os.close(folder)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
        os.close(fd)
        return None
    return fd, info


def folder_identities(*folders: Path) -> frozenset[tuple[int, int]]:
    """(device, inode) of each folder that exists: folders whose files are never served."""
    found = set()
    for folder in folders:
        try:
            info = os.stat(folder)
        except OSError:
            continue
        found.add((info.st_dev, info.st_ino))
    return frozenset(found)


def read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    with os.fdopen(fd, "rb", buffering=0) as handle:
        while chunk := handle.read(1 << 20):
            chunks.append(chunk)
    return b"".join(chunks)


# -- content types and stylesheets -----------------------------------------------------------
_NAME = re.compile(rb"[A-Za-z_][\w.:-]*")
_PSEUDO_ATTR = re.compile(r"""([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_PROLOG_LIMIT = 64 * 1024


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
