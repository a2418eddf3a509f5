"""The one place that talks to feedgen. It turns a :class:`FeedDocument` into Atom or RSS
bytes and works around feedgen's quirks: entries are appended in our order, every date is
set explicitly (never "now"), the RSS channel link is the site (alternate added last),
RSS authors are ``dc:creator`` only, and the generator carries no library version."""

from __future__ import annotations

import html

from feedgen.feed import FeedGenerator

from feedwright.model import Author, FeedDocument

GENERATOR_NAME = "feedwright"
GENERATOR_URI = "https://pypi.org/project/feedwright/"


def _generator(doc: FeedDocument, fmt: str) -> FeedGenerator:
    fg = FeedGenerator()
    if fmt == "rss":
        fg.load_extension("dc", atom=False, rss=True)
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
    fg.link(href=doc.site_url, rel="alternate", type="text/html")
    fg.updated(doc.updated)
    for item in doc.entries:
        fe = fg.add_entry(order="append")
        if fmt == "atom":
            fe.id(item.id)
            if item.authors:
                fe.author([_author(a) for a in item.authors])
        else:
            fe.guid(item.id, permalink=item.guid_is_permalink)
            if item.authors:
                fe.dc.dc_creator([a.name for a in item.authors])
        fe.title(item.title)
        fe.link(href=item.link)
        fe.published(item.published)
        fe.updated(item.updated)
        if item.categories:
            fe.category([{"term": c} for c in item.categories])
        if item.summary:
            # Atom summaries are typed text; an RSS description is read as HTML, so plain
            # text such as "<https://...>" is escaped to stay text.
            fe.summary(item.summary if fmt == "atom" else html.escape(item.summary, quote=False))
        if item.content_html is not None:
            fe.content(item.content_html, type="html")
    return fg


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
