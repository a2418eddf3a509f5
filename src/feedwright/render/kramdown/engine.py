"""Markdown rendered the way Jekyll 4.3 renders it by default: kramdown 2.4 with the GFM
parser (kramdown-parser-gfm), Rouge as highlighter, characters instead of entities.

The engine is Python-Markdown. Its own extensions and pymdown-extensions do most of the
work; this module adds what neither has: kramdown's list indentation (a nested list is
indented to the text of its parent item, not by four spaces), lists that interrupt a
paragraph, block IALs on the line before or after a block and ALDs, header-less tables,
GFM header ids, kramdown's footnote and code block markup, and the ``{::comment}``,
``{::nomarkdown}`` and ``{::options}`` extensions.
"""

from __future__ import annotations

import html
import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import markdown
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListTreeprocessor, get_attrs_and_remainder
from markdown.inlinepatterns import InlineProcessor
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

__all__ = ["KramdownOptions", "to_html"]

_INPUTS = ("GFM", "kramdown")
_QUOTE_NAMES = ("lsquo", "rsquo", "ldquo", "rdquo")
# kramdown options that change nothing in the HTML of a post, or that Jekyll sets for itself
_IGNORED = frozenset(
    {
        "toc_levels",
        "entity_output",
        "guess_lang",
        "show_warnings",
        "syntax_highlighter",
        "syntax_highlighter_opts",
        "coderay",
        "gfm_quirks",
        "auto_id_stripping",
        "transliterated_header_ids",
        "footnote_backlink",
        "footnote_backlink_inline",
        "math_engine",
        "math_engine_opts",
        "typographic_symbols",
        "remove_block_html_tags",
        "remove_span_html_tags",
        "header_offset",
        "html_to_native",
        "link_defs",
        "template",
        "line_width",
        "latex_headers",
        "parse_span_html",
    }
)


