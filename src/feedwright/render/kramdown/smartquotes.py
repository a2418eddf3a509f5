"""kramdown's smart quotes, dashes, ellipses and angle quotes."""

from __future__ import annotations

import re
from collections.abc import Mapping

import markdown
from markdown.inlinepatterns import InlineProcessor

# kramdown's smart quote rules (parser/kramdown/smart_quotes.rb), tried in order at a quote
# with the character before it, if that is plain text. L, R: opening or closing, of the
# quote's kind; s, d, r: lsquo, ldquo, rsquo; 1: the first group stays as it is.
_SQ_PUNCT = r"""[!"#$%'()*+,\-./:;<=>?@\[\\\]^_`{|}~]"""
_SQ_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rule, re.ASCII), kinds)  # Ruby's \s, \w, \d and \b are ASCII
    for rule, kinds in (
        (r"""(["'])(?=[_*]{1,2}\S)""", "L"),
        (rf"""(["'])(?={_SQ_PUNCT}(?!\.\.)\B)""", "R"),
        (r"""(\s?)"'(?=\w)""", "1ds"),
        (r"""(\s?)'"(?=\w)""", "1sd"),
        (r"""(\s?)'(?=\d\ds)""", "1r"),
        (r"""(\s)(["'])(?=\w)""", "1L"),
        (r"""([^ \\\t\r\n\[{(-])(["'])""", "1R"),
        (r"""(["'])(?=\s|s\b|$)""", "R"),
        # (Ruby's /m: the character before may be a line break)
        (r"""(?s)(.?)'""", "1s"),
        (r"""(?s)(.?)\"""", "1d"),
    )
)
# what kramdown's rules see where an earlier pattern left a placeholder: the start of the
# source it was made of
_PLACEHOLDER = re.compile("\x02(?:klzzwxh:(\\d+)|(\\d+))\x03")
_SOURCE_START = {"code": "`", "a": "[", "img": "!["}
_TYPOGRAPHIC = {"---": "\u2014", "--": "\u2013", "...": "\u2026"}
_ANGLES = {"<< ": "\u00ab\u00a0", " >>": "\u00a0\u00bb", "<<": "\u00ab", ">>": "\u00bb"}
# kramdown's names for them, as its typographic_symbols option spells them
SYMBOL_NAMES = {
    "---": "mdash",
    "--": "ndash",
    "...": "hellip",
    "<< ": "laquo_space",
    " >>": "raquo_space",
    "<<": "laquo",
    ">>": "raquo",
}


class Typographic(InlineProcessor):
    """kramdown's typographic symbols and smart quotes, as characters (Jekyll's
    ``entity_output: as_char``)."""

    def __init__(
        self,
        pattern: str,
        md: markdown.Markdown,
        quotes: tuple[str, ...],
        symbols: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(pattern, md)
        self.quotes = quotes  # lsquo, rsquo, ldquo, rdquo as characters
        # kramdown's typographic_symbols: a symbol's name -> the HTML written for it
        self.symbols = dict(symbols or {})

    # characters before a quote that an earlier pattern has taken: the quote's rules see
    # nothing before it (placeholders, escapes)
    consumed = "\x02\x03\\"

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[str | None, int | None, int | None]:
        found = m[0]
        if "{:" in data and data.rfind("{:", 0, m.start(0)) > data.rfind("}", 0, m.start(0)):
            return None, None, None  # inside an IAL, which attr_list reads later
        if found in SYMBOL_NAMES and SYMBOL_NAMES[found] in self.symbols:
            return self.symbols[SYMBOL_NAMES[found]], m.start(0), m.end(0)
        if found in _TYPOGRAPHIC:
            return _TYPOGRAPHIC[found], m.start(0), m.end(0)
        if found in _ANGLES:
            return _ANGLES[found], m.start(0), m.end(0)
        start = m.start(0)
        before = data[start - 1] if start and data[start - 1] not in self.consumed else ""
        text = before + data[start : start + 64]
        if "\x02" in text:
            text = _PLACEHOLDER.sub(self.source_start, text)
        lsquo, rsquo, ldquo, rdquo = self.quotes
        for rule, kinds in _SQ_RULES:
            match = rule.match(text)
            if match is None:
                continue
            out: list[str] = []
            group = 1
            for kind in kinds:
                if kind == "1":
                    group = 2
                    continue
                if kind in "LR":
                    char = match[group]
                    single = char == "'"
                    if kind == "L":
                        out.append(lsquo if single else ldquo)
                    else:
                        out.append(rsquo if single else rdquo)
                else:
                    out.append({"s": lsquo, "d": ldquo, "r": rsquo}[kind])
            prefix = len(match[1]) if kinds[0] == "1" else 0
            return "".join(out), start - len(before) + prefix, start - len(before) + match.end(0)
        return None, None, None

    def source_start(self, m: re.Match[str]) -> str:
        """A placeholder as the start of its source: an escape's backslash, a code span's
        backtick, a link's bracket, each with the text after it; kept as it is where that is
        not known."""
        if m[2] is not None:
            return "\\" + chr(int(m[2]))
        stash = self.md.treeprocessors["inline"].stashed_nodes  # type: ignore[attr-defined]
        node = stash.get(m[1])
        if isinstance(node, str):  # an escape is stored as a placeholder of its own
            return node if "\x02" not in node else _PLACEHOLDER.sub(self.source_start, node)
        if node is None or node.tag not in _SOURCE_START:
            return m[0]
        inner = node.get("alt", "") if node.tag == "img" else "".join(node.itertext())
        return _SOURCE_START[node.tag] + inner


class QuoteBeforeDelimiter(Typographic):
    """A quote just before ``_`` or ``*``, decided before emphasis is: kramdown's rules look
    past the end of an emphasis (``_x: ""_ y`` ends with a left quote, as the ``_`` is not a
    space), which the text inside the emphasis no longer shows. A ``_`` or ``*`` before the
    quote opens an emphasis, and a quote is a smart quote of its own: kramdown has taken
    both by then."""

    consumed = Typographic.consumed + "_*\"'"
