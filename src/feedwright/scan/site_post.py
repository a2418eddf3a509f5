"""What Jekyll derives from a post's file name, place and front matter: its name's date
and slug, the front matter defaults and folder categories of a Jekyll site, the site date
(read as leniently as Ruby's ``Time.parse``), the markup and the URL.

A document of a collection other than ``posts`` (``source``; and a file of a plain folder
of ``collections:``, derived the same way) differs as Jekyll 4.3's ``Document`` does: its
file name need not start with a date, its defaults are its collection's type's, its folders
give no categories, and its URL comes from the collection's permalink."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from feedwright.config.jekyll_site import deep_merge
from feedwright.scan.jekyll import (
    DATE_FILENAME,
    DATELESS_FILENAME,
    categories_from_path,
    front_matter_defaults,
    merged_categories,
)
from feedwright.scan.jekyll_dates import ZONELESS, post_date, site_zone
from feedwright.scan.permalink import PermalinkError, output_ext, post_url
from feedwright.scan.report import PostError, Report
from feedwright.scan.ruby_time import RubyTimeError, YearRangeError
from feedwright.scan.sources import CollectionSource, PostRules, is_draft
from feedwright.types import Markup, Severity

_YMD = re.compile(r"(\d+)-(\d+)-(\d+)")


@dataclass(frozen=True)
class FileName:
    """A post's file name as Jekyll splits it."""

    date: str
    """The date at its start as written ('' for a draft without one)."""
    slug: str
    ext: str
    draft: bool


def file_name(rel: str, source: CollectionSource | None = None) -> FileName:
    """Split ``rel``'s file name (``DATE_FILENAME_MATCHER``). A draft may have no date,
    and so may a collection's document (``Document#populate_title``)."""
    draft = source is None and is_draft(rel)
    match = DATE_FILENAME.match(rel)
    if match is not None:
        date, slug, ext = match.groups()
    else:
        plain = DATELESS_FILENAME.match(rel) if draft or source is not None else None
        if plain is None:
            name = rel.rsplit("/", 1)[-1]
            raise PostError(
                "filename",
                "file name does not start with a date (YYYY-MM-DD-slug.md)",
                None,
                f"rename it to YYYY-MM-DD-{name}",
            )
        date, (slug, ext) = "", plain.groups()
    return FileName(date, slug.rstrip("."), ext, draft)


def _kind(source: CollectionSource | None) -> str:
    return "posts" if source is None else source.name


def with_defaults(
    rules: PostRules, rel: str, meta: dict[str, object], source: CollectionSource | None = None
) -> dict[str, object]:
    """The front matter over the Jekyll site's ``defaults:`` for ``rel``."""
    if rules.site is None:
        return meta
    return deep_merge(front_matter_defaults(rules.site, rel, _kind(source)), meta)


def site_categories(
    rules: PostRules, rel: str, meta: dict[str, object], source: CollectionSource | None = None
) -> tuple[str, ...]:
    """A Jekyll site post's categories: the folders above ``_posts`` (a collection's
    document has none), then the defaults', then the front matter's, merged as Jekyll
    does."""
    assert rules.site is not None
    layers: list[Mapping[str, object]] = [front_matter_defaults(rules.site, rel, _kind(source))]
    if source is None:
        special = "_drafts" if is_draft(rel) else "_posts"
        layers.insert(0, {"categories": categories_from_path(rel, special)})
    layers.append(meta)
    return tuple(merged_categories(layers))