def _boolean(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


@dataclass(frozen=True, slots=True)
class KramdownOptions:
    """The kramdown options that change a post's HTML, with Jekyll 4.3's defaults."""

    input: str = "GFM"  # "GFM" or "kramdown" (plain kramdown syntax)
    auto_ids: bool = True
    auto_id_prefix: str = ""
    smart_quotes: tuple[str, str, str, str] = _QUOTE_NAMES  # entity names, like kramdown
    hard_wrap: bool = False  # GFM parser only
    parse_block_html: bool = False
    footnote_nr: int = 1

    def __post_init__(self) -> None:
        if self.input not in _INPUTS:
            raise ValueError(f"input must be one of {', '.join(_INPUTS)}, not {self.input!r}")
        for name in self.smart_quotes:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+", name):
                raise ValueError(f"smart_quotes: {name!r} is not an entity name")

    @property
    def gfm(self) -> bool:
        return self.input == "GFM"

    @classmethod
    def from_mapping(cls, value: Mapping[str, object]) -> tuple[KramdownOptions, list[str]]:
        """The options of a Jekyll ``kramdown:`` block, and notes on what is ignored or
        approximated (keys spelled as kramdown spells them)."""
        notes: list[str] = []
        found: dict[str, Any] = {}
        for key, raw in value.items():
            if key == "input":
                text = str(raw)
                match = {"gfm": "GFM", "kramdown": "kramdown"}.get(text.lower())
                if match is None:
                    notes.append(f"kramdown input {text!r} is not supported; GFM is used")
                else:
                    found["input"] = match
            elif key in ("auto_ids", "hard_wrap", "parse_block_html"):
                flag = _boolean(raw)
                if flag is None:
                    notes.append(f"kramdown {key}: {raw!r} is not true or false; ignored")
                else:
                    found[key] = flag
            elif key == "auto_id_prefix":
                found[key] = "" if raw is None else str(raw)
            elif key == "smart_quotes":
                names = raw if isinstance(raw, list | tuple) else str(raw).split(",")
                parts = tuple(str(name).strip() for name in names)
                if len(parts) != 4 or not all(
                    re.fullmatch(r"[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+", p) for p in parts
                ):
                    notes.append(f"kramdown smart_quotes {raw!r} is not four entity names; ignored")
                else:
                    found[key] = parts
            elif key == "footnote_nr":
                try:
                    number = int(str(raw))
                except ValueError:
                    notes.append(f"kramdown footnote_nr {raw!r} is not a number; ignored")
                else:
                    found[key] = number
            elif key in _IGNORED:
                if key == "gfm_quirks" and str(raw) not in ("paragraph_end", "['paragraph_end']"):
                    notes.append(f"kramdown gfm_quirks {raw!r}: only paragraph_end is rendered")
                elif key in ("math_engine", "header_offset", "typographic_symbols"):
                    notes.append(f"kramdown {key} is not rendered; its default is used")
            else:
                notes.append(f"unknown kramdown option {key!r}; ignored")
        return cls(**found), notes


# -- preprocessing: line by line, knowing fences, lists and block IALs -------------------

_FENCE = re.compile(r"(?P<fence>`{3,}|~{3,})")
_GFM_FENCE = re.compile(r"[ ]{0,3}(?P<fence>`{3,}|~{3,})")
_ITEM = re.compile(r"(?P<marker>[*+-]|\d{1,9}\.)(?P<space>[ ]{1,4}|[ ]*$)")
_BLOCK_IAL = re.compile(r"[ ]*\{:(?!:)(?![\w-]+:)(?P<body>[^}\n]*)\}[ ]*")
_ALD = re.compile(r"[ ]{0,3}\{:(?P<name>[\w][\w-]*):(?P<body>[^}\n]*)\}[ ]*")
_EXTENSION = re.compile(
    r"\{::(?P<name>comment|nomarkdown)(?:[ ][^}]*)?\}(?P<body>.*?)\{:/(?:comment|nomarkdown)?\}"
    r"|\{::options\b[^}]*/\}",
    re.DOTALL,
)
_RULE = re.compile(r"(?:\*[ ]*){3,}|(?:-[ ]*){3,}|(?:_[ ]*){3,}")
_QUOTE_PREFIX = re.compile(r"[ ]{0,3}>[ ]?")
_TABLE_LINE = re.compile(r"[ ]{0,3}\|")
_ATX = re.compile(r"[ ]{0,3}#{1,6}(?:[ \t]|$)")
_MARK_PREV = "\ue000"  # a block IAL for the block before it
_MARK_NEXT = "\ue001"  # a block IAL for the block after it
_MARK_ITEM = "\ue002"  # a block IAL for the list item it starts
_MARK_SPLIT = "\ue003"  # a paragraph that only separates two blockquotes
_LEADING_IAL = re.compile(r"[ ]*\{:(?!:)(?P<body>[^}\n]*)\}[ ]*")
_NAME = re.compile(r"[\w][\w-]*")


@dataclass(slots=True)
class _Item:
    content: int  # the column of the item's text in the post
    new_content: int  # the column Python-Markdown needs for it


@dataclass(slots=True)
class _State:
    ials: list[list[tuple[str, str]]] = field(default_factory=list)
    alds: dict[str, str] = field(default_factory=dict)
    blocks: set[str] = field(default_factory=set)  # stored HTML that stands without a <p>


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class _Lines:
    """The line pass over (a part of) a post."""

    def __init__(self, gfm: bool, state: _State, parse_block_html: bool = False) -> None:
        self.gfm = gfm
        self.state = state
        self.parse_block_html = parse_block_html

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        stack: list[_Item] = []
        fence: tuple[str, int] | None = None  # the fence, and its column in the output
        prev_kind = "blank"  # blank, para, item, other
        quote: list[str] = []

        quote_ended = False

        def flush_quote() -> None:
            nonlocal quote_ended
            if quote:
                quote_ended = True
                inner = _Lines(self.gfm, self.state, self.parse_block_html).run(
                    [_QUOTE_PREFIX.sub("", q, 1) for q in quote]
                )
                out.extend(("> " + q).rstrip() for q in inner)
                quote.clear()

        html_tag: str | None = None  # the HTML block the line is in, passed on as it is
        html_depth = 0
        for line in lines:
            stripped = line.strip()
            if html_tag is not None:
                html_depth += _html_balance(html_tag, line)
                if html_depth <= 0:
                    html_tag = None
                out.append(line)
                prev_kind = "other"
                continue
            if fence is None and not stack and not quote and line[:4].lstrip(" ")[:1] == "<":
                start = _HTML_BLOCK.match(line)
                if start is not None and start[1].lower() in _BLOCK_TAGS | _MORE_BLOCK_TAGS:
                    tag = start[1].lower()
                    depth = _html_balance(tag, line)
                    if depth > 0:
                        html_tag, html_depth = tag, depth
                    if self.parse_block_html:
                        line = _HTML_START.sub(_markdown_attr, line, 1)
                    out.append(line)
                    prev_kind = "other"
                    continue
            indent = _indent(line)
            if fence is not None:
                top = stack[-1] if stack else None
                closing = _FENCE.match(stripped)
                if (
                    closing
                    and closing["fence"][0] == fence[0][0]
                    and (len(closing["fence"]) >= len(fence[0]) and stripped == closing["fence"])
                ):
                    # kramdown allows a closing fence up to three spaces off the opening one
                    out.append(" " * fence[1] + stripped)
                    fence = None
                    prev_kind = "other"
                    continue
                if top is not None:
                    line = " " * (top.new_content + max(0, indent - top.content)) + line.lstrip(" ")
                out.append(line)
                prev_kind = "other"
                continue
            lazy_quote = quote and stripped and not _QUOTE_PREFIX.match(line)
            if lazy_quote and prev_kind != "blank" and not _BLOCK_IAL.fullmatch(line):
                quote.append(line)  # a lazy line of the quote
                continue
            if not stripped:
                flush_quote()
                out.append("")
                prev_kind = "blank"
                continue
            # which list item does the line belong to?
            item = _ITEM.match(line, indent)
            ial = _BLOCK_IAL.fullmatch(line)
            while stack and indent < stack[-1].content:
                lazy = item is None and ial is None and not _FENCE.match(stripped)
                if lazy and prev_kind in ("item", "para"):
                    break  # a lazy continuation line
                stack.pop()
            if item is None and stack and indent < stack[-1].content:
                out.append(" " * stack[-1].new_content + stripped)
                continue
            top = stack[-1] if stack else None
            limit = top.content + 4 if top else 4
            if not top and _QUOTE_PREFIX.match(line):
                if prev_kind == "para" and not quote:
                    out.append("")
                if not quote and quote_ended:
                    out.extend((_MARK_SPLIT, ""))
                quote_ended = False
                quote.append(line)
                prev_kind = "other"
                continue
            flush_quote()
            quote_ended = False
            if ial is not None:
                mark = _MARK_PREV if prev_kind != "blank" else _MARK_NEXT
                self.state.ials.append(self.attrs(ial["body"]))
                base = top.new_content if top else 0
                if prev_kind != "blank":
                    out.append("")
                out.append(f"{' ' * base}{mark}{len(self.state.ials) - 1}{mark}")
                out.append("")
                prev_kind = "blank"
                continue
            if item is not None and indent < limit and not _is_rule(stripped):
                if prev_kind == "para" and self.gfm:
                    out.append("")
                marker = item["marker"]
                spaces = len(item["space"])
                content = indent + len(marker) + (spaces if 0 < spaces <= 4 else 1)
                rest = line[item.end() :]
                lead = _LEADING_IAL.match(rest) if rest.startswith("{:") else None
                if lead is not None:
                    self.state.ials.append(self.attrs(lead["body"]))
                    number = len(self.state.ials) - 1
                    rest = f"{_MARK_ITEM}{number}{_MARK_ITEM}{rest[lead.end() :]}"
                new_marker = top.new_content if top else 0
                stack.append(_Item(content, new_marker + 4))
                out.append(" " * new_marker + marker + " " + rest)
                prev_kind = "item"
                opening = _FENCE.match(rest.strip()) if self.gfm else None
                if opening is not None:  # a fence on the item's first line
                    fence = (opening["fence"], stack[-1].new_content)
                continue
            if top is not None:
                new_line = " " * (top.new_content + indent - top.content) + line.lstrip(" ")
            else:
                new_line = line
            match = (_GFM_FENCE if self.gfm else _FENCE).match(stripped) if indent < limit else None
            if match and (self.gfm or match["fence"][0] == "~"):
                if prev_kind == "para":
                    out.append("")
                fence = (match["fence"], _indent(new_line))
                out.append(new_line)
                prev_kind = "other"
                continue
            if prev_kind == "para" and self.gfm and _ATX.match(stripped):
                out.append("")
            rule = _is_rule(stripped)
            if rule and prev_kind == "para" and stripped[0] in "*_":
                new_line = new_line.replace("*", "\\*").replace("_", "\\_")  # no rule here
                rule = False
            out.append(new_line)
            if top is not None:
                prev_kind = "item" if prev_kind == "item" else "para"
            elif rule or _ATX.match(stripped):
                prev_kind = "other"  # a rule, a setext underline or an ATX header
            elif _TABLE_LINE.match(line) or stripped.startswith("<"):
                prev_kind = "other" if prev_kind == "blank" or not self.gfm else prev_kind
            else:
                prev_kind = "para"
        flush_quote()
        return out

    def attrs(self, body: str) -> list[tuple[str, str]]:
        alds = self.state.alds
        words = []
        for word in body.split():
            words.append(alds.get(word, word) if _NAME.fullmatch(word) else word)
        return _parse_attrs(" ".join(words))


_HTML_BLOCK = re.compile(r"[ ]{0,3}<([A-Za-z][A-Za-z0-9-]*|!--)")
_MORE_BLOCK_TAGS = frozenset(
    "!-- center iframe noscript p pre script style summary svg template video audio canvas "
    "h1 h2 h3 h4 h5 h6 li dd dt tbody thead tfoot tr td th".split()
)


@lru_cache(maxsize=64)
def _tag_patterns(tag: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    if tag == "!--":
        return re.compile("<!--"), re.compile("-->")
    name = re.escape(tag)
    return re.compile(rf"<{name}(?=[\s/>]|$)", re.I), re.compile(rf"</{name}\s*>", re.I)


def _html_balance(tag: str, line: str) -> int:
    """How many more elements ``tag`` the line opens than it closes."""
    opening, closing = _tag_patterns(tag)
    return len(opening.findall(line)) - len(closing.findall(line))


def _parse_attrs(body: str) -> list[tuple[str, str]]:
    found, _ = get_attrs_and_remainder(body.strip() + "}")
    return [(k, v or "") for k, v in found]


def _is_rule(stripped: str) -> bool:
    return _RULE.fullmatch(stripped) is not None


class _Preprocessor(Preprocessor):
    def __init__(self, md: markdown.Markdown, options: KramdownOptions, state: _State) -> None:
        super().__init__(md)
        self.options = options
        self.state = state

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "{::" in text:
            text = _EXTENSION.sub(self.extension, text)
        if "{:" in text:
            kept = []
            for line in text.split("\n"):
                ald = _ALD.fullmatch(line)
                if ald:
                    self.state.alds[ald["name"]] = ald["body"].strip()
                else:
                    kept.append(line)
            text = "\n".join(kept)
        return _Lines(self.options.gfm, self.state, self.options.parse_block_html).run(
            text.split("\n")
        )

    def extension(self, match: re.Match[str]) -> str:
        name = match["name"]
        if name is None:  # {::options .../}
            return ""
        body = match["body"]
        raw = f"<!-- {body} -->" if name == "comment" else body
        text = match.string
        start, end = match.start(0), match.end(0)
        if (start == 0 or text[start - 1] == "\n") and text[end:].lstrip(" ")[:1] in ("", "\n"):
            self.state.blocks.add(raw)  # a block: kramdown writes it without a paragraph
        return self.md.htmlStash.store(raw)


_TAB = "\ue004"  # a tab in fenced code, kept from Python-Markdown's tab expansion


class _KeepTabs(Preprocessor):
    """kramdown keeps the tabs in fenced code; Python-Markdown expands all tabs before
    fences are found. A tab inside a fence becomes a stand-in until the HTML is done."""

    def __init__(self, md: markdown.Markdown, gfm: bool) -> None:
        super().__init__(md)
        self.opening = _GFM_FENCE if gfm else re.compile(r"[ ]{0,3}(?P<fence>~{3,})")

    def run(self, lines: list[str]) -> list[str]:
        if not any("\t" in line for line in lines):
            return lines
        fence: str | None = None
        column = 0
        for index, line in enumerate(lines):
            bare = line.rstrip("\r")
            stripped = bare.strip(" ")
            if fence is None:
                match = self.opening.match(stripped)
                if match is not None:
                    fence, column = match["fence"], _indent(bare)
                continue
            if stripped.startswith(fence) and stripped.rstrip(fence[0] + " \t") == "":
                fence = None
                continue
            if "\t" in line:
                lead = min(column, _indent(line))
                lines[index] = line[:lead] + line[lead:].replace("\t", _TAB)
        return lines


class _RestoreTabs(Postprocessor):
    def run(self, text: str) -> str:
        return text.replace(_TAB, "\t") if _TAB in text else text


_HTML_START = re.compile(r"^<(?P<tag>[A-Za-z][A-Za-z0-9]*)(?P<attrs>(?:\s[^>]*)?)>")
_BLOCK_TAGS = frozenset(
    "address article aside blockquote details dialog div dl fieldset figcaption figure footer "
    "form header hgroup main nav ol section table ul".split()
)


def _markdown_attr(match: re.Match[str]) -> str:
    tag = match["tag"].lower()
    if tag not in _BLOCK_TAGS or "markdown=" in match["attrs"]:
        return match[0]
    return f'<{match["tag"]} markdown="1"{match["attrs"]}>'


# -- block processors ------------------------------------------------------------------


class _HeaderlessTable(BlockProcessor):
    """A table of ``|`` rows without a separator line (kramdown makes it all body)."""

    def test(self, parent: etree.Element, block: str) -> bool:
        rows = block.split("\n")
        return all(_TABLE_LINE.match(row) for row in rows) and not any(
            re.fullmatch(r"[ ]*\|?[ ]*:?-+:?[ ]*(\|[ ]*:?-+:?[ ]*)*\|?[ ]*", row) for row in rows
        )

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        rows = blocks.pop(0).split("\n")
        table = etree.SubElement(parent, "table")
        body = etree.SubElement(table, "tbody")
        for row in rows:
            tr = etree.SubElement(body, "tr")
            for cell in _split_row(row):
                etree.SubElement(tr, "td").text = cell.strip()


def _split_row(row: str) -> list[str]:
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    cells, current, code = [], [], 0
    i = 0
    while i < len(row):
        char = row[i]
        if char == "\\" and i + 1 < len(row):
            current.append(row[i : i + 2])
            i += 2
            continue
        if char == "`":
            run = len(row[i:]) - len(row[i:].lstrip("`"))
            code = 0 if code == run else (run if code == 0 else code)
            current.append("`" * run)
            i += run
            continue
        if char == "|" and not code:
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    cells.append("".join(current))
    return cells


# -- inline ----------------------------------------------------------------------------


class _BackslashBreak(InlineProcessor):
    """GFM: a backslash at the end of a line is a line break."""

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element, int, int]:
        return etree.Element("br"), m.start(0), m.end(0) - 1


class _MathInline(InlineProcessor):
    """kramdown's math (MathJax engine): ``$$x$$`` is written as ``\\(x\\)``, untouched,
    or as ``\\[x\\]`` without a paragraph when it is a paragraph of its own."""

    def __init__(self, pattern: str, md: markdown.Markdown, state: _State) -> None:
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


# kramdown's smart quote rules (parser/kramdown/smart_quotes.rb), tried in order at a quote
# with the character before it, if that is plain text. L, R: opening or closing, of the
# quote's kind; s, d, r: lsquo, ldquo, rsquo; 1: the first group stays as it is.
_SQ_PUNCT = r"""[!"#$%'()*+,\-./:;<=>?@\[\\\]^_`{|}~]"""
_SQ_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rule), kinds)
    for rule, kinds in (
        (r"""(["'])(?=[_*]{1,2}\S)""", "L"),
        (rf"""(["'])(?={_SQ_PUNCT}(?!\.\.)\B)""", "R"),
        (r"""(\s?)"'(?=\w)""", "1ds"),
        (r"""(\s?)'"(?=\w)""", "1sd"),
        (r"""(\s?)'(?=\d\ds)""", "1r"),
        (r"""(\s)(["'])(?=\w)""", "1L"),
        (r"""([^ \\\t\r\n\[{(-])(["'])""", "1R"),
        (r"""(["'])(?=\s|s\b|$)""", "R"),
        (r"""(.?)'""", "1s"),
        (r"""(.?)\"""", "1d"),
    )
)
_TYPOGRAPHIC = {"---": "\u2014", "--": "\u2013", "...": "\u2026"}
_ANGLES = {"<< ": "\u00ab\u00a0", " >>": "\u00a0\u00bb", "<<": "\u00ab", ">>": "\u00bb"}


