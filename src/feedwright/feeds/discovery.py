"""The pages that help people find and subscribe to the feeds: ``index.html`` (every feed,
for people), ``feeds.opml`` (every feed, for feed readers), ``autodiscovery.html`` (the
``<link rel="alternate">`` tags for a blog's layout) and ``feed.xsl`` (a feed opened in a
browser shows as a page). All are made from the feed plans alone, so their bytes change
only when a feed's title, size or last update does."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterable
from html import escape
from urllib.parse import quote

from lxml import etree

from feedwright.config import Config, FeedFormat
from feedwright.feeds.document import STYLESHEET, feed_url
from feedwright.feeds.plan import FeedPlan

INDEX = "index.html"
OPML = "feeds.opml"
AUTODISCOVERY = "autodiscovery.html"

MIME = {
    FeedFormat.ATOM: "application/atom+xml",
    FeedFormat.RSS: "application/rss+xml",
    FeedFormat.JSON: "application/feed+json",
}
FORMAT_NAME = {FeedFormat.ATOM: "Atom", FeedFormat.RSS: "RSS", FeedFormat.JSON: "JSON Feed"}
_SECTIONS = (
    ("site", "The whole site", "Every new post."),
    ("tag", "By tag", "Only the posts with one tag."),
    ("category", "By category", "Only the posts in one category."),
    ("archive", "Archives by year", "Every post of one year, for feed readers that backfill."),
)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def pages(plans: list[FeedPlan], config: Config) -> dict[str, bytes | None]:
    """The discovery files that the config asks for, by output path."""
    d = config.discovery
    out: dict[str, bytes | None] = {}
    if d.index:
        out[INDEX] = index_html(plans, config)
    if d.opml:
        out[OPML] = opml(plans, config)
    if d.autodiscovery:
        out[AUTODISCOVERY] = autodiscovery(plans, config)
    if d.stylesheet:
        out[STYLESHEET] = stylesheet(config)
    return out


def _updated(plan: FeedPlan) -> dt.datetime:
    return max((p.updated for p in plan.posts), default=_EPOCH)


def _subscribable(plans: Iterable[FeedPlan]) -> list[FeedPlan]:
    return [p for p in plans if p.family != "archive"]


def _href(relpath: str) -> str:
    return escape(quote(relpath, safe="/-._~"), quote=True)


def _count(plan: FeedPlan) -> str:
    noun = "post" if plan.total == 1 else "posts"
    if len(plan.posts) < plan.total:
        return f"the latest {len(plan.posts)} of {plan.total} {noun}"
    return f"{plan.total} {noun}"


_CSS = """
:root{color-scheme:light dark;--fg:#1b1b1f;--bg:#fdfdfc;--muted:#55575d;--line:#d9dade;
--link:#0b57d0}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8ea;--bg:#16171a;--muted:#a9abb2;
--line:#34363c;--link:#8ab4f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:1rem/1.55 system-ui,-apple-system,
"Segoe UI",Roboto,sans-serif}
main{max-width:46rem;margin:0 auto;padding:1.25rem 1rem 3rem}
h1{font-size:1.7rem;line-height:1.2;margin:.5rem 0}
h2{font-size:1.25rem;margin:2rem 0 .25rem;padding-top:.5rem;border-top:1px solid var(--line)}
h3{font-size:1.05rem;margin:0}
a{color:var(--link)}
a:focus-visible{outline:3px solid var(--link);outline-offset:2px}
.lead,.section-note,.meta{color:var(--muted)}
.howto{border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem}
ul.feeds{list-style:none;margin:0;padding:0}
ul.feeds>li{padding:.75rem 0;border-bottom:1px solid var(--line)}
ul.feeds>li:last-child{border-bottom:0}
nav{margin:1rem 0}
nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}
.meta{margin:.1rem 0 .4rem;font-size:.9rem}
.formats{display:flex;flex-wrap:wrap;gap:.5rem;margin:0;padding:0;list-style:none}
.formats a{display:inline-block;min-width:2.75rem;padding:.35rem .7rem;border:1px solid
var(--line);border-radius:999px;text-align:center;text-decoration:none}
.formats a:hover{border-color:var(--link)}
"""


def index_html(plans: list[FeedPlan], config: Config) -> bytes:
    site = config.site
    title = f"{site.title}: feeds"
    head_links = [
        f'<link rel="alternate" type="{MIME[fmt]}" title="{escape(plan.title)} '
        f'({FORMAT_NAME[fmt]})" href="{_href(path)}">'
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
            when = (
                f' · last post updated <time datetime="{updated.isoformat()}">'
                f"{updated.strftime('%d %B %Y').lstrip('0')}</time>"
                if plan.posts
                else ""
            )
            body.append("<li>")
            body.append(f"<h3>{escape(name)}</h3>")
            body.append(f'<p class="meta">{escape(_count(plan))}{when}</p>')
            body.append(f'<ul class="formats" aria-label="{escape(name, quote=True)} feeds">')
            for fmt, path in plan.paths.items():
                body.append(
                    f'<li><a href="{_href(path)}" type="{MIME[fmt]}">{FORMAT_NAME[fmt]}</a></li>'
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
<style>{_CSS}</style>
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
    """``<link rel="alternate">`` for every feed (the site's first: readers take the first
    as the default), with absolute URLs and distinct titles, for a layout's ``<head>``."""
    lines = ["<!-- feedwright: feed autodiscovery links; include this in your layout's <head> -->"]
    for plan in _subscribable(plans):
        for fmt, path in plan.paths.items():
            lines.append(
                f'<link rel="alternate" type="{MIME[fmt]}" '
                f'title="{escape(plan.title, quote=True)} ({FORMAT_NAME[fmt]})" '
                f'href="{escape(feed_url(config, path), quote=True)}">'
            )
    return ("\n".join(lines) + "\n").encode("utf-8")


