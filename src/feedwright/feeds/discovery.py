"""The pages that help people find and subscribe to the feeds: ``index.html`` (every feed,
for people), ``feeds.opml`` (every feed, for feed readers), ``autodiscovery.html`` (the
``<link rel="alternate">`` tags for a blog's layout), a page per feed and ``feed.css``
for browsers (see :mod:`.views`). All are made from the feed plans alone, so their bytes
change only when a feed's title, size, posts' metadata or last update does."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterable
from html import escape

from lxml import etree

from feedwright.config import Config
from feedwright.feeds.document import STYLESHEET, feed_url
from feedwright.feeds.plan import FeedPlan
from feedwright.feeds.views import feed_css, view_paths, views
from feedwright.feeds.webpage import FORMAT_NAME, MIME, PAGE_CSS, href, time_element

INDEX = "index.html"
OPML = "feeds.opml"
AUTODISCOVERY = "autodiscovery.html"

_SECTIONS = (
    ("site", "The whole site", "Every new post."),
    ("custom", "Selected feeds", "Posts chosen for one subject."),
    ("collection", "Collections", "The documents of one collection, such as release notes."),
    ("tag", "By tag", "Only the posts with one tag."),
    ("category", "By category", "Only the posts in one category."),
    ("author", "By author", "Only the posts of one author."),
    ("language", "By language", "Only the posts in one language."),
    ("archive", "Archives by year", "Every post of one year, for feed readers that backfill."),
)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def pages(plans: list[FeedPlan], config: Config) -> dict[str, bytes | None]:
    """The discovery files that the config asks for, by output path."""
    d = config.discovery
    out: dict[str, bytes | None] = {}
    pages_for_people: dict[tuple[str, str], str] = {}
    if d.stylesheet:
        reserved = (INDEX, OPML, AUTODISCOVERY, STYLESHEET)
        pages_for_people = view_paths(plans, reserved)
        out.update(views(plans, config, pages_for_people, INDEX if d.index else None))
    if d.index:
        out[INDEX] = index_html(plans, config, pages_for_people)
    if d.opml:
        out[OPML] = opml(plans, config)
    if d.autodiscovery:
        out[AUTODISCOVERY] = autodiscovery(plans, config)
    if d.stylesheet:
        out[STYLESHEET] = feed_css()
    return out


def _updated(plan: FeedPlan) -> dt.datetime:
    return max((p.updated for p in plan.posts), default=_EPOCH)


def _subscribable(plans: Iterable[FeedPlan]) -> list[FeedPlan]:
    return [p for p in plans if p.family != "archive"]


def _count(plan: FeedPlan) -> str:
    noun = "post" if plan.total == 1 else "posts"
    if len(plan.posts) < plan.total:
        return f"the latest {len(plan.posts)} of {plan.total} {noun}"
    return f"{plan.total} {noun}"


def index_html(
    plans: list[FeedPlan], config: Config, pages_for_people: dict[tuple[str, str], str]
) -> bytes:
    """Every feed, by section; each name links to the feed's view, when views are made."""
    site = config.site
    title = f"{site.title}: feeds"
    head_links = [
        f'<link rel="alternate" type="{MIME[fmt]}" title="{escape(plan.title)} '
        f'({FORMAT_NAME[fmt]})" href="{href(path)}">'
        for plan in plans[:1]
        if plan.family == "site"
        for fmt, path in plan.paths.items()
    ]
    body: list[str] = []
    present = [sec for sec in _SECTIONS if any(p.family == sec[0] for p in plans)]
    if len(present) > 1:
        body.append('<nav aria-label="Sections"><ul>')
        body.extend(
            f'<li><a href="#{family}">{escape(heading)}</a></li>' for family, heading, _ in present
        )
        body.append("</ul></nav>")
    for family, heading, note in present:
        members = [p for p in plans if p.family == family]
        body.append(f'<section aria-labelledby="{family}">')
        body.append(f'<h2 id="{family}">{escape(heading)}</h2>')
        body.append(f'<p class="section-note">{escape(note)}</p>')
        body.append('<ul class="feeds">')
        for plan in members:
            name = plan.label if family != "site" else plan.title
            updated = _updated(plan)
            when = f" · last post updated {time_element(updated)}" if plan.posts else ""
            view = pages_for_people.get((plan.family, plan.key))
            heading_html = (
                escape(name) if view is None else f'<a href="{href(view)}">{escape(name)}</a>'
            )
            body.append("<li>")
            body.append(f"<h3>{heading_html}</h3>")
            body.append(f'<p class="meta">{escape(_count(plan))}{when}</p>')
            body.append(f'<ul class="formats" aria-label="{escape(name, quote=True)} feeds">')
            for fmt, path in plan.paths.items():
                body.append(
                    f'<li><a href="{href(path)}" type="{MIME[fmt]}">{FORMAT_NAME[fmt]}</a></li>'
                )
            body.append("</ul>")
            body.append("</li>")
        body.append("</ul>")
        body.append("</section>")
    opml_note = (
        f' Or import <a href="{OPML}" type="text/x-opml">the list of all feeds (OPML)</a> '
        "into your reader."
        if config.discovery.opml
        else ""
    )
    html = f"""<!DOCTYPE html>
<html lang="{escape(site.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<meta name="generator" content="feedwright">
{chr(10).join(head_links)}
<style>{PAGE_CSS}</style>
</head>
<body>
<main>
<h1>{escape(title)}</h1>
<p class="lead">{escape(site.description)}</p>
<p><a href="{escape(site.root, quote=True)}">Back to {escape(site.title)}</a></p>
<div class="howto">
<p><strong>How to subscribe:</strong> a feed brings new posts to your feed reader (such as
NetNewsWire, Feedly, Thunderbird or newsboat) as they are published. Copy the address of a
feed below (Atom and RSS work everywhere) and add it in your reader.{opml_note}</p>
</div>
{chr(10).join(body)}
</main>
</body>
</html>
"""
    return html.encode("utf-8")