class _Typographic(InlineProcessor):
    """kramdown's typographic symbols and smart quotes, as characters (Jekyll's
    ``entity_output: as_char``)."""

    def __init__(self, pattern: str, md: markdown.Markdown, quotes: tuple[str, ...]) -> None:
        super().__init__(pattern, md)
        self.quotes = quotes  # lsquo, rsquo, ldquo, rdquo as characters

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[str | None, int | None, int | None]:
        found = m[0]
        if "{:" in data and data.rfind("{:", 0, m.start(0)) > data.rfind("}", 0, m.start(0)):
            return None, None, None  # inside an IAL, which attr_list reads later
        if found in _TYPOGRAPHIC:
            return _TYPOGRAPHIC[found], m.start(0), m.end(0)
        if found in _ANGLES:
            return _ANGLES[found], m.start(0), m.end(0)
        start = m.start(0)
        before = data[start - 1] if start and data[start - 1] not in "\x02\x03\\" else ""
        text = before + data[start : start + 64]
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


# -- tree processors -------------------------------------------------------------------


class _AttrList(AttrListTreeprocessor):
    """kramdown IALs start with ``{:``; only a header takes ``{#id}`` as well. Anything
    else in braces, like a Liquid tag, stays text."""

    BASE_RE = r"\{\:[ ]*([^\}\n ][^\n]*)\}"  # type: ignore[misc]
    HEADER_RE = re.compile(r"[ ]+\{(?:\:[ ]*|(?=#))([^\}\n ][^\n]*)\}[ ]*$")  # type: ignore[misc]
    BLOCK_RE = re.compile(rf"\n[ ]*{BASE_RE}[ ]*$")  # type: ignore[misc]
    INLINE_RE = re.compile(rf"^{BASE_RE}")  # type: ignore[misc]


