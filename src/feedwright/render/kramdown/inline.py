"""Inline processors: GFM's backslash line break, kramdown's ``$$`` math and autolinks, and
links and images that keep backticks in their URL, title and alt text as written."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

import markdown
from markdown import util
from markdown.inlinepatterns import (
    AutolinkInlineProcessor,
    AutomailInlineProcessor,
    BacktickInlineProcessor,
    HtmlInlineProcessor,
    ImageInlineProcessor,
    ImageReferenceInlineProcessor,
    InlineProcessor,
    LinkInlineProcessor,
    ReferenceInlineProcessor,
    ShortImageReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
)
from markdown.util import INLINE_PLACEHOLDER_RE, AtomicString

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


# kramdown's e-mail autolink (parser/kramdown/autolink.rb)
_AUTOMAIL = re.compile(r"mailto:.+|[-.\w]+@[-\w]+(?:\.[-\w]+)*\.[a-z]+")


class KramdownAutomail(AutomailInlineProcessor):
    """``<name@host.tld>`` is a mail link when kramdown takes it for one: no ``+`` and the
    like in the name; otherwise it is text."""

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | str | None, int | None, int | None]:
        if _AUTOMAIL.fullmatch(m[1]):
            return super().handleMatch(m, data)
        return AtomicString(m[0]), m.start(0), m.end(0)


# an HTML tag as kramdown's parser reads one (REXML's names, attributes with or without a
# value); anything else that starts with "<" is text to kramdown
_NAME = r"[^\W\d][\w.-]*(?::[^\W\d][\w.-]*)?"
_VALUE = r"""(?:\s*=\s*(?:\w+|"[^"]*"|'[^']*'))?"""
_ATTRIBUTE = rf"\s*{_NAME}{_VALUE}"
_KRAMDOWN_TAG = re.compile(rf"<{_NAME}\s*(?:{_ATTRIBUTE}\s*)*/?>|</{_NAME}\s*>")


class KramdownHtml(HtmlInlineProcessor):
    """Inline HTML as kramdown reads it: ``<URL:http://x/>`` is no tag but text."""

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | str | None, int | None, int | None]:
        raw = m[1]
        if raw[1:2] in ("!", "?") or _KRAMDOWN_TAG.fullmatch(raw):
            return super().handleMatch(m, data)
        return AtomicString(raw), m.start(0), m.end(0)


# kramdown's span HTML (parser/html.rb): the elements whose content is parsed as Markdown,
# those without content, and block elements (text when they stand in a paragraph)
_NOT_RAW = (
    "a abbr acronym b bdo big button cite caption del dfn dt em h1 h2 h3 h4 h5 h6 i ins label "
    "legend optgroup p q rb rbc rp rt rtc ruby select small span strong sub sup th tt "
    "area base br col command embed hr img input keygen link meta param source track wbr "
    "address article aside applet body blockquote colgroup dd div dl fieldset figcaption "
    "footer form header hgroup html head iframe li main map menu nav ol pre section summary "
    "table tbody td tfoot thead tr ul"
).split()
# Any other element (code, kbd, samp, var, mark, u, s, unknown ones) keeps its content as
# written, up to its closing tag or the end of the paragraph
RAW_SPAN = (
    rf"(?<![\\<])<(?!(?i:{'|'.join(_NOT_RAW)})(?![\w.:-]))(?P<raw>{_NAME})"
    rf"""(?![^>]*\bmarkdown\s*=\s*["']?span\b)(?P<attrs>(?:\s+{_NAME}{_VALUE})*)\s*>"""
)
# the names kramdown knows (in any case) and writes in lower case
_KNOWN = frozenset(_NOT_RAW) | {"code", "kbd", "samp", "var", "script", "style", "math"}
_KNOWN |= {"option", "textarea", "mark", "u", "details", "noscript", "object", "figure"}
_MARKDOWN_ATTRIBUTE = re.compile(r"""\s+markdown\s*=\s*(?:"[^"]*"|'[^']*'|\w+)""")


