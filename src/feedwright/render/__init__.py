"""The render stage: each post's Liquid (Jekyll's), then Markdown (kramdown's; not for
``.html`` posts), then the HTML pass, spread over the build's processes. lxml loads only
when something renders."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from feedwright import __version__
from feedwright.config import Config, EmbedMode
from feedwright.guard import Budget, Guarded, guarded_map
from feedwright.parallel import Team
from feedwright.progress import Progress
from feedwright.render.excerpt import excerpt_separator, excerpt_source
from feedwright.render.links import Linker
from feedwright.render.page import neighbours, page_of
from feedwright.render.text import feed_text, summary_of
from feedwright.scan.bodies import load_bodies
from feedwright.state.store import Store
from feedwright.text import first_illegal_line, strip_xml_illegal
from feedwright.types import (
    Diagnostic,
    Markup,
    Post,
    RenderValue,
    Severity,
)

if TYPE_CHECKING:
    from feedwright.render.html import Allowlist
    from feedwright.render.liquid import JekyllLiquid, LiquidIssue

__all__ = [
    "Linker",
    "Renders",
    "liquid_engine",
    "page_of",
    "render_all",
    "render_diagnostics",
    "render_each",
    "render_failure",
    "render_key",
    "render_notes",
    "render_stage",
    "render_value",
]


_RENDER_FORMAT = 2  # what a stored render holds: 2, the excerpt is Jekyll's


def render_key(post: Post, config: Config, linker: Linker) -> str | None:
    """The cache key of a post's rendered HTML: everything the HTML depends on."""
    setup = linker.setup
    parts: list[object] = [
        __version__,
        _RENDER_FORMAT,
        post.body_sha,
        post.markup.value,
        post.url,
        config.embeds.value,
        config.sanitize.model_dump(mode="json"),
        repr(setup.kramdown),
        excerpt_separator(post.front_matter, setup.site),
        _wants_excerpt(post),
    ]
    if post.has_liquid:
        # site.*, site.data, the includes, shortcodes: only Liquid reads them
        parts.append(setup.fingerprint)
        if config.source is not None:
            return None  # {% link %} reads pages outside the posts folder: always render
        if not setup.lists_fingerprint:
            return None  # the posts lists are unknown here: render, never reuse
        parts += [
            linker.fingerprint,
            setup.lists_fingerprint,
            json.dumps(post.front_matter, sort_keys=True, default=str),
            post.relpath,
        ]
    return hashlib.sha256(json.dumps(parts).encode("utf-8", "surrogatepass")).hexdigest()


INTERNAL_LIQUID_URL = "internal-liquid-url"  # a bug: Liquid must never reach a URL
_ENGINES: dict[tuple[str, str, str, bool], JekyllLiquid] = {}


def liquid_engine(linker: Linker) -> JekyllLiquid:
    """The build's Liquid environment, made once per process."""
    setup = linker.setup
    key = (setup.fingerprint, setup.lists_fingerprint, linker.fingerprint, setup.listed)
    engine = _ENGINES.get(key)
    if engine is None:
        # python-liquid and Markdown load only when something renders
        from feedwright.render.kramdown import to_html
        from feedwright.render.liquid import JekyllLiquid, SiteContext

        options = setup.kramdown

        def markdownify(text: str) -> str:
            return to_html(text, options)

        ctx = SiteContext(
            site=setup.site,
            includes_dirs=() if setup.includes is None else (setup.includes,),
            post_url=linker.relative_post_url,
            link=linker.relative_link,
            shortcodes=setup.shortcodes,
            markdownify=markdownify,
            source=setup.source,
        )
        _ENGINES.clear()  # one build at a time per process
        engine = _ENGINES[key] = JekyllLiquid(ctx)
    return engine


def _liquid_and_markdown(
    text: str, post: Post, config: Config, linker: Linker, excerpt: bool = True
) -> tuple[str, list[LiquidIssue]]:
    from feedwright.render.kramdown import to_html
    from feedwright.render.kramdown.premonition import premonition

    issues: list[LiquidIssue] = []
    if "{{" in text or "{%" in text:
        page = page_of(post, config)
        neighbours(page, linker.setup.site)
        if excerpt and "excerpt" not in page and "excerpt" in text:
            # page.excerpt: Jekyll's excerpt, rendered (by itself, so that it cannot
            # hold itself)
            separator = excerpt_separator(post.front_matter, linker.setup.site)
            head = excerpt_source(post.body, separator)
            source = post.body if head is None else head
            page["excerpt"] = _liquid_and_markdown(source, post, config, linker, False)[0]
        text, issues = liquid_engine(linker).render(text, page)
        text = _xml_text(text, issues)
    if post.markup is not Markup.MARKDOWN:
        return text, issues  # an .html post gets Liquid only, no Markdown, as in Jekyll
    return to_html(premonition(text), linker.setup.kramdown), issues