_MARK = re.compile(f"[{_MARK_PREV}{_MARK_NEXT}]([0-9]+)[{_MARK_PREV}{_MARK_NEXT}]")
_SPAN_IAL = re.compile(r"\{:(?!:)[^}\n]*\}")
_CODE_DIV = re.compile(r'<div class="([^"]*)">')
_ITEM_MARK = re.compile(f"{_MARK_ITEM}([0-9]+){_MARK_ITEM}")
_STASHED = re.compile("\x02wzxhzdk:([0-9]+)\x03")
_ESCAPED = re.compile("\x02([0-9]+)\x03")
_TAG = re.compile(r"<[^>]*>")
_HEADERS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_NON_WORD = re.compile(r"[^\w\- \t]")
_TASK = re.compile(r"\s*\[([ xX])\]\s+")


def _apply(element: etree.Element, attrs: list[tuple[str, str]]) -> None:
    for key, value in attrs:
        if key == ".":
            classes = element.get("class", "").split()
            if value not in classes:
                classes.append(value)
            element.set("class", " ".join(classes))
        else:
            element.set(key, value)


class _IalTreeprocessor(Treeprocessor):
    """Applies the block IALs the line pass marked, and hides any IAL left as text."""

    def __init__(self, md: markdown.Markdown, state: _State) -> None:
        super().__init__(md)
        self.state = state

    def run(self, root: etree.Element) -> None:
        ials = self.state.ials
        for parent in list(root.iter()):
            children = list(parent)
            for index, child in enumerate(children):
                text = child.text or ""
                if ials and child.tag == "p" and len(child) == 0:
                    mark = _MARK.fullmatch(text.strip())
                    if mark is not None:
                        attrs = ials[int(mark[1])]
                        step = -1 if text.strip()[0] == _MARK_PREV else 1
                        target = self._sibling(children, index, step)
                        if target is not None:
                            self.apply(target, attrs)
                        parent.remove(child)
                        continue
                if child.tag == "p" and text == _MARK_SPLIT and len(child) == 0:
                    parent.remove(child)
                    continue
                if _MARK_ITEM in text:
                    holder = child
                    if child.tag == "p" and parent.tag == "li" and index == 0:
                        holder = parent
                    lead = _ITEM_MARK.match(text)
                    if lead is not None:
                        _apply(holder, ials[int(lead[1])])
                        child.text = text = text[lead.end() :]
                if "{:" in text:
                    child.text = _SPAN_IAL.sub("", text)
                if child.tail and "{:" in child.tail:
                    child.tail = _SPAN_IAL.sub("", child.tail)

    def apply(self, target: etree.Element, attrs: list[tuple[str, str]]) -> None:
        stashed = _STASHED.fullmatch(target.text or "") if target.tag == "p" else None
        if stashed is None or len(target):
            _apply(target, attrs)
            return
        # a code block, stored as HTML: kramdown puts the IAL on its outer div
        stash = self.md.htmlStash.rawHtmlBlocks
        raw = str(stash[int(stashed[1])])
        head = _CODE_DIV.match(raw)
        if head is None:
            return
        box = etree.Element("div", {"class": head[1]})
        _apply(box, attrs)
        language = head[1].partition(" ")[0]
        classes = [
            c for c in box.get("class", "").split() if c not in (language, "highlighter-rouge")
        ]
        box.set("class", " ".join([language, *classes, "highlighter-rouge"]))
        extra = "".join(f' {k}="{html.escape(v)}"' for k, v in box.items())
        stash[int(stashed[1])] = f"<div{extra}>{raw[head.end() :]}"

    @staticmethod
    def _sibling(children: list[etree.Element], index: int, step: int) -> etree.Element | None:
        index += step
        while 0 <= index < len(children):
            candidate = children[index]
            if not (candidate.tag == "p" and _MARK.fullmatch((candidate.text or "").strip())):
                return candidate
            index += step
        return None


