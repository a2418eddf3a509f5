"""Block and span IALs (``{: .class #id key="value"}``) applied to the elements they name."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.treeprocessors import Treeprocessor

from feedwright.render.kramdown.lines import (
    MARK_ITEM,
    MARK_NEXT,
    MARK_PREV,
    MARK_SPLIT,
    REF,
    ParseState,
)


class AttrList(AttrListTreeprocessor):
    """kramdown IALs start with ``{:``; only a header takes ``{#id}`` as well. Anything
    else in braces, like a Liquid tag, stays text."""

    BASE_RE = r"\{\:[ ]*([^\}\n ][^\n]*)\}"  # type: ignore[misc]
    HEADER_RE = re.compile(r"[ ]+\{(?:\:[ ]*|(?=#))([^\}\n ][^\n]*)\}[ ]*$")  # type: ignore[misc]
    BLOCK_RE = re.compile(rf"\n[ ]*{BASE_RE}[ ]*$")  # type: ignore[misc]
    INLINE_RE = re.compile(rf"^{BASE_RE}")  # type: ignore[misc]


_MARK = re.compile(f"[{MARK_PREV}{MARK_NEXT}]([0-9]+)[{MARK_PREV}{MARK_NEXT}]")
_SPAN_IAL = re.compile(r"\{:(?!:)[^}\n]*\}")
_CODE_DIV = re.compile(r'<div class="([^"]*)">')
_ITEM_MARK = re.compile(f"{MARK_ITEM}([0-9]+){MARK_ITEM}")
STASHED = re.compile("\x02wzxhzdk:([0-9]+)\x03")
ESCAPED = re.compile("\x02([0-9]+)\x03")


def _apply(element: etree.Element, attrs: list[tuple[str, str]]) -> None:
    for key, value in attrs:
        if key == REF:  # kept apart, for the tree pass (which removes it)
            refs = element.get(REF, "").split()
            if value not in refs:
                element.set(REF, " ".join([*refs, value]))
        elif key == ".":
            classes = element.get("class", "").split()
            if value not in classes:
                classes.append(value)
            element.set("class", " ".join(classes))
        else:
            element.set(key, value)


class IalTreeprocessor(Treeprocessor):
    """Applies the block IALs the line pass marked, and hides any IAL left as text."""

    def __init__(self, md: markdown.Markdown, state: ParseState) -> None:
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
                        step = -1 if text.strip()[0] == MARK_PREV else 1
                        target = self._sibling(children, index, step)
                        if target is not None:
                            self.apply(target, attrs)
                        parent.remove(child)
                        continue
                if child.tag == "p" and text == MARK_SPLIT and len(child) == 0:
                    parent.remove(child)
                    continue
                if MARK_ITEM in text:
                    holder = child
                    if child.tag == "p" and parent.tag == "li" and index == 0:
                        holder = parent
                    lead = _ITEM_MARK.match(text)
                    if lead is not None:
                        _apply(holder, ials[int(lead[1])])
                        child.text = text = text[lead.end() :]
                if "{:" in text and child.tag != "code":  # (a code span shows it)
                    child.text = _SPAN_IAL.sub("", text)
                if child.tail and "{:" in child.tail:
                    child.tail = _SPAN_IAL.sub("", child.tail)

    def apply(self, target: etree.Element, attrs: list[tuple[str, str]]) -> None:
        stashed = STASHED.fullmatch(target.text or "") if target.tag == "p" else None
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
        extra = "".join(f' {k}="{html.escape(v)}"' for k, v in box.items() if k != REF)
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
