"""Preprocessors: the line pass, kramdown's ``{::...}`` extensions, and tabs kept in fenced code."""

from __future__ import annotations

import re

import markdown
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from feedwright.render.kramdown.lines import (
    ALD,
    EXTENSION,
    GFM_FENCE,
    NO_BLOCK,
    TEXT_PIPE,
    LinePass,
    ParseState,
    indent_of,
)
from feedwright.render.kramdown.options import KramdownOptions


class KramdownPreprocessor(Preprocessor):
    def __init__(self, md: markdown.Markdown, options: KramdownOptions, state: ParseState) -> None:
        super().__init__(md)
        self.options = options
        self.state = state

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "{::" in text:
            text = EXTENSION.sub(self.extension, text)
        if "{:" in text:
            kept = []
            for line in text.split("\n"):
                ald = ALD.fullmatch(line)
                if ald:
                    self.state.alds[ald["name"]] = ald["body"].strip()
                else:
                    kept.append(line)
            text = "\n".join(kept)
        return LinePass(self.options.gfm, self.state, self.options.parse_block_html).run(
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


class KeepTabs(Preprocessor):
    """kramdown keeps the tabs in fenced code; Python-Markdown expands all tabs before
    fences are found. A tab inside a fence becomes a stand-in until the HTML is done."""

    def __init__(self, md: markdown.Markdown, gfm: bool) -> None:
        super().__init__(md)
        self.opening = GFM_FENCE if gfm else re.compile(r"[ ]{0,3}(?P<fence>~{3,})")

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
                    fence, column = match["fence"], indent_of(bare)
                continue
            if stripped.startswith(fence) and stripped.rstrip(fence[0] + " \t") == "":
                fence = None
                continue
            if "\t" in line:
                lead = min(column, indent_of(line))
                lines[index] = line[:lead] + line[lead:].replace("\t", _TAB)
        return lines


class RestoreTabs(Postprocessor):
    """Tabs in fenced code and pipes that make no table back, and the marks of lines that
    look like the start of a block but are none dropped."""

    def run(self, text: str) -> str:
        if NO_BLOCK in text:
            text = text.replace(NO_BLOCK, "")
        if TEXT_PIPE in text:
            text = text.replace(TEXT_PIPE, "|")
        return text.replace(_TAB, "\t") if _TAB in text else text
