"""Inline processors: GFM's backslash line break, kramdown's ``$$`` math and autolinks."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

import markdown
from markdown.inlinepatterns import AutolinkInlineProcessor, InlineProcessor
from markdown.util import AtomicString

from feedwright.render.kramdown.lines import ParseState


class BackslashBreak(InlineProcessor):
    """A backslash at the end of a line (GFM) or two of them (kramdown) is a line break."""

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element, int, int]:
        return etree.Element("br"), m.start(0), m.end(0) - 1


class MathInline(InlineProcessor):
    """kramdown's math (MathJax engine): ``$$x$$`` is written as ``\\(x\\)``, untouched,
    or as ``\\[x\\]`` without a paragraph when it is a paragraph of its own."""

    def __init__(self, pattern: str, md: markdown.Markdown, state: ParseState) -> None:
        super().__init__(pattern, md)
        self.state = state

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[str, int, int]:
        if m.start(0) == 0 and m.end(0) == len(data.rstrip()):  # a paragraph of math
            raw = html.escape(f"\\[{m[1].strip()}\\]", quote=False)
            self.state.blocks.add(raw)
            return self.md.htmlStash.store(raw), m.start(0), m.end(0)
        return AtomicString(f"\\({m[1].strip()}\\)"), m.start(0), m.end(0)


# kramdown's autolinks (parser/kramdown/autolink.rb): only these schemes
_AUTOLINK_SCHEMES = ("mailto:", "http:", "https:", "ftp:", "ftps:")


class KramdownAutolink(AutolinkInlineProcessor):
    """``<scheme://...>`` is a link for the schemes kramdown knows; any other (``irc:``,
    ``ssh:``) is not a valid HTML tag either, so kramdown keeps it as text."""

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | str | None, int | None, int | None]:
        if m[1].lower().startswith(_AUTOLINK_SCHEMES):
            return super().handleMatch(m, data)
        return AtomicString(m[0]), m.start(0), m.end(0)
