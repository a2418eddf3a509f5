"""``feedwright check``: every problem in a blog that would hurt its feeds, with the file,
the line where known, what is wrong and how to fix it. It runs the real scanner, index,
renderer and feed builder (no second parser) and writes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feedwright.config import Config
from feedwright.config.published import CLEARED, config_findings
from feedwright.config.published import CODE as FEEDS_URL
from feedwright.feeds import plan_feeds
from feedwright.feeds.compose import query_findings
from feedwright.feeds.ids import resolve
from feedwright.feeds.podcast_check import podcast_findings
from feedwright.feeds.serialize import serialize
from feedwright.index import build_index
from feedwright.index.terms import slug_for
from feedwright.parallel import Team, default_jobs
from feedwright.render import Linker, render_all, render_diagnostics, render_notes
from feedwright.scan import FileOutcome, Scanner, scan
from feedwright.scan.bodies import read_task
from feedwright.state.ledger import read_ledger
from feedwright.types import Diagnostic, RenderedPost, Severity

JSON_SCHEMA_VERSION = 1
# Findings that are only notes while building, but that check reports as warnings.
# (An embed replaced by a link is a note in both: it is what ``embeds: link`` asks for.)
_RAISED = {"tag-merged": Severity.WARNING, FEEDS_URL: Severity.WARNING, CLEARED: Severity.WARNING}
_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}

# The documented schema of `feedwright check --format json` (JSON Schema, draft 2020-12).
CHECK_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "feedwright check report",
    "type": "object",
    "required": ["version", "posts", "summary", "findings"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": JSON_SCHEMA_VERSION},
        "posts": {"type": "string", "description": "the posts folder that was checked"},
        "summary": {
            "type": "object",
            "required": ["files", "posts", "feeds", "errors", "warnings", "notes"],
            "additionalProperties": False,
            "properties": {
                "files": {"type": "integer", "minimum": 0},
                "posts": {"type": "integer", "minimum": 0},
                "feeds": {"type": "integer", "minimum": 0},
                "errors": {"type": "integer", "minimum": 0},
                "warnings": {"type": "integer", "minimum": 0},
                "notes": {"type": "integer", "minimum": 0},
            },
        },
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["severity", "code", "file", "line", "message", "hint"],
                "additionalProperties": False,
                "properties": {
                    "severity": {"enum": ["error", "warning", "note"]},
                    "code": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                    "file": {
                        "type": ["string", "null"],
                        "description": "path relative to the posts folder, or a feed",
                    },
                    "line": {"type": ["integer", "null"], "minimum": 1},
                    "message": {"type": "string"},
                    "hint": {"type": ["string", "null"]},
                },
            },
        },
    },
}


@dataclass(frozen=True, slots=True)
class CheckReport:
    files: int
    posts: int
    feeds: int
    findings: tuple[Diagnostic, ...]

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def to_json(self, posts_dir: str) -> dict[str, object]:
        """The JSON document ``feedwright check --format json`` prints."""
        return {
            "version": JSON_SCHEMA_VERSION,
            "posts": posts_dir,
            "summary": {
                "files": self.files,
                "posts": self.posts,
                "feeds": self.feeds,
                "errors": self.count(Severity.ERROR),
                "warnings": self.count(Severity.WARNING),
                "notes": self.count(Severity.NOTE),
            },
            "findings": [
                {
                    "severity": f.severity.value,
                    "code": f.code,
                    "file": f.path or None,
                    "line": f.line,
                    "message": f.message,
                    "hint": f.hint,
                }
                for f in self.findings
            ],
        }


def _raise(diag: Diagnostic) -> Diagnostic:
    severity = _RAISED.get(diag.code)
    if severity is None or _ORDER[severity] >= _ORDER[diag.severity]:
        return diag
    return Diagnostic(severity, diag.code, diag.message, diag.path, diag.line, diag.hint)


def check(config: Config, now: dt.datetime | None = None, jobs: int | None = None) -> CheckReport:
    with Team(default_jobs() if jobs is None else jobs) as team:
        return _check(config, now or dt.datetime.now(dt.UTC), team)


def _check(config: Config, now: dt.datetime, team: Team) -> CheckReport:
    def source(scanner: Scanner, items: list[tuple[Path, str]]) -> list[FileOutcome]:
        return list(team.map(read_task, scanner, items, chunk=64))

    result = scan(config, now, source)
    findings = list(result.diagnostics)
    findings.extend(config_findings(config))
    index = build_index(result.posts, config)
    findings.extend(index.diagnostics)

    # Every post is rendered (not only those in feeds) so that every Liquid, link and
    # embed problem is found.
    linker = Linker.of(config, index.posts)
    findings.extend(render_notes(linker))  # kramdown options and engines approximated
    rendered: dict[str, RenderedPost] = {}
    values, failed = render_all(list(index.posts), config, linker, team)
    findings.extend(failed)
    for post in index.posts:
        value = values.get(post.relpath)
        if value is None:
            continue
        rendered[post.relpath] = RenderedPost(post, value.html, value.excerpt)
        findings.extend(render_diagnostics(post, value, config))

    resolution = resolve(index.posts, config, read_ledger(config.state))
    findings.extend(resolution.findings)
    ids: dict[str, list[str]] = defaultdict(list)
    for post in index.posts:
        ids[resolution.ids[post.relpath]].append(post.relpath)
    for entry, paths in ids.items():
        for path in paths[1:]:
            findings.append(
                Diagnostic(
                    Severity.ERROR,
                    "duplicate-id",
                    f"entry id {entry} is also the id of {paths[0]}; readers show only one",
                    path,
                    None,
                    "rename one of the files (ids come from file names and URLs)",
                )
            )

    bases: dict[str, list[str]] = defaultdict(list)
    for term in (*index.tags, *index.categories):
        plain = slug_for(term.key)
        base = plain.rsplit("-", 1)[0] if plain != term.key else plain
        bases[f"{term.kind}:{base}"].append(term.label)
    for key, labels in sorted(bases.items()):
        if len(labels) > 1:
            kind, base = key.split(":", 1)
            findings.append(
                Diagnostic(
                    Severity.WARNING,
                    "slug-collision",
                    f"{kind}s {', '.join(repr(x) for x in sorted(labels))} all slug to {base!r}; "
                    "their feed files get hash suffixes to stay apart",
                    "",
                    None,
                    f"rename or alias (tags.aliases) the {kind}s if they are the same",
                )
            )

    findings.extend(query_findings(index, config))
    if failed:  # the build leaves them out of the feeds
        index = build_index([p for p in index.posts if p.relpath in rendered], config)
    plans = plan_feeds(index, config)
    in_feeds = {post.relpath for plan in plans for post in plan.posts}
    changes = [c for c in resolution.changes if c.post.relpath in in_feeds]
    findings.extend(c.diagnostic() for c in changes)
    if changes:  # what a build would refuse to publish, and why
        reason, hint = dataclasses.replace(resolution, changes=tuple(changes)).summary()
        findings.append(Diagnostic(Severity.ERROR, "ids-changed", reason, "", None, hint))
    files = serialize(plans, rendered, index, config, team=team, pins=resolution.pins)
    findings.extend(podcast_findings(config, plans, files))
    budget = config.limits.feed_size
    # every file a reader fetches, archives and JSON Feed included: an archive holds a
    # whole year, so a busy year with full content is where the budget is met first
    archives = {path for plan in plans if plan.archive for path in plan.paths.values()}
    for relpath, data in sorted(files.items()):
        if data is not None and len(data) > budget:
            hint = (
                "use content: summary, or raise limits.feed_size if readers of the "
                "archives accept it"
                if relpath in archives
                else "lower limit:, or use content: summary for this feed family"
            )
            findings.append(
                Diagnostic(
                    Severity.WARNING,
                    "feed-size",
                    f"feed is {len(data) // 1024} KB, over the {budget // 1024} KB budget "
                    "(readers and proxies may refuse or truncate it)",
                    f"{config.output.name}/{relpath}",
                    None,
                    hint,
                )
            )

    ordered = sorted(
        (_raise(f) for f in findings),
        key=lambda f: (f.path, f.line or 0, _ORDER[f.severity], f.code, f.message),
    )
    return CheckReport(result.files_seen, len(index.posts), len(files), tuple(ordered))
