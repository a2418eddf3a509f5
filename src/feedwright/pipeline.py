"""The build: scan -> index -> plan -> render -> serialize -> write. Library first: the
CLI (and later the daemon) only call :func:`build` and print its :class:`BuildReport`."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from feedwright.config import Config
from feedwright.feeds import external_files, plan_feeds
from feedwright.feeds.serialize import serialize_each, with_signatures
from feedwright.index import build_index
from feedwright.parallel import Team, default_jobs
from feedwright.progress import Progress, Silent
from feedwright.publish import Publisher, clean_temp_files, output_lock, read_manifest
from feedwright.render import Linker, render_diagnostics, render_each, render_key
from feedwright.scan import FileOutcome, Scanner, scan
from feedwright.scan.bodies import load_bodies, read_task
from feedwright.state import snapshot
from feedwright.state.cache import Cache, ParseItem, ParseResult, parse_one
from feedwright.state.quick import config_fingerprint, plan_record, quick_build
from feedwright.types import (
    BuildReport,
    Change,
    Diagnostic,
    Post,
    RenderedPost,
    RenderValue,
    ScanResult,
    Severity,
    Skipped,
)


def _previous_indexed(config: Config) -> int | None:
    from feedwright.state.status import read_status

    status = read_status(config.state)
    if status is None:
        return None
    value = status.get("last_good_posts")
    return value if isinstance(value, int) else None


def build(
    config: Config,
    *,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    full: bool = False,
    lock: bool = True,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Build every feed. Files are written atomically and only when their bytes change;
    with ``dry_run`` nothing is written and the report says what would change. The cache
    in the state folder makes unchanged work free; ``full`` ignores it. The output folder
    is locked for the build unless ``lock`` is False (the caller holds the lock)."""
    now = now or dt.datetime.now(dt.UTC)
    jobs = default_jobs() if jobs is None else max(1, jobs)
    if dry_run:
        return _build(config, now, dry_run=True, full=full, jobs=jobs, progress=progress)
    config.state.mkdir(parents=True, exist_ok=True)
    if not lock:  # the caller (the daemon) holds the output lock already
        return _build(config, now, dry_run=False, full=full, jobs=jobs, progress=progress)
    with output_lock(config.output):
        clean_temp_files(config.output)
        return _build(config, now, dry_run=False, full=full, jobs=jobs, progress=progress)


def _build(
    config: Config,
    now: dt.datetime,
    *,
    dry_run: bool,
    full: bool,
    jobs: int,
    progress: Progress | None = None,
) -> BuildReport:
    progress = progress or Silent()
    taken = snapshot.now_ns()  # before the look at the posts folder (racy timestamps)
    tree = None if (dry_run and full) else snapshot.tree_digest(config)
    if not full:
        previous = snapshot.still_valid(config, now, tree)
        if previous is not None:
            return _from_snapshot(previous, dry_run)
    if dry_run:
        tree = None
    cache = None if dry_run else Cache(config.state, config_fingerprint(config), reuse=not full)
    try:
        quick = None if cache is None else quick_build(config, now, cache, progress, tree)
        report = quick or _run(config, now, cache, dry_run, jobs, progress, tree)
    except sqlite3.DatabaseError as exc:  # a cache that went bad mid-build: start afresh
        assert cache is not None
        cache.discard()
        cache = Cache(config.state, config_fingerprint(config), reuse=False)
        cache.recovered = f"unreadable ({exc})"
        report = _run(config, now, cache, dry_run, jobs, progress, tree)
    finally:
        if cache is not None:
            cache.close()
    if not dry_run:
        if report.failed or config.source is not None:
            # With source: set, {% link %} reads pages the snapshot does not watch.
            snapshot.forget(config)
        else:
            outputs = [c.relpath for c in report.changes if c.action != "remove"]
            snapshot.store(
                config,
                taken,
                tree,
                outputs,
                report.next_future,
                snapshot.encode_report(
                    report.files_seen,
                    report.indexed,
                    report.skipped,
                    report.diagnostics,
                    report.feeds,
                ),
                report.latest,
                report.externals,
            )
    return report


def _from_snapshot(data: dict[str, object], dry_run: bool) -> BuildReport:
    assert isinstance(data, dict)
    files_seen, indexed, skipped, diagnostics, feeds = snapshot.decode_report(data)
    outputs = data.get("outputs_list")
    names = outputs if isinstance(outputs, list) else []
    next_future = data.get("next_future")
    return BuildReport(
        files_seen=files_seen,
        indexed=indexed,
        skipped=skipped,
        diagnostics=diagnostics,
        changes=tuple(Change(str(n), "unchanged", "nothing changed") for n in names),
        feeds=feeds,
        dry_run=dry_run,
        next_future=dt.datetime.fromisoformat(next_future)
        if isinstance(next_future, str)
        else None,
        opened=0,
    )


def _failed(
    result: ScanResult,
    diagnostics: list[Diagnostic],
    skipped: list[Skipped],
    reason: str,
    dry_run: bool,
) -> BuildReport:
    diagnostics.append(
        Diagnostic(
            Severity.ERROR,
            "build-failed",
            reason + "; feeds left as they were",
            "",
            None,
            "check the 'posts:' folder in the config",
        )
    )
    return BuildReport(
        result.files_seen,
        0,
        tuple(skipped),
        tuple(diagnostics),
        (),
        0,
        dry_run,
        failed=reason,
        next_future=result.next_future,
    )


def _run(
    config: Config,
    now: dt.datetime,
    cache: Cache | None,
    dry_run: bool,
    jobs: int,
    progress: Progress,
    tree: snapshot.Tree | None = None,
) -> BuildReport:
    with Team(jobs) as team:
        return _run_team(config, now, cache, dry_run, team, progress, tree)


