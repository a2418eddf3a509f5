"""RSS 2.0 rules (rssboard.org/rss-specification) that readers trip over and that neither
feedparser nor the W3C validator enforce as errors:

- every date is RFC 822 with an English day and month name, a four-digit year and a numeric
  offset (``+0000``, never ``GMT`` or ``EST``), and its day name matches its date;
- a channel ``<image>`` has ``url``, ``title`` and ``link``, its url is a GIF, JPEG or PNG
  picture, its title and link are the channel's;
- ``guid isPermaLink`` is ``true`` or ``false``, a permalink guid is an absolute http(s) URL,
  and every item of a channel says the same;
- an item has at most one ``<enclosure>``, with an absolute url, a byte length and a type;
- every namespace prefix is declared on the ``<rss>`` element (no ``ns0:`` declared inline).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
RFC822 = re.compile(
    rf"^(?P<day>{'|'.join(_DAYS)}), \d{{1,2}} (?:{_MONTHS}) \d{{4}} "
    r"\d{2}:\d{2}(?::\d{2})? [+-]\d{4}$"
)
_DATES = ("pubDate", "lastBuildDate")
_IMAGE_SUFFIXES = (".gif", ".jpg", ".jpeg", ".png")
_GENERATED_PREFIX = re.compile(r"^ns\d+$")


def _absolute(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def rss_problems(data: bytes) -> list[str]:
    """What breaks the rules above in one RSS document (empty if it is not RSS)."""
    root = etree.fromstring(data)
    if root.tag != "rss":
        return []
    problems: list[str] = []
    channel = root.find("channel")
    if channel is None:
        return ["<rss> has no <channel>"]

    for el in root.iter(*_DATES):
        text = (el.text or "").strip()
        where = f"<{el.getparent().tag}><{el.tag}> {text!r}"
        match = RFC822.match(text)
        if match is None:
            problems.append(f"{where}: not an RFC 822 date with a numeric offset")
            continue
        if _DAYS[parsedate_to_datetime(text).weekday()] != match["day"]:
            problems.append(f"{where}: the day name does not match the date")

    for image in channel.findall("image"):
        children = {name: image.findall(name) for name in ("url", "title", "link")}
        for name, found in children.items():
            if len(found) != 1:
                problems.append(f"<image> has {len(found)} <{name}>, not one")
        url = image.findtext("url") or ""
        if not _absolute(url) or not urlsplit(url).path.lower().endswith(_IMAGE_SUFFIXES):
            problems.append(f"<image><url> {url!r} is not an absolute GIF, JPEG or PNG URL")
        if image.findtext("title") != channel.findtext("title"):
            problems.append("<image><title> differs from the channel's title")
        if image.findtext("link") != channel.findtext("link"):
            problems.append("<image><link> differs from the channel's link")

    permalink_values = set()
    for item in channel.iter("item"):
        name = item.findtext("title") or item.findtext("guid") or "an item"
        for guid in item.findall("guid"):
            flag = guid.get("isPermaLink", "true")
            permalink_values.add(flag)
            if flag not in ("true", "false"):
                problems.append(f"{name}: isPermaLink={flag!r} is neither true nor false")
            elif flag == "true" and not _absolute(guid.text):
                problems.append(f"{name}: permalink guid {guid.text!r} is not an absolute URL")
        enclosures = item.findall("enclosure")
        if len(enclosures) > 1:
            problems.append(f"{name}: {len(enclosures)} enclosures (RSS allows one)")
        for enclosure in enclosures:
            if not _absolute(enclosure.get("url")):
                problems.append(f"{name}: enclosure url {enclosure.get('url')!r} is not absolute")
            if not (enclosure.get("length") or "").isdigit():
                problems.append(f"{name}: enclosure length {enclosure.get('length')!r}")
            if "/" not in (enclosure.get("type") or ""):
                problems.append(f"{name}: enclosure type {enclosure.get('type')!r}")
    if len(permalink_values) > 1:
        problems.append(f"items disagree on isPermaLink: {sorted(permalink_values)}")

    declared = root.nsmap
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for prefix, uri in el.nsmap.items():
            if declared.get(prefix) != uri:
                problems.append(f"<{el.tag}>: prefix {prefix!r} not declared on <rss>")
        if el.prefix is not None and _GENERATED_PREFIX.match(el.prefix):
            problems.append(f"<{el.tag}>: generated prefix {el.prefix!r}")
    return problems


def check_rss(paths: Iterable[Path]) -> None:
    """Every RSS feed among ``paths`` keeps the rules above."""
    found = [f"{path.name}: {p}" for path in paths for p in rss_problems(path.read_bytes())]
    assert not found, "RSS 2.0 rules:\n" + "\n".join(found[:20])