def _wants_excerpt(post: Post) -> bool:
    """Whether a feed can show the post's excerpt: only when the post gives no summary of
    its own (``description:``, ``summary:`` or ``excerpt:``), as in jekyll-feed."""
    return summary_of(post.description, post.front_matter) is None


def _xml_text(text: str, issues: list[LiquidIssue]) -> str:
    """Liquid's output without the characters XML forbids (``url_decode`` of ``%00``, a
    reference assembled by ``append``), which the body was cleaned of before; their
    removal is one more issue, on the line of the first."""
    from feedwright.render.liquid import LiquidIssue

    cleaned, removed = strip_xml_illegal(text)
    if removed:
        issues.append(
            LiquidIssue(
                first_illegal_line(text) or 1,
                "xml-illegal",
                f"removed {removed} character(s) that XML forbids from what Liquid made",
                "check the filters that decode or build text (url_decode, append, ...)",
            )
        )
    return cleaned


def render_value(post: Post, config: Config, linker: Linker) -> RenderValue:
    """Liquid, then Markdown, then the HTML pass; the result is cacheable. The excerpt is
    Jekyll's (the text up to the excerpt separator, rendered by itself) as jekyll-feed
    writes it in a summary; it is not made (``""``) for a post that gives a summary of its
    own, which the feeds show instead."""
    # Markdown and lxml load only when something renders
    from feedwright.render.html import rewrite_html, sanitize

    html, issues = _liquid_and_markdown(post.body, post, config, linker)
    keep = config.embeds is EmbedMode.KEEP
    allowed = _allowlist(config) if config.sanitize.enabled else None
    result = rewrite_html(html, post.url, keep, allowed.tags if allowed else None)
    out = sanitize(result.html, allowed) if allowed is not None else result.html
    separator = excerpt_separator(post.front_matter, linker.setup.site)
    head = excerpt_source(post.body, separator) if _wants_excerpt(post) else ""
    if head is None:
        excerpt = feed_text(out, smart=False)
    elif head.strip():
        head_html = _liquid_and_markdown(head, post, config, linker)[0]
        excerpt = feed_text(rewrite_html(head_html, post.url, keep, None).html, smart=False)
    else:
        excerpt = ""
    found = [(i.line, i.code, i.message, i.hint) for i in issues]
    found.extend(
        (1, INTERNAL_LIQUID_URL, f"a URL still held Liquid markup and was removed: {url!r}", None)
        for url in result.liquid_urls
    )
    return RenderValue(
        out,
        excerpt,
        result.embeds,
        tuple(found),
        result.link_issues,
        result.unsafe,
    )


def render_notes(linker: Linker) -> list[Diagnostic]:
    """What the build says once about rendering: kramdown options not applied, a Markdown
    engine approximated."""
    return list(linker.setup.notes)


@functools.cache
def _allowlist_for(key: str) -> Allowlist:
    from feedwright.render.html import allowlist

    tags, attributes, schemes, keep = json.loads(key)
    return allowlist(tags, attributes, schemes, keep)


def _allowlist(config: Config) -> Allowlist:
    cfg = config.sanitize
    key = json.dumps(
        [cfg.tags, cfg.attributes, cfg.url_schemes, config.embeds is EmbedMode.KEEP], sort_keys=True
    )
    return _allowlist_for(key)


def _render_task(context: tuple[Config, Linker], post: Post) -> RenderValue:
    return render_value(post, *context)


def render_each(
    posts: list[Post],
    config: Config,
    linker: Linker,
    team: Team,
    progress: Progress | None = None,
) -> Iterator[tuple[Post, Guarded[RenderValue]]]:
    """Render posts in the ``team``'s helper processes, each under the time and memory
    budget of ``limits:``; each outcome is yielded, in order, as soon as it is ready."""
    report = (
        None
        if progress is None
        else (lambda done, total: progress.update("posts rendered", done, total))
    )
    budget = Budget(config.limits.render_seconds, config.limits.render_memory)
    values = guarded_map(team, _render_task, (config, linker), posts, budget, report)
    return zip(posts, values, strict=True)


