"""Post URLs exactly as Jekyll 4.3 builds them (``Jekyll::URL``, ``Drops::UrlDrop`` and
``Utils.slugify``): every named style and placeholder, with or without a leading slash."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote

from feedwright.config.jekyll_site import style_to_permalink
from feedwright.errors import FeedwrightError

_PLACEHOLDER = re.compile(r":([a-z_]+)")
_SLASHES = re.compile(r"/+")
_PLAIN_PATH = re.compile(r"[a-zA-Z0-9./-]+")


def _slug_char(ch: str, extra: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in "LM" or cat == "Nd" or ch in extra


_PRETTY_EXTRA = "._~!$&'()+,;=@"


# What the modes keep of ASCII text (letters, digits and the pretty extras): the same as
# the character-by-character test, in one pass of the regex engine.
_ASCII_DROPS = {
    "default": re.compile(r"[^A-Za-z0-9]+"),
    "pretty": re.compile("[^A-Za-z0-9" + re.escape(_PRETTY_EXTRA) + "]+"),
}
_SPACES = re.compile(r"\s+")
_END_DASHES = re.compile(r"^-|-$")


@functools.lru_cache(maxsize=4096)
def slugify(text: str | None, mode: str = "default", *, cased: bool = False) -> str | None:
    """``Utils.slugify`` in the ``default``, ``pretty`` and ``raw`` modes."""
    if text is None:
        return None
    if mode == "raw":
        slug = _SPACES.sub("-", text)
    elif text.isascii():
        slug = _ASCII_DROPS["pretty" if mode == "pretty" else "default"].sub("-", text)
    else:
        extra = _PRETTY_EXTRA if mode == "pretty" else ""
        out: list[str] = []
        for ch in text:
            if _slug_char(ch, extra):
                out.append(ch)
            elif not out or out[-1] != "\0":
                out.append("\0")
        slug = "".join(out).replace("\0", "-")
    slug = _END_DASHES.sub("", slug)
    return slug if cased else slug.lower()


_ESCAPE_SAFE = "-._~!$&'()*+,;=:@/?"


def escape_path(value: str) -> str:
    """``URL.escape_path`` (Addressable's encoding; '#' always becomes %23)."""
    if not value or _PLAIN_PATH.fullmatch(value):
        return value
    return quote(value, safe=_ESCAPE_SAFE).replace("#", "%23")


def output_ext(front_matter_permalink: str | None, converter_ext: str) -> str:
    """``Renderer#output_ext``: a front matter permalink's own extension wins."""
    if front_matter_permalink and not front_matter_permalink.endswith("/"):
        ext = os.path.splitext(front_matter_permalink.rsplit("/", 1)[-1])[1]
        if ext:
            return ext
    return converter_ext


_SHORT_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_LONG_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_SHORT_DAYS = "Mon Tue Wed Thu Fri Sat Sun".split()
_LONG_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


@dataclass(frozen=True, slots=True)
class _UrlDrop:
    """What ``Drops::UrlDrop`` reads its values from."""

    date: dt.datetime
    slug: str | None
    basename: str
    categories: Sequence[str]
    output_ext: str
    path: str
    collection: str


def _title(d: _UrlDrop) -> str:
    return slugify(d.slug, "pretty", cased=True) or slugify(d.basename, "pretty", cased=True) or ""


# Each value, computed only when a template uses it (a permalink names a handful).
_URL_VALUES: dict[str, Callable[[_UrlDrop], str]] = {
    "output_ext": lambda d: d.output_ext,
    "path": lambda d: d.path,
    "collection": lambda d: d.collection,
    "name": lambda d: slugify(d.basename) or "",
    "title": _title,
    "slug": lambda d: slugify(d.slug) or slugify(d.basename) or "",
    "categories": lambda d: "/".join(dict.fromkeys(str(c).lower() for c in d.categories)),
    "slugified_categories": lambda d: "/".join(
        dict.fromkeys(slugify(str(c)) or "" for c in d.categories)
    ),
    "year": lambda d: f"{d.date.year:04d}",
    "month": lambda d: f"{d.date.month:02d}",
    "day": lambda d: f"{d.date.day:02d}",
    "hour": lambda d: f"{d.date.hour:02d}",
    "minute": lambda d: f"{d.date.minute:02d}",
    "second": lambda d: f"{d.date.second:02d}",
    "i_day": lambda d: str(d.date.day),
    "i_month": lambda d: str(d.date.month),
    "short_month": lambda d: _SHORT_MONTHS[d.date.month - 1],
    "long_month": lambda d: _LONG_MONTHS[d.date.month - 1],
    "short_year": lambda d: f"{d.date.year % 100:02d}",
    "w_year": lambda d: str(d.date.isocalendar().year),
    "week": lambda d: f"{d.date.isocalendar().week:02d}",
    "w_day": lambda d: str(d.date.isocalendar().weekday),
    "short_day": lambda d: _SHORT_DAYS[d.date.weekday()],
    "long_day": lambda d: _LONG_DAYS[d.date.weekday()],
    "y_day": lambda d: f"{d.date.timetuple().tm_yday:03d}",
}


def url_placeholders(
    *,
    date: dt.datetime,
    slug: str | None,
    basename: str,
    categories: Sequence[str],
    output_ext: str,
    relative_path: str,
    ext: str,
    collection: str = "posts",
    collection_dir: str = "_posts",
    only: frozenset[str] | None = None,
) -> dict[str, str]:
    """``Drops::UrlDrop``: every value a permalink template can use (with ``only``,
    just those of them)."""
    cleaned = relative_path[: len(relative_path) - len(ext)] if ext else relative_path
    cleaned = cleaned.replace(collection_dir, "", 1).rstrip(".")
    drop = _UrlDrop(date, slug, basename, categories, output_ext, cleaned, collection)
    return {
        name: value(drop) for name, value in _URL_VALUES.items() if only is None or name in only
    }


class PermalinkError(FeedwrightError, ValueError):
    """A permalink names a placeholder Jekyll does not have (``jekyll build`` stops)."""


def fill_template(template: str, values: Mapping[str, str]) -> str:
    """``URL#generate_url_from_drop`` then ``URL#sanitize_url``."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        key = name[:-1] if name.endswith("_") else name
        if key not in values:
            raise PermalinkError(
                f"the permalink {template!r} uses :{name}, which Jekyll does not know"
            )
        return escape_path(values[key]) + name[len(key) :]

    url = _PLACEHOLDER.sub(fill, template)
    url = ("/" + url).replace("..", "/").replace("./", "")
    return _SLASHES.sub("/", url)


def post_url(
    permalink: str,
    *,
    date: dt.datetime,
    slug: str | None,
    title: str | None = None,
    categories: Sequence[str] = (),
    ext: str = ".md",
    output_ext: str = ".html",
    front_matter_permalink: str | None = None,
    collection: str = "posts",
    basename: str | None = None,
    relative_path: str | None = None,
    collection_dir: str = "_posts",
) -> str:
    """A post's URL as Jekyll builds it. ``permalink`` is the site's (a style name or a
    template); a front matter permalink replaces it and may use the same placeholders.
    ``:title`` comes from the slug (the ``slug:`` front matter, else the file name), never
    from ``title:``; ``title`` is accepted for symmetry and unused, as in Jekyll."""
    del title
    name = (
        basename
        if basename is not None
        else (f"{date:%Y-%m-%d}-{slug}" if slug is not None else "")
    )
    rel = relative_path if relative_path is not None else f"{collection_dir}/{name}{ext}"
    template = front_matter_permalink or style_to_permalink(permalink)
    values = url_placeholders(
        date=date,
        slug=slug,
        basename=name,
        categories=categories,
        output_ext=output_ext,
        relative_path=rel,
        ext=ext,
        collection=collection,
        collection_dir=collection_dir,
        only=used_placeholders(template),
    )
    return fill_template(template, values)


def post_destination(url: str, output_ext: str) -> str:
    """``Document#destination`` relative to the destination folder."""
    path = unquote(url).lstrip("/")
    if url.endswith("/"):
        return path + "index.html"
    if not path.endswith(output_ext):
        path += output_ext
    return path


def titleize_slug(slug: str) -> str:
    """``Utils.titleize_slug`` (Ruby's ``split`` drops trailing empty fields)."""
    words = slug.split("-")
    while words and not words[-1]:
        words.pop()
    return " ".join(w[:1].upper() + w[1:].lower() for w in words)


@functools.lru_cache(maxsize=64)
def used_placeholders(template: str) -> frozenset[str]:
    """The placeholders ``template`` names (each with and without a trailing '_')."""
    names: set[str] = set()
    for name in _PLACEHOLDER.findall(template):
        names.add(name)
        names.add(name.rstrip("_"))
    return frozenset(names)


def placeholders(
    date: dt.datetime,
    slug: str,
    basename: str,
    categories: tuple[str, ...],
    output_ext: str,
    only: frozenset[str] | None = None,
) -> dict[str, str]:
    """The values a permalink can use for a post of the posts folder named
    ``basename``; with ``only``, just those."""
    return url_placeholders(
        date=date,
        slug=slug,
        basename=basename,
        categories=categories,
        output_ext=output_ext,
        relative_path=f"_posts/{basename}",
        ext="",
        only=only,
    )


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill a permalink template, then sanitize it as ``Jekyll::URL#to_s`` does."""
    return fill_template(template, values)
