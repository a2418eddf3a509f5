"""Markdown to HTML: premonition call-outs, then Python-Markdown, with the stages that
cannot apply to a post left out."""

from __future__ import annotations

import re
import threading
from typing import Any

import markdown

EXTENSIONS = ["fenced_code", "tables", "md_in_html", "attr_list"]
_PREMONITION = re.compile(
    r"^(?P<indent>[ \t]*)>[ \t]*(?P<type>note|info|warning|error|citation|tip)"
    r'[ \t]+"(?P<title>[^"]*)"[ \t]*(?:\[[^\]]*\])?[ \t]*$',
    re.MULTILINE,
)

_local = threading.local()

# Python-Markdown runs every inline pattern over every piece of text, and most of them find
# nothing: a post without '<' has no inline HTML or autolinks, one without '&' no entities.
# A pattern that cannot produce anything in a post is left out of that post's Markdown
# instance, which changes no output (a pattern that makes no element leaves the text as it
# was for the others) and saves a sixth to a quarter of the Markdown time. It cannot when
# its regular expression needs text that the post does not contain, or, for reference
# links, when the post defines no reference (a definition needs ']:'). Each entry: the
# processor class and pattern as Python-Markdown defines them (anything else, in another
# release, is never left out) and the alternatives of what it needs, each alternative a
# set of strings that must all be in the text.
_BRACKET = r"(?<!\!)\["
_BANG_BRACKET = r"\!\["
_INLINE_NEEDS: dict[str, tuple[str, str, tuple[tuple[str, ...], ...]]] = {
    "backtick": (
        "BacktickInlineProcessor",
        r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)",
        (("`",),),
    ),
    "escape": ("EscapeInlineProcessor", r"\\(.)", (("\\",),)),
    "reference": ("ReferenceInlineProcessor", _BRACKET, (("[", "]:"),)),
    "link": ("LinkInlineProcessor", _BRACKET, (("[",),)),
    "image_link": ("ImageInlineProcessor", _BANG_BRACKET, (("![",),)),
    "image_reference": ("ImageReferenceInlineProcessor", _BANG_BRACKET, (("![", "]:"),)),
    "short_reference": ("ShortReferenceInlineProcessor", _BRACKET, (("[", "]:"),)),
    "short_image_ref": ("ShortImageReferenceInlineProcessor", _BANG_BRACKET, (("![", "]:"),)),
    "autolink": (
        "AutolinkInlineProcessor",
        r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>",
        (("<", ">"),),
    ),
    "automail": ("AutomailInlineProcessor", r"<([^<> !]+@[^@<> ]+)>", (("<", ">", "@"),)),
    # raw HTML blocks can bring line breaks with them: the HTML extractor adds newlines
    "linebreak": ("SubstituteTagInlineProcessor", r"  \n", (("  \n",), ("<",))),
    "entity": (
        "HtmlInlineProcessor",
        r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)",
        (("&", ";"),),
    ),
    "em_strong": ("DelimiterProcessor", r"\*|_", (("*",), ("_",))),
}
_HTML_NEEDS = (("<", ">"),)  # the inline HTML pattern is long; any version needs both
# The same for three other stages, which act only on what their expressions find: fenced
# code blocks need a fence, tables a '|', attribute lists '{' and '}'.
_STAGE_NEEDS: dict[tuple[str, str], tuple[str, tuple[tuple[str, ...], ...]]] = {
    ("preprocessors", "fenced_code_block"): ("FencedBlockPreprocessor", (("```",), ("~~~",))),
    ("blockprocessors", "table"): ("TableProcessor", (("|",),)),
    ("treeprocessors", "attr_list"): ("AttrListTreeprocessor", (("{", "}"),)),
}


def _registry(md: markdown.Markdown, stage: str) -> Any:
    return md.parser.blockprocessors if stage == "blockprocessors" else getattr(md, stage)


def _prunable(md: markdown.Markdown) -> dict[tuple[str, str], tuple[tuple[str, ...], ...]]:
    found: dict[tuple[str, str], tuple[tuple[str, ...], ...]] = {}
    patterns = md.inlinePatterns
    for name, (kind, known, needs) in _INLINE_NEEDS.items():
        if name in patterns:
            processor = patterns[name]
            if type(processor).__name__ == kind and processor.pattern == known:
                found["inlinePatterns", name] = needs
    if "html" in patterns:
        processor = patterns["html"]
        pattern = processor.pattern
        if (
            type(processor).__name__ == "HtmlInlineProcessor"
            and pattern.startswith("(<(")
            and pattern.endswith(">)")
        ):
            found["inlinePatterns", "html"] = _HTML_NEEDS
    for (stage, name), (kind, needs) in _STAGE_NEEDS.items():
        registry = _registry(md, stage)
        if name in registry and type(registry[name]).__name__ == kind:
            found[stage, name] = needs
    return found


def _markdown(text: str, prune: bool = True) -> markdown.Markdown:
    """A Markdown instance without the stages that can do nothing in ``text``."""
    instances: dict[frozenset[tuple[str, str]], markdown.Markdown] | None = getattr(
        _local, "md", None
    )
    if instances is None:
        instances = _local.md = {}
        full = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
        instances[frozenset()] = full
        _local.prunable = _prunable(full)
    if not prune or "markdown" in text.lower():
        # md_in_html decodes the attributes of elements marked markdown="1" and hands
        # them back as text: characters that were entities in the post can appear
        return instances[frozenset()]
    prunable: dict[tuple[str, str], tuple[tuple[str, ...], ...]] = _local.prunable
    # Inline patterns see the text as Markdown normalizes it first.
    if "\r" in text or "\t" in text or "\x02" in text or "\x03" in text:
        text = text.replace("\x02", "").replace("\x03", "")
        text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    absent = frozenset(
        name
        for name, alternatives in prunable.items()
        if not any(all(part in text for part in needs) for needs in alternatives)
    )
    md = instances.get(absent)
    if md is None:
        md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
        for stage, name in absent:
            _registry(md, stage).deregister(name)
        instances[absent] = md
    return md


def premonition(text: str) -> str:
    """``> note "Title"`` starts a titled call-out; render it as a blockquote whose first
    line is the bold title."""

    def title(match: re.Match[str]) -> str:
        heading = match["title"].strip() or match["type"].capitalize()
        heading = heading.replace("*", r"\*")
        return f"{match['indent']}> **{heading}**\n{match['indent']}>"

    return _PREMONITION.sub(title, text)


def markdown_to_html(text: str, prune: bool = True) -> str:
    """The post's HTML. ``prune=False`` runs every inline pattern (tests compare)."""
    text = premonition(text)
    md = _markdown(text, prune)
    try:
        return md.convert(text)
    finally:
        md.reset()