def render_failure(post: Post, outcome: Guarded[RenderValue], config: Config) -> Diagnostic:
    """The error that leaves a post that could not be rendered out of the feeds."""
    limits = config.limits
    why = {
        "timeout": f"took longer than limits.render_seconds ({limits.render_seconds:g} s)",
        "memory": f"needed more than limits.render_memory ({limits.render_memory} bytes)",
    }.get(outcome.failure or "", f"failed: {outcome.detail}")
    return Diagnostic(
        Severity.ERROR,
        "render-failed",
        f"rendering {why}; left out of the feeds",
        post.relpath,
        None,
        "simplify the post (deep nesting, thousands of unclosed brackets or tags), or raise "
        "the limits: in the config",
    )


def render_all(
    posts: list[Post],
    config: Config,
    linker: Linker,
    team: Team,
    progress: Progress | None = None,
) -> tuple[dict[str, RenderValue], list[Diagnostic]]:
    """:func:`render_each`, collected by relative path, and the errors of the posts that
    could not be rendered."""
    values: dict[str, RenderValue] = {}
    failed: list[Diagnostic] = []
    for post, outcome in render_each(posts, config, linker, team, progress):
        if outcome.value is None:
            failed.append(render_failure(post, outcome, config))
        else:
            values[post.relpath] = outcome.value
    return values, failed


@dataclass(frozen=True, slots=True)
class Renders:
    """What the render stage gave: each needed post's value; how many post files it read
    for their bodies; and the posts that changed while the build ran (rendered as they
    are now, not stored: the next build reads them again)."""

    values: dict[str, RenderValue]
    read: int
    unsettled: tuple[str, ...]
    keys: frozenset[str]  # the store keys these renders use (what to keep)
    failed: tuple[Diagnostic, ...] = ()  # the posts that could not be rendered


def render_stage(
    needed: dict[str, Post],
    config: Config,
    linker: Linker,
    store: Store,
    now: dt.datetime,
    team: Team,
    progress: Progress | None = None,
) -> Renders:
    """Render the ``needed`` posts (relative path -> post), reusing the ``store``'s
    renders by :func:`render_key` and storing new ones as they come. Posts scanned
    without a body get it back first, in ``needed`` (:func:`load_bodies`)."""
    keys = {rel: render_key(post, config, linker) for rel, post in needed.items()}
    values: dict[str, RenderValue] = {}
    missing: list[str] = []
    for rel in sorted(needed):
        key = keys[rel]
        value = store.render(key) if key is not None else None
        if value is None:
            missing.append(rel)
        else:
            values[rel] = value
    bodiless = [rel for rel in missing if needed[rel].body_missing]
    read, unsettled = load_bodies(needed, bodiless, config, now, team, store)
    for rel in unsettled:
        keys[rel] = None
    failed: list[Diagnostic] = []
    to_render = [needed[r] for r in missing]
    if not any(p.has_liquid and linker.setup.reads_lists(p.body) for p in to_render):
        linker = linker.without_lists()  # the same output, without shipping the lists
    for post, outcome in render_each(to_render, config, linker, team, progress):
        value = outcome.value
        if value is None:
            failed.append(render_failure(post, outcome, config))
            continue
        values[post.relpath] = value
        key = keys[post.relpath]
        if key is not None:  # stored while the helpers render on
            store.put_render(key, value)
    kept = frozenset(key for key in keys.values() if key is not None)
    return Renders(values, read, tuple(unsettled), kept, tuple(failed))


def render_diagnostics(post: Post, value: RenderValue, config: Config) -> list[Diagnostic]:
    diags = [
        Diagnostic(
            Severity.ERROR if code == INTERNAL_LIQUID_URL else Severity.WARNING,
            code,
            message,
            post.relpath,
            post.body_line + line - 1,
            hint,
        )
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
    from feedwright.feeds.episodes import is_episode

    if is_episode(post):
        # an episode whose media is missing has no enclosure: the build says so, as check
        from feedwright.feeds.podcast_check import episode_findings

        diags.extend(episode_findings(config, post))
    return diags
