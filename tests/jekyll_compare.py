"""Build one site with Jekyll and with feedwright, and compare what each published per post.

Posts are matched by file name (without extension). Compared: whether the post is published
at all, its URL (exact), its title (jekyll-feed's ``smartify | strip_html |
normalize_whitespace``), its date (as an instant, under ``publication_date: site``), its
content as the whitespace-normalised text of the HTML, and the targets of its links, images
and media in document order (``links``), each resolved against the post's URL as a browser on
the post's page (or a feed reader on the entry) resolves them.

feedwright builds the site twice: once with ids that carry the file name (how items are
matched to posts), and once with the ids Jekyll mode gives by default, whose Atom feed lists
the same posts in the same order. From that feed come the entry's ``<id>`` (``id``: exactly
jekyll-feed's), its ``<link rel="alternate">`` (``link``: exactly jekyll-feed's), its
``<published>`` (under ``date``, with the JSON Feed's) and ``<updated>`` (``updated``: the
same instant as jekyll-feed's).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html
import yaml

from jekyll_oracle import JekyllPost, JekyllSite, jekyll_build

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("FEEDWRIGHT_SHARED", ROOT.parent / "shared"))
FIXTURE = ROOT / "tests" / "data" / "jekyll-fixture"
# pretty permalinks, an eastern time zone, front matter defaults, drafts, kramdown options
FIXTURE_2 = ROOT / "tests" / "data" / "jekyll-fixture-2"
ALLOWLIST = ROOT / "tests" / "data" / "jekyll-allowlist.yaml"
FIELDS = ("published", "url", "title", "date", "content", "links", "id", "link", "updated")
_ID_AUTHORITY, _ID_DATE = "example.org", "2000-01-01"
_ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass(frozen=True)
class Corpus:
    """A site to build with both tools: a Jekyll site folder or a bare posts folder."""

    name: str
    source: Path
    settings: Mapping[str, Any] = field(default_factory=dict, compare=False)
    stub_tags: tuple[str, ...] = ()


def _sample_settings() -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "config.yaml").read_text("utf-8"))
    site = config["site"]
    keys = ("title", "baseurl", "description", "author", "timezone")
    return {
        **{k: site[k] for k in keys if k in site},
        # Jekyll's docs write url without the trailing slash; with it, absolute_url and
        # {{ site.url }}/path give "//" (feedwright folds that slash)
        "url": site["url"].rstrip("/"),
        "permalink": config["permalink"],
    }


def corpora() -> dict[str, Corpus]:
    """The two fixture blogs, the repository's sample blog and the kubevirt.io blog."""
    return {
        "fixture": Corpus("fixture", FIXTURE),
        "fixture-2": Corpus("fixture-2", FIXTURE_2),
        "sample": Corpus("sample", ROOT / "posts", _sample_settings()),
        "kubevirt": Corpus(
            "kubevirt",
            SHARED / "corpus" / "kubevirt" / "posts",
            {
                "title": "KubeVirt.io",
                "url": "https://kubevirt.io",
                "baseurl": "",
                "permalink": "/:year/:title:output_ext",
                "timezone": "UTC",
            },
            # jekyll-inline-svg is not packaged; feedwright drops tags it does not know
            stub_tags=("svg",),
        ),
    }


@dataclass(frozen=True)
class FeedwrightPost:
    """One item of feedwright's JSON Feed."""

    key: str
    url: str
    title: str
    published: dt.datetime
    content_html: str
    # from the Atom feed of the build with Jekyll mode's own ids
    id: str = ""
    link: str = ""
    atom_published: dt.datetime | None = None
    updated: dt.datetime | None = None


@dataclass(frozen=True)
class AtomEntry:
    """One entry of feedwright's Atom feed."""

    id: str
    link: str
    title: str
    published: dt.datetime
    updated: dt.datetime


def feedwright_config(site: JekyllSite, work: Path, *, default_ids: bool = False) -> Path:
    """A config.yaml that gives feedwright the site Jekyll built as a Jekyll site, so that it
    reads the same ``_config.yml``, ``_includes`` and ``_data``; only what the comparison
    needs (a JSON Feed of every post, full content, ids that carry the file name) is set.
    With ``default_ids``, the ids are Jekyll mode's own and the feed is Atom, in a folder
    of its own."""
    name = "feedwright-ids" if default_ids else "feedwright"
    data: dict[str, Any] = {
        "jekyll": str(site.root),
        "output": str(work / f"{name}-out"),
        "state": str(work / f"{name}-state"),
        # tag ids carry the file name, which is how items are matched to posts
        "ids": {"scheme": "tag", "authority": _ID_AUTHORITY, "date": _ID_DATE},
        "publication_date": "site",
        "limit": 10000,
        "content": "full",
        "formats": ["json"],
        "embeds": "keep",
        "feeds": {"tags": {"enabled": False}, "categories": {"enabled": False}},
        "archives": {"enabled": False},
        "discovery": {"index": False, "opml": False, "autodiscovery": False, "stylesheet": False},
        "limits": {"feed_size": "1GB"},
    }
    if default_ids:
        del data["ids"]
        data["formats"] = ["atom"]
    if not site.url:
        data["site"] = {"url": "https://example.invalid/"}
    path = work / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return path