def opml(plans: list[FeedPlan], config: Config) -> bytes:
    """An OPML 2.0 subscription list: one outline per feed, in its first format."""
    site = config.site
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = f"{site.title}: feeds"
    newest = max((_updated(p) for p in plans), default=_EPOCH)
    etree.SubElement(head, "dateModified").text = email.utils.format_datetime(
        newest.astimezone(dt.UTC)
    )
    if site.author:
        etree.SubElement(head, "ownerName").text = site.author
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(root, "body")
    for family, heading, _ in _SECTIONS:
        if family == "archive":
            continue
        members = [p for p in plans if p.family == family]
        if not members:
            continue
        parent = body if family == "site" else etree.SubElement(body, "outline", text=heading)
        for plan in members:
            path = next(iter(plan.paths.values()))
            etree.SubElement(
                parent,
                "outline",
                type="rss",
                text=plan.title,
                title=plan.title,
                xmlUrl=feed_url(config, path),
                htmlUrl=site.root,
                description=site.description or plan.title,
            )
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


def autodiscovery(plans: list[FeedPlan], config: Config) -> bytes:
    """``<link rel="alternate">`` for the feeds of ``discovery.autodiscovery_families``
    (the site's first: readers take the first as the default), with absolute URLs and
    distinct titles, for a layout's ``<head>``."""
    lines = ["<!-- feedwright: feed autodiscovery links; include this in your layout's <head> -->"]
    families = set(config.discovery.autodiscovery_families)
    for plan in _subscribable(plans):
        if plan.family not in families:
            continue
        for fmt, path in plan.paths.items():
            lines.append(
                f'<link rel="alternate" type="{MIME[fmt]}" '
                f'title="{escape(plan.title, quote=True)} ({FORMAT_NAME[fmt]})" '
                f'href="{escape(feed_url(config, path), quote=True)}">'
            )
    return ("\n".join(lines) + "\n").encode("utf-8")