class _KramdownTreeprocessor(Treeprocessor):
    """Header ids, footnote markup and code blocks as kramdown writes them."""

    def __init__(self, md: markdown.Markdown, options: KramdownOptions) -> None:
        super().__init__(md)
        self.options = options

    def run(self, root: etree.Element) -> None:
        counter: dict[str, int] = {}
        blocks: set[etree.Element] = set()
        for element in list(root.iter()):
            tag = element.tag
            if tag in _HEADERS:
                if self.options.auto_ids and "id" not in element.attrib:
                    element.set("id", self.header_id(element, counter))
            elif tag == "sup" and element.get("id", "").startswith("fnref"):
                self.footnote_ref(element)
            elif tag == "div" and element.get("class") == "footnote":
                self.footnotes(element)
            elif tag == "pre" and len(element) == 1 and element[0].tag == "code":
                blocks.add(element[0])
                self.code_block(element)
            elif tag == "code" and "class" not in element.attrib and element not in blocks:
                element.set("class", "language-plaintext highlighter-rouge")
            elif tag in ("td", "th") and element.get("style", "").endswith(";"):
                element.set("style", element.get("style", "").rstrip(";"))
            elif tag in ("ul", "ol"):
                if self.options.gfm:
                    self.task_list(element)
                for item in element:
                    text = item.text or ""
                    if (
                        text.strip()
                        and not text[-1].isspace()
                        and len(item)
                        and item[0].tag not in ("ul", "ol")
                        and self.md.is_block_level(item[0].tag)
                    ):
                        item.text = text + "\n"  # kramdown keeps the text apart

    def text(self, element: etree.Element) -> str:
        parts: list[str] = []

        def walk(node: etree.Element) -> None:
            if node.tag == "sup" and node.get("id", "").startswith("fnref"):
                parts.append(node.tail or "")
                return
            parts.append(node.text or "")
            for child in node:
                walk(child)
            if node is not element:
                parts.append(node.tail or "")

        walk(element)
        text = "".join(parts)
        stash = self.md.htmlStash.rawHtmlBlocks
        text = _STASHED.sub(lambda m: html.unescape(_TAG.sub("", str(stash[int(m[1])]))), text)
        return _ESCAPED.sub(lambda m: chr(int(m[1])), text)

    def header_id(self, element: etree.Element, counter: dict[str, int]) -> str:
        text = self.text(element)
        if self.options.gfm:
            result = _NON_WORD.sub("", text.strip().lower()).replace(" ", "-").replace("\t", "-")
            seen = counter.get(result, -1) + 1
            counter[result] = seen
            if seen:
                result = f"{result}-{seen}"
        else:
            result = re.sub(r"^[^a-zA-Z]+", "", text.strip())
            result = re.sub(r"[^a-zA-Z0-9 -]", "", result).replace(" ", "-").lower() or "section"
            if result in counter:
                counter[result] += 1
                result = f"{result}-{counter[result]}"
            else:
                counter[result] = 0
        return self.options.auto_id_prefix + result

    def footnote_ref(self, sup: etree.Element) -> None:
        # Python-Markdown: fnref:x, fnref2:x ...; kramdown: fnref:x, fnref:x:1 ...
        ref = re.fullmatch(r"fnref([0-9]*):(.*)", sup.get("id", ""))
        if ref is None:
            return
        sup.set("id", f"fnref:{ref[2]}" + (f":{int(ref[1]) - 1}" if ref[1] else ""))
        sup.set("role", "doc-noteref")
        for link in sup:
            link.attrib.pop("class", None)
            link.set("class", "footnote")
            link.set("rel", "footnote")
            if self.options.footnote_nr != 1 and link.text and link.text.isdigit():
                link.text = str(int(link.text) + self.options.footnote_nr - 1)

    def footnotes(self, div: etree.Element) -> None:
        div.set("class", "footnotes")
        div.set("role", "doc-endnotes")
        for hr in div.findall("hr"):
            div.remove(hr)
        for para in div.iter("p"):
            links = [a for a in para if a.tag == "a" and a.get("class") == "footnote-backref"]
            for link in links[:-1]:
                link.tail = " " + (link.tail or "").lstrip()
        for ol in div.findall("ol"):
            if self.options.footnote_nr != 1:
                ol.set("start", str(self.options.footnote_nr))
            for li in ol:
                li.set("role", "doc-endnote")
        for link in div.iter("a"):
            if link.get("class") == "footnote-backref":
                href = link.get("href", "")
                back = re.fullmatch(r"#fnref([0-9]*):(.*)", href)
                if back is not None:
                    number = back[1]
                    link.set(
                        "href", f"#fnref:{back[2]}" + (f":{int(number) - 1}" if number else "")
                    )
                    if number:
                        link.text = "\u21a9"
                        etree.SubElement(link, "sup").text = number
                link.attrib.pop("title", None)
                link.set("class", "reversefootnote")
                link.set("role", "doc-backlink")

    @staticmethod
    def task_list(element: etree.Element) -> None:
        # kramdown-parser-gfm: a box where an item's text starts with [ ] or [x]; every
        # item from the first task on is a task-list-item
        tasks = False
        for item in element:
            holder = item
            if not (item.text or "").strip() and len(item) and item[0].tag == "p":
                holder = item[0]
            box = _TASK.match(holder.text or "")
            if box is not None:
                tasks = True
                attrs = {"type": "checkbox", "class": "task-list-item-checkbox"}
                attrs["disabled"] = "disabled"
                if box[1] != " ":
                    attrs["checked"] = "checked"
                node = etree.Element("input", attrs)
                node.tail = (holder.text or "")[box.end() :]
                holder.text = None
                holder.insert(0, node)
            if tasks:
                item.set("class", "task-list-item")
        if tasks:
            element.set("class", "task-list")

    def code_block(self, pre: etree.Element) -> None:
        code = pre[0]
        classes = code.get("class", "").split()
        language = next(
            (c.removeprefix("language-") for c in classes if c.startswith("language-")),
            "plaintext",
        )
        code.attrib.clear()
        pre.set("class", "highlight")
        # pre becomes div.language-x > div.highlight > pre.highlight > code
        inner = etree.Element("pre", {"class": "highlight"})
        inner.append(code)
        pre.remove(code)
        pre.tag = "div"
        pre.set("class", f"language-{language} highlighter-rouge")
        box = etree.SubElement(pre, "div", {"class": "highlight"})
        box.append(inner)