def _run_feedwright(config: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "feedwright", "build", "-c", str(config), "--full", "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode not in (0, 1):
        raise RuntimeError(f"feedwright build failed ({result.returncode}):\n{result.stderr}")
    return result.stdout + result.stderr


def atom_entries(path: Path) -> list[AtomEntry]:
    """The entries of an Atom feed, in order."""
    root = lxml.etree.parse(str(path)).getroot()
    entries = []
    for entry in root.iter(f"{_ATOM}entry"):
        links = entry.iter(f"{_ATOM}link")
        link = next(
            (el.get("href", "") for el in links if el.get("rel", "alternate") == "alternate"), ""
        )
        title = entry.find(f"{_ATOM}title")
        text = "" if title is None else title.text or ""
        if title is not None and title.get("type") == "html":
            text = lxml.html.fromstring(text).text_content() if text.strip() else ""
        entries.append(
            AtomEntry(
                id=entry.findtext(f"{_ATOM}id") or "",
                link=link,
                title=text,
                published=dt.datetime.fromisoformat(entry.findtext(f"{_ATOM}published") or ""),
                updated=dt.datetime.fromisoformat(entry.findtext(f"{_ATOM}updated") or ""),
            )
        )
    return entries


def feedwright_build(site: JekyllSite, work: Path) -> tuple[dict[str, FeedwrightPost], str]:
    """Build the site's posts with feedwright's CLI, twice (see above); its items by post
    key, and its output."""
    output = _run_feedwright(feedwright_config(site, work))
    feed = json.loads((work / "feedwright-out" / "feed.json").read_text("utf-8"))
    output += _run_feedwright(feedwright_config(site, work, default_ids=True))
    atom = atom_entries(work / "feedwright-ids-out" / "feed.xml")
    if len(atom) != len(feed["items"]):
        raise RuntimeError(f"{len(atom)} Atom entries for {len(feed['items'])} JSON Feed items")
    posts = {}
    for item, entry in zip(feed["items"], atom, strict=True):
        key = unquote(item["id"].split(":", 2)[2])
        if " ".join(entry.title.split()) != " ".join(item["title"].split()):
            raise RuntimeError(f"{key}: the Atom entry in its place is {entry.title!r}")
        posts[key] = FeedwrightPost(
            key=key,
            url=item["url"],
            title=item["title"],
            published=dt.datetime.fromisoformat(item["date_published"]),
            content_html=item.get("content_html", ""),
            id=entry.id,
            link=entry.link,
            atom_published=entry.published,
            updated=entry.updated,
        )
    return posts, output


def _fragment(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html or "<!-- -->", create_parent="div")


def text_of(html: str) -> str:
    """The text a reader sees, whitespace-normalised."""
    return " ".join(_fragment(html).text_content().split()) if html.strip() else ""


_TYPOGRAPHY = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‘": "'",
        "’": "'",
        "–": "--",
        "—": "---",
        "…": "...",
        "«": "<<",
        "»": ">>",
    }
)


def fold_typography(text: str) -> str:
    """kramdown's smart quotes, dashes and ellipses back to what was typed, to look past
    them for the next difference."""
    return text.translate(_TYPOGRAPHY)


def first_difference(a: str, b: str, words: int = 12) -> str:
    """The first place two texts differ (by words), with a little context from each."""
    wa, wb = a.split(" "), b.split(" ")
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    for tag, i1, _, j1, _ in matcher.get_opcodes():
        if tag != "equal":
            return (
                f"jekyll     {' '.join(wa[max(0, i1 - 3) : i1 + words])!r}\n"
                f"{'':14}feedwright {' '.join(wb[max(0, j1 - 3) : j1 + words])!r}"
            )
    return ""


def similarity(a: str, b: str) -> float:
    """difflib's ratio over the words of two texts (over characters, long posts take minutes)."""
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a.split(" "), b.split(" "), autojunk=False).ratio()


