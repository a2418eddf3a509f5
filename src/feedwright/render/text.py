"""Titles and summaries as jekyll-feed writes them: ``smartify | strip_html |
normalize_whitespace`` (summaries without ``smartify``), with the entities decoded into the
characters a reader sees."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

# Liquid's strip_html: scripts, styles and comments with their contents, then every tag
_BLOCKS = re.compile(r"<script.*?</script>|<!--.*?-->|<style.*?</style>", re.S | re.I)
_TAG = re.compile(r"<.*?>", re.S)


def smartify(text: str) -> str:
    """Jekyll's ``smartify``: straight quotes, dashes and ellipses made typographic."""
    text = re.sub(r"&(?!#?\w+;)", "&amp;", text)
    text = text.replace("---", "\u2014").replace("--", "\u2013").replace("...", "\u2026")
    text = re.sub(r'(^|[\s(\[{\u2014\u2013])"', "\\1\u201c", text)
    text = text.replace('"', "\u201d")
    text = re.sub(r"(^|[\s(\[{\u2014\u2013])'", "\\1\u2018", text)
    return text.replace("'", "\u2019")


def feed_text(value: str, smart: bool = True) -> str:
    """``value`` as jekyll-feed prints a title; ``smart=False``: a summary, which it does
    not smartify."""
    text = _TAG.sub("", _BLOCKS.sub("", smartify(value) if smart else value))
    return html.unescape(" ".join(text.split()))


def summary_of(description: str | None, front_matter: Mapping[str, object]) -> str | None:
    """A post's own summary: ``description``, else ``summary``, else ``excerpt`` front
    matter; without them jekyll-feed takes Jekyll's excerpt, which the render stage makes
    (:mod:`feedwright.render.excerpt`)."""
    for value in (description, front_matter.get("summary"), front_matter.get("excerpt")):
        if isinstance(value, str) and value.strip():
            return feed_text(value, smart=False) or None
    return None
