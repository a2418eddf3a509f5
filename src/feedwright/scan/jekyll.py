"""A Jekyll post as Jekyll 4.3 reads it (``Document#read``): front matter defaults merged
under the file's own front matter, categories from the folders above ``_posts``, the
date, slug, title and URL. :func:`read_post` reads a whole file; the scanner uses the same
pieces on the files it reads itself."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from feedwright.config.jekyll_site import DefaultsSet, JekyllSite, deep_merge
from feedwright.errors import FeedwrightError
from feedwright.scan.jekyll_dates import post_date, ruby_to_s, site_zone
from feedwright.scan.permalink import output_ext, post_destination, post_url, titleize_slug
from feedwright.scan.ruby_time import RubyTimeError

# Document::DATE_FILENAME_MATCHER and DATELESS_FILENAME_MATCHER.
DATE_FILENAME = re.compile(r"^(?>.+/)*?(\d{2,4}-\d{1,2}-\d{1,2})-([^/]*)(\.[^.]+)$")
DATELESS_FILENAME = re.compile(r"^(?:.+/)*(.*)(\.[^.]+)$")
# Document::YAML_FRONT_MATTER_REGEXP (Ruby's ``m`` flag is Python's DOTALL; ``^``/``$``
# always match at line ends in Ruby).
FRONT_MATTER = re.compile(r"\A(---\s*\n.*?\n?)^((---|\.\.\.)\s*$\n?)", re.S | re.M)


class JekyllPostError(FeedwrightError):
    """A post that stops ``jekyll build`` (an invalid date, or bad front matter under
    ``strict_front_matter``)."""

    exit_code = 1

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class PostFile:
    """One file Jekyll reads as a post (or a draft), with what Jekyll derives from it."""

    path: Path
    relative_path: str
    """Relative to the site source (Jekyll's ``relative_path``)."""
    draft: bool
    front_matter: Mapping[str, object]
    """The post's data: front matter defaults merged under the file's own front matter."""
    has_front_matter: bool
    content: str
    date: dt.datetime
    slug: str
    title: str
    ext: str
    output_ext: str
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    url: str
    destination: str
    """The written file, relative to the destination folder."""
    notes: tuple[str, ...] = ()
    front_matter_error: str | None = None
    markdown: bool = False


def ruby_truthy(value: object) -> bool:
    return value is not None and value is not False


def merge_categories(data: dict[str, object], other: dict[str, object]) -> None:
    """``Document#merge_categories!``: a string splits on spaces; path categories stay
    first."""
    value = other.get("categories")
    if value is None:
        return
    if isinstance(value, str):
        value = value.split()
    before = data.get("categories")
    if isinstance(before, list) and isinstance(value, list):
        value = list(dict.fromkeys([*before, *value]))
    other["categories"] = value


def pluralized(data: Mapping[str, object], singular: str, plural: str) -> list[Any]:
    """``Utils.pluralized_array_from_hash``."""
    value: Any = data.get(singular) if singular in data else None
    if value is None and plural in data:
        raw = data.get(plural)
        if isinstance(raw, str):
            value = raw.split()
        elif isinstance(raw, list):
            value = [v for v in raw if v is not None]
    out: list[Any] = []
    _flatten(value, out)
    return [v for v in out if v is not None]


def _flatten(value: Any, out: list[Any]) -> None:
    if isinstance(value, list):
        for item in value:
            _flatten(item, out)
    else:
        out.append(value)


def _scope_applies(site: JekyllSite, entry: DefaultsSet, rel: str, kind: str) -> bool:
    if entry.has_type and entry.type != kind:
        return False
    scope_path = entry.path
    if not isinstance(scope_path, str) or not scope_path:
        return True
    path = _sanitize_scope(rel)
    coll = site.collections_dir

    def strip_coll(p: str) -> str:
        return p[len(coll) + 1 :] if coll and p.startswith(coll + "/") else p

    if "*" in scope_path:
        for match in sorted(site.source.glob(scope_path)):
            rel_match = strip_coll(match.relative_to(site.source).as_posix())
            if path.startswith(rel_match):
                return True
        return False
    return path.startswith(strip_coll(scope_path))


def _sanitize_scope(path: str | None) -> str:
    if not path:
        return ""
    return path[1:] if path.startswith("/") else path


def _precedes(old: DefaultsSet | None, new: DefaultsSet) -> bool:
    """``FrontmatterDefaults#has_precedence?``."""
    if old is None:
        return True
    new_path, old_path = _sanitize_scope(new.path), _sanitize_scope(old.path)
    if len(new_path) != len(old_path):
        return len(new_path) >= len(old_path)
    if new.has_type:
        return True
    return not old.has_type


def front_matter_defaults(site: JekyllSite, rel: str, kind: str = "posts") -> dict[str, object]:
    """``FrontmatterDefaults#all``: the values every matching ``defaults:`` scope gives,
    the more specific scopes winning."""
    out: dict[str, object] = {}
    old: DefaultsSet | None = None
    for entry in site.defaults:
        if not _scope_applies(site, entry, rel, kind):
            continue
        if _precedes(old, entry):
            out = deep_merge(out, entry.values)
            old = entry
        else:
            out = deep_merge(entry.values, out)
    return out


def merged_categories(layers: Sequence[Mapping[str, object]]) -> list[str]:
    """A post's categories as ``Document`` merges them: each layer (the folders above
    ``_posts``, then front matter defaults, then the front matter) adds its
    ``categories`` (text splits on spaces) after the earlier ones, and ``category``
    (else ``categories``) of the merged data comes last; no repeats."""
    data: dict[str, object] = {}
    for layer in layers:
        other = dict(layer)
        merge_categories(data, other)
        data.update(deep_merge(data, other))
    cats = data.get("categories")
    first = cats if isinstance(cats, list) else ([] if cats is None else [cats])
    merged = [*first, *pluralized(data, "category", "categories")]
    flat: list[Any] = []
    _flatten([c if isinstance(c, list) else str(c) for c in merged], flat)
    return list(dict.fromkeys(str(c) for c in flat if c is not None))


def categories_from_path(rel: str, special: str) -> list[str]:
    if rel.startswith(special):
        return []
    index = rel.find(special)
    head = rel[:index] if index >= 0 else rel
    base = rel.rsplit("/", 1)[-1]
    return [c for c in head.split("/") if c and c != special and c != base]


def read_post(site: JekyllSite, rel: str, *, draft: bool, now: dt.datetime) -> PostFile | None:
    """Read one post file as ``Document#read`` does; None when Jekyll skips it (YAML
    files, content that is not UTF-8)."""
    path = site.source / rel
    ext = os.path.splitext(path.name)[1]
    if ext in (".yaml", ".yml"):
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    special = "_drafts" if draft else "_posts"
    coll_rel = f"{site.collections_dir}/{special}" if site.collections_dir else special
    data: dict[str, object] = {}
    notes: list[str] = []
    date_source: object = None
    has_date = False

    def merge(other: dict[str, object]) -> None:
        nonlocal date_source, has_date
        merge_categories(data, other)
        data.update(deep_merge(data, other))
        if "date" in other:
            date_source = other["date"]
            has_date = True

    merge({"categories": categories_from_path(rel, special)})
    merge(front_matter_defaults(site, rel))
    content = text
    fm_error: str | None = None
    has_fm = False
    m = FRONT_MATTER.match(text)
    if m:
        has_fm = True
        content = text[m.end() :]
        try:
            loaded = yaml.safe_load(m.group(1))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = None if mark is None else int(mark.line) + 1
            problem = getattr(exc, "problem", None) or str(exc)
            if site.config.get("strict_front_matter"):
                raise JekyllPostError(path, f"invalid front matter: {problem}", line) from None
            fm_error = f"line {line}: {problem}" if line else str(problem)
            loaded = None
        if loaded is not None and not isinstance(loaded, dict):
            fm_error = "the front matter is not a mapping of keys to values"
            loaded = None
        if isinstance(loaded, dict):
            merge({str(k): v for k, v in loaded.items()})
    zone = site_zone(site.timezone)
    filename_date = ""
    slug: str | None = None
    file_ext: str | None = None
    if fm_error is None:
        dm = DATE_FILENAME.match(rel)
        if dm:
            filename_date, slug, file_ext = dm.group(1), dm.group(2), dm.group(3)
        else:
            dl = DATELESS_FILENAME.match(rel)
            if dl:
                slug, file_ext = dl.group(1), dl.group(2)
        if slug is None:
            slug = os.path.splitext(path.name)[0]
        slug = slug.rstrip(".")
    try:
        if has_date:
            date, date_notes = post_date(date_source, filename_date, site.timezone, now=now)
            notes.extend(date_notes)
        elif filename_date:
            date, _ = post_date(None, filename_date, site.timezone, now=now)
        elif draft:
            date = dt.datetime.fromtimestamp(path.stat().st_mtime, zone)
        else:
            date = now.astimezone(zone)
    except RubyTimeError as exc:
        which = "front matter" if has_date else "file name"
        value = ruby_to_s(date_source) if has_date else filename_date
        raise JekyllPostError(path, f"invalid date {value!r} in the {which}: {exc}") from None
    if fm_error is not None:
        notes.append(f"front matter cannot be read ({fm_error}); Jekyll dates the post now")
        found = data.get("categories")
        categories = [str(c) for c in found] if isinstance(found, list | tuple) else []
        tags: list[str] = []
        title = str(data.get("title") or "")
        data_slug = None
    else:
        cats = data.get("categories")
        first = cats if isinstance(cats, list) else ([] if cats is None else [cats])
        merged_cats = [*first, *pluralized(data, "category", "categories")]
        flat: list[Any] = []
        _flatten([c if isinstance(c, list) else str(c) for c in merged_cats], flat)
        categories = list(dict.fromkeys(str(c) for c in flat))
        data["categories"] = categories
        tags = [str(t) for t in pluralized(data, "tag", "tags")]
        data["tags"] = tags
        data_slug = data.get("slug")
        if not ruby_truthy(data_slug):
            data_slug = slug
            data["slug"] = slug
        title_value = data.get("title")
        title = str(title_value) if ruby_truthy(title_value) else titleize_slug(slug or "")
        data.setdefault("ext", file_ext)
    basename = os.path.splitext(path.name)[0]
    is_md = ext.lower() in site.markdown_ext
    converter_ext = ".html" if is_md else ext
    permalink = data.get("permalink")
    fm_permalink = permalink if isinstance(permalink, str) and permalink else None
    template = site.permalink
    url = post_url(
        template,
        date=date,
        slug=str(data_slug) if data_slug is not None else None,
        basename=basename,
        title=title,
        categories=tuple(categories),
        ext=ext,
        output_ext=output_ext(fm_permalink, converter_ext),
        front_matter_permalink=fm_permalink,
        relative_path=rel,
        collection_dir=coll_rel,
    )
    out_ext = output_ext(fm_permalink, converter_ext)
    return PostFile(
        path=path,
        relative_path=rel,
        draft=draft,
        front_matter=data,
        has_front_matter=has_fm,
        content=content,
        date=date,
        slug=str(data_slug if data_slug is not None else basename),
        title=title,
        ext=ext,
        output_ext=out_ext,
        categories=tuple(categories),
        tags=tuple(tags),
        url=url,
        destination=post_destination(url, out_ext),
        notes=tuple(notes),
        front_matter_error=fm_error,
        markdown=is_md,
    )