ARTIFACTS: dict[str, re.Pattern[str]] = {
    "{{": re.compile(r"\{\{"),
    "{%": re.compile(r"\{%"),
    "[^": re.compile(r"\[\^"),
    "*[": re.compile(r"(?m)^\s*\*\[|\s\*\[[^\]]+\]:"),
    "{:": re.compile(r"\{:"),
    "~~": re.compile(r"~~"),
    "|---|": re.compile(r"\|\s*:?-{3,}:?\s*\|"),
}
_LIQUID_URL = re.compile(r"\{\{|\{%|%7B%7B|%7B%25", re.IGNORECASE)


def artifacts(html: str) -> Counter[str]:
    """Markup left visible outside ``<code>``/``<pre>``, and URLs that contain Liquid."""
    counts: Counter[str] = Counter()
    if not html.strip():
        return counts
    root = _fragment(html)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("href", "src"):
            if _LIQUID_URL.search(el.get(attr) or ""):
                counts["liquid URL"] += 1
    for el in list(root.iter("code", "pre")):
        if el.getparent() is not None:
            el.drop_tree()
    text = root.text_content()
    for name, pattern in ARTIFACTS.items():
        found = len(pattern.findall(text))
        if found:
            counts[name] += found
    return counts


# the attributes that lead a reader somewhere, by element: srcset holds several URLs
_LINK_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "iframe": ("src",),
}
# what a browser leaves as it is in a URL it requests ("%" keeps the escapes there are)
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_SRCSET_CANDIDATE = re.compile(r"\s*([^\s,][^\s]*)(?:\s+[^,]*)?(?:,|$)")


