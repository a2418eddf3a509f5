"""The build: scan -> index -> plan -> render -> serialize -> write. Library first: the
CLI (and later the daemon) only call :func:`build` and print its :class:`BuildReport`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import posixpath
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from feedwright import __version__, liquid, snapshot
from feedwright.cache import Cache, ParseItem, ParseResult, RenderValue, parse_one
from feedwright.config import Config, ContentMode, EmbedMode, FeedFormat
from feedwright.feeds import FeedPlan, document, external_files, plan_feeds, tag_labels
from feedwright.index import build_index
from feedwright.model import (
    Diagnostic,
    FeedDocument,
    Index,
    Post,
    RenderedPost,
    ScanResult,
    Severity,
    Skipped,
)
from feedwright.parallel import Team, default_jobs
from feedwright.progress import Progress, Silent
from feedwright.scanner import FileOutcome, PostError, Scanner, scan, split_front_matter

if TYPE_CHECKING:
    from feedwright.render import Allowlist

from feedwright.writer import (
    Change,
    Publisher,
    clean_temp_files,
    output_lock,
    publish,
    read_manifest,
)


@dataclass(frozen=True, slots=True)
class BuildReport:
    files_seen: int
    indexed: int
    skipped: tuple[Skipped, ...]
    diagnostics: tuple[Diagnostic, ...]
    changes: tuple[Change, ...]
    feeds: int
    dry_run: bool
    failed: str | None = None
    index: Index | None = field(default=None, repr=False)
    next_future: dt.datetime | None = None
    opened: int = 0
    latest: dt.datetime | None = None  # the newest publication time among published posts
    externals: dict[str, list[int] | None] | None = None  # files outside posts/ feeds read
    quick: bool = False  # built by the quick path (only a few post bodies changed)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)

    def by_action(self, action: str) -> list[Change]:
        return [c for c in self.changes if c.action == action]


class _Linker:
    """Resolves ``{% post_url %}`` and ``{% link %}`` for the Liquid pass."""

    def __init__(self, config: Config, by_name: dict[str, str]) -> None:
        self.config = config
        self.root = config.site.url.rstrip("/") + config.site.baseurl
        self.by_name = by_name  # a post's file name (with and without folders) -> its URL
        urls = sorted(by_name.items())
        self.fingerprint = hashlib.sha256(json.dumps(urls).encode()).hexdigest()

    @classmethod
    def of(cls, config: Config, posts: Iterable[Post]) -> _Linker:
        by_name: dict[str, str] = {}
        for post in posts:
            stem = post.relpath.rsplit(".", 1)[0]
            by_name.setdefault(stem, post.url)
            by_name.setdefault(posixpath.basename(stem), post.url)
        return cls(config, by_name)

    def post_url(self, name: str) -> str | None:
        return self.by_name.get(name.strip().removesuffix(".md").removesuffix(".markdown"))

    def link(self, target: str) -> tuple[str, bool]:
        target = target.strip().lstrip("/")
        fallback = self.root + "/" + target
        source = self.config.source
        if source is None:
            return fallback, False
        path = source / target
        if not path.is_file():
            return fallback, False
        stem = target.rsplit(".", 1)[0]
        if stem.startswith("_posts/"):
            url = self.by_name.get(stem.removeprefix("_posts/"))
            if url is not None:
                return url, True
        if path.suffix.lower() in (".md", ".markdown", ".html"):
            permalink = _page_permalink(path)
            if permalink:
                return self.root + "/" + permalink.lstrip("/"), True
            return self.root + "/" + stem + ".html", True
        return fallback, True


def _page_permalink(path: Path) -> str | None:
    try:
        fm = split_front_matter(path.read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError, PostError):
        return None
    if fm is None:
        return None
    value = fm.data.get("permalink")
    return value if isinstance(value, str) and value.strip() else None


def _render_key(post: Post, config: Config, linker: _Linker) -> str | None:
    """The cache key of a post's rendered HTML: everything the HTML depends on."""
    parts: list[object] = [
        __version__,
        post.body_sha,
        post.url,
        config.site.url,
        config.site.baseurl,
        config.site.title,
        config.embeds.value,
        config.sanitize.model_dump(mode="json"),
    ]
    if post.has_liquid:
        if config.source is not None:
            return None  # depends on files outside the posts folder: always render
        parts.append(linker.fingerprint)
    return hashlib.sha256(json.dumps(parts).encode("utf-8", "surrogatepass")).hexdigest()


