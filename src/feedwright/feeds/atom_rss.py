"""The one place that talks to feedgen. It turns a :class:`FeedDocument` into Atom or RSS
bytes and works around feedgen's quirks: entries are appended in our order, every date is
set explicitly (never "now"), the RSS channel link is the site (alternate added last),
RSS authors are ``dc:creator`` only, and the generator carries no library version."""

from __future__ import annotations

import html
import mimetypes
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from feedwright.feeds.podcast_rss import podcast_channel, podcast_item
from feedwright.feeds.refresh import SY_NS, update_period
from feedwright.scan.dates import utc_for_mean_time
from feedwright.types import Author, FeedDocument, Image, Media

ATOM_NS = "http://www.w3.org/2005/Atom"
FH_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
MEDIA_NS = "http://search.yahoo.com/mrss/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RSS_IMAGE_TYPES = frozenset({"image/gif", "image/jpeg", "image/png"})
_ENTRY_TAGS = frozenset({"entry", f"{{{ATOM_NS}}}entry", "item"})
_EXT = "feedwright_ext"  # the attribute feedgen sets on the generator and each entry


class _FeedExtension(BaseExtension):  # type: ignore[misc]
    """What feedgen has no API for: the stylesheet PI, links other than self and
    alternate in RSS, and the RFC 5005 markers."""

    def __init__(self) -> None:
        self.doc: FeedDocument | None = None

    def extend_ns(self) -> dict[str, str]:
        assert self.doc is not None
        ns = {}
        if self.doc.archive or self.doc.complete:
            ns["fh"] = FH_NS
        if any(e.image is not None for e in self.doc.entries):  # media:thumbnail
            ns["media"] = MEDIA_NS
        if self.doc.ttl:
            ns["sy"] = SY_NS
        return ns

    def _stylesheet(self, root: Any) -> None:
        assert self.doc is not None
        if self.doc.stylesheet:
            href = html.escape(self.doc.stylesheet, quote=True)
            root.addprevious(
                etree.ProcessingInstruction("xml-stylesheet", f'type="text/css" href="{href}"')
            )

    def _history(self, parent: Any) -> None:
        assert self.doc is not None
        if self.doc.archive:
            etree.SubElement(parent, f"{{{FH_NS}}}archive")
        elif self.doc.complete:
            etree.SubElement(parent, f"{{{FH_NS}}}complete")

    def _refresh(self, parent: Any) -> None:
        """How often to fetch (the RSS 1.0 syndication module), before any entry."""
        assert self.doc is not None
        if self.doc.ttl:
            period, frequency = update_period(self.doc.ttl)
            first = next((i for i, e in enumerate(parent) if e.tag in _ENTRY_TAGS), len(parent))
            for offset, (name, value) in enumerate(
                (("updatePeriod", period), ("updateFrequency", str(frequency)))
            ):
                element = etree.Element(f"{{{SY_NS}}}{name}")
                element.text = value
                parent.insert(first + offset, element)

    def extend_atom(self, feed: Any) -> Any:
        self._stylesheet(feed)
        self._history(feed)
        self._refresh(feed)
        return feed

    def extend_rss(self, feed: Any) -> Any:
        assert self.doc is not None
        self._stylesheet(feed)
        channel = feed[0]
        for link in self.doc.links:  # feedgen writes only the self link into RSS
            attrs = {"href": link.href, "rel": link.rel}
            if link.type:
                attrs["type"] = link.type
            etree.SubElement(channel, f"{{{ATOM_NS}}}link", attrs)
        self._history(channel)
        self._refresh(channel)
        return feed


class _EntryExtension(BaseEntryExtension):  # type: ignore[misc]
    """A post's picture: ``media:thumbnail``, plus an enclosure when its length is known
    (feedgen's own Atom enclosure comes out as a second alternate link). An episode's
    audio or video is the enclosure instead: an item has one. In Atom, the entry's
    ``xml:lang`` and a link post's related link."""

    def __init__(self) -> None:
        self.image: Image | None = None
        self.media: Media | None = None
        self.language: str | None = None
        self.related: str | None = None  # a link post's subject

    def _enclosure(self) -> dict[str, str] | None:
        if self.media is not None:
            media = self.media
            return {"url": media.url, "type": media.type, "length": str(media.length)}
        image = self.image
        if image is None or image.type is None or image.length is None:
            return None
        return {"url": image.url, "type": image.type, "length": str(image.length)}

    def extend_atom(self, entry: Any) -> Any:
        if self.language is not None:
            entry.set(XML_LANG, self.language)
        if self.related is not None:  # feedgen drops the rel of every entry link
            etree.SubElement(entry, "link", {"rel": "related", "href": self.related})
        if self.image is not None:
            etree.SubElement(entry, f"{{{MEDIA_NS}}}thumbnail", {"url": self.image.url})
        enclosure = self._enclosure()
        if enclosure is not None:
            # feedgen's Atom elements are in no namespace (its root carries a literal
            # xmlns attribute), so an Atom-namespaced link would get a prefix (ns1:link).
            href = enclosure.pop("url")
            etree.SubElement(entry, "link", {"rel": "enclosure", "href": href, **enclosure})
        return entry

    def extend_rss(self, item: Any) -> Any:
        enclosure = self._enclosure()
        if enclosure is not None:
            etree.SubElement(item, "enclosure", enclosure)
        if self.image is not None:
            etree.SubElement(item, f"{{{MEDIA_NS}}}thumbnail", {"url": self.image.url})
        return item


