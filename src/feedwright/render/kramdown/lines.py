"""The line pass run before Python-Markdown: fences, kramdown's list indentation, lists that
interrupt a paragraph, block IALs and ALDs, and HTML blocks with ``markdown="1"``."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from functools import lru_cache

from markdown.extensions.attr_list import get_attrs_and_remainder

from feedwright.render.kramdown.fences import longest_closings, opening_fence

_FENCE = re.compile(r"(?P<fence>`{3,}|~{3,})")
GFM_FENCE = re.compile(r"[ ]{0,3}(?P<fence>`{3,}|~{3,})")
_ITEM = re.compile(r"(?P<marker>[*+-]|\d{1,9}\.)(?P<space>[ ]{1,4}|[ ]+$)")
_BLOCK_IAL = re.compile(r"[ ]*\{:(?!:)(?![\w-]+:)(?P<body>[^}\n]*)\}[ ]*")
ALD = re.compile(r"[ ]{0,3}\{:(?P<name>[\w][\w-]*):(?P<body>[^}\n]*)\}[ ]*")
EXTENSION = re.compile(
    r"\{::(?P<name>comment|nomarkdown)(?:[ ][^}]*)?\}(?P<body>.*?)\{:/(?:comment|nomarkdown)?\}"
    r"|\{::options\b[^}]*/\}",
    re.DOTALL,
)
_RULE = re.compile(r"(?:\*[ ]*){3,}|(?:-[ ]*){3,}|(?:_[ ]*){3,}")
_QUOTE_PREFIX = re.compile(r"^[ ]{0,3}>[ ]?")  # anchored: a lazy line keeps its ">"
TABLE_LINE = re.compile(r"[ ]{0,3}\|")
_UNDERLINE = re.compile(r"[ ]{0,3}(?:=+|-+)[ \t]*")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
# a pipe that makes no table, put back in the HTML
TEXT_PIPE = "\ue006"
_ATX = re.compile(r"[ ]{0,3}#{1,6}(?:[ \t]|$)")
MARK_PREV = "\ue000"  # a block IAL for the block before it
MARK_NEXT = "\ue001"  # a block IAL for the block after it
MARK_ITEM = "\ue002"  # a block IAL for the list item it starts
MARK_SPLIT = "\ue003"  # a paragraph that only separates two blockquotes
_LEADING_IAL = re.compile(r"[ ]*\{:(?!:)(?P<body>[^}\n]*)\}[ ]*")
_NAME = re.compile(r"[\w][\w-]*")
# one word of an IAL: key="value" (quotes may be escaped inside), or anything up to a space
_IAL_WORD = re.compile(r"""[^\s=]+=(?:"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')|\S+""")
# the key under which an IAL keeps a name that is no ALD: kramdown writes no attribute
# for it, and gives "toc" (a table of contents) and "footnotes" a meaning of their own
REF = "\ue004ref"
# put before a line that looks like the start of a block (a fence, a link definition) but
# is none, so that no later step takes it for one; dropped from the HTML
NO_BLOCK = "\ue005"
# kramdown's link definition: the URL on the same line as the label
_LINK_DEFINITION = re.compile(r"[ ]{0,3}\[(?!\^)[^\n\]]+\]:(?P<url>.*)")


@dataclass(slots=True)
class _Item:
    content: int  # the column of the item's text in the post
    new_content: int  # the column Python-Markdown needs for it


