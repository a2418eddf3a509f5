"""Markdown rendered the way Jekyll 4.3 renders it by default: kramdown 2.4 with the GFM
parser (kramdown-parser-gfm), Rouge as highlighter, characters instead of entities.

The engine is Python-Markdown. Its own extensions and pymdown-extensions do most of the
work; the modules beside this one add what neither has: kramdown's list indentation (a
nested list is indented to the text of its parent item, not by four spaces), lists that
interrupt a paragraph, block IALs on the line before or after a block and ALDs,
header-less tables, GFM header ids, kramdown's footnote and code block markup, and the
``{::comment}``, ``{::nomarkdown}`` and ``{::options}`` extensions. This module puts
them together as one extension and keeps the instances.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from typing import Any

import markdown
from markdown.blockparser import BlockParser
from markdown.blockprocessors import HashHeaderProcessor
from markdown.extensions import Extension

from feedwright.render.kramdown.attributes import AttrList, IalTreeprocessor
from feedwright.render.kramdown.inline import (
    RAW_SPAN,
    SOURCE_LINK_PATTERNS,
    BackslashBreak,
    KramdownAutolink,
    KramdownAutomail,
    KramdownBacktick,
    KramdownHtml,
    MathInline,
)
from feedwright.render.kramdown.lines import ParseState
from feedwright.render.kramdown.nested import NestedMarkdownHtml
from feedwright.render.kramdown.options import DEFAULT_OPTIONS, KramdownOptions
from feedwright.render.kramdown.preprocess import KeepTabs, KramdownPreprocessor, RestoreTabs
from feedwright.render.kramdown.smartquotes import QuoteBeforeDelimiter, Typographic
from feedwright.render.kramdown.tables import HeaderlessTable
from feedwright.render.kramdown.tree import KramdownTreeprocessor
from feedwright.render.rouge import line_number_table

__all__ = ["KramdownOptions", "to_html"]


def _fence_format(options: KramdownOptions) -> Callable[..., str]:
    """superfences' formatter: a fenced code block as kramdown writes it with Rouge."""

    def _write(
        source: str,
        language: str,
        class_name: str,
        fence_options: dict[str, Any],
        md: markdown.Markdown,
        **kwargs: Any,
    ) -> str:
        language = language or options.default_lang
        # superfences leaves out the newline before the closing fence; kramdown keeps it
        code = html.escape(source, quote=False) + "\n"
        if options.line_numbers is not None:
            code = line_number_table(code, options.line_numbers)
        return (
            f'<div class="language-{html.escape(language)} highlighter-rouge">'
            f'<div class="highlight"><pre class="{html.escape(options.code_class)}">'
            f"<code>{code}</code></pre></div></div>"
        )

    return _write


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
        self.state = ParseState()

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.registerExtension(self)
        md.preprocessors.register(KeepTabs(md, self.options.gfm), "kramdown_tabs", 31)
        md.preprocessors.register(
            KramdownPreprocessor(md, self.options, self.state), "kramdown", 28
        )
        md.postprocessors.register(RestoreTabs(md), "kramdown_tabs", 1)
        options = self.options

        def convert(text: str) -> str:
            inner = _build(options)  # rare: a fresh converter, this one is busy
            return inner.convert(text)

        # before raw_html (30) puts the stored blocks back
        md.postprocessors.register(NestedMarkdownHtml(md, convert), "kramdown_nested", 35)
        raw_html = md.postprocessors["raw_html"]
        block_level = raw_html.isblocklevel  # type: ignore[attr-defined]
        blocks = self.state.blocks

        def isblocklevel(html: str) -> bool:
            return html in blocks or bool(block_level(html))

        raw_html.isblocklevel = isblocklevel  # type: ignore[attr-defined]
        parser: BlockParser = md.parser
        parser.blockprocessors.register(HeaderlessTable(parser), "headerless_table", 74)
        if self.options.gfm:  # (kramdown's own parser takes closing hashes without a blank)
            parser.blockprocessors.register(KramdownHashHeader(parser), "hashheader", 70)
        if self.options.gfm and not self.options.hard_wrap:
            md.inlinePatterns.register(BackslashBreak(r"\\\\?\n", md), "backslash_break", 186)
        md.treeprocessors.register(AttrList(md), "attr_list", 8)
        # kramdown reads backticks in a link's URL and title as text, not as a code span
        patterns = md.inlinePatterns
        pattern = f"{patterns['backtick'].compiled_re.pattern}|{RAW_SPAN}"
        backtick = KramdownBacktick(pattern, md, self.state)
        patterns.register(backtick, "backtick", 190)
        for name, (processor, priority) in SOURCE_LINK_PATTERNS.items():
            pattern = patterns[name].compiled_re.pattern
            patterns.register(processor(pattern, md, self.state), name, priority)  # type: ignore[call-arg]
        md.inlinePatterns.register(
            KramdownAutolink(md.inlinePatterns["autolink"].compiled_re.pattern, md), "autolink", 120
        )
        md.inlinePatterns.register(
            KramdownAutomail(md.inlinePatterns["automail"].compiled_re.pattern, md), "automail", 110
        )
        md.inlinePatterns.register(
            KramdownHtml(md.inlinePatterns["html"].compiled_re.pattern, md), "html", 90
        )
        md.inlinePatterns.register(
            MathInline(r"\$\$(.+?)\$\$", md, self.state), "kramdown_math", 187
        )
        quotes = tuple(html.unescape(f"&{name};") for name in self.options.smart_quotes)
        symbols = dict(self.options.typographic_symbols)
        md.inlinePatterns.register(
            Typographic(r"<< |<<| >>|>>", md, quotes, symbols), "kramdown_angles", 95
        )
        md.inlinePatterns.register(
            Typographic(r"""---|--|\.\.\.|["']""", md, quotes, symbols), "kramdown_typographic", 5
        )
        md.inlinePatterns.register(
            QuoteBeforeDelimiter(r"""["'](?=[_*])""", md, quotes), "kramdown_quote_delimiter", 65
        )
        md.treeprocessors.register(IalTreeprocessor(md, self.state), "kramdown_ial", 7.5)
        md.treeprocessors.register(KramdownTreeprocessor(md, self.options), "kramdown", 5)
        for char in "|\"'$=~:<>":
            if char not in md.ESCAPED_CHARS:
                md.ESCAPED_CHARS.append(char)

    def reset(self) -> None:
        self.state.ials.clear()
        self.state.alds.clear()
        self.state.blocks.clear()
        self.state.code_spans.clear()


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
                {
                    "name": "*",
                    "class": "",
                    "format": _fence_format(options),
                    "validator": _fence_validator,
                }
            ]
        },
        "pymdownx.tilde": {"subscript": False},
        "footnotes": {"BACKLINK_TEXT": "\u21a9"},
    }
    return markdown.Markdown(extensions=extensions, extension_configs=config, output_format="xhtml")


