"""The render stage: each post's Liquid, then Markdown, then the HTML pass, spread over
the build's processes. Markdown and lxml load only when something renders."""

from __future__ import annotations

import functools
import hashlib
import json
import posixpath
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from feedwright import __version__
from feedwright.config import Config, EmbedMode
from feedwright.parallel import Team
from feedwright.progress import Progress
from feedwright.render import liquid
from feedwright.scan import PostError, split_front_matter
from feedwright.types import (
    Diagnostic,
    Markup,
    Post,
    RenderValue,
    Severity,
)

if TYPE_CHECKING:
    from feedwright.render.html import Allowlist


class Linker:
    """Resolves ``{% post_url %}`` and ``{% link %}`` for the Liquid pass."""

    def __init__(self, config: Config, by_name: dict[str, str]) -> None:
        self.config = config
        self.root = config.site.url.rstrip("/") + config.site.baseurl
        self.by_name = by_name  # a post's file name (with and without folders) -> its URL
        urls = sorted(by_name.items())
        self.fingerprint = hashlib.sha256(json.dumps(urls).encode()).hexdigest()

    @classmethod
    def of(cls, config: Config, posts: Iterable[Post]) -> Linker:
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


def render_key(post: Post, config: Config, linker: Linker) -> str | None:
    """The cache key of a post's rendered HTML: everything the HTML depends on."""
    parts: list[object] = [
        __version__,
        post.body_sha,
        post.markup.value,
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


def render_value(post: Post, config: Config, linker: Linker) -> RenderValue:
    """Liquid, then Markdown, then the HTML pass; the result is cacheable."""
    ctx = liquid.LiquidContext(
        site_url=config.site.url.rstrip("/"),
        baseurl=config.site.baseurl,
        site_title=config.site.title,
        post_url=linker.post_url,
        link=linker.link,
    )
    text, issues = liquid.resolve(post.body, ctx)
    # Markdown and lxml load only when something renders
    from feedwright.render.html import rewrite_html, sanitize
    from feedwright.render.markdown import markdown_to_html

    html = text if post.markup is Markup.HTML else markdown_to_html(text)
    keep = config.embeds is EmbedMode.KEEP
    allowed = _allowlist(config) if config.sanitize.enabled else None
    result = rewrite_html(html, post.url, keep, allowed.tags if allowed else None)
    out = sanitize(result.html, allowed) if allowed is not None else result.html
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
    linker: Linker,
    team: Team,
    progress: Progress | None = None,
) -> dict[str, RenderValue]:
    """:func:`render_each`, collected by relative path."""
    return {p.relpath: v for p, v in render_each(posts, config, linker, team, progress)}


def render_diagnostics(post: Post, value: RenderValue, config: Config) -> list[Diagnostic]:
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