GENERATOR_NAME = "feedwright"
GENERATOR_URI = "https://pypi.org/project/feedwright/"


def _generator(doc: FeedDocument, fmt: str) -> FeedGenerator:
    fg = FeedGenerator()
    if fmt == "rss":
        fg.load_extension("dc", atom=False, rss=True)
    fg.register_extension(_EXT, _FeedExtension, _EntryExtension)
    getattr(fg, _EXT).doc = doc
    if fmt == "rss":
        podcast_channel(fg, doc)
    fg.id(doc.id)
    fg.title(doc.title)
    fg.subtitle(doc.subtitle or doc.title)
    fg.language(doc.language)
    fg.generator(GENERATOR_NAME, uri=GENERATOR_URI)
    if doc.author is not None:
        fg.author(_author(doc.author))
    # feedgen uses the href of the *last* link as the RSS <channel><link>: self first.
    mime = "application/atom+xml" if fmt == "atom" else "application/rss+xml"
    fg.link(href=doc.self_url, rel="self", type=mime)
    if fmt == "atom":
        for link in doc.links:
            fg.link(
                {"href": link.href, "rel": link.rel, **({"type": link.type} if link.type else {})}
            )
    fg.link(href=doc.site_url, rel="alternate", type="text/html")
    fg.updated(utc_for_mean_time(doc.updated))
    if doc.ttl and fmt == "rss":
        fg.ttl(doc.ttl)
    if doc.icon:
        fg.icon(doc.icon)
    if fmt == "atom":
        if doc.logo:
            fg.logo(doc.logo)
    else:
        picture = next((url for url in (doc.logo, doc.icon) if url and _is_rss_image(url)), None)
        if picture is not None:
            fg.image(url=picture, title=doc.title, link=doc.site_url)
    for item in doc.entries:
        fe = fg.add_entry(order="append")
        getattr(fe, _EXT).image = item.image
        getattr(fe, _EXT).media = item.media
        if doc.podcast is not None and fmt == "rss":
            podcast_item(fe, item)
        getattr(fe, _EXT).language = item.language
        getattr(fe, _EXT).related = item.external_url
        if fmt == "atom":
            fe.id(item.id)
            if item.authors:
                fe.author([_author(a) for a in item.authors])
        else:
            fe.guid(item.id, permalink=item.guid_is_permalink)
            if item.authors:
                fe.dc.dc_creator([a.name for a in item.authors])
            if item.language:
                fe.dc.dc_language(item.language)
        fe.title(item.title)
        fe.link(href=item.link)
        # RFC 3339 and RFC 822 offsets are whole minutes
        fe.published(utc_for_mean_time(item.published))
        fe.updated(utc_for_mean_time(item.updated))
        if item.categories:
            fe.category([{"term": c} for c in item.categories])
        summary, content = item.summary, item.content_html
        if fmt == "rss":
            # an RSS description is read as HTML, so plain text such as "<https://...>"
            # is escaped to stay text (Atom summaries are typed text)
            summary = None if summary is None else html.escape(summary, quote=False)
            if item.external_url:  # RSS has no related link: the text names it
                if content is not None:
                    content = link_paragraph(item.external_url) + content
                else:
                    summary = link_paragraph(item.external_url) + (summary or "")
        if summary:
            fe.summary(summary)
        if content:  # an empty post has no content element (it would be blank)
            fe.content(content, type="html")
    return fg


def link_paragraph(url: str) -> str:
    """What an RSS item of a link post starts with: the link, as a paragraph."""
    href = html.escape(url, quote=True)
    return f'<p>Link: <a href="{href}">{html.escape(url, quote=False)}</a></p>\n'


def _is_rss_image(url: str) -> bool:
    """RSS 2.0 channel images are GIF, JPEG or PNG: an SVG or unknown logo is left out."""
    kind, _ = mimetypes.guess_type(urlsplit(url).path)
    return kind in RSS_IMAGE_TYPES


def _author(author: Author) -> dict[str, str]:
    out = {"name": author.name}
    if author.email:
        out["email"] = author.email
    if author.uri:
        out["uri"] = author.uri
    return out


def to_atom(doc: FeedDocument) -> bytes:
    data: bytes = _generator(doc, "atom").atom_str(pretty=True)
    return data


def to_rss(doc: FeedDocument) -> bytes:
    data: bytes = _generator(doc, "rss").rss_str(pretty=True)
    return data


@dataclass(frozen=True, slots=True)
class FeedgenSerializer:
    """Atom or RSS through feedgen, for the format registry."""

    format: Literal["atom", "rss"]

    def serialize(self, doc: FeedDocument) -> bytes:
        return to_atom(doc) if self.format == "atom" else to_rss(doc)


ATOM = FeedgenSerializer("atom")
RSS = FeedgenSerializer("rss")