_XSL = """<?xml version="1.0" encoding="UTF-8"?>
<!-- feedwright: shows an Atom or RSS feed as a page in browsers that run XSLT -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom" exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>
  <xsl:variable name="title" select="/atom:feed/atom:title | /rss/channel/title"/>
  <xsl:template match="/">
    <html lang="{{(/atom:feed/@xml:lang | /rss/channel/language)[1]}}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (web feed)</title>
        <style>{css}</style>
      </head>
      <body>
        <main>
          <div class="howto">
            <p><strong>This is a web feed</strong>, the kind of page that feed readers (such as
            NetNewsWire, Feedly, Thunderbird or newsboat) follow so that you get new posts as
            they are published. To subscribe, copy the address of this page from the address
            bar into your feed reader.</p>
            <p><a href="{index}">Every feed of {site}, and how to subscribe</a></p>
          </div>
          <h1><xsl:value-of select="$title"/></h1>
          <p class="lead"><xsl:value-of
            select="/atom:feed/atom:subtitle | /rss/channel/description"/></p>
          <p><a href="{{(/atom:feed/atom:link[@rel='alternate']/@href
            | /rss/channel/link)[1]}}">Visit the site</a></p>
          <h2>Posts in this feed</h2>
          <ul class="feeds">
            <xsl:for-each select="/atom:feed/atom:entry">
              <li>
                <h3><a href="{{atom:link[not(@rel) or @rel='alternate'][1]/@href}}"><xsl:value-of
                  select="atom:title"/></a></h3>
                <p class="meta"><time datetime="{{atom:published}}"><xsl:value-of
                  select="substring(atom:published, 1, 10)"/></time></p>
                <xsl:if test="atom:summary"><p><xsl:value-of select="atom:summary"/></p></xsl:if>
              </li>
            </xsl:for-each>
            <xsl:for-each select="/rss/channel/item">
              <li>
                <h3><a href="{{link}}"><xsl:value-of select="title"/></a></h3>
                <p class="meta"><xsl:value-of select="pubDate"/></p>
              </li>
            </xsl:for-each>
          </ul>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
"""


def stylesheet(config: Config) -> bytes:
    """The XSL every Atom and RSS feed points to. Its link to ``index.html`` is absolute:
    the page it makes is shown at the feed's own address, in whichever folder that is."""
    index = feed_url(config, INDEX) if config.discovery.index else config.site.root
    text = _XSL.format(
        css=escape(_CSS, quote=False),
        index=escape(index, quote=True),
        site=escape(config.site.title, quote=False),
    )
    return text.encode("utf-8")