def _fence_format(
    source: str,
    language: str,
    class_name: str,
    options: dict[str, Any],
    md: markdown.Markdown,
    **kwargs: Any,
) -> str:
    language = language or "plaintext"
    code = html.escape(source, quote=False)
    if not code.endswith("\n"):
        code += "\n"
    return (
        f'<div class="language-{html.escape(language)} highlighter-rouge">'
        f'<div class="highlight"><pre class="highlight"><code>{code}</code></pre></div></div>'
    )


def _fence_validator(
    language: str,
    inputs: dict[str, str],
    options: dict[str, Any],
    attrs: dict[str, str],
    md: markdown.Markdown,
) -> bool:
    return True


class _KramdownExtension(Extension):
    def __init__(self, options: KramdownOptions) -> None:
        super().__init__()
        self.options = options
        self.state = _State()

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.registerExtension(self)
        md.preprocessors.register(_KeepTabs(md, self.options.gfm), "kramdown_tabs", 31)
        md.preprocessors.register(_Preprocessor(md, self.options, self.state), "kramdown", 28)
        md.postprocessors.register(_RestoreTabs(md), "kramdown_tabs", 1)
        raw_html = md.postprocessors["raw_html"]
        block_level = raw_html.isblocklevel  # type: ignore[attr-defined]
        blocks = self.state.blocks

        def isblocklevel(html: str) -> bool:
            return html in blocks or bool(block_level(html))

        raw_html.isblocklevel = isblocklevel  # type: ignore[attr-defined]
        parser: BlockParser = md.parser
        parser.blockprocessors.register(_HeaderlessTable(parser), "headerless_table", 74)
        if self.options.gfm and not self.options.hard_wrap:
            md.inlinePatterns.register(_BackslashBreak(r"\\\n", md), "backslash_break", 186)
        md.treeprocessors.register(_AttrList(md), "attr_list", 8)
        md.inlinePatterns.register(
            _MathInline(r"\$\$(.+?)\$\$", md, self.state), "kramdown_math", 187
        )
        quotes = tuple(html.unescape(f"&{name};") for name in self.options.smart_quotes)
        md.inlinePatterns.register(
            _Typographic(r"<< |<<| >>|>>", md, quotes), "kramdown_angles", 95
        )
        md.inlinePatterns.register(
            _Typographic(r"""---|--|\.\.\.|["']""", md, quotes), "kramdown_typographic", 5
        )
        md.treeprocessors.register(_IalTreeprocessor(md, self.state), "kramdown_ial", 7.5)
        md.treeprocessors.register(_KramdownTreeprocessor(md, self.options), "kramdown", 5)
        for char in "|\"'$=~:":
            if char not in md.ESCAPED_CHARS:
                md.ESCAPED_CHARS.append(char)

    def reset(self) -> None:
        self.state.ials.clear()
        self.state.alds.clear()
        self.state.blocks.clear()