def render_value(post: Post, config: Config, linker: _Linker) -> RenderValue:
    """Liquid, then Markdown, then the HTML pass; the result is cacheable."""
    ctx = liquid.LiquidContext(
        site_url=config.site.url.rstrip("/"),
        baseurl=config.site.baseurl,
        site_title=config.site.title,
        post_url=linker.post_url,
        link=linker.link,
    )
    text, issues = liquid.resolve(post.body, ctx)
    from feedwright import render  # Markdown and lxml load only when something renders

    html = render.markdown_to_html(text)
    keep = config.embeds is EmbedMode.KEEP
    allowed = _allowlist(config) if config.sanitize.enabled else None
    result = render.rewrite_html(html, post.url, keep, allowed.tags if allowed else None)
    out = render.sanitize(result.html, allowed) if allowed is not None else result.html
    return RenderValue(
        out,
        result.excerpt,
        result.embeds,
        tuple((i.line, i.code, i.message, i.hint) for i in issues),
        result.link_issues,
        result.unsafe,
    )


@functools.cache
def _allowlist_for(key: str) -> Allowlist:
    from feedwright import render

    tags, attributes, schemes, keep = json.loads(key)
    return render.allowlist(tags, attributes, schemes, keep)


def _allowlist(config: Config) -> Allowlist:
    cfg = config.sanitize
    key = json.dumps(
        [cfg.tags, cfg.attributes, cfg.url_schemes, config.embeds is EmbedMode.KEEP], sort_keys=True
    )
    return _allowlist_for(key)


def _load_bodies(
    posts: dict[str, Post],
    rels: list[str],
    config: Config,
    now: dt.datetime,
    team: Team,
    cache: Cache | None,
) -> tuple[int, list[str]]:
    """Fill in the bodies of ``posts[rel]`` for each of ``rels`` (in place): from the
    cache, which stored each body when it was scanned, else from the file when its body
    still has the hash the scan recorded (read by the ``team``). Returns how many
    post files were read, and the posts whose scanned body was not found (the file
    changed since): they are rendered as they are now, and their render is not cached."""
    todo = []
    for rel in rels:
        post = posts[rel]
        body = cache.good_body(rel, post.body_sha) if cache is not None else None
        if body is None:
            todo.append(rel)
        else:
            posts[rel] = dataclasses.replace(post, body=body)
    loader = Scanner(config, now)
    found = team.map(_body_task, loader, [config.posts / rel for rel in todo], chunk=32)
    changed: list[str] = []
    for rel, got in zip(todo, found, strict=True):
        post = posts[rel]
        if got is not None and got[1] == post.body_sha:
            posts[rel] = dataclasses.replace(post, body=got[0])
            continue
        changed.append(rel)
        fresh = loader.read(config.posts / rel, rel).post
        if fresh is not None:
            posts[rel] = dataclasses.replace(post, body=fresh.body, body_sha=fresh.body_sha)
    return len(todo) + len(changed), changed


def _body_task(scanner: Scanner, path: Path) -> tuple[str, str] | None:
    return scanner.body(path)


def _render_task(context: tuple[Config, _Linker], post: Post) -> RenderValue:
    return render_value(post, *context)


def render_each(
    posts: list[Post],
    config: Config,
    linker: _Linker,
    team: Team,
    progress: Progress | None = None,
) -> Iterator[tuple[Post, RenderValue]]:
    """Render posts, spread over the ``team``'s processes when there are enough; each
    result is yielded, in order, as soon as it is ready."""
    report = (
        None
        if progress is None
        else (lambda done, total: progress.update("posts rendered", done, total))
    )
    values = team.map(_render_task, (config, linker), posts, chunk=8, progress=report)
    return zip(posts, values, strict=True)


def render_all(
    posts: list[Post],
    config: Config,
    linker: _Linker,
    team: Team,
    progress: Progress | None = None,
) -> dict[str, RenderValue]:
    """:func:`render_each`, collected by relative path."""
    return {p.relpath: v for p, v in render_each(posts, config, linker, team, progress)}


def _render_diagnostics(post: Post, value: RenderValue, config: Config) -> list[Diagnostic]:
    diags = [
        Diagnostic(Severity.WARNING, code, message, post.relpath, post.body_line + line - 1, hint)
        for line, code, message, hint in value.issues
    ]
    for issue in value.link_issues:
        diags.append(
            Diagnostic(
                Severity.WARNING,
                "relative-link",
                issue,
                post.relpath,
                None,
                "link to the published URL of the target",
            )
        )
    if value.sanitized:
        diags.append(
            Diagnostic(
                Severity.WARNING,
                "sanitized",
                f"unsafe or unsupported HTML removed: {', '.join(value.sanitized[:8])}",
                post.relpath,
                None,
                "remove it from the post, or allow it under sanitize: in the config",
            )
        )
    if value.embeds and config.embeds is EmbedMode.LINK:
        diags.append(
            Diagnostic(
                Severity.NOTE,
                "embed",
                f"{', '.join(sorted(set(value.embeds)))} replaced by a link (feed readers strip "
                "embeds)",
                post.relpath,
                None,
                "set embeds: keep to publish them as written",
            )
        )
    return diags


