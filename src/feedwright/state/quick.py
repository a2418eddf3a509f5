"""The quick path: when only the bodies of a few posts changed (front matter byte-for-byte
the same in meaning), the index, the feed plans and every feed without those posts stay as
they are. The quick path then reads only the changed files, renders them, and serializes
only the feeds that contain them, from a record of what the last complete build published.
Any other change (a new, removed or renamed file, different metadata, the config, a future
post going live, an output file touched by hand) takes the full path. Both give the same
bytes (tests/test_equivalence.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from feedwright import __version__
from feedwright.config import Config, ContentMode, FeedFormat
from feedwright.feeds import FeedPlan, tag_labels
from feedwright.feeds.serialize import serialize_one, with_signatures
from feedwright.parallel import Team
from feedwright.progress import Progress
from feedwright.publish import publish, read_manifest
from feedwright.render import Linker, render_all, render_diagnostics, render_key
from feedwright.scan import FileOutcome, Scanner
from feedwright.scan.bodies import load_bodies
from feedwright.scan.sources import posts_root, rules_key
from feedwright.state import snapshot
from feedwright.state.cache import Cache, parse_one
from feedwright.types import (
    BuildReport,
    Diagnostic,
    Index,
    Post,
    RenderedPost,
    RenderValue,
)


def config_fingerprint(config: Config) -> str:
    """What a scanned post depends on besides its own bytes."""
    relevant = config.model_dump(
        mode="json",
        include={"site", "posts", "permalink", "publication_date", "authors", "limits", "repair"},
    )
    parts = [__version__, relevant, rules_key(config)]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


QUICK_MAX_FILES = 8


def walk_key(tree: snapshot.Tree) -> str:
    """What the walk found: names only, so that an edit keeps the key."""
    digest = hashlib.sha256()
    for rel, _, _, _ in tree.files:
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\n")
    for item in tree.skipped:
        digest.update(f"skip\t{item.relpath}\t{item.reason}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _metadata(post: Post) -> Post:
    """Everything of a post that the index, the plans and the entries' heads use."""
    return dataclasses.replace(post, body="", body_sha="", has_liquid=False, key_lines={})


def plan_record(
    config: Config,
    plans: list[FeedPlan],
    index: Index,
    linker: Linker,
    report: BuildReport,
    files: list[str],
    tree: snapshot.Tree,
) -> dict[str, object] | None:
    if config.source is not None:
        return None  # {% link %} reads pages outside the posts folder: no quick path
    outputs = snapshot.output_signatures(config.output, files)
    if outputs is None:
        return None
    feeds: dict[str, object] = {}
    for plan in plans:
        head = {
            "family": plan.family,
            "key": plan.key,
            "title": plan.title,
            "subtitle": plan.subtitle,
            "paths": {fmt.value: path for fmt, path in plan.paths.items()},
            "content": plan.content.value,
            "complete": plan.complete,
            "archive": plan.archive,
            "prev_archive": plan.prev_archive,
            "total": plan.total,
            "label": plan.label,
        }
        posts = [p.relpath for p in plan.posts]
        for fmt, path in plan.paths.items():
            feeds[path] = [fmt.value, head, posts]
    return {
        "config": snapshot.config_digest(config),
        "walk": walk_key(tree),
        "latest": None if report.latest is None else report.latest.isoformat(),
        "next_future": None if report.next_future is None else report.next_future.isoformat(),
        "report": snapshot.encode_report(
            report.files_seen, report.indexed, report.skipped, report.diagnostics, report.feeds
        ),
        "outputs": outputs,
        "externals": report.externals or {},
        "feeds": feeds,
        "labels": tag_labels(index),
        "links": linker.by_name,
    }


