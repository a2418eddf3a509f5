"""HTTP header handling for ``feedwright serve``: conditional requests (``If-None-Match``,
``If-Modified-Since``), HTTP dates and content negotiation (``Accept``,
``Accept-Encoding``)."""

from __future__ import annotations

import datetime as dt
import email.utils
import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

_XML_TYPES = ("application/xml", "text/xml")


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


def not_modified(environ: WSGIEnvironment, etag: str, last_modified: int) -> bool:
    """RFC 9110 13.2.2: If-None-Match when present, else If-Modified-Since."""
    none_match = environ.get("HTTP_IF_NONE_MATCH")
    if none_match is not None:
        return etag_matches(str(none_match), etag)
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since:
        when = parse_http_date(str(since))
        return when is not None and last_modified <= when
    return False


def is_loopback(remote: object) -> bool:
    """Whether the client's address (the socket's peer) is a loopback address."""
    try:
        address = ipaddress.ip_address(str(remote).partition("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback
