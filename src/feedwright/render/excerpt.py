"""Jekyll's excerpt of a post: its text up to the ``excerpt_separator`` (the post's front
matter, else ``_config.yml``'s, else a blank line), rendered by itself.

jekyll-feed writes it as an entry's summary (``post.description | default:
post.excerpt``, then ``strip_html | normalize_whitespace``) when the post gives none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

DEFAULT_SEPARATOR = "\n\n"

# Jekyll's Excerpt::LIQUID_TAG_REGEX and MKDWN_LINK_REF_REGEX
_LIQUID_TAG = re.compile(r"\{%-?\s*(\w+)\s*.*?-?%\}", re.S)
_LINK_DEFINITION = re.compile(r"^ {0,3}(?:(\[[^\]]+\])(:.+))$", re.M)
# Liquid's blocks (Liquid::Block subclasses Jekyll knows by default)
_BLOCKS = frozenset("if unless case for tablerow capture comment raw highlight ifchanged".split())


def excerpt_separator(front_matter: Mapping[str, object], site: Mapping[str, object]) -> str:
    """The separator that ends a post's excerpt: the post's own, else the site's."""
    for value in (front_matter.get("excerpt_separator"), site.get("excerpt_separator")):
        if isinstance(value, str):
            return value
    return DEFAULT_SEPARATOR


def excerpt_source(body: str, separator: str) -> str | None:
    """The text Jekyll renders as the excerpt of ``body``: ``None`` when that is the whole
    post (no separator in it), ``""`` when the separator is empty (no excerpt). As Jekyll
    does, Liquid blocks left open are closed and the link definitions of the rest of the
    post that the excerpt uses are kept."""
    if not separator:
        return ""
    head, found, tail = body.partition(separator)
    if not found or not tail:
        return None
    if "{%" in head:
        for name in reversed(_LIQUID_TAG.findall(head)):
            if name in _BLOCKS and not re.search(rf"\{{%-?\s*end{name}.*?\s*-?%\}}", head, re.S):
                head += f"\n{{% end{name} %}}"
    definitions = [label + rest for label, rest in _LINK_DEFINITION.findall(tail) if label in head]
    if definitions:
        head += "\n\n" + "\n".join(definitions)
    return head
