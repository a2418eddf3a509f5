"""One codec for everything the state folder keeps: posts, diagnostics, scan outcomes,
render values, report summaries and the record of the last published build, each to and
from JSON text. Every value crosses this module as a typed, frozen dataclass or as text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import operator
from dataclasses import dataclass, field
from typing import Any

from feedwright.config import ContentMode, FeedFormat
from feedwright.types import Author, Diagnostic, Markup, Post, RenderValue, Severity, Skipped

# A file's size and mtime in ns, as snapshot.output_signatures gives them.
FileStat = list[int]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What scanning one file gave, as stored: a post (without its body) or the reason it
    is not one; plus its diagnostics."""

    post: Post | None
    skipped: Skipped | None
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True, slots=True)
class Summary:
    """The parts of a build's report that a later build may repeat without redoing it."""

    files_seen: int
    indexed: int
    skipped: tuple[Skipped, ...]
    diagnostics: tuple[Diagnostic, ...]
    feeds: int


@dataclass(frozen=True, slots=True)
class FeedRecord:
    """One published feed file: its format, its plan without posts, and its posts."""

    path: str
    format: FeedFormat
    family: str
    key: str
    title: str
    subtitle: str
    paths: dict[FeedFormat, str]
    content: ContentMode
    complete: bool
    archive: bool
    prev_archive: str | None
    total: int
    label: str
    posts: tuple[str, ...]  # relative paths, in feed order


@dataclass(frozen=True, slots=True)
class PlanRecord:
    """What the last complete build published: enough to rebuild a few feeds alone."""

    config: str  # digest of the whole config
    walk: str  # the posts folder's names (see snapshot.Tree.walk)
    latest: dt.datetime | None
    next_future: dt.datetime | None
    summary: Summary
    outputs: dict[str, FileStat]
    externals: dict[str, FileStat | None]
    feeds: tuple[FeedRecord, ...]
    labels: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    lists: str = ""  # fingerprint of site.posts/tags/categories ("" when not known)


# -- posts, diagnostics, outcomes ----------------------------------------------------------
_DATES = {"file_date": dt.date, "site_date": dt.datetime, "published": dt.datetime}
_DATES["updated"] = dt.datetime
# Fields newer than some stored records, and the value an old record stands for.
_ADDED: dict[str, Any] = {"front_matter": {}, "markup": Markup.MARKDOWN.value, "hidden": False}
_ADDED |= {"redirect_to": None, "external_url": None, "lang": None, "collection": None}


# The fields stored as they are (json writes tuples as arrays), in the dataclass's order;
# the body is always the first key (see post_texts), dates and the rest are converted.
_AS_IS = tuple(
    f.name for f in dataclasses.fields(Post) if f.name not in {"body", "authors", "markup"}
)
_AS_IS_VALUES = operator.attrgetter(*_AS_IS)
_NO_BODY = '{"body": ""'


def _post_obj(post: Post) -> dict[str, Any]:
    """The post as a JSON object without its body: ``"body": ""`` comes first."""
    out: dict[str, Any] = {"body": ""}
    out.update(zip(_AS_IS, _AS_IS_VALUES(post), strict=True))
    for name in _DATES:
        out[name] = out[name].isoformat()
    out["authors"] = [[a.name, a.email, a.uri] for a in post.authors]
    out["markup"] = post.markup.value
    return out


def _post_from(data: dict[str, Any]) -> Post:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Post):
        value = data.get(f.name, _ADDED[f.name]) if f.name in _ADDED else data[f.name]
        if f.name in _DATES:
            value = _DATES[f.name].fromisoformat(value)
        elif f.name == "authors":
            value = tuple(Author(n, e, u) for n, e, u in value)
        elif isinstance(value, list):
            value = tuple(value)
        elif f.name == "key_lines":
            value = {str(k): int(v) for k, v in value.items()}
        elif f.name == "markup":
            value = Markup(value)
        values[f.name] = value
    return Post(**values)


def post_texts(post: Post) -> tuple[str, str]:
    """The post as stored without its body, and with it: the post is encoded once and
    the body's text put in place of the empty one that starts the first."""
    bare = json.dumps(_post_obj(post))
    assert bare.startswith(_NO_BODY)
    return bare, '{"body": ' + json.dumps(post.body) + bare[len(_NO_BODY) :]


def post_to_json(post: Post, *, body: bool = False) -> str:
    """Posts are stored without their body (its hash finds the rendered HTML), except
    the last good versions, which must survive a broken edit of the file."""
    if body:
        return post_texts(post)[1]
    return json.dumps(_post_obj(post))


def post_from_json(text: str) -> Post:
    return _post_from(json.loads(text))


def _diag(d: Diagnostic) -> list[Any]:
    return [d.severity.value, d.code, d.message, d.path, d.line, d.hint]


def _diag_from(v: list[Any]) -> Diagnostic:
    return Diagnostic(Severity(v[0]), v[1], v[2], v[3], v[4], v[5])