def _build(options: KramdownOptions) -> markdown.Markdown:
    extensions: list[Any] = [
        "abbr",
        "def_list",
        "footnotes",
        "md_in_html",
        "tables",
        "attr_list",
        "pymdownx.superfences",
        "pymdownx.saneheaders",
        _KramdownExtension(options),
    ]
    if options.gfm:
        extensions.append("pymdownx.tilde")
        if options.hard_wrap:
            extensions.append("nl2br")
    config: dict[str, dict[str, Any]] = {
        "pymdownx.superfences": {
            "custom_fences": [
                {"name": "*", "class": "", "format": _fence_format, "validator": _fence_validator}
            ]
        },
        "pymdownx.tilde": {"subscript": False},
        "footnotes": {"BACKLINK_TEXT": "\u21a9"},
    }
    return markdown.Markdown(extensions=extensions, extension_configs=config, output_format="xhtml")


_local = threading.local()

# Python-Markdown runs every inline pattern over every piece of text, and most find
# nothing. A pattern whose match needs text the post does not contain is left out of that
# post's instance, which changes no output and saves much of the time. Each entry: the
# pattern's name and alternatives of what it needs, each a set of strings that must all be
# in the post. The line pass escapes a rule that cannot interrupt a paragraph ('***' after
# text) with backslashes.
_NEEDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "backtick": (("`",),),
    "escape": (("\\",), ("**",), ("__",), ("* *",), ("_ _",)),
    "footnote": (("[^",),),
    "reference": (("[", "]:"),),
    "link": (("[",),),
    "image_link": (("![",),),
    "image_reference": (("![", "]:"),),
    "short_reference": (("[", "]:"),),
    "short_image_ref": (("![", "]:"),),
    "autolink": (("<", ">"),),
    "automail": (("<", ">", "@"),),
    # raw HTML blocks and fences (in list items) can bring line breaks with them
    "linebreak": (("  \n",), ("\t\n",), ("<",), ("```",), ("~~~",)),
    "entity": (("&", ";"),),
    "em_strong": (("*",), ("_",)),
    "html": (("<", ">"),),
    "backslash_break": (("\\",),),
    "kramdown_math": (("$$",),),
    "not_tilde": (("~",),),
    "sub_del": (("~",),),
    "kramdown_angles": (("<<",), (">>",)),
    "kramdown_typographic": (("--",), ("...",), ("'",), ('"',)),
}