_local = threading.local()


class KramdownHashHeader(HashHeaderProcessor):
    """An ATX header as kramdown reads it: closing hashes after a blank (``# C#`` keeps its
    '#'), blanks after them too (``## Title ##  ``)."""

    RE = re.compile(
        r"(?:^|\n)(?P<level>#{1,6})(?=[ \t])(?P<header>(?:\\.|[^\\\n])*?)"
        r"(?:[ \t]+#+)?[ \t]*(?:\n|$)"
    )


# Python-Markdown runs every inline pattern over every piece of text, and most find
# nothing. A pattern whose match needs text the post does not contain is left out of that
# post's instance, which changes no output and saves much of the time. Each entry: the
# pattern's name and alternatives of what it needs, each a set of strings that must all be
# in the post. The line pass escapes a rule that cannot interrupt a paragraph ('***' after
# text) with backslashes.
_NEEDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "backtick": (("`",), *((f"<{c}",) for c in "cCkKsSvV")),
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
    "kramdown_quote_delimiter": (("'_",), ("'*",), ('"_',), ('"*',)),
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


def to_html(text: str, options: KramdownOptions = DEFAULT_OPTIONS, prune: bool = True) -> str:
    """The HTML Jekyll (kramdown, GFM input, Rouge) makes of ``text``, without highlighting.
    ``prune=False`` runs every inline pattern (the output is the same)."""
    md = _instance(options, text if prune else None)
    try:
        return md.convert(text)
    finally:
        md.reset()