def _skip(s: Skipped) -> list[Any]:
    return [s.relpath, s.reason, s.error]


def _skip_from(v: list[Any]) -> Skipped:
    return Skipped(v[0], v[1], bool(v[2]))


def outcome_to_json(o: Outcome, post_text: str | None = None) -> str:
    """``post_text``: the outcome's post as :func:`post_to_json` gives it, when known."""
    if post_text is None:
        post_text = "null" if o.post is None else post_to_json(o.post)
    skipped = json.dumps(None if o.skipped is None else _skip(o.skipped))
    diagnostics = json.dumps([_diag(d) for d in o.diagnostics])
    # what json.dumps gives for the object with these three keys, in this order
    return f'{{"post": {post_text}, "skipped": {skipped}, "diagnostics": {diagnostics}}}'


def outcome_from_json(text: str) -> Outcome:
    data = json.loads(text)
    post = None if data["post"] is None else _post_from(data["post"])
    skipped = None if data["skipped"] is None else _skip_from(data["skipped"])
    return Outcome(post, skipped, tuple(_diag_from(d) for d in data["diagnostics"]))


# -- render values -------------------------------------------------------------------------
def render_to_json(value: RenderValue) -> str:
    return json.dumps({f.name: getattr(value, f.name) for f in dataclasses.fields(RenderValue)})


def render_from_json(text: str) -> RenderValue:
    data = json.loads(text)
    return RenderValue(
        html=data["html"],
        excerpt=data["excerpt"],
        embeds=tuple(data["embeds"]),
        issues=tuple((int(i[0]), str(i[1]), str(i[2]), i[3]) for i in data["issues"]),
        link_issues=tuple(data["link_issues"]),
        sanitized=tuple(data["sanitized"]),
    )


# -- report summaries ----------------------------------------------------------------------
# Diagnostics about one run, not about the posts: a later run that reuses the report must
# not repeat them.
ABOUT_THIS_RUN = frozenset({"cache-rebuilt"})


def summary_obj(s: Summary) -> dict[str, object]:
    return {
        "files_seen": s.files_seen,
        "indexed": s.indexed,
        "feeds": s.feeds,
        "skipped": [_skip(x) for x in s.skipped],
        "diagnostics": [_diag(d) for d in s.diagnostics if d.code not in ABOUT_THIS_RUN],
    }


def _object(data: object) -> dict[str, Any]:
    """A JSON object read back from the store; anything else is a corrupt record."""
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    return data


def summary_from(data: object) -> Summary:
    found = _object(data)
    return Summary(
        int(found["files_seen"]),
        int(found["indexed"]),
        tuple(_skip_from(v) for v in found["skipped"]),
        tuple(_diag_from(v) for v in found["diagnostics"]),
        int(found["feeds"]),
    )


def stats_from(data: object) -> dict[str, FileStat]:
    return {str(k): [int(x) for x in v] for k, v in _object(data).items()}


def maybe_stats_from(data: object) -> dict[str, FileStat | None]:
    return {str(k): None if v is None else [int(x) for x in v] for k, v in _object(data).items()}


def _time(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def time_from(value: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else None


# -- the plan record -----------------------------------------------------------------------
_HEAD = [f.name for f in dataclasses.fields(FeedRecord) if f.name not in ("format", "paths")]


def plan_to_json(record: PlanRecord) -> str:
    feeds = []
    for feed in record.feeds:
        item = {name: getattr(feed, name) for name in _HEAD}
        item["format"] = feed.format.value
        item["content"] = feed.content.value
        item["paths"] = {fmt.value: path for fmt, path in feed.paths.items()}
        item["posts"] = list(feed.posts)
        feeds.append(item)
    return json.dumps(
        {
            "config": record.config,
            "walk": record.walk,
            "latest": _time(record.latest),
            "next_future": _time(record.next_future),
            "report": summary_obj(record.summary),
            "outputs": record.outputs,
            "externals": record.externals,
            "feeds": feeds,
            "labels": record.labels,
            "links": record.links,
            "lists": record.lists,
        }
    )


def plan_from_json(text: str) -> PlanRecord:
    data = json.loads(text)
    feeds = []
    for item in data["feeds"]:
        values = {name: item[name] for name in _HEAD}
        values["content"] = ContentMode(item["content"])
        values["posts"] = tuple(item["posts"])
        paths = {FeedFormat(k): str(v) for k, v in item["paths"].items()}
        feeds.append(FeedRecord(format=FeedFormat(item["format"]), paths=paths, **values))
    return PlanRecord(
        config=data["config"],
        walk=data["walk"],
        latest=time_from(data["latest"]),
        next_future=time_from(data["next_future"]),
        summary=summary_from(data["report"]),
        outputs=stats_from(data["outputs"]),
        externals=maybe_stats_from(data["externals"]),
        feeds=tuple(feeds),
        labels={str(k): str(v) for k, v in data["labels"].items()},
        links={str(k): str(v) for k, v in data["links"].items()},
        lists=str(data.get("lists", "")),
    )
