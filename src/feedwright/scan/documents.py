"""What Jekyll 4.3 derives for a document of a collection other than ``posts`` (and what
feedwright derives the same way for a plain folder of ``collections:``): a file name that
may start with a date, the front matter defaults of the collection's type, its categories
and its URL from the collection's permalink (``/:collection/:path:output_ext`` unless
set). Unlike Jekyll, a document without a date is left out of the feeds: Jekyll dates it
with the build's time, which would make it a new entry on every build."""

from __future__ import annotations

import datetime as dt
import os

from feedwright.config.jekyll_site import deep_merge
from feedwright.scan.fields import read_categories
from feedwright.scan.jekyll import (
    DATE_FILENAME,
    DATELESS_FILENAME,
    front_matter_defaults,
    merged_categories,
)
from feedwright.scan.permalink import PermalinkError, output_ext, post_url
from feedwright.scan.report import PostError, Report
from feedwright.scan.site_post import FileName, markup
from feedwright.scan.sources import CollectionSource, PostRules
from feedwright.types import Markup


def file_name(rel: str) -> FileName:
    """``Document#populate_title``: a date at the start of the name is the document's
    date (when its front matter has none), the rest its slug."""
    match = DATE_FILENAME.match(rel)
    if match is not None:
        date, slug, ext = match.groups()
    else:
        plain = DATELESS_FILENAME.match(rel)
        assert plain is not None  # every path with an extension matches
        date, (slug, ext) = "", plain.groups()
    return FileName(date, slug.rstrip("."), ext, False)


def with_defaults(
    rules: PostRules, source: CollectionSource, rel: str, meta: dict[str, object]
) -> dict[str, object]:
    """The front matter over the Jekyll site's ``defaults:`` for the collection's type."""
    if rules.site is None:
        return meta
    return deep_merge(front_matter_defaults(rules.site, rel, source.name), meta)


def categories(
    rules: PostRules,
    source: CollectionSource,
    rel: str,
    meta: dict[str, object],
    lines: dict[str, int],
    report: Report,
) -> tuple[str, ...]:
    """The document's categories: its front matter's (over the defaults in Jekyll mode)."""
    if rules.site is None:
        return tuple(read_categories(meta, lines, report))
    return tuple(merged_categories([front_matter_defaults(rules.site, rel, source.name), meta]))


def url_path(
    rules: PostRules,
    source: CollectionSource,
    rel: str,
    meta: dict[str, object],
    lines: dict[str, int],
    name: FileName,
    when: dt.datetime,
    slug: str,
    cats: tuple[str, ...],
) -> str:
    """The document's URL path: its ``permalink:``, else the collection's."""
    template = meta.get("permalink")
    own = template if isinstance(template, str) and template.strip() else None
    is_md = markup(rules, name) is Markup.MARKDOWN
    converter_ext = ".html" if is_md or name.ext.lower() == ".html" else name.ext
    try:
        return post_url(
            source.permalink,
            date=when,
            slug=slug,
            categories=cats,
            ext=name.ext,
            output_ext=output_ext(own, converter_ext),
            front_matter_permalink=own,
            collection=source.name,
            basename=os.path.splitext(rel.rsplit("/", 1)[-1])[0],
            relative_path=rel,
            collection_dir=source.prefix,
        )
    except PermalinkError as exc:
        where = "permalink" if own is not None else f"collections.{source.name}.permalink"
        raise PostError("permalink", f"{where}: {exc}", lines.get("permalink")) from None