class KramdownBacktick(BacktickInlineProcessor):
    """A code span that remembers the source it was made of: kramdown reads a link's URL,
    title and an image's alt text as plain text, where backticks are only backticks.
    Its pattern also finds ``<code>``, ``<kbd>``, ``<samp>`` and ``<var>`` (``RAW_SPAN``),
    whose content kramdown keeps as written: whichever of the two comes first wins."""

    def __init__(self, pattern: str, md: markdown.Markdown, state: ParseState) -> None:
        super().__init__(pattern)
        self.md = md
        self.state = state

    def raw_span(self, m: re.Match[str], data: str) -> tuple[str, int, int]:
        tag = m["raw"]
        known = tag.lower() in _KNOWN  # (names kramdown knows, in any case)
        tag = tag.lower() if known else tag
        closing = re.compile(rf"</{re.escape(tag)}\s*>", re.IGNORECASE if known else 0)
        end = closing.search(data, m.end(0))
        content = data[m.end(0) : end.start(0) if end else len(data)]
        stop = end.end(0) if end else len(data)
        attrs = _MARKDOWN_ATTRIBUTE.sub("", m["attrs"])
        return self.md.htmlStash.store(f"<{tag}{attrs}>{content}</{tag}>"), m.start(0), stop

    def kramdown_span(self, start: int, text: str) -> tuple[int, int | None]:
        """kramdown's code span: the backticks at ``start`` up to the next place the same
        backticks stand (in a longer run too); none there, they are text. One backtick
        between blanks is text. Returns where the code starts and ends (None: no span)."""
        opened = start
        while opened < len(text) and text[opened] == "`":
            opened += 1
        run = text[start:opened]
        before = start == 0 or text[start - 1].isspace()
        if len(run) == 1 and before and opened < len(text) and text[opened].isspace():
            return opened, None
        close = text.find(run, opened)
        return opened, (None if close == -1 else close)

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | str | None, int | None, int | None]:
        if m.group(1):
            return super().handleMatch(m, data)
        if m["raw"]:
            return self.raw_span(m, data)
        begin = m.start(0)
        start, end = self.kramdown_span(begin, data)
        if end is None:
            return AtomicString(data[begin:start]), begin, start
        code = data[start:end]
        if start - begin > 1:  # kramdown drops one blank on each side, and only then
            code = code[1:] if code.startswith(" ") else code
            code = code[:-1] if code.endswith(" ") else code
        el = etree.Element(self.tag)
        el.text = AtomicString(util.code_escape(code))
        stop = end + (start - begin)
        self.state.code_spans[id(el)] = (el, data[begin:stop])
        return el, begin, stop


class _SourceUnescape(InlineProcessor):
    """Placeholders in a URL, title or alt text put back: a code span as its source."""

    state: ParseState

    def unescape(self, text: str, known: bool = False) -> str:
        """``known``: only what the source is known of (code spans, text) put back."""
        stash = self.md.treeprocessors["inline"].stashed_nodes  # type: ignore[attr-defined]
        spans = self.state.code_spans

        def restore(m: re.Match[str]) -> str:
            value = stash.get(m.group(1))
            if isinstance(value, str):
                return value
            if value is None:
                return m.group(0)
            span = spans.get(id(value))
            if span is not None and span[0] is value:
                return span[1]
            return m.group(0) if known else "".join(value.itertext())

        return INLINE_PLACEHOLDER_RE.sub(restore, text)


class _SourceId(_SourceUnescape):
    """A reference found by its label as written: ``[`x`][]`` by the definition of
    ``[`x`]``, as kramdown finds it (not by a code span's placeholder); ``[[x]]`` links
    the inner ``[x]`` when only that is defined."""

    def evalId(self, data: str, index: int, text: str) -> tuple[str | None, int, bool]:
        found, end, handled = super().evalId(data, index, text)  # type: ignore[misc]
        if found is not None and "\x02" in found:
            found = self.unescape(found, known=True).lower()
        return found, end, handled

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | str | None, int | None, int | None]:
        el, start, end = super().handleMatch(m, data)
        if el is None and start is not None:
            # no such reference: kramdown goes on after the "[", where one may start
            return None, start, start + 1
        return el, start, end


def _with_source(base: type[InlineProcessor]) -> type[InlineProcessor]:
    mixin = _SourceId if issubclass(base, ReferenceInlineProcessor) else _SourceUnescape

    class Processor(mixin, base):  # type: ignore[valid-type, misc]
        def __init__(self, pattern: str, md: markdown.Markdown, state: ParseState) -> None:
            base.__init__(self, pattern, md)
            self.state = state

    Processor.__name__ = Processor.__qualname__ = f"Kramdown{base.__name__}"
    return Processor


# Python-Markdown's link and image patterns by their registered names, with their priorities
SOURCE_LINK_PATTERNS: dict[str, tuple[type[InlineProcessor], int]] = {
    "reference": (_with_source(ReferenceInlineProcessor), 170),
    "link": (_with_source(LinkInlineProcessor), 160),
    "image_link": (_with_source(ImageInlineProcessor), 150),
    "image_reference": (_with_source(ImageReferenceInlineProcessor), 140),
    "short_reference": (_with_source(ShortReferenceInlineProcessor), 130),
    "short_image_ref": (_with_source(ShortImageReferenceInlineProcessor), 125),
}
