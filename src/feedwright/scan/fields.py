"""A post's people and names from its front matter: authors (through the config's
table), tags and categories, the picture, text cleaned of what XML forbids, and keys
that look like typos of the ones read."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from feedwright.config import AuthorConfig
from feedwright.index.terms import split_names
from feedwright.scan.report import Report
from feedwright.text import escape_uri_illegal, split_url, strip_xml_illegal
from feedwright.types import Author, Severity

# Front-matter keys feedwright reads, and others that Jekyll sites commonly use. An
# unknown key close to one that is read is probably a typo ("pug-year").
READ_KEYS = frozenset(
    """title author authors description category categories tags tag pub-date pub-year
    date updated last_modified_at published draft slug permalink image id hidden feed
    redirect_to link external_url lang""".split()
)
KNOWN_KEYS = READ_KEYS | frozenset(
    """layout comments excerpt excerpt_separator toc sitemap redirect_from
    navbar_active feature featured summary subtitle series canonical_url
    modified_date share header teaser audio video duration episode season episode_type
    explicit transcript chapters length type guid""".split()
)


def read_image(value: Any, lines: dict[str, int], report: Report) -> str | None:
    """``image: /assets/x.png`` or jekyll-seo-tag's ``image: {path: ...}``."""
    if isinstance(value, dict):
        value = value.get("path", value.get("url"))
    if value is None:
        return None
    text = str(value).strip() if isinstance(value, str) else ""
    if (
        not text
        or any(c.isspace() for c in text)
        or text.startswith(("javascript:", "data:"))
        or split_url(text) is None
    ):
        report.add(
            Severity.WARNING,
            "bad-image",
            f"image {value!r} is not a path or URL; the entry gets no picture",
            lines.get("image"),
            "write image: /assets/picture.png (or a full https:// URL)",
        )
        return None
    return escape_uri_illegal(clean(text, "image", lines, report))


def warn_unknown_keys(meta: dict[str, object], lines: dict[str, int], report: Report) -> None:
    """Report each unknown key that is close to a key feedwright reads (a typo)."""
    for key in meta:
        if key in KNOWN_KEYS:
            continue
        close = difflib.get_close_matches(key, sorted(READ_KEYS), n=1, cutoff=0.75)
        if close:
            report.add(
                Severity.WARNING,
                "unknown-key",
                f"unknown key {key!r}: did you mean {close[0]!r}?",
                lines.get(key),
                f"rename {key} to {close[0]}",
            )


def clean(value: str, key: str, lines: dict[str, int], report: Report) -> str:
    """``value`` without the characters XML forbids; their removal is reported."""
    cleaned, removed = strip_xml_illegal(value)
    if removed:
        report.add(
            Severity.WARNING,
            "xml-illegal",
            f"removed {removed} character(s) that XML forbids from {key}",
            lines.get(key),
            "delete the control characters",
        )
    return cleaned


def clean_names(
    names: Iterable[str], key: str, lines: dict[str, int], report: Report
) -> tuple[str, ...]:
    """``names`` cleaned as :func:`clean` does, without the ones nothing is left of (a
    tag of only control characters) and without the repeats cleaning makes."""
    cleaned = (clean(name, key, lines, report) for name in names)
    return tuple(dict.fromkeys(name for name in cleaned if name.strip()))


def read_authors(
    value: object, table: Mapping[str, AuthorConfig], lines: dict[str, int], report: Report
) -> tuple[Author, ...]:
    """``author:`` or ``authors:`` (text, comma-separated, or a list), each name looked
    up in the config's ``authors:`` table (exactly, else ignoring case)."""
    names = []
    if isinstance(value, str):
        names = [n.strip() for n in value.split(",") if n.strip()]
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str | int) and str(item).strip():
                names.extend(n.strip() for n in str(item).split(",") if n.strip())
    elif value is not None:
        report.add(
            Severity.WARNING,
            "author",
            f"author {value!r} is not text; ignored",
            lines.get("author"),
            "write author: Jane Doe",
        )
    authors: list[Author] = []
    folded = {k.casefold(): v for k, v in table.items()}
    for name in names:
        entry = table.get(name) or folded.get(name.casefold())
        if entry is None:
            cleaned, _ = strip_xml_illegal(name)
            authors.append(Author(cleaned))
        else:
            authors.append(Author(entry.name, entry.email, entry.uri))
    return tuple(dict.fromkeys(authors))


def read_names(
    meta: dict[str, object],
    keys: tuple[str, ...],
    lines: dict[str, int],
    report: Report,
) -> list[str]:
    """The names under any of ``keys`` (a list, or space/comma-separated text), in
    order, without repeats; a value that is not names is reported and ignored."""
    out: list[str] = []
    for key in keys:
        if key not in meta:
            continue
        value = meta[key]
        names = split_names(value)
        if isinstance(value, list) and names is not None:
            empty = sum(1 for v in value if v is None or not str(v).strip())
            if empty:
                report.add(
                    Severity.WARNING,
                    "empty-name",
                    f"{key}: {empty} empty name(s) ignored",
                    lines.get(key),
                    f"remove the empty items from {key}",
                )
        if names is None:
            report.add(
                Severity.WARNING,
                key,
                f"{key}: {meta[key]!r} is not a list of names; ignored",
                lines.get(key),
                f"write {key}: [one, two]",
            )
            continue
        out.extend(names)
    return list(dict.fromkeys(out))


def read_categories(
    meta: dict[str, object], lines: dict[str, int], report: Report
) -> tuple[str, ...]:
    """``category:`` (one name, or several) then ``categories:``, without repeats."""
    out: list[str] = []
    single = meta.get("category")
    if isinstance(single, str):
        if single.strip():
            out.append(single.strip())
    elif single is not None:
        out.extend(read_names({"category": single}, ("category",), lines, report))
    out.extend(read_names(meta, ("categories",), lines, report))
    return tuple(dict.fromkeys(out))
