"""Atom and RSS feeds through the W3C Feed Validation Service's own code (validator.w3.org/feed,
MIT), run offline and in-process. The validator is a test tool like jing: it is found in the
shared folder (``validators/w3c-feedvalidator``) and never copied into this project.

Each feed is validated against the URL it is published at, so that a self link that does not
match where the file is served is an error. Every error fails; a warning fails unless its class
is in :data:`ALLOWED_WARNINGS` with the reason it is acceptable. JSON Feed is not covered.
"""

from __future__ import annotations

import hashlib
import io
import socket
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from lxml import etree

from conftest import ROOT, SHARED, unavailable
from regen_golden import GOLDEN

VALIDATOR = SHARED / "validators" / "w3c-feedvalidator"

# Warning class (the validator's stable message id) -> why this project accepts it.
ALLOWED_WARNINGS: dict[str, str] = {
    "DuplicateUpdated": (
        "posts published on the same day share their date-only atom:updated; RFC 4287 asks "
        "only that an entry's updated changes when the entry does"
    ),
    "ArchiveIncomplete": (
        "the oldest RFC 5005 archive has no older one to link to, and archives never link "
        "forward so that a published year's document does not change"
    ),
}

# Output folders whose config is not next to them: the golden files are the sample blog's
# config.yaml built into tests/golden.
_BUILT_FROM = {GOLDEN.resolve(): ROOT / "config.yaml"}

_MEDIA_TYPES = {"feed": "application/atom+xml", "rss": "application/rss+xml"}


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" or "warning"
    name: str  # the validator's message class, e.g. "DuplicateUpdated"
    text: str  # "line 12, column 4: ..." as the validator words it

    @property
    def allowed(self) -> bool:
        return self.severity == "warning" and self.name in ALLOWED_WARNINGS


@dataclass(frozen=True)
class Report:
    path: Path
    url: str
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def unexpected(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.allowed)


@cache
def load_validator() -> tuple[ModuleType, ModuleType, Any]:
    if not (VALIDATOR / "feedvalidator" / "__init__.py").is_file():
        unavailable(f"W3C feed validator not found at {VALIDATOR} (set FEEDWRIGHT_SHARED)")
    sys.path.insert(0, str(VALIDATOR))
    # Importing it sets a process-wide socket timeout; the tests' own servers keep theirs.
    timeout = socket.getdefaulttimeout()
    try:
        import feedvalidator
        from feedvalidator import logging as events
        from feedvalidator.formatter.text_plain import Formatter
    finally:
        socket.setdefaulttimeout(timeout)
    return feedvalidator, events, Formatter


_seen: dict[tuple[bytes, str], tuple[Finding, ...]] = {}


def validate(path: Path, url: str) -> Report:
    """Validate one Atom or RSS file as if fetched from ``url``, served with its media type.
    The same bytes at the same URL are validated once per test run."""
    data = path.read_bytes()
    key = (hashlib.sha256(data).digest(), url)
    if key not in _seen:
        _seen[key] = _findings(data, url)
    return Report(path, url, _seen[key])


def _findings(data: bytes, url: str) -> tuple[Finding, ...]:
    feedvalidator, events, formatter = load_validator()
    root = etree.QName(etree.fromstring(data)).localname
    logged = feedvalidator.validateStream(
        io.BytesIO(data),
        firstOccurrenceOnly=0,
        contentType=_MEDIA_TYPES.get(root, "application/xml") + "; charset=utf-8",
        base=url,
    )["loggedEvents"]
    findings = []
    for event in logged:
        if isinstance(event, events.Error):
            severity = "error"
        elif isinstance(event, events.Warning):
            severity = "warning"
        else:
            continue
        findings.append(Finding(severity, type(event).__name__, formatter([event])[0]))
    return tuple(findings)


def published_url(path: Path) -> str:
    """Where a built feed is served, read from the config that wrote it (``feeds_url``, else
    the site's URL and base URL) plus the file's path inside that config's output folder."""
    path = path.resolve()
    for folder in path.parents:
        config = _BUILT_FROM.get(folder, folder / "config.yaml")
        if not config.is_file():
            continue
        output, url = _published_at(config, config.read_bytes())
        root = folder if folder in _BUILT_FROM else output
        if root in path.parents:
            return url + path.relative_to(root).as_posix()
    raise AssertionError(f"{path}: no config.yaml above it says where it is published")


@cache
def _published_at(config: Path, text: bytes) -> tuple[Path, str]:
    """The output folder and its URL: ``feeds_url``, else the site's URL and base URL, plus
    the output's path inside ``site_folder`` when it lies there."""
    data = yaml.safe_load(text) or {}
    site = data.get("site", {})
    output = (config.parent / data.get("output", "feeds")).resolve()
    url = data.get("feeds_url") or site["url"].rstrip("/") + site.get("baseurl", "")
    if not data.get("feeds_url") and data.get("site_folder"):
        folder = (config.parent / data["site_folder"]).resolve()
        if folder == output or folder in output.parents:
            rel = output.relative_to(folder).as_posix()
            url = url.rstrip("/") + ("" if rel == "." else "/" + rel)
    return output, url.rstrip("/") + "/"


def check_w3c(paths: Iterable[Path]) -> list[Report]:
    """Every feed passes the W3C validator: no error, and only allowlisted warnings."""
    reports = [validate(path, published_url(path)) for path in paths]
    problems = [
        f"{r.path.name} ({r.url}): {f.severity} {f.name}: {f.text}"
        for r in reports
        for f in r.unexpected
    ]
    assert not problems, "W3C feed validator:\n" + "\n".join(problems[:20])
    return reports