@dataclass(slots=True)
class ParseState:
    ials: list[list[tuple[str, str]]] = field(default_factory=list)
    alds: dict[str, str] = field(default_factory=dict)
    blocks: set[str] = field(default_factory=set)  # stored HTML that stands without a <p>
    # code spans by id(): the element and the source it was made of, backticks and all
    code_spans: dict[int, tuple[etree.Element, str]] = field(default_factory=dict)


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class LinePass:
    """The line pass over (a part of) a post."""

    def __init__(self, gfm: bool, state: ParseState, parse_block_html: bool = False) -> None:
        self.gfm = gfm
        self.state = state
        self.parse_block_html = parse_block_html

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        stack: list[_Item] = []
        fence: tuple[str, int] | None = None  # the fence, and its column in the output
        prev_kind = "blank"  # blank, para, item, other
        para_lines = 0  # lines of the paragraph outside lists so far
        para_boundary = True  # whether that paragraph follows a blank line (or the start)
        item_quote = False  # whether the line before was a quote's line in a list item
        split_item = False  # whether a blank line was put in the list item (the list is loose)
        item_at = -1  # where the last list item's line is in ``out``
        quote: list[str] = []

        quote_ended = False

        def flush_quote() -> None:
            nonlocal quote_ended
            if quote:
                quote_ended = True
                inner = LinePass(self.gfm, self.state, self.parse_block_html).run(
                    [_QUOTE_PREFIX.sub("", q, 1) for q in quote]
                )
                out.extend(("> " + q).rstrip() for q in inner)
                quote.clear()

        found: list[dict[str, list[int]]] = []

        def closings() -> dict[str, list[int]]:
            if not found:
                found.append(longest_closings(lines))
            return found[0]

        html_tag: str | None = None  # the HTML block the line is in, passed on as it is
        html_depth = 0
        html_raw = False  # whether that block's content is kept as it is
        ended = -2  # the last line that ended a block which is no paragraph
        for index, line in enumerate(lines):
            stripped = line.strip()
            if html_tag is not None:
                html_depth += _html_balance(html_tag, line)
                if html_depth <= 0:
                    html_tag = None
                if html_raw and _FENCE.match(stripped):
                    line = line.replace(stripped, NO_BLOCK + stripped, 1)  # raw HTML, no fence
                out.append(line)
                prev_kind = "other"
                ended = index if html_tag is None else ended
                continue
            if fence is None and not stack and not quote and line[:4].lstrip(" ")[:1] == "<":
                start = _HTML_BLOCK.match(line)
                if start is not None and start[1].lower() in _BLOCK_TAGS | _MORE_BLOCK_TAGS:
                    tag = start[1].lower()
                    depth = _html_balance(tag, line)
                    if depth > 0:
                        html_tag, html_depth = tag, depth
                        html_raw = not self.parse_block_html and "markdown=" not in line
                    if self.parse_block_html:
                        line = _HTML_START.sub(_markdown_attr, line, 1)
                    out.append(line)
                    prev_kind = "other"
                    ended = index if html_tag is None else ended
                    continue
            indent = indent_of(line)
            if fence is not None:
                top = stack[-1] if stack else None
                closing = _FENCE.match(stripped)
                if (
                    closing
                    and closing["fence"][0] == fence[0][0]
                    and (len(closing["fence"]) >= len(fence[0]) and stripped == closing["fence"])
                ):
                    # kramdown allows a closing fence up to three spaces off the opening one,
                    # and longer than it
                    out.append(" " * fence[1] + fence[0])
                    fence = None
                    prev_kind = "other"
                    ended = index
                    continue
                if top is not None:
                    line = " " * (top.new_content + max(0, indent - top.content)) + line.lstrip(" ")
                out.append(line)
                prev_kind = "other"
                continue
            if stripped == "^" and not indent:  # kramdown's end-of-block marker
                flush_quote()
                stack.clear()
                out.extend(("", MARK_SPLIT, ""))  # (two lists on either side stay two)
                prev_kind = "blank"
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
                if item_at == len(out) - 1 and stripped[0] == "-" and _UNDERLINE.fullmatch(line):
                    # it makes the item's line a setext header, whose text is all there is:
                    # a rule after the list item says the same
                    out.extend(("", stripped))
                    ended = index
                    continue
                if self.gfm and _ATX.match(stripped):
                    out.append("")  # a header ends the item's paragraph (kramdown's GFM)
                    split_item = True
                out.append(" " * stack[-1].new_content + stripped)
                continue
            top = stack[-1] if stack else None
            limit = top.content + 4 if top else 4
            if not top and _QUOTE_PREFIX.match(line):
                if prev_kind == "para" and not quote:
                    out.append("")
                if not quote and quote_ended:
                    out.extend((MARK_SPLIT, ""))
                quote_ended = False
                quote.append(line)
                prev_kind = "other"
                continue
            flush_quote()
            quote_ended = False
            if ial is not None:
                mark = MARK_PREV if prev_kind != "blank" else MARK_NEXT
                self.state.ials.append(self.attrs(ial["body"]))
                base = top.new_content if top else 0
                if prev_kind != "blank":
                    out.append("")
                out.append(f"{' ' * base}{mark}{len(self.state.ials) - 1}{mark}")
                out.append("")
                prev_kind = "blank"
                continue
            if item is not None and indent < limit and not _is_rule(stripped):
                if (prev_kind == "para" or split_item) and self.gfm and out[-1:] != [""]:
                    out.append("")
                split_item = False
                marker = item["marker"]
                spaces = len(item["space"])
                content = indent + len(marker) + (spaces if 0 < spaces <= 4 else 1)
                rest = line[item.end() :]
                lead = _LEADING_IAL.match(rest) if rest.startswith("{:") else None
                if lead is not None:
                    self.state.ials.append(self.attrs(lead["body"]))
                    number = len(self.state.ials) - 1
                    rest = f"{MARK_ITEM}{number}{MARK_ITEM}{rest[lead.end() :]}"
                new_marker = top.new_content if top else 0
                stack.append(_Item(content, new_marker + 4))
                out.append(" " * new_marker + marker + " " + rest)
                item_at = len(out) - 1
                prev_kind = "item"
                opening = _FENCE.match(rest.strip()) if self.gfm else None
                if opening is not None:  # a fence on the item's first line
                    opened = opening_fence(rest.strip(), opening, closings(), index)
                    if opened is None:
                        out[-1] = out[-1][: len(out[-1]) - len(rest)] + NO_BLOCK + rest
                    else:
                        out[-1] = out[-1][: len(out[-1]) - len(rest)] + opened[1]
                        fence = (opened[0], stack[-1].new_content)
                continue
            if top is not None:
                new_line = " " * (top.new_content + indent - top.content) + line.lstrip(" ")
                quoted = stripped.startswith(">")
                interrupts = (quoted and not item_quote) or _ATX.match(stripped) is not None
                if self.gfm and prev_kind in ("item", "para") and indent < limit and interrupts:
                    out.append("")  # a quote or a header ends the item's paragraph
                    split_item = True
                item_quote = quoted
            else:
                new_line = line
            match = (GFM_FENCE if self.gfm else _FENCE).match(stripped) if indent < limit else None
            opened = None
            if match and (self.gfm or match["fence"][0] == "~"):
                opened = opening_fence(stripped, match, closings(), index)
                if opened is None:  # text that goes on the paragraph
                    new_line = new_line.replace(stripped, NO_BLOCK + stripped, 1)
            if opened is not None and match is not None:
                if prev_kind == "para":
                    out.append("")
                fence = (opened[0], indent_of(new_line))
                out.append(" " * indent_of(new_line) + opened[1])
                prev_kind = "other"
                continue
            if stripped.startswith("[") and indent < limit:
                definition = _LINK_DEFINITION.match(stripped)
                # after a paragraph's line it goes on the paragraph; without a URL it is text
                if definition and (prev_kind in ("para", "item") or not definition["url"].strip()):
                    new_line = new_line.replace("[", NO_BLOCK + "[", 1)
                elif definition:
                    out.append(new_line)  # a definition: the next line starts a block
                    prev_kind = "other"
                    ended = index
                    continue
            if prev_kind == "para" and self.gfm and _ATX.match(stripped):
                out.append("")
            rule = _is_rule(stripped)
            if rule and prev_kind == "para" and stripped[0] in "*_":
                new_line = new_line.replace("*", "\\*").replace("_", "\\_")  # no rule here
                rule = False
            if (
                top is None
                and prev_kind == "para"
                and not (para_lines == 1 and para_boundary)
                and _UNDERLINE.fullmatch(line)
            ):
                # kramdown's setext header is one line after a blank line (or the start):
                # elsewhere the underline goes on the paragraph
                out.append(NO_BLOCK + line)
                continue
            if top is None and ended == index - 1 and "|" in stripped:
                # kramdown's table follows a blank line (or the start), not a header, a rule
                # or HTML: the lines are a paragraph's
                new_line = _UNESCAPED_PIPE.sub(TEXT_PIPE, new_line)
            out.append(new_line)
            if top is not None:
                prev_kind = "item" if prev_kind == "item" else "para"
            elif rule or _ATX.match(stripped):
                prev_kind = "other"  # a rule, a setext underline or an ATX header
                ended = index
            elif TABLE_LINE.match(line) or stripped.startswith("<"):
                prev_kind = "other" if prev_kind == "blank" or not self.gfm else prev_kind
            else:
                if prev_kind != "para":
                    para_lines, para_boundary = 0, prev_kind == "blank"
                para_lines += 1
                prev_kind = "para"
        flush_quote()
        return out

    def attrs(self, body: str) -> list[tuple[str, str]]:
        alds = self.state.alds
        words, refs = [], []
        for word in _IAL_WORD.findall(body):
            if not _NAME.fullmatch(word):
                words.append(word)
            elif word in alds:
                words.append(alds[word])
            else:
                refs.append(word)
        return _parse_attrs(" ".join(words)) + [(REF, name) for name in refs]


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