def _run_team(
    config: Config,
    now: dt.datetime,
    cache: Cache | None,
    dry_run: bool,
    team: Team,
    progress: Progress,
    tree: snapshot.Tree | None,
) -> BuildReport:
    def scanned(done: int, total: int) -> None:
        progress.update("posts scanned", done, total)

    def parse(scanner: Scanner, items: list[ParseItem]) -> Iterator[ParseResult]:
        return team.map(parse_one, scanner, items, chunk=64, progress=scanned)

    def source(scanner: Scanner, items: list[tuple[Path, str]]) -> list[FileOutcome]:
        if cache is not None:
            return cache.outcomes(scanner, items, parse)
        return list(team.map(read_task, scanner, items, chunk=64, progress=scanned))

    result = scan(config, now, source)
    diagnostics = list(result.diagnostics)
    skipped = list(result.skipped)
    if cache is not None and cache.recovered not in (None, "new"):
        diagnostics.append(
            Diagnostic(Severity.NOTE, "cache-rebuilt", f"cache {cache.recovered}; rebuilt it", "")
        )
    if not result.posts:
        reason = (
            f"no publishable posts found in {config.posts}"
            if not any(s.error for s in skipped)
            else f"none of the {result.files_seen} posts in {config.posts} could be read"
        )
        return _failed(result, diagnostics, skipped, reason, dry_run)
    previous = _previous_indexed(config)
    if previous and len(result.posts) < previous * (1 - config.max_loss):
        reason = (
            f"only {len(result.posts)} of the {previous} posts of the last good build remain "
            f"(more than max_loss={config.max_loss:.0%} lost at once: an unmounted or emptied "
            "folder?)"
        )
        return _failed(result, diagnostics, skipped, reason, dry_run)
    index = build_index(result.posts, config)
    diagnostics.extend(index.diagnostics)
    indexed = {p.relpath for p in index.posts}
    for post in result.posts:
        if post.relpath not in indexed:
            skipped.append(Skipped(post.relpath, "same URL as another post", True))
    plans = plan_feeds(index, config)
    needed: dict[str, Post] = {}
    for plan in plans:
        for post in plan.posts:
            needed.setdefault(post.relpath, post)
    externals = snapshot.external_signatures(external_files(config, needed.values()))
    linker = Linker.of(config, index.posts)
    keys: dict[str, str | None] = {
        rel: render_key(post, config, linker) for rel, post in needed.items()
    }
    values: dict[str, RenderValue] = {}
    missing: list[str] = []
    for rel in sorted(needed):
        key = keys[rel]
        value = cache.render(key) if cache is not None and key is not None else None
        if value is None:
            missing.append(rel)
        else:
            values[rel] = value
    # Scanned posts carry no body (the cache holds it): read those that must be rendered.
    _, unsettled = load_bodies(
        needed, [rel for rel in missing if needed[rel].body_missing], config, now, team, cache
    )
    for rel in unsettled:  # changed while this build ran: the next build reads it again
        keys[rel] = None
    for post, value in render_each([needed[r] for r in missing], config, linker, team, progress):
        values[post.relpath] = value
        key = keys[post.relpath]
        if cache is not None and key is not None:  # stored while the helpers render on
            cache.store_render(key, value)
    rendered: dict[str, RenderedPost] = {}
    for rel in sorted(needed):
        post, value = needed[rel], values[rel]
        rendered[rel] = RenderedPost(post, value.html, value.excerpt)
        diagnostics.extend(render_diagnostics(post, value, config))
    known = None
    if cache is not None:
        known = cache.outputs().get
        cache.prune_renders({k for k in keys.values() if k is not None})
        team.prepare(sum(len(plan.paths) for plan in plans))  # fork before the thread starts
        cache.commit_in_background()  # written while the feeds are serialized
    prints: dict[str, tuple[str, str]] = {}
    published = read_manifest(config.state)
    with Publisher(config.output, config.state, published, dry_run=dry_run) as publisher:
        # each feed goes to a temp file as soon as it is serialized; all are put in place
        # together at the end
        for relpath, signed, data in serialize_each(
            plans, rendered, index, config, known, progress, team
        ):
            prints[relpath] = signed
            publisher.add(relpath, data)
        progress.done()
        from feedwright.feeds import discovery  # lxml loads only when something is built

        for relpath, page in discovery.pages(plans, config).items():
            publisher.add(relpath, page)
        changes = publisher.finish()
    files = list(publisher.changes)
    report = BuildReport(
        files_seen=result.files_seen,
        indexed=len(index.posts),
        skipped=tuple(skipped),
        diagnostics=tuple(diagnostics),
        changes=tuple(changes),
        feeds=len(files),
        dry_run=dry_run,
        index=index,
        next_future=result.next_future,
        opened=cache.opened if cache is not None else result.files_seen,
        latest=max((p.published for p in index.posts), default=None),
        externals=externals,
    )
    if cache is not None:
        cache.wait()
        cache.store_outputs(with_signatures(config.output, prints))
        cache.store_plan(
            None
            if dry_run or tree is None
            else plan_record(config, plans, index, linker, report, files, tree)
        )
        cache.commit()
    return report


# -- the quick path -----------------------------------------------------------------------
# When only the bodies of a few posts changed (front matter byte-for-byte the same in
# meaning), the index, the feed plans and every feed without those posts stay as they are.
# The quick path then reads only the changed files, renders them, and serializes only the
# feeds that contain them, from a record of what the last complete build published. Any
# other change (a new, removed or renamed file, different metadata, the config, a future
# post going live, an output file touched by hand) takes the full path. Both give the same
# bytes (tests/test_equivalence.py).
