"""The HTML pass (lxml): every URL made absolute, embeds that readers strip turned into
plain links, and the allowlist sanitizer."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.html
from lxml import etree

_VOID_CLOSE = re.compile(r"</(?:source|track|wbr)>")
# (data-src: lazy-loading scripts' real picture; xlink:href: SVG's older spelling of href)
_URL_ATTRS = (
    "href",
    "src",
    "poster",
    "cite",
    "data",
    "action",
    "background",
    "data-src",
    "xlink:href",
)
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


@dataclass(frozen=True, slots=True)
class HtmlResult:
    html: str
    excerpt: str
    embeds: tuple[str, ...]  # tag names turned into links (or kept)
    link_issues: tuple[str, ...] = ()  # relative URLs that cannot be resolved well
    unsafe: tuple[str, ...] = ()  # what the sanitizer will remove
    liquid_urls: tuple[str, ...] = ()  # URLs that held Liquid markup (removed)


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def _scheme(url: str) -> str:
    """The scheme of ``url``, lower-cased ('' for none), also for a URL that urlsplit
    refuses (a malformed host, such as 'http://[::1')."""
    try:
        return urlsplit(url.strip()).scheme.lower()
    except ValueError:
        found = _SCHEME.match(re.sub(r"[\t\r\n]", "", url.strip()))
        return found.group(1).lower() if found else ""


def _absolute(url: str, base: str, issues: list[str] | None = None) -> str:
    url = url.strip()
    if not url:
        return url
    try:
        scheme = urlsplit(url).scheme.lower()
        if scheme:
            return url
        joined = urljoin(base, url)
    except ValueError:
        if issues is not None:
            issues.append(f"malformed URL {url!r}")
        return url
    if issues is not None and not url.startswith(("#", "?")):
        path = urlsplit(url).path
        if path.lower().endswith((".md", ".markdown")):
            issues.append(
                f"{url!r} links to a Markdown source file, which the site does not "
                "publish (use {% post_url %} or the page's URL)"
            )
        elif not path.startswith("/"):
            depth = len([p for p in urlsplit(base).path.split("/")[:-1] if p])
            ups = 0
            for part in path.split("/"):
                if part == "..":
                    ups += 1
                elif part not in ("", "."):
                    break
            if ups > depth:
                issues.append(f"{url!r} climbs above the site root from {base}")
    return joined


def _srcset(value: str, base: str, issues: list[str]) -> str:
    out = []
    for candidate in value.split(","):
        parts = candidate.strip().split(None, 1)
        if not parts:
            continue
        parts[0] = _absolute(parts[0], base, issues)
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
    try:
        parts = urlsplit(src)
    except ValueError:  # a malformed host, such as 'http://[::1'
        return src
    host = parts.netloc.lower()
    if host.endswith(("youtube.com", "youtube-nocookie.com")) and parts.path.startswith("/embed/"):
        video = parts.path.removeprefix("/embed/").split("/")[0]
        if video:
            start = parse_qs(parts.query).get("start")
            suffix = f"&t={start[0]}s" if start else ""
            return f"https://www.youtube.com/watch?v={video}{suffix}"
    return src


def rewrite_html(
    html: str, base_url: str, keep_embeds: bool, allowed_tags: frozenset[str] | None = None
) -> HtmlResult:
    """Make every relative URL absolute against ``base_url`` and, unless ``keep_embeds``,
    replace iframe/script/object/embed with a plain link to what they showed. With
    ``allowed_tags``, also list what a sanitizer with that allowlist will remove."""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    # the HTML parser lowers tag names; a placeholder shown as text keeps the author's case
    spellings = {name.lower(): name for name in reversed(_TAG_NAME.findall(html))}
    for comment in root.xpath("//comment()"):
        _drop_keep_tail(comment)
    for element in list(root.iter(etree.Element)):
        if (
            element is not root
            and element.tag not in HTML_ELEMENTS
            and not any(a.tag in ("svg", "math") for a in element.iterancestors())
        ):
            _as_text(element, spellings)
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
    issues: list[str] = []
    unsafe: list[str] = []
    liquid_urls: list[str] = []
    for element in root.iter(etree.Element):
        if allowed_tags is not None and element is not root and element.tag not in allowed_tags:
            unsafe.append(f"<{element.tag}>")
        names = element.keys()
        if not names:  # most elements: nothing more to look at
            continue
        if allowed_tags is not None and element is not root:
            for name in names:
                if str(name).lower().startswith("on"):
                    unsafe.append(f"{name}=")
        for attr in _URL_ATTRS:
            if attr not in names:
                continue
            value = element.get(attr)
            if value is None:
                continue
            if "{{" in value or "{%" in value:  # never published: Liquid was not evaluated
                liquid_urls.append(value)
                value = ""
            if _scheme(value) in ("javascript", "vbscript", "data") and allowed_tags is not None:
                unsafe.append(f"{value.strip()[:11]}... URL")
            if value.strip() or attr == "href":
                element.set(attr, _absolute(value, base_url, issues) or base_url)
            else:
                del element.attrib[attr]
        for attr in ("srcset", "data-srcset"):
            srcset = element.get(attr)
            if srcset is not None:
                element.set(attr, _srcset(srcset, base_url, issues))
        if element.tag == "img" and not element.get("src") and element.get("data-src"):
            # a feed reader runs no lazy-loading script: show the picture itself
            element.set("src", element.get("data-src", ""))
    excerpt = ""
    first = root.find(".//p")
    if first is not None:
        excerpt = " ".join(first.text_content().split())
    out = lxml.html.tostring(root, encoding="unicode", method="html")
    # libxml2's HTML 4 serializer does not know these HTML5 void elements and closes them.
    out = _VOID_CLOSE.sub("", out)
    inner = out[len("<div>") : -len("</div>")] if out.startswith("<div>") else out
    return HtmlResult(
        html=inner.strip(),
        excerpt=excerpt,
        embeds=tuple(embeds),
        link_issues=tuple(dict.fromkeys(issues)),
        unsafe=tuple(dict.fromkeys(unsafe)),
        liquid_urls=tuple(dict.fromkeys(liquid_urls)),
    )


# Beyond nh3's defaults: media, figures and what Markdown produces.
_EXTRA_TAGS = frozenset(
    """audio video source track picture figure figcaption tfoot details summary mark
    section main article aside""".split()
)
_EXTRA_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "hreflang", "title", "name"},
    "img": {"src", "srcset", "sizes", "alt", "width", "height", "loading", "title"},
    "video": {
        "src",
        "poster",
        "controls",
        "width",
        "height",
        "loop",
        "muted",
        "playsinline",
        "preload",
    },
    "audio": {"src", "controls", "loop", "muted", "preload"},
    "source": {"src", "srcset", "sizes", "type", "media"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "iframe": {
        "src",
        "width",
        "height",
        "title",
        "allow",
        "allowfullscreen",
        "frameborder",
        "loading",
    },
    "ol": {"start", "type", "reversed"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
}
_GENERIC_ATTRIBUTES = {"class", "id", "lang", "title", "dir"}
_URL_SCHEMES = {
    "http",
    "https",
    "mailto",
    "ftp",
    "irc",
    "ircs",
    "xmpp",
    "tel",
    "news",
    "git",
    "ssh",
    "magnet",
}


@dataclass(frozen=True, slots=True)
class Allowlist:
    tags: frozenset[str]
    attributes: dict[str, set[str]]
    url_schemes: frozenset[str]
    # the sanitizer, built once for these lists (nh3.Cleaner where nh3 has it)
    clean: Callable[[str], str] = field(compare=False, repr=False, default=str)


def allowlist(
    extra_tags: list[str],
    extra_attributes: dict[str, list[str]],
    extra_schemes: list[str],
    keep_embeds: bool,
) -> Allowlist:
    import nh3

    tags = set(nh3.ALLOWED_TAGS) | _EXTRA_TAGS | set(extra_tags)
    if keep_embeds:
        tags.add("iframe")
    attributes: dict[str, set[str]] = {k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes["*"] = set(_GENERIC_ATTRIBUTES)
    for source in (_EXTRA_ATTRIBUTES, extra_attributes):
        for tag, names in source.items():
            attributes.setdefault(tag, set()).update(n for n in names if not n.startswith("on"))
    schemes = _URL_SCHEMES | set(extra_schemes)
    options: dict[str, Any] = {
        "tags": tags,
        "attributes": attributes,
        "url_schemes": schemes,
        "generic_attribute_prefixes": None,
        "link_rel": None,
        "strip_comments": True,
    }
    cleaner = getattr(nh3, "Cleaner", None)  # nh3 0.3: parsed once, not on every call
    clean = cleaner(**options).clean if cleaner else functools.partial(nh3.clean, **options)
    return Allowlist(frozenset(tags), attributes, frozenset(schemes), clean)


def sanitize(html: str, allowed: Allowlist) -> str:
    """Keep only allow-listed tags, attributes and URL schemes (nh3, html5ever-based):
    scripts, event handlers and javascript: URLs never survive."""
    return allowed.clean(html) if html else html


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


_TAG_NAME = re.compile(r"<([A-Za-z][A-Za-z0-9_:.-]*)")


def _as_text(element: etree._Element, spellings: Mapping[str, str]) -> None:
    """Replace an unknown element by its opening tag as text (in the case the source
    spelled it); keep its content."""
    attrs = "".join(f' {k!s}="{v!s}"' if v else f" {k!s}" for k, v in element.attrib.items())
    name = spellings.get(str(element.tag), str(element.tag))
    lead = f"<{name}{attrs}>" + (element.text or "")
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