_MAX_INSTANCES = 256  # per thread; an instance takes about a millisecond to make


def _instance(options: KramdownOptions, text: str | None) -> markdown.Markdown:
    """The Markdown instance for ``options`` in this thread, without the inline patterns
    that can do nothing in ``text`` (``None``: with all of them)."""
    instances: dict[tuple[KramdownOptions, frozenset[str]], markdown.Markdown]
    instances = getattr(_local, "md", None) or {}
    _local.md = instances
    absent: frozenset[str] = frozenset()
    # (tabs: kramdown's tab handling hands back text with spaces the post did not show)
    if text is not None and "markdown" not in text and "{::" not in text and "\t" not in text:
        # (md_in_html and kramdown's extensions hand text back that the post did not show)
        # inline patterns see the text as Python-Markdown normalizes it first
        if "\r" in text or "\t" in text or "\x02" in text or "\x03" in text:
            text = text.replace("\x02", "").replace("\x03", "")
            text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
        absent = frozenset(
            key
            for key, alternatives in _NEEDS.items()
            if not any(all(part in text for part in needs) for needs in alternatives)
        )
    md = instances.get((options, absent))
    if md is None and len(instances) >= _MAX_INSTANCES:
        absent = frozenset()  # enough kinds of post seen: the full instance serves the rest
        md = instances.get((options, absent))
    if md is None:
        md = _build(options)
        for name in absent:
            if name in md.inlinePatterns:
                md.inlinePatterns.deregister(name)
        instances[options, absent] = md
    return md


def to_html(text: str, options: KramdownOptions = KramdownOptions(), prune: bool = True) -> str:
    """The HTML Jekyll (kramdown, GFM input, Rouge) makes of ``text``, without highlighting.
    ``prune=False`` runs every inline pattern (the output is the same)."""
    md = _instance(options, text if prune else None)
    try:
        return md.convert(text)
    finally:
        md.reset()