def quick_build(
    config: Config,
    now: dt.datetime,
    cache: Cache,
    progress: Progress,
    tree: snapshot.Tree | None,
) -> BuildReport | None:
    """The build, when only a few post bodies changed; None when the full path is needed."""
    from feedwright.state.cache import RACY_NS

    saved = cache.plan()
    if saved is None or saved.get("config") != snapshot.config_digest(config):
        return None
    next_future, latest = saved["next_future"], saved["latest"]
    if next_future is not None and now >= dt.datetime.fromisoformat(next_future):
        return None  # a future post goes live: the index changes
    if latest is not None and now < dt.datetime.fromisoformat(latest):
        return None  # an earlier --now: some posts are not yet published then
    if tree is None or walk_key(tree) != saved["walk"]:
        return None  # a file was added, removed or renamed
    if snapshot.output_signatures(config.output, saved["outputs"]) != saved["outputs"]:
        return None  # an output file is missing or was changed by someone else
    if snapshot.external_signatures(saved["externals"]) != saved["externals"]:
        return None  # a picture's size (its enclosure length) may have changed
    known = cache.signatures()
    changed: list[tuple[str, str, str]] = []
    for rel, full, signature, changed_ns in tree.files:
        row = known.get(rel)
        if row is None:
            return None
        if signature != row[0] or changed_ns + RACY_NS > row[2]:
            changed.append((rel, full, signature))
            if len(changed) > QUICK_MAX_FILES:
                return None
    if not changed:
        return None
    root = posts_root(config)
    scanner = Scanner(config, now)
    fresh: dict[str, tuple[str, str, int, FileOutcome, str]] = {}
    old_posts: dict[str, Post] = {}
    old_diags: dict[str, set[Diagnostic]] = {}
    for rel, full, signature in changed:
        digest, checked, outcome, encoded, _ = parse_one(scanner, (Path(full), rel, None, False))
        old = cache.outcome(rel, root)
        if digest is None or outcome is None or outcome.post is None:
            return None
        if old is None or old.post is None or _metadata(old.post) != _metadata(outcome.post):
            return None
        fresh[rel] = (signature, digest, checked, outcome, encoded or "")
        old_posts[rel] = old.post
        old_diags[rel] = set(old.diagnostics)

    linker = Linker(config, saved["links"])
    feeds: dict[str, list[Any]] = saved["feeds"]
    affected = [path for path, (_, _, rels) in feeds.items() if any(r in fresh for r in rels)]
    needed: dict[str, Post] = {}
    for path in affected:
        for rel in feeds[path][2]:
            if rel in needed:
                continue
            if rel in fresh:
                post = fresh[rel][3].post
            else:
                cached = cache.outcome(rel, root)
                post = None if cached is None else cached.post
            if post is None:
                return None
            needed[rel] = post

    values: dict[str, RenderValue] = {}
    missing: list[str] = []
    keys = {rel: render_key(post, config, linker) for rel, post in needed.items()}
    for rel, key in keys.items():
        value = cache.render(key) if key is not None else None
        if value is None:
            missing.append(rel)
        else:
            values[rel] = value
    read, unsettled = load_bodies(
        needed, [rel for rel in missing if needed[rel].body_missing], config, now, Team(1), cache
    )
    if unsettled:
        return None  # a post changed while this build ran: take the full path
    opened = len(fresh) + read
    values.update(render_all([needed[rel] for rel in missing], config, linker, Team(1), progress))
    for rel in fresh:  # what the last build said about the old text of these posts
        if rel in needed:
            old_key = render_key(old_posts[rel], config, linker)
            old_value = cache.render(old_key) if old_key is not None else None
            if old_value is None:
                return None
            old_diags[rel].update(render_diagnostics(old_posts[rel], old_value, config))

    rendered = {
        rel: RenderedPost(post, values[rel].html, values[rel].excerpt)
        for rel, post in needed.items()
    }
    labels: dict[str, str] = saved["labels"]
    files: dict[str, bytes | None] = dict.fromkeys(saved["outputs"])
    prints: dict[str, tuple[str, str]] = {}
    for path in affected:
        fmt_value, head, rels = feeds[path]
        assert isinstance(head, dict) and isinstance(rels, list) and isinstance(fmt_value, str)
        plan = FeedPlan(
            **{
                **head,
                "paths": {FeedFormat(k): v for k, v in head["paths"].items()},
                "content": ContentMode(head["content"]),
            },
            posts=tuple(needed[rel] for rel in rels),
        )
        fp, data = serialize_one((config, labels), (plan, FeedFormat(fmt_value), rendered, None))
        files[path] = data
        prints[path] = (fp, "")
    progress.done()

    files_seen, indexed, skipped, saved_diags, feeds_count = snapshot.decode_report(saved["report"])
    diagnostics = [d for d in saved_diags if not (d.path in old_diags and d in old_diags[d.path])]
    for rel, (_, _, _, outcome, _) in fresh.items():
        diagnostics.extend(outcome.diagnostics)
        if rel in needed:
            diagnostics.extend(render_diagnostics(needed[rel], values[rel], config))
    changes = publish(config.output, config.state, files, read_manifest(config.state))

    for rel, (signature, digest, checked, outcome, encoded) in fresh.items():
        cache.store_file(rel, signature, digest, checked, outcome, encoded)
    for rel in missing:
        key = keys[rel]
        if key is not None:
            cache.store_render(key, values[rel])
    cache.update_outputs(with_signatures(config.output, prints))
    outputs = snapshot.output_signatures(config.output, saved["outputs"])
    report = BuildReport(
        files_seen=files_seen,
        indexed=indexed,
        skipped=skipped,
        diagnostics=tuple(diagnostics),
        changes=tuple(changes),
        feeds=feeds_count,
        dry_run=False,
        next_future=None if next_future is None else dt.datetime.fromisoformat(next_future),
        opened=opened,
        latest=None if latest is None else dt.datetime.fromisoformat(latest),
        quick=True,
        externals=saved["externals"],
    )
    saved["outputs"] = outputs
    saved["report"] = snapshot.encode_report(
        files_seen, indexed, skipped, report.diagnostics, feeds_count
    )
    cache.store_plan(saved if outputs is not None else None)
    cache.commit(prune_files=False)
    return report
