"""``markdown="1"``, ``"span"`` or ``"block"`` on an element inside an HTML block that is
itself left as written: kramdown parses that element's content (``<td markdown="span">``
in a hand-written table), Python-Markdown's md_in_html does not."""

from __future__ import annotations

import re
from collections.abc import Callable

import markdown
from markdown.postprocessors import Postprocessor

# kramdown's HTML_CONTENT_MODEL_SPAN: markdown="1" parses these as span-level text
_SPAN_TAGS = frozenset(
    "a abbr acronym b bdo big button cite caption del dfn dt em h1 h2 h3 h4 h5 h6 i ins label "
    "legend optgroup p q rb rbc rp rt rtc ruby select small span strong sub sup th tt".split()
)
_NESTED = re.compile(
    r"<(?P<tag>[A-Za-z][A-Za-z0-9]*)(?P<before>[^<>]*?)\s+markdown=(?P<q>[\"'])"
    r"(?P<mode>1|span|block)(?P=q)(?P<after>[^<>]*)>(?P<inner>.*?)</(?P=tag)\s*>",
    re.S,
)
_PARAGRAPH = re.compile(r"\s*<p>(.*)</p>\s*", re.S)


class NestedMarkdownHtml(Postprocessor):
    """Renders the content of marked elements inside stored HTML blocks with ``convert``
    (a separate converter: this one is in the middle of its own document)."""

    def __init__(self, md: markdown.Markdown, convert: Callable[[str], str]) -> None:
        super().__init__(md)
        self.convert = convert

    def run(self, text: str) -> str:
        stash = self.md.htmlStash.rawHtmlBlocks
        for index, block in enumerate(stash):
            if isinstance(block, str) and "markdown=" in block:
                stash[index] = _NESTED.sub(self._element, block)
        return text

    def _element(self, m: re.Match[str]) -> str:
        tag, mode = m["tag"], m["mode"]
        span = mode == "span" or (mode == "1" and tag.lower() in _SPAN_TAGS)
        html = self.convert(m["inner"].strip() if span else m["inner"])
        if span:
            single = _PARAGRAPH.fullmatch(html)
            html = single[1] if single is not None and "<p>" not in single[1] else html.strip()
        else:
            html = "\n" + html + "\n"
        return f"<{tag}{m['before']}{m['after']}>{html}</{tag}>"
