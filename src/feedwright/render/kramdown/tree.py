"""Header ids, footnotes, task lists and code blocks written as kramdown writes them."""

from __future__ import annotations

import copy
import html
import re
import xml.etree.ElementTree as etree

import markdown
from markdown.treeprocessors import Treeprocessor

from feedwright.render.kramdown.attributes import ESCAPED, STASHED
from feedwright.render.kramdown.lines import REF
from feedwright.render.kramdown.options import KramdownOptions
from feedwright.render.rouge import LineNumbers, gutter

_TAG = re.compile(r"<[^>]*>")
_HEADERS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_NON_WORD = re.compile(r"[^\w\- \t]")
_TASK = re.compile(r"\s*\[([ xX])\]\s+")
_NO_TOC = re.compile(r"\bno_toc\b")


class KramdownTreeprocessor(Treeprocessor):
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
                language = self.options.span_default_lang
                element.set("class", f"language-{language} highlighter-rouge")
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
        toc: etree.Element | None = None
        notes: etree.Element | None = None
        for element in root.iter():
            refs = element.attrib.pop(REF, "").split()
            if toc is None and "toc" in refs and element.tag in ("ul", "ol"):
                toc = element
            if notes is None and "footnotes" in refs and element.tag in ("ul", "ol"):
                notes = element
        if toc is not None:
            self.table_of_contents(root, toc)
        if notes is not None and notes is not toc:
            _place_footnotes(root, notes)
        offset = self.options.header_offset
        if offset:  # after the table of contents, which goes by the levels as written
            for element in root.iter():
                if element.tag in _HEADERS:
                    element.tag = f"h{min(max(int(element.tag[1]) + offset, 1), 6)}"

    def table_of_contents(self, root: etree.Element, target: etree.Element) -> None:
        """kramdown's ``{:toc}``: the first list it marks becomes a list of links to the
        headers that have an id, a level in ``toc_levels`` and no class ``no_toc``, each
        header nested under the one before it of a lower level."""
        inside = set(target.iter())
        headers = [
            element
            for element in root.iter()
            if element.tag in _HEADERS
            and element not in inside
            and element.get("id")
            and int(element.tag[1]) in self.options.toc_levels
            and not _NO_TOC.search(element.get("class", ""))
        ]
        attrs = dict(target.attrib)
        prefix = attrs.setdefault("id", "markdown-toc")
        tail = target.tail
        target.clear()
        target.attrib.update(attrs)
        target.text, target.tail = "\n", tail
        stack: list[tuple[int, etree.Element]] = []
        for header in headers:
            level = int(header.tag[1])
            item = etree.Element("li")
            item.tail = "\n"
            link = etree.SubElement(
                item, "a", {"href": f"#{header.get('id')}", "id": f"{prefix}-{header.get('id')}"}
            )
            link.text = header.text
            for child in header:
                if child.tag == "sup" and child.get("id", "").startswith("fnref"):
                    _append_text(link, child.tail or "")
                else:
                    link.append(copy.deepcopy(child))
            _unwrap_links(link)
            link.tail = "\n"
            while stack and stack[-1][0] >= level:
                stack.pop()
            if stack:
                parent = stack[-1][1]
                if parent[-1].tag != target.tag:
                    etree.SubElement(parent, target.tag).text = "\n"
                parent[-1].append(item)
            else:
                target.append(item)
            stack.append((level, item))
        if not headers:  # kramdown writes nothing in the list's place
            for parent in root.iter():
                children = list(parent)
                if target in children:
                    index = children.index(target)
                    if index:
                        _append_text(children[index - 1], tail or "", tail=True)
                    else:
                        parent.text = (parent.text or "") + (tail or "")
                    parent.remove(target)
                    break

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
        text = STASHED.sub(lambda m: html.unescape(_TAG.sub("", str(stash[int(m[1])]))), text)
        return ESCAPED.sub(lambda m: chr(int(m[1])), text)

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
            self.options.default_lang,
        )
        code.attrib.clear()
        # pre becomes div.language-x > div.highlight > pre.highlight > code
        inner = etree.Element("pre", {"class": self.options.code_class})
        inner.append(code)
        pre.remove(code)
        pre.tag = "div"
        pre.set("class", f"language-{language} highlighter-rouge")
        box = etree.SubElement(pre, "div", {"class": "highlight"})
        box.append(inner)
        if self.options.line_numbers is not None:
            _number_lines(code, self.options.line_numbers)


def _number_lines(code: etree.Element, options: LineNumbers) -> None:
    """Rouge's line-number table in ``code`` (see feedwright.render.rouge), its text moved
    into the table's code cell."""
    text, numbers = gutter(code.text or "", options)
    table = etree.SubElement(code, "table", {"class": options.table_class})
    row = etree.SubElement(etree.SubElement(table, "tbody"), "tr")
    cells = etree.SubElement(row, "td", {"class": f"{options.gutter_class} gl"})
    etree.SubElement(cells, "pre", {"class": "lineno"}).text = numbers
    cell = etree.SubElement(etree.SubElement(row, "td", {"class": options.code_class}), "pre")
    cell.text = text
    code.text = None


def _append_text(element: etree.Element, text: str, tail: bool = False) -> None:
    """Add text after the last thing in ``element`` (``tail``: after the element itself)."""
    if tail:
        element.tail = (element.tail or "") + text
    elif len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _unwrap_links(element: etree.Element) -> None:
    """Replace every link inside ``element`` with what it holds (kramdown's TOC entries)."""
    for index in range(len(element) - 1, -1, -1):
        child = element[index]
        _unwrap_links(child)
        if child.tag != "a":
            continue
        kids = list(child)
        element.remove(child)
        for offset, kid in enumerate(kids):
            element.insert(index + offset, kid)
        before = (child.text or "") + ("" if kids else child.tail or "")
        if index:
            _append_text(element[index - 1], before, tail=True)
        else:
            element.text = (element.text or "") + before
        if kids:
            _append_text(kids[-1], child.tail or "", tail=True)


def _place_footnotes(root: etree.Element, target: etree.Element) -> None:
    """kramdown's ``{:footnotes}``: the first list it marks is where the footnotes go, in
    the list's place (nothing there when the post has no footnotes)."""
    notes = next(
        (
            child
            for child in root
            if child.tag == "div" and child.get("class") == "footnotes" and child is not target
        ),
        None,
    )
    for parent in root.iter():
        children = list(parent)
        if target not in children:
            continue
        index = children.index(target)
        tail = target.tail
        parent.remove(target)
        if notes is not None:
            root.remove(notes)
            notes.tail = tail
            parent.insert(index, notes)
        elif index:
            _append_text(children[index - 1], tail or "", tail=True)
        else:
            parent.text = (parent.text or "") + (tail or "")
        return