def fingerprint(doc: FeedDocument, fmt: FeedFormat) -> str:
    """Everything that goes into a feed's bytes (each entry's HTML by its hash)."""
    head = dataclasses.replace(doc, entries=())
    parts = [__version__, fmt.value, repr(head)]
    for e in doc.entries:
        html = e.content_html
        content = (
            "-"
            if html is None
            else hashlib.sha256(html.encode("utf-8", "surrogatepass")).hexdigest()
        )
        parts.append(repr(dataclasses.replace(e, content_html=content)))
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _to_bytes(doc: FeedDocument, fmt: FeedFormat) -> bytes:
    from feedwright import feedgen_adapter, jsonfeed  # feedgen and lxml load only when needed

    if fmt is FeedFormat.ATOM:
        return feedgen_adapter.to_atom(doc)
    if fmt is FeedFormat.RSS:
        return feedgen_adapter.to_rss(doc)
    return jsonfeed.to_json(doc)


def file_signature(path: Path) -> str:
    """Size and mtime of an output file: another writer (a preview build into another
    folder, an interrupted build, a person) changes at least one of them."""
    try:
        st = path.stat()
    except OSError:
        return ""
    return f"{st.st_size}:{st.st_mtime_ns}"


def _signed(output: Path, prints: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    return {rel: (fp, file_signature(output / rel)) for rel, (fp, _) in prints.items()}


def _serialize_task(
    context: tuple[Config, dict[str, str]],
    item: tuple[FeedPlan, FeedFormat, dict[str, RenderedPost], str | None],
) -> tuple[str, bytes | None]:
    """One feed file: its fingerprint, and its bytes unless the fingerprint is ``known``."""
    config, labels = context
    plan, fmt, rendered, known = item
    doc = document(plan, fmt, rendered, labels, config)
    fp = fingerprint(doc, fmt)
    return fp, None if fp == known else _to_bytes(doc, fmt)


def serialize_each(
    plans: list[FeedPlan],
    rendered: dict[str, RenderedPost],
    index: Index,
    config: Config,
    known: Callable[[str], tuple[str, str] | None] | None = None,
    progress: Progress | None = None,
    team: Team | None = None,
) -> Iterator[tuple[str, tuple[str, str], bytes | None]]:
    """Serialize every feed (over the ``team``'s processes, if given), yielding each file
    as it is done: its path, its print (fingerprint, file signature) and its bytes. A
    feed whose fingerprint matches ``known``, and whose file is still the one written
    then (same size and mtime), is not serialized again (its bytes are None: unchanged;
    its print is the known one). A new print's signature is empty until it is written."""
    items: list[tuple[FeedPlan, FeedFormat, dict[str, RenderedPost], str | None]] = []
    paths: list[str] = []
    previous: dict[str, tuple[str, str]] = {}
    light: dict[str, RenderedPost] = {}  # what a feed needs of a post: no body to send

    def entry(rel: str) -> RenderedPost:
        found = light.get(rel)
        if found is None:
            found = rendered[rel]
            if found.post.body:
                post = dataclasses.replace(found.post, body="")
                found = RenderedPost(post, found.html, found.excerpt)
            light[rel] = found
        return found

    for plan in plans:
        entries = {p.relpath: entry(p.relpath) for p in plan.posts}
        for fmt, relpath in plan.paths.items():
            last = known(relpath) if known is not None else None
            fp = None
            if last is not None and file_signature(config.output / relpath) == last[1]:
                previous[relpath] = last
                fp = last[0]
            paths.append(relpath)
            items.append((plan, fmt, entries, fp))

    def written(done: int, total: int) -> None:
        if progress is not None:
            progress.update("feeds written", done, total)

    context = (config, tag_labels(index))
    results = (team or Team(1)).map(_serialize_task, context, items, chunk=2, progress=written)
    for relpath, (fp, data) in zip(paths, results, strict=True):
        yield relpath, previous[relpath] if data is None else (fp, ""), data


def serialize(
    plans: list[FeedPlan],
    rendered: dict[str, RenderedPost],
    index: Index,
    config: Config,
    team: Team | None = None,
) -> dict[str, bytes | None]:
    """Every feed file's bytes, in memory (for ``check``)."""
    return {rel: data for rel, _, data in serialize_each(plans, rendered, index, config, team=team)}


def config_fingerprint(config: Config) -> str:
    """What a scanned post depends on besides its own bytes."""
    relevant = config.model_dump(
        mode="json",
        include={"site", "posts", "permalink", "publication_date", "authors", "limits", "repair"},
    )
    return hashlib.sha256(json.dumps([__version__, relevant], sort_keys=True).encode()).hexdigest()


def _previous_indexed(config: Config) -> int | None:
    from feedwright.status import read_status

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
        quick = None if cache is None else _quick(config, now, cache, progress, tree)
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


def _read_task(scanner: Scanner, item: tuple[Path, str]) -> FileOutcome:
    return scanner.read(*item)


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
        return list(team.map(_read_task, scanner, items, chunk=64, progress=scanned))

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
    linker = _Linker.of(config, index.posts)
    keys: dict[str, str | None] = {
        rel: _render_key(post, config, linker) for rel, post in needed.items()
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
    _, unsettled = _load_bodies(
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
        diagnostics.extend(_render_diagnostics(post, value, config))
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
        from feedwright import discovery  # lxml loads only when something is built

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
        cache.store_outputs(_signed(config.output, prints))
        cache.store_plan(
            None
            if dry_run or tree is None
            else _plan_record(config, plans, index, linker, report, files, tree)
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
QUICK_MAX_FILES = 8


def _walk_key(tree: snapshot.Tree) -> str:
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


def _plan_record(
    config: Config,
    plans: list[FeedPlan],
    index: Index,
    linker: _Linker,
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
        "walk": _walk_key(tree),
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


def _quick(
    config: Config,
    now: dt.datetime,
    cache: Cache,
    progress: Progress,
    tree: snapshot.Tree | None,
) -> BuildReport | None:
    """The build, when only a few post bodies changed; None when the full path is needed."""
    from feedwright.cache import RACY_NS

    saved = cache.plan()
    if saved is None or saved.get("config") != snapshot.config_digest(config):
        return None
    next_future, latest = saved["next_future"], saved["latest"]
    if next_future is not None and now >= dt.datetime.fromisoformat(next_future):
        return None  # a future post goes live: the index changes
    if latest is not None and now < dt.datetime.fromisoformat(latest):
        return None  # an earlier --now: some posts are not yet published then
    if tree is None or _walk_key(tree) != saved["walk"]:
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
    root = config.posts
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

    linker = _Linker(config, saved["links"])
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
    keys = {rel: _render_key(post, config, linker) for rel, post in needed.items()}
    for rel, key in keys.items():
        value = cache.render(key) if key is not None else None
        if value is None:
            missing.append(rel)
        else:
            values[rel] = value
    read, unsettled = _load_bodies(
        needed, [rel for rel in missing if needed[rel].body_missing], config, now, Team(1), cache
    )
    if unsettled:
        return None  # a post changed while this build ran: take the full path
    opened = len(fresh) + read
    values.update(render_all([needed[rel] for rel in missing], config, linker, Team(1), progress))
    for rel in fresh:  # what the last build said about the old text of these posts
        if rel in needed:
            old_key = _render_key(old_posts[rel], config, linker)
            old_value = cache.render(old_key) if old_key is not None else None
            if old_value is None:
                return None
            old_diags[rel].update(_render_diagnostics(old_posts[rel], old_value, config))

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
        fp, data = _serialize_task((config, labels), (plan, FeedFormat(fmt_value), rendered, None))
        files[path] = data
        prints[path] = (fp, "")
    progress.done()

    files_seen, indexed, skipped, saved_diags, feeds_count = snapshot.decode_report(saved["report"])
    diagnostics = [d for d in saved_diags if not (d.path in old_diags and d in old_diags[d.path])]
    for rel, (_, _, _, outcome, _) in fresh.items():
        diagnostics.extend(outcome.diagnostics)
        if rel in needed:
            diagnostics.extend(_render_diagnostics(needed[rel], values[rel], config))
    changes = publish(config.output, config.state, files, read_manifest(config.state))

    for rel, (signature, digest, checked, outcome, encoded) in fresh.items():
        cache.store_file(rel, signature, digest, checked, outcome, encoded)
    for rel in missing:
        key = keys[rel]
        if key is not None:
            cache.store_render(key, values[rel])
    cache.update_outputs(_signed(config.output, prints))
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