def site_date(
    rules: PostRules,
    meta: dict[str, object],
    lines: dict[str, int],
    name: FileName,
    path: Path,
    now: dt.datetime,
    report: Report,
) -> tuple[dt.datetime, dt.date]:
    """The date Jekyll files the post under (and builds its URL from): ``date:``, else
    the file name's date, else (a draft) the file's time; and the file name's date."""
    line = lines.get("date")
    value = meta.get("date")
    try:
        if value is not None:
            when, notes = post_date(value, name.date, rules.timezone, now=now)
            for note in notes:
                severity = Severity.WARNING
                if "file name" in note:  # the front matter and file name disagree
                    hint, code = "make the file name and date: agree", "date-filename"
                elif ZONELESS in note:  # read as Jekyll reads it: worth knowing, not wrong
                    severity, code = Severity.NOTE, "date-zone"
                    hint = "add the offset meant, such as +0000 for UTC, after the time"
                else:
                    hint, code = "write date: 2024-06-28 10:30:00", "date"
                report.add(severity, code, note, line, hint)
        elif name.date:
            when, _ = post_date(None, name.date, rules.timezone, now=now)
        else:
            when = dt.datetime.fromtimestamp(path.stat().st_mtime, site_zone(rules.timezone))
    except YearRangeError as exc:
        raise PostError(
            "date-range",
            f"date {value}: {exc}" if value is not None else f"file name date: {exc}",
            line if value is not None else None,
            "write date: with a four-digit year from 1900 on",
        ) from None
    except RubyTimeError as exc:
        where = "date" if value is not None else "file name date"
        raise PostError(
            "date" if value is not None else "filename",
            f"{where}: cannot parse date {value if value is not None else name.date!r} "
            f"({exc}); Jekyll stops with 'Invalid date'",
            line if value is not None else None,
            "write it as 2024-06-28 or 2024-06-28 10:30:00 +0200",
        ) from None
    except OSError as exc:
        raise PostError("read", f"cannot read the file's time: {exc}") from None
    when = when.replace(microsecond=0)
    if not name.date:
        return when, when.date()
    ymd = _YMD.fullmatch(name.date)
    try:
        assert ymd is not None
        written = dt.date(*(int(part) for part in ymd.groups()))
    except ValueError:
        written = None
    if value is None:  # ``when`` is already the file name's date
        from_name = when.date()
    else:
        try:
            from_name = post_date(None, name.date, rules.timezone, now=now)[0].date()
        except RubyTimeError:
            from_name = when.date()
    if written != from_name:
        report.add(
            Severity.WARNING,
            "date-filename",
            f"the file name date {name.date} is not a real date; Jekyll reads it as "
            f"{from_name.isoformat()}",
            None,
            "fix the date at the start of the file name",
        )
    return when, from_name


def markup(rules: PostRules, name: FileName) -> Markup:
    """Markdown for the ``markdown_ext`` extensions; any other is published as written."""
    return Markup.MARKDOWN if name.ext.lower() in rules.markdown_ext else Markup.HTML


def url_path(
    rules: PostRules,
    rel: str,
    meta: dict[str, object],
    lines: dict[str, int],
    name: FileName,
    when: dt.datetime,
    slug: str,
    categories: tuple[str, ...],
    source: CollectionSource | None = None,
) -> str:
    """The post's URL path as Jekyll builds it (a front matter ``permalink:`` first,
    else the site's, or the collection's for a collection's document)."""
    template = meta.get("permalink")
    own = template if isinstance(template, str) and template.strip() else None
    is_md = markup(rules, name) is Markup.MARKDOWN
    converter_ext = ".html" if is_md or name.ext.lower() == ".html" else name.ext
    special = "_drafts" if name.draft else "_posts"
    site = rules.site
    if source is not None:
        relative, folder = rel, source.prefix
    elif site is None:
        relative, folder = f"{special}/{rel}", special
    else:
        relative = rel
        folder = f"{site.collections_dir}/{special}" if site.collections_dir else special
    try:
        return post_url(
            rules.permalink if source is None else source.permalink,
            date=when,
            slug=slug,
            categories=categories,
            ext=name.ext,
            output_ext=output_ext(own, converter_ext),
            front_matter_permalink=own,
            collection=_kind(source),
            basename=os.path.splitext(rel.rsplit("/", 1)[-1])[0],
            relative_path=relative,
            collection_dir=folder,
        )
    except PermalinkError as exc:
        if source is None:
            message = str(exc)
        elif own is None:
            message = f"collections.{source.name}.permalink: {exc}"
        else:
            message = f"permalink: {exc}"
        raise PostError("permalink", message, lines.get("permalink")) from None
