"""The build: scan -> index -> plan -> render -> serialize -> publish, with a store that
keeps earlier work for reuse. Library first: the CLI and the daemon only call
:func:`build` and print its :class:`BuildReport`."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Set

from feedwright.config import Config
from feedwright.config.published import config_findings
from feedwright.feeds import external_files, output_clashes, plan_feeds
from feedwright.feeds.ids import (
    Resolution,
    accepted_note,
    published,
    resolve,
)
from feedwright.feeds.plan import FeedPlan
from feedwright.feeds.serialize import serialize_each
from feedwright.index import build_index
from feedwright.moves import advance, host_files, read_moves, rule_files, tombstones, write_moves
from feedwright.parallel import Team, default_jobs
from feedwright.progress import Progress, Silent
from feedwright.publish import Publisher, clean_temp_files, output_lock, read_manifest
from feedwright.rebuild import output_prints, rebuild
from feedwright.render import Linker, render_diagnostics, render_notes, render_stage
from feedwright.reports import LOSS_HINT, failed_report, from_snapshot, refusal, summary_of
from feedwright.scan import scan
from feedwright.scan.cached import CachedSource, parse_one, tree_of
from feedwright.state import reuse, snapshot
from feedwright.state import store as stores
from feedwright.state.codec import FileStat
from feedwright.state.ledger import ACCEPTED, CHANGE, ledger_path, read_ledger, record_published
from feedwright.state.sqlite import open_cache, recover
from feedwright.state.store import MemoryStore, Store, WriteOnly
from feedwright.types import (
    BuildReport,
    Change,
    Diagnostic,
    Index,
    Post,
    RenderedPost,
    ScanResult,
    Skipped,
)


def build(
    config: Config,
    *,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    full: bool = False,
    lock: bool = True,
    jobs: int | None = None,
    progress: Progress | None = None,
    racy_ns: int | None = None,
    accept_loss: bool = False,
    accept_id_change: bool = False,
) -> BuildReport:
    """Build every feed. Files are written atomically and only when their bytes change;
    with ``dry_run`` nothing is written and the report says what would change. The store
    in the state folder makes unchanged work free; ``full`` reuses none of it. The output
    folder is locked for the build unless ``lock`` is False (the caller holds the lock).
    ``racy_ns`` is how recent a file change must be to distrust its timestamps (default
    :data:`feedwright.state.store.RACY_NS`, read now). ``accept_loss`` publishes even when
    more than ``max_loss`` of the last good build's posts are gone (a deliberate deletion);
    ``accept_id_change`` publishes even when published posts would get new entry ids (the
    id ledger, ``ids.sqlite`` in the state folder, records every id published)."""
    run = _Run(
        config,
        now or dt.datetime.now(dt.UTC),
        dry_run,
        full,
        default_jobs() if jobs is None else max(1, jobs),
        progress or Silent(),
        stores.RACY_NS if racy_ns is None else racy_ns,
        accept_loss,
        accept_id_change,
    )
    if dry_run:
        return _with_config_notes(run.build(), config)
    config.state.mkdir(parents=True, exist_ok=True)
    if not lock:  # the caller (the daemon) holds the output lock already
        return _with_config_notes(run.build(), config)
    with output_lock(config.output):
        clean_temp_files(config.output)
        return _with_config_notes(run.build(), config)


def _with_config_notes(report: BuildReport, config: Config) -> BuildReport:
    """The report, led by what the config alone gives to note (feed URLs that are probably
    not where the output is published, a Jekyll build that deletes the feeds). Added
    after the snapshot is stored, so that a build answered from it says them once, and
    says them as the config now is."""
    findings = config_findings(config)
    if not findings:
        return report
    return dataclasses.replace(report, diagnostics=(*findings, *report.diagnostics))


def open_store(config: Config, *, dry_run: bool, full: bool) -> Store:
    """Dry runs keep nothing; ``full`` builds remember without reusing."""
    if dry_run:
        return MemoryStore()
    store = open_cache(config.state, reuse.config_fingerprint(config))
    return WriteOnly(store) if full else store


@dataclasses.dataclass(frozen=True, slots=True)
class _Run:
    config: Config
    now: dt.datetime
    dry_run: bool
    full: bool
    jobs: int
    progress: Progress
    racy_ns: int
    accept_loss: bool = False
    accept_id_change: bool = False

    def build(self) -> BuildReport:
        config = self.config
        taken = snapshot.now_ns()  # before the look at the posts folder (racy timestamps)
        tree = None if (self.dry_run and self.full) else tree_of(config)
        reuse_work = not self.full and ledger_path(config.state).exists()  # else: fill it
        if reuse_work:
            hit = snapshot.still_valid(config, self.now, tree, self.racy_ns)
            if hit is not None:
                return from_snapshot(hit, self.dry_run)
        if self.dry_run:
            tree = None
        store = open_store(config, dry_run=self.dry_run, full=self.full)
        try:
            try:
                quick = (
                    rebuild(config, self.now, store, tree, self.racy_ns, self.progress)
                    if reuse_work
                    else None
                )
                report = quick or self.full_build(store, tree)
            except store.failures as exc:  # the store went bad mid-build: start afresh
                store = recover(store, exc, config.state)
                report = self.full_build(store, tree)
        finally:
            store.close()
        if self.dry_run:
            return report
        if report.failed or config.source is not None or tree is None:
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
                summary_of(report),
                report.latest,
                report.externals,
            )
        return report

    def full_build(self, store: Store, tree: snapshot.Tree | None) -> BuildReport:
        with Team(self.jobs) as team:
            return self.stages(store, team, tree)

    def stages(self, store: Store, team: Team, tree: snapshot.Tree | None) -> BuildReport:
        """Every stage in order, each a method below; ``diagnostics`` and ``skipped``
        gather what the stages report."""
        config, dry_run = self.config, self.dry_run
        source = self.post_source(store, team)
        result = scan(config, self.now, source)  # scan
        diagnostics, skipped = list(result.diagnostics), list(result.skipped)
        cache = stores.cache_diagnostic(store.recovered)
        if cache is not None:
            diagnostics.append(cache)
        refused = refusal(config, len(result.posts), result.files_seen, skipped)
        if refused is not None and not (self.accept_loss and refused[1] == LOSS_HINT):
            return failed_report(result, diagnostics, skipped, *refused, dry_run)
        index = self.index(result, diagnostics, skipped)  # index
        plans = plan_feeds(index, config)  # plan
        others = {old: f"the old path of a moved feed (moved: {old})" for old in config.moved}
        clashes = output_clashes(plans, others | rule_files(config))
        if clashes:  # one feed would replace another: publish nothing
            diagnostics.extend(clashes)
            reason = f"{len(clashes)} output path(s) claimed by two feeds"
            hint = "see the output-clash errors above"
            return failed_report(result, diagnostics, skipped, reason, hint, dry_run)
        needed = _posts_of(plans)
        ids = resolve(index.posts, config, read_ledger(config.state))
        diagnostics.extend(ids.findings)
        stop = self.id_changes(ids, needed, diagnostics)
        if stop is not None:
            return failed_report(result, diagnostics, skipped, *stop, dry_run)
        externals = snapshot.external_signatures(external_files(config, needed.values()))
        linker = Linker.of(config, index.posts)
        diagnostics.extend(render_notes(linker))  # kramdown options or engines approximated
        rendered, render_keys, failed = self.render(needed, linker, store, team, diagnostics)
        while failed:  # a post that could not be rendered is left out of every feed
            skipped.extend(Skipped(rel, "could not be rendered", True) for rel in sorted(failed))
            index = build_index([p for p in index.posts if p.relpath not in failed], config)
            plans = plan_feeds(index, config)
            more = {r: p for r, p in _posts_of(plans).items() if r not in rendered}
            extra, keys, failed = self.render(more, linker, store, team, diagnostics)
            rendered.update(extra)  # posts that move up into a limited feed in their place
            render_keys |= keys
            needed = _posts_of(plans)
            stop = self.id_changes(ids, needed, diagnostics)
            if stop is not None:
                return failed_report(result, diagnostics, skipped, *stop, dry_run)
        known = self.hand_over(store, team, plans, render_keys, source.seen)
        prints, changes, files = self.publish(plans, rendered, index, known, team, ids.pins)
        if not dry_run:
            record_published(config.state, published(needed.values(), ids.ids), self.now)
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
            opened=source.opened,
            latest=max((p.published for p in index.posts), default=None),
            externals=externals,
        )
        self.remember(store, report, prints, plans, index, linker, files, tree, externals)
        return report

    def id_changes(
        self, ids: Resolution, needed: Mapping[str, Post], diagnostics: list[Diagnostic]
    ) -> tuple[str, str] | None:
        """Why the build must not publish (published posts of ``needed`` would get new
        entry ids, each named by an error in ``diagnostics``) and the fix, or None."""
        changes = [c for c in ids.changes if c.post.relpath in needed]
        if not changes:
            return None
        if self.accept_id_change:
            diagnostics[:] = [d for d in diagnostics if d.code != ACCEPTED]
            diagnostics.append(accepted_note(len(changes)))
            return None
        reported = {d.path for d in diagnostics if d.code == CHANGE}
        diagnostics.extend(c.diagnostic() for c in changes if c.post.relpath not in reported)
        return dataclasses.replace(ids, changes=tuple(changes)).summary()

    # -- the stages, in the order stages() calls them --------------------------------------
    def post_source(self, store: Store, team: Team) -> CachedSource:
        """Where the scan gets each post: the store when the file is unchanged, else a
        parse on the team."""
        progress = self.progress

        def scanned(done: int, total: int) -> None:
            progress.update("posts scanned", done, total)

        return CachedSource(
            store,
            lambda scanner, items: team.map(parse_one, scanner, items, chunk=64, progress=scanned),
            self.racy_ns,
        )

    def index(
        self, result: ScanResult, diagnostics: list[Diagnostic], skipped: list[Skipped]
    ) -> Index:
        index = build_index(result.posts, self.config)
        diagnostics.extend(index.diagnostics)
        indexed = {p.relpath for p in index.posts}
        for post in result.posts:
            if post.relpath not in indexed:
                skipped.append(Skipped(post.relpath, "same URL as another post", True))
        return index

    def render(
        self,
        needed: dict[str, Post],
        linker: Linker,
        store: Store,
        team: Team,
        diagnostics: list[Diagnostic],
    ) -> tuple[dict[str, RenderedPost], set[str], set[str]]:
        """Render the posts some feed holds, reusing the store's renders: each post's
        rendering, the render keys in use, and the posts that could not be rendered (each
        named by an error in ``diagnostics``)."""
        config = self.config
        renders = render_stage(needed, config, linker, store, self.now, team, self.progress)
        diagnostics.extend(renders.failed)
        failed = {d.path for d in renders.failed}
        rendered: dict[str, RenderedPost] = {}
        for rel in sorted(needed.keys() - failed):
            post, value = needed[rel], renders.values[rel]
            rendered[rel] = RenderedPost(post, value.html, value.excerpt)
            diagnostics.extend(render_diagnostics(post, value, config))
        return rendered, set(renders.keys), failed

    def hand_over(
        self,
        store: Store,
        team: Team,
        plans: list[FeedPlan],
        render_keys: set[str],
        seen: Set[str],
    ) -> dict[str, tuple[str, str]]:
        """Between rendering and serializing: the prints of the files published before,
        then the store forgets what no post or feed uses any more and starts committing
        while the feeds are serialized."""
        known = {k: (v.fingerprint, v.signature) for k, v in store.outputs().items()}
        store.prune_renders(render_keys)
        store.prune_files(seen)
        team.prepare(sum(len(plan.paths) for plan in plans))  # fork before the thread starts
        store.commit_in_background()  # written while the feeds are serialized
        return known

    def publish(
        self,
        plans: list[FeedPlan],
        rendered: dict[str, RenderedPost],
        index: Index,
        known: Mapping[str, tuple[str, str]],
        team: Team,
        pins: dict[str, str],
    ) -> tuple[dict[str, tuple[str, str]], list[Change], list[str]]:
        """Serialize every feed and publish it: the fingerprints of what was serialized,
        the changes, and every output file of this build."""
        config, progress = self.config, self.progress
        prints: dict[str, tuple[str, str]] = {}
        published = read_manifest(config.state)
        with Publisher(config.output, config.state, published, dry_run=self.dry_run) as out:
            # serialize; each feed goes to a temp file as soon as it is serialized, and all
            # are put in place together at the end (publish)
            for relpath, signed, data in serialize_each(
                plans, rendered, index, config, known.get, progress, team, pins
            ):
                prints[relpath] = signed
                out.add(relpath, data)
            progress.done()
            from feedwright.feeds import discovery  # lxml loads only when something is built

            for relpath, page in discovery.pages(plans, config).items():
                out.add(relpath, page)
            # feeds that ended: a tombstone at each path, and the hosts' redirect rules
            moves = advance(read_moves(config.state), plans, config, self.now)
            for relpath, data in tombstones(config, moves).items():
                if out.free_or_ours(relpath):  # never over a file feedwright did not write
                    out.add(relpath, data, "the feed has ended: a tombstone (see retired)")
            for relpath, data in host_files(config, moves.rules).items():
                out.add(relpath, data, "redirect rules for the feeds that moved or ended")
            changes = out.finish()
            if not self.dry_run:
                write_moves(config.state, moves)
        return prints, changes, list(out.changes)

    def remember(
        self,
        store: Store,
        report: BuildReport,
        prints: dict[str, tuple[str, str]],
        plans: list[FeedPlan],
        index: Index,
        linker: Linker,
        files: list[str],
        tree: snapshot.Tree | None,
        externals: dict[str, FileStat | None],
    ) -> None:
        """Record in the store what this build published and planned, for the next."""
        config = self.config
        store.wait()
        store.put_outputs(output_prints(config.output, prints), replace=True)
        record = None
        if not self.dry_run and tree is not None:
            record = reuse.plan_record(
                config,
                plans,
                index,
                linker.by_name,
                summary_of(report),
                report.latest,
                report.next_future,
                externals,
                files,
                tree,
                linker.setup.lists_fingerprint,
            )
        store.put_plan(record)
        store.commit()


def _posts_of(plans: list[FeedPlan]) -> dict[str, Post]:
    """The posts some feed holds, by relative path."""
    needed: dict[str, Post] = {}
    for plan in plans:
        for post in plan.posts:
            needed.setdefault(post.relpath, post)
    return needed
