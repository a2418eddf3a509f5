"""What kind of post the front matter makes: hidden (in no feed), a redirect, a link
post, or one in a language of its own. None of these change an entry's id."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from feedwright.scan.report import Report
from feedwright.text import split_url
from feedwright.types import Severity

# The keys a link post may name its subject with; the first one present wins.
LINK_KEYS = ("link", "external_url")
# A tag as xml:lang and JSON Feed want it: subtags of letters and digits joined by '-'.
_TAG_SHAPE = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")


@dataclass(frozen=True, slots=True)
class PostKind:
    hidden: bool = False
    redirect_to: str | None = None
    external_url: str | None = None
    lang: str | None = None


def read_kind(meta: Mapping[str, object], lines: dict[str, int], report: Report) -> PostKind:
    """The post's kind from ``hidden``/``feed``, ``redirect_to``, ``link``/``external_url``
    and ``lang``; each value that cannot be used is reported (naming its line) and
    ignored."""
    return PostKind(
        hidden=_hidden(meta, lines, report),
        redirect_to=_url(meta, "redirect_to", lines, report),
        external_url=_link(meta, lines, report),
        lang=_lang(meta.get("lang"), lines, report),
    )


def _flag(meta: Mapping[str, object], key: str, lines: dict[str, int], report: Report) -> bool:
    """``key: true``/``false``; anything else is reported and read as absent."""
    value = meta.get(key)
    if value is None or isinstance(value, bool):
        return bool(value)
    report.add(
        Severity.WARNING,
        f"{key}-value",
        f"{key}: {value!r} is not true or false; ignored",
        lines.get(key),
        f"write {key}: true (or false), without quotes",
    )
    return key == "feed"  # as if absent: in the feeds


def _hidden(meta: Mapping[str, object], lines: dict[str, int], report: Report) -> bool:
    hidden = "hidden" in meta and _flag(meta, "hidden", lines, report)
    no_feed = "feed" in meta and not _flag(meta, "feed", lines, report)
    if not (hidden or no_feed):
        return False
    key = "hidden" if hidden else "feed"
    report.add(
        Severity.NOTE,
        "hidden",
        f"{key}: {'true' if hidden else 'false'}: in no feed (the post keeps its URL)",
        lines.get(key),
    )
    return True


def _url(meta: Mapping[str, object], key: str, lines: dict[str, int], report: Report) -> str | None:
    """An absolute http(s) URL under ``key`` (jekyll-redirect-from also takes a list:
    its first item counts); anything else is an error, and ignored."""
    value = meta.get(key)
    if isinstance(value, list) and value:
        value = value[0]
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else ""
    parts = split_url(text)
    if (
        parts is not None
        and parts.scheme.lower() in ("http", "https")
        and parts.hostname
        and not any(c.isspace() or ord(c) < 32 for c in text)
    ):
        return text
    effect = (
        "the entry links to the post itself"
        if key == "redirect_to"
        else "the entry is not a link post"
    )
    report.add(
        Severity.ERROR,
        f"bad-{key.replace('_', '-')}",
        f"{key}: {value!r} is not an absolute http(s) URL; {effect}",
        lines.get(key),
        f"write {key}: https://example.org/page (scheme and host included)",
    )
    return None


def _link(meta: Mapping[str, object], lines: dict[str, int], report: Report) -> str | None:
    present = [key for key in LINK_KEYS if meta.get(key) is not None]
    if not present:
        return None
    url = _url(meta, present[0], lines, report)
    for other in present[1:]:
        if meta.get(other) != meta.get(present[0]):
            report.add(
                Severity.WARNING,
                "link-twice",
                f"both {present[0]} and {other} are set; {present[0]} is used",
                lines.get(other),
                f"remove {other}",
            )
    return url


def _lang(value: object, lines: dict[str, int], report: Report) -> str | None:
    """A language tag (BCP 47) as written; ``de_DE`` is read as ``de-DE``, with a
    warning. A value that is no tag is reported, and the post has the site's language."""
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else ""
    dashed = text.replace("_", "-")
    import langcodes  # its tables load only for a blog that writes lang:

    if _TAG_SHAPE.fullmatch(dashed) and langcodes.tag_is_valid(dashed):
        if dashed != text:
            report.add(
                Severity.WARNING,
                "lang",
                f"lang: {text!r} is read as {dashed!r} (language tags use '-')",
                lines.get("lang"),
                f"write lang: {dashed}",
            )
        return dashed
    report.add(
        Severity.WARNING,
        "lang",
        f"lang: {value!r} is not a language tag (BCP 47); the entry has the site's language",
        lines.get("lang"),
        "write a tag such as lang: de, lang: fr-CA or lang: pt-BR",
    )
    return None
