"""What an incremental build may reuse of the last complete one. When only the bodies of
a few posts changed (their front matter the same in meaning), the index, the feed plans
and every feed without those posts stay as they are: the build then reads only the
changed files, renders the posts of the feeds that hold them, and serializes only those
feeds, from the :class:`PlanRecord` of what the last complete build published. Any other
change (a new, removed or renamed file, different metadata, the config, a future post
going live, an output file touched by hand) means a full build. Both give the same bytes.

This module decides; the pipeline runs the stages. It reads no post file itself."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from feedwright import __version__
from feedwright.config import Config
from feedwright.feeds import FeedPlan, tag_labels
from feedwright.scan.sources import rules_key
from feedwright.state import snapshot
from feedwright.state.codec import FeedRecord, Outcome, PlanRecord, Summary
from feedwright.state.snapshot import Tree, TreeFile
from feedwright.state.store import Store
from feedwright.types import Diagnostic, Index, Post

QUICK_MAX_FILES = 8  # more changed files than this: a full build is as quick


def config_fingerprint(config: Config) -> str:
    """What a scanned post depends on besides its own bytes: the settings and Jekyll's post
    rules (in Jekyll mode the site's whole configuration), but not ``site.data``, which only
    Liquid reads: the render key covers it."""
    relevant = config.model_dump(
        mode="json",
        include={"site", "posts", "permalink", "publication_date", "authors", "limits", "repair"},
        exclude={"site": {"data"}},
    )
    parts = [__version__, relevant, rules_key(config)]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def plan_record(
    config: Config,
    plans: list[FeedPlan],
    index: Index,
    links: dict[str, str],
    summary: Summary,
    latest: dt.datetime | None,
    next_future: dt.datetime | None,
    externals: dict[str, list[int] | None],
    files: list[str],
    tree: Tree,
    lists: str = "",
) -> PlanRecord | None:
    """The record of a complete build, or None when no later build may reuse it."""
    if config.source is not None:
        return None  # {% link %} reads pages outside the posts folder: no quick path
    outputs = snapshot.output_signatures(config.output, files)
    if outputs is None:
        return None
    feeds = [
        FeedRecord(
            path=path,
            format=fmt,
            family=plan.family,
            key=plan.key,
            title=plan.title,
            subtitle=plan.subtitle,
            paths=dict(plan.paths),
            content=plan.content,
            complete=plan.complete,
            archive=plan.archive,
            prev_archive=plan.prev_archive,
            total=plan.total,
            label=plan.label,
            posts=tuple(p.relpath for p in plan.posts),
        )
        for plan in plans
        for fmt, path in plan.paths.items()
    ]
    return PlanRecord(
        config=snapshot.config_digest(config),
        walk=tree.walk,
        latest=latest,
        next_future=next_future,
        summary=summary,
        outputs=outputs,
        externals=externals,
        feeds=tuple(feeds),
        labels=tag_labels(index),
        links=links,
        lists=lists,
    )


def feed_plan(feed: FeedRecord, posts: dict[str, Post]) -> FeedPlan:
    """The plan of one recorded feed file, with its posts as they are now."""
    return FeedPlan(
        family=feed.family,
        key=feed.key,
        title=feed.title,
        subtitle=feed.subtitle,
        paths=dict(feed.paths),
        posts=tuple(posts[rel] for rel in feed.posts),
        content=feed.content,
        complete=feed.complete,
        archive=feed.archive,
        prev_archive=feed.prev_archive,
        total=feed.total,
        label=feed.label,
    )


def changed_files(
    config: Config,
    now: dt.datetime,
    store: Store,
    tree: Tree | None,
    racy_ns: int,
) -> tuple[PlanRecord, list[TreeFile]] | None:
    """The last build's record and the few post files changed since (maybe none), when
    only they may have changed; None when a full build is needed."""
    saved = store.plan()
    if saved is None or saved.config != snapshot.config_digest(config):
        return None
    if saved.next_future is not None and now >= saved.next_future:
        return None  # a future post goes live: the index changes
    if saved.latest is not None and now < saved.latest:
        return None  # an earlier --now: some posts are not yet published then
    if tree is None or tree.walk != saved.walk:
        return None  # a file was added, removed or renamed
    if snapshot.output_signatures(config.output, saved.outputs) != saved.outputs:
        return None  # an output file is missing or was changed by someone else
    if snapshot.external_signatures(saved.externals) != saved.externals:
        return None  # a picture's size (its enclosure length) may have changed
    changed = _changed_since(config, store, tree, racy_ns)
    if changed is None:
        return None
    # No file changed: a no-op that the snapshot could not answer (a post changed just
    # before the last build began, or the snapshot is gone); the quick path says so.
    return saved, changed


def _changed_since(config: Config, store: Store, tree: Tree, racy_ns: int) -> list[TreeFile] | None:
    """The files of ``tree`` to read again: changed since the store's record, or within
    ``racy_ns`` of its last look. None when there are too many for a quick build, or one
    has no record. A file whose line is as the last successful build's walk saw it, and
    that had not changed within ``racy_ns`` before that walk, is as the store has it:
    only the others' records are read (at 100,000 posts, reading every record costs more
    than the rest of a one-post build)."""
    look = snapshot.last_look(config, tree)
    now_lines = tree.lines()
    stamp: Callable[[str], tuple[str, int] | None]
    if look is None or now_lines is None:
        stamp = store.stamps().get
        suspects: Iterable[TreeFile] = tree.files
    else:
        lines, taken = look
        stamp = functools.partial(_stamp, store)
        racy = taken - racy_ns  # a file changed after this may have changed again unseen
        suspects = [
            tree.file(i)
            for i, (line, old, changed) in enumerate(
                zip(now_lines, lines, tree.changed, strict=True)
            )
            if changed > racy or line != old
        ]
    changed: list[TreeFile] = []
    for item in suspects:
        row = stamp(item.rel)
        if row is None:
            return None
        signature, checked_ns = row
        if item.signature != signature or item.changed_ns + racy_ns > checked_ns:
            changed.append(item)
            if len(changed) > QUICK_MAX_FILES:
                return None
    return changed


def _stamp(store: Store, rel: str) -> tuple[str, int] | None:
    record = store.file(rel)
    return None if record is None else (record.signature, record.checked_ns)


def metadata(post: Post) -> Post:
    """Everything of a post that the index, the plans and the entries' heads use."""
    return dataclasses.replace(post, body="", body_sha="", has_liquid=False, key_lines={})


