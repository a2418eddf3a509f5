"""Markdown to feed-ready HTML: premonition call-outs, Python-Markdown, then an HTML pass
(lxml) that makes every URL absolute and turns embeds readers strip into plain links."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.html
import markdown
from lxml import etree

EXTENSIONS = ["fenced_code", "tables", "md_in_html", "attr_list"]
_VOID_CLOSE = re.compile(r"</(?:source|track|wbr)>")
_URL_ATTRS = ("href", "src", "poster", "cite", "data", "action", "background")
_EMBEDS = ("iframe", "script", "object", "embed")
# HTML elements (WHATWG, plus a few obsolete ones browsers still render). Anything else in
# a post is almost always a placeholder written as text, like `<none>` in command output
# or `<hostname>` in prose: readers would swallow it, so it is shown as text.
HTML_ELEMENTS = frozenset(
    """a abbr acronym address area article aside audio b base bdi bdo big blink blockquote
    body br button canvas caption center cite code col colgroup data datalist dd del
    details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form
    h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend
    li link main map mark math menu meta meter nav nobr noscript object ol optgroup option
    output p param picture pre progress q rp rt ruby s samp script search section select
    slot small source span strike strong style sub summary sup svg table tbody td template
    textarea tfoot th thead time title tr track tt u ul var video wbr""".split()
)

_PREMONITION = re.compile(
    r"^(?P<indent>[ \t]*)>[ \t]*(?P<type>note|info|warning|error|citation|tip)"
    r'[ \t]+"(?P<title>[^"]*)"[ \t]*(?:\[[^\]]*\])?[ \t]*$',
    re.MULTILINE,
)

_local = threading.local()


def _markdown() -> markdown.Markdown:
    md: markdown.Markdown | None = getattr(_local, "md", None)
    if md is None:
        md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
        _local.md = md
    return md


def premonition(text: str) -> str:
    """``> note "Title"`` starts a titled call-out; render it as a blockquote whose first
    line is the bold title."""

    def title(match: re.Match[str]) -> str:
        heading = match["title"].strip() or match["type"].capitalize()
        heading = heading.replace("*", r"\*")
        return f"{match['indent']}> **{heading}**\n{match['indent']}>"

    return _PREMONITION.sub(title, text)


def markdown_to_html(text: str) -> str:
    md = _markdown()
    try:
        return md.convert(premonition(text))
    finally:
        md.reset()


@dataclass(frozen=True, slots=True)
class HtmlResult:
    html: str
    excerpt: str
    embeds: tuple[str, ...]  # tag names turned into links (or kept)


def _absolute(url: str, base: str) -> str:
    url = url.strip()
    if not url:
        return url
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("javascript", "vbscript"):
        return url
    return urljoin(base, url)


def _srcset(value: str, base: str) -> str:
    out = []
    for candidate in value.split(","):
        parts = candidate.strip().split(None, 1)
        if not parts:
            continue
        parts[0] = _absolute(parts[0], base)
        out.append(" ".join(parts))
    return ", ".join(out)


def _embed_target(element: lxml.html.HtmlElement) -> str | None:
    src: str | None = element.get("src") or element.get("data")
    if src is None and element.tag == "object":
        for param in element.iter("param"):
            if (param.get("name") or "").lower() in ("movie", "src", "url"):
                src = param.get("value")
    if not src:
        return None
    parts = urlsplit(src)
    host = parts.netloc.lower()
    if host.endswith(("youtube.com", "youtube-nocookie.com")) and parts.path.startswith("/embed/"):
        video = parts.path.removeprefix("/embed/").split("/")[0]
        if video:
            start = parse_qs(parts.query).get("start")
            suffix = f"&t={start[0]}s" if start else ""
            return f"https://www.youtube.com/watch?v={video}{suffix}"
    return src


def rewrite_html(html: str, base_url: str, keep_embeds: bool) -> HtmlResult:
    """Make every relative URL absolute against ``base_url`` and, unless ``keep_embeds``,
    replace iframe/script/object/embed with a plain link to what they showed."""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for comment in root.xpath("//comment()"):
        _drop_keep_tail(comment)
    for element in list(root.iter(etree.Element)):
        if (
            element is not root
            and element.tag not in HTML_ELEMENTS
            and not any(a.tag in ("svg", "math") for a in element.iterancestors())
        ):
            _as_text(element)
    embeds: list[str] = []
    for element in list(root.iter(*_EMBEDS)):
        if element.getparent() is None:
            continue
        embeds.append(str(element.tag))
        if keep_embeds:
            continue
        target = _embed_target(element)
        if target is None:
            _drop_keep_tail(element)
            continue
        link = lxml.html.Element("a", href=target)
        link.text = element.get("title") or (
            "Watch the video"
            if "youtube.com/watch" in target
            else f"Open embedded content: {target}"
        )
        link.tail = element.tail
        parent = element.getparent()
        assert parent is not None
        if parent is root:
            wrapper = lxml.html.Element("p")
            wrapper.append(link)
            wrapper.tail = link.tail
            link.tail = None
            parent.replace(element, wrapper)
        else:
            parent.replace(element, link)
    for element in root.iter(etree.Element):
        for attr in _URL_ATTRS:
            value = element.get(attr)
            if value is None:
                continue
            if value.strip() or attr == "href":
                element.set(attr, _absolute(value, base_url) or base_url)
            else:
                del element.attrib[attr]
        srcset = element.get("srcset")
        if srcset is not None:
            element.set("srcset", _srcset(srcset, base_url))
    excerpt = ""
    first = root.find(".//p")
    if first is not None:
        excerpt = " ".join(first.text_content().split())
    out = lxml.html.tostring(root, encoding="unicode", method="html")
    # libxml2's HTML 4 serializer does not know these HTML5 void elements and closes them.
    out = _VOID_CLOSE.sub("", out)
    inner = out[len("<div>") : -len("</div>")] if out.startswith("<div>") else out
    return HtmlResult(html=inner.strip(), excerpt=excerpt, embeds=tuple(embeds))


def _drop_keep_tail(node: etree._Element) -> None:
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail
    if tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(node)


def _as_text(element: etree._Element) -> None:
    """Replace an unknown element by its opening tag as text; keep its content."""
    attrs = "".join(f' {k!s}="{v!s}"' if v else f" {k!s}" for k, v in element.attrib.items())
    lead = f"<{element.tag}{attrs}>" + (element.text or "")
    tail = element.tail or ""
    parent = element.getparent()
    assert parent is not None
    index = parent.index(element)
    previous = element.getprevious()
    children = list(element)
    parent.remove(element)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if children:
        children[-1].tail = (children[-1].tail or "") + tail
        text = lead
    else:
        text = lead + tail
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