def _srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset: "a.png 1x, b.png 2x" (a URL may itself hold a comma)."""
    return [m.group(1).rstrip(",") for m in _SRCSET_CANDIDATE.finditer(value) if m.group(1)]


def resolve_link(base: str, value: str) -> str:
    """``value`` as a browser requests it from the page at ``base``: surrounding blanks
    and tabs/newlines inside dropped, resolved against ``base``, spaces and non-ASCII
    characters percent-encoded (UTF-8), escapes in upper case; a ``#fragment`` alone (or
    an empty value) names the page itself."""
    value = re.sub(r"[\t\n\r]", "", value.strip(" \t\n\r\f"))
    parts = urlsplit(urljoin(base, value))
    encoded = [quote(part, safe=_URL_SAFE) for part in (parts.path, parts.query, parts.fragment)]
    path, query, fragment = (_ESCAPE.sub(lambda m: m.group(0).upper(), p) for p in encoded)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, fragment))


def link_targets(html: str, base: str) -> list[str]:
    """Where the content's links, images and media lead, in document order, each as
    ``tag@attribute target``."""
    if not html.strip():
        return []
    targets: list[str] = []
    for el in _fragment(html).iter(*_LINK_ATTRIBUTES):
        for attr in _LINK_ATTRIBUTES[el.tag]:
            value = el.get(attr)
            if value is None:
                continue
            urls = _srcset_urls(value) if attr == "srcset" else [value]
            targets.extend(f"{el.tag}@{attr} {resolve_link(base, url)}" for url in urls)
    return targets


def first_link_difference(a: str, b: str) -> str:
    """The first place two lists of link targets (one a line) differ."""
    la, lb = a.splitlines(), b.splitlines()
    matcher = difflib.SequenceMatcher(None, la, lb, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            where = f"link {i1 + 1} of {len(la)} (feedwright: {j1 + 1} of {len(lb)})"
            return (
                f"{where}\n"
                f"{'':14}jekyll     {la[i1] if i1 < i2 else '(none)'}\n"
                f"{'':14}feedwright {lb[j1] if j1 < j2 else '(none)'}"
            )
    return ""


def describe(diff: FieldDiff) -> str:
    """A readable first difference of one field."""
    if diff.field == "links":
        return first_link_difference(diff.jekyll, diff.feedwright)
    if diff.field == "content":
        return first_difference(diff.jekyll, diff.feedwright)
    return f"jekyll {diff.jekyll!r} / feedwright {diff.feedwright!r}"


@dataclass(frozen=True)
class FieldDiff:
    field: str
    jekyll: str
    feedwright: str


@dataclass(frozen=True)
class PostComparison:
    key: str
    diffs: tuple[FieldDiff, ...]
    similarity: float | None  # of the content text; None when only one tool published it
    artifacts: Counter[str] = field(compare=False)  # in feedwright's content
    jekyll_artifacts: Counter[str] = field(compare=False)


@dataclass(frozen=True)
class Comparison:
    corpus: str
    jekyll: JekyllSite
    feedwright: Mapping[str, FeedwrightPost] = field(compare=False)
    posts: tuple[PostComparison, ...]
    feedwright_output: str = ""

    def unexpected(self, allowlist: Mapping[str, Mapping[str, str]]) -> list[str]:
        return [
            f"{post.key}: {diff.field}: jekyll {diff.jekyll!r} != feedwright {diff.feedwright!r}"
            for post in self.posts
            for diff in post.diffs
            if diff.field not in allowlist.get(post.key, {})
        ]


def _date(value: dt.datetime) -> str:
    return value.isoformat()


def compare_post(key: str, jk: JekyllPost | None, fw: FeedwrightPost | None) -> PostComparison:
    if jk is None or fw is None:
        where = "published" if jk is not None else "not published"
        other = "published" if fw is not None else "not published"
        diff = FieldDiff("published", where, other)
        return PostComparison(
            key,
            (diff,),
            None,
            artifacts(fw.content_html) if fw else Counter(),
            artifacts(jk.content_html) if jk else Counter(),
        )
    diffs = []
    if jk.url != fw.url:
        diffs.append(FieldDiff("url", jk.url, fw.url))
    if jk.title != fw.title:
        diffs.append(FieldDiff("title", jk.title, fw.title))
    if jk.published != fw.published:
        diffs.append(FieldDiff("date", _date(jk.published), _date(fw.published)))
    elif fw.atom_published is not None and jk.published != fw.atom_published:
        diffs.append(FieldDiff("date", _date(jk.published), f"Atom {_date(fw.atom_published)}"))
    if jk.id != fw.id:
        diffs.append(FieldDiff("id", jk.id, fw.id))
    if jk.url != fw.link:
        diffs.append(FieldDiff("link", jk.url, fw.link))
    if fw.updated is not None and jk.updated != fw.updated:
        diffs.append(FieldDiff("updated", _date(jk.updated), _date(fw.updated)))
    jk_text, fw_text = text_of(jk.content_html), text_of(fw.content_html)
    if jk_text != fw_text:
        diffs.append(FieldDiff("content", jk_text, fw_text))
    # each side as its readers resolve it: Jekyll's on the post's page, feedwright's on the
    # entry (whose links are absolute already, but for any it left relative)
    jk_links = "\n".join(link_targets(jk.content_html, jk.url))
    fw_links = "\n".join(link_targets(fw.content_html, fw.url))
    if jk_links != fw_links:
        diffs.append(FieldDiff("links", jk_links, fw_links))
    return PostComparison(
        key,
        tuple(diffs),
        similarity(jk_text, fw_text),
        artifacts(fw.content_html),
        artifacts(jk.content_html),
    )


def compare(corpus: Corpus, work: Path) -> Comparison:
    """Build ``corpus`` with both tools in ``work`` and compare every post."""
    site = jekyll_build(corpus.source, work, settings=corpus.settings, stub_tags=corpus.stub_tags)
    fw, output = feedwright_build(site, work)
    jk = site.by_key()
    posts = tuple(compare_post(key, jk.get(key), fw.get(key)) for key in sorted(jk.keys() | fw))
    return Comparison(corpus.name, site, fw, posts, output)


def load_allowlist(path: Path = ALLOWLIST) -> dict[str, dict[str, dict[str, str]]]:
    """corpus -> post (file name without extension) -> field -> why it cannot match."""
    data = yaml.safe_load(path.read_text("utf-8")) if path.is_file() else None
    data = data or {}
    for corpus, posts in data.items():
        for post, fields in (posts or {}).items():
            for name, reason in (fields or {}).items():
                if name not in FIELDS or not isinstance(reason, str) or not reason.strip():
                    raise ValueError(f"{path}: {corpus}/{post}/{name}: need a field and a reason")
    return {c: {p: dict(f or {}) for p, f in (posts or {}).items()} for c, posts in data.items()}


__all__ = [
    "ALLOWLIST",
    "FIELDS",
    "AtomEntry",
    "Comparison",
    "Corpus",
    "FeedwrightPost",
    "FieldDiff",
    "PostComparison",
    "artifacts",
    "atom_entries",
    "compare",
    "corpora",
    "describe",
    "feedwright_build",
    "first_difference",
    "first_link_difference",
    "fold_typography",
    "link_targets",
    "load_allowlist",
    "resolve_link",
    "text_of",
]