@dataclass(frozen=True, slots=True)
class Reuse:
    """The decision: rebuild ``affected`` feed files from ``needed`` posts; every other
    output file stays. ``old`` holds the last build's version of each changed post."""

    saved: PlanRecord
    affected: tuple[FeedRecord, ...]
    needed: dict[str, Post]
    old: dict[str, Outcome]


def decide(saved: PlanRecord, fresh: dict[str, Outcome], store: Store) -> Reuse | None:
    """Given what the changed files say now (``fresh``), what to rebuild; None when one
    of them is not a post any more, or its metadata changed."""
    old: dict[str, Outcome] = {}
    for rel, outcome in fresh.items():
        record = store.file(rel)
        if outcome.post is None or record is None or record.outcome.post is None:
            return None
        if metadata(record.outcome.post) != metadata(outcome.post):
            return None
        old[rel] = record.outcome
    affected = tuple(f for f in saved.feeds if any(rel in fresh for rel in f.posts))
    needed: dict[str, Post] = {}
    for feed in affected:
        for rel in feed.posts:
            if rel in needed:
                continue
            found = fresh[rel] if rel in fresh else stored_outcome(store, rel)
            if found is None or found.post is None:
                return None
            needed[rel] = found.post
    return Reuse(saved, affected, needed, old)


def stored_outcome(store: Store, rel: str) -> Outcome | None:
    record = store.file(rel)
    return None if record is None else record.outcome


def kept_diagnostics(
    saved: Summary, old: dict[str, set[Diagnostic]], fresh: list[Diagnostic]
) -> tuple[Diagnostic, ...]:
    """The last report's diagnostics without what it said about the old text of the
    changed posts (``old``), plus what is said about their new text."""
    kept = [d for d in saved.diagnostics if not (d.path in old and d in old[d.path])]
    return (*kept, *fresh)
