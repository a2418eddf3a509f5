"""The quick build: when :mod:`feedwright.state.reuse` finds that only a few post bodies
changed, only those files are read, only the feeds that hold them are serialized, and
everything else the last complete build published stays. It runs the pipeline's own
stages (parse_one, render_stage, serialize_one, publish) on what the reuse decision keeps;
the result is byte for byte that of a full build."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from feedwright.config import Config
from feedwright.feeds.serialize import serialize_one, with_signatures
from feedwright.index import build_index
from feedwright.parallel import Team
from feedwright.progress import Progress
from feedwright.publish import publish, read_manifest
from feedwright.render import Linker, render_diagnostics, render_key, render_stage
from feedwright.reports import standing
from feedwright.scan import Scanner
from feedwright.scan.cached import ParseItem, dated_by_stat, parse_one, to_outcome
from feedwright.state import reuse, snapshot
from feedwright.state.codec import Outcome, PlanRecord
from feedwright.state.ledger import ids_of
from feedwright.state.snapshot import Tree
from feedwright.state.store import FileRecord, OutputPrint, Store
from feedwright.types import BuildReport, Diagnostic, Post, RenderedPost


def rebuild(
    config: Config,
    now: dt.datetime,
    store: Store,
    tree: Tree | None,
    racy_ns: int,
    progress: Progress,
) -> BuildReport | None:
    """The build when :mod:`feedwright.state.reuse` finds that only a few post bodies
    changed; None when the full build is needed."""
    found = reuse.changed_files(config, now, store, tree, racy_ns)
    if found is None:
        return None
    saved, changed = found
    scanner = Scanner(config, now)
    fresh: dict[str, Outcome] = {}
    records: dict[str, tuple[FileRecord, Post | None]] = {}
    for item in changed:  # scan (the changed files only)
        known = store.file(item.rel)
        sha = None if known is None or dated_by_stat(item.rel) else known.sha256
        got = parse_one(scanner, ParseItem(Path(item.path), item.rel, sha))
        if got.digest is None:
            return None
        if got.outcome is None:  # the same bytes (looked at again, or only touched)
            assert known is not None
            record = FileRecord(item.signature, got.digest, got.checked_ns, known.outcome)
            store.put_file(item.rel, record, None)
            continue
        fresh[item.rel] = to_outcome(got.outcome)
        record = FileRecord(item.signature, got.digest, got.checked_ns, fresh[item.rel])
        records[item.rel] = (record, got.good)
    if not fresh:  # nothing changed in meaning: the last build's report stands
        store.commit()
        return standing(
            saved.summary,
            sorted(saved.outputs),
            saved.next_future,
            opened=len(changed),
            latest=saved.latest,
            externals=saved.externals,
            quick=True,
        )
    decision = reuse.decide(saved, fresh, store)  # index and plan: as they were
    if decision is None:
        return None
    needed = dict(decision.needed)
    pins = ids_of(config.state, needed)  # the ids the last full build published
    if pins is None:
        return None
    linker = quick_linker(config, saved, needed, fresh, store)
    with Team(1) as team:
        renders = render_stage(needed, config, linker, store, now, team, progress)
    if renders.unsettled or renders.failed:
        return None  # a post changed while this build ran, or failed: take the full path
    old_diags = {rel: set(o.diagnostics) for rel, o in decision.old.items()}
    for rel, old in decision.old.items():  # what the last build said of the old text
        if rel in needed and old.post is not None:
            old_key = render_key(old.post, config, linker)
            old_value = store.render(old_key) if old_key is not None else None
            if old_value is None:
                return None
            old_diags[rel].update(render_diagnostics(old.post, old_value, config))
    rendered = {
        rel: RenderedPost(post, renders.values[rel].html, renders.values[rel].excerpt)
        for rel, post in needed.items()
    }
    files: dict[str, bytes | None] = dict.fromkeys(saved.outputs)
    prints: dict[str, tuple[str, str]] = {}
    for feed in decision.affected:  # serialize the affected feeds
        plan = reuse.feed_plan(feed, needed)
        job = (plan, feed.format, rendered, None)
        fp, files[feed.path] = serialize_one((config, saved.labels, pins), job)
        prints[feed.path] = (fp, "")
    progress.done()
    new_diags: list[Diagnostic] = []
    for rel, outcome in fresh.items():
        new_diags.extend(outcome.diagnostics)
        if rel in needed:
            new_diags.extend(render_diagnostics(needed[rel], renders.values[rel], config))
    changes = publish(config.output, config.state, files, read_manifest(config.state))
    for rel, (record, good) in records.items():
        store.put_file(rel, record, good)
    store.put_outputs(output_prints(config.output, prints), replace=False)
    summary = dataclasses.replace(
        saved.summary,
        diagnostics=reuse.kept_diagnostics(saved.summary, old_diags, new_diags),
    )
    outputs = snapshot.output_signatures(config.output, saved.outputs)
    kept = None if outputs is None else dataclasses.replace(saved, outputs=outputs)
    store.put_plan(None if kept is None else dataclasses.replace(kept, summary=summary))
    store.commit()
    return BuildReport(
        files_seen=summary.files_seen,
        indexed=summary.indexed,
        skipped=summary.skipped,
        diagnostics=summary.diagnostics,
        changes=tuple(changes),
        feeds=summary.feeds,
        dry_run=False,
        next_future=saved.next_future,
        opened=len(fresh) + renders.read,
        latest=saved.latest,
        quick=True,
        externals=saved.externals,
    )


def quick_linker(
    config: Config,
    saved: PlanRecord,
    needed: dict[str, Post],
    fresh: dict[str, Outcome],
    store: Store,
) -> Linker:
    """The links and site of the last complete build. ``site.posts`` and the other lists
    (which the changed posts' metadata, the same as before, leave as they were) are
    listed from the stored scans only when a post to render reads them: at 100,000 posts
    that listing costs seconds."""
    lazy = Linker(config, saved.links, None, saved.lists)
    if not any(post.has_liquid for post in needed.values()):
        return lazy
    if saved.lists:
        to_render = [
            rel
            for rel, post in needed.items()
            if post.has_liquid
            and (key := render_key(post, config, lazy)) is not None
            and store.render(key) is None
        ]
        if all(
            rel in fresh
            and (post := fresh[rel].post) is not None
            and not lazy.setup.reads_lists(post.body)
            for rel in to_render
        ):
            return lazy
    scanned = [r.outcome.post for r in store.files().values() if r.outcome.post]
    return Linker(config, saved.links, build_index(scanned, config).posts)


def output_prints(output: Path, prints: dict[str, tuple[str, str]]) -> dict[str, OutputPrint]:
    """Each written feed's fingerprint with its file's signature now."""
    return {rel: OutputPrint(*signed) for rel, signed in with_signatures(output, prints).items()}
