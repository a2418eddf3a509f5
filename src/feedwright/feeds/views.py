"""Feeds as people see them in a browser, without XSLT: a pre-rendered HTML page per feed
(its *view*: the feed's posts with their dates and summaries, and how to subscribe), and
``feed.css``, the CSS stylesheet every Atom and RSS feed names so that a browser opening
the feed itself shows a readable list rather than markup.

A view is made from the feed plan alone (titles, dates, descriptions and links of the
posts, never their bodies), so it changes only when a post's metadata does: the quick
path, which rebuilds feeds whose post bodies changed, never has to touch it."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from feedwright.config import Config
from feedwright.feeds.document import entry_link, feed_url
from feedwright.feeds.plan import FeedPlan
from feedwright.feeds.webpage import (
    FORMAT_NAME,
    MIME,
    PAGE_CSS,
    href,
    relative,
    time_element,
)

# the suffixes a feed path may end in, longest first; a view replaces one by ".html"
_FEED_SUFFIXES = (".atom.xml", ".rss.xml", ".xml", ".atom", ".rss", ".json")


def _stem(path: str) -> str:
    for suffix in _FEED_SUFFIXES:
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)]
    return path


def view_paths(plans: Iterable[FeedPlan], reserved: Iterable[str]) -> dict[tuple[str, str], str]:
    """The output path of each feed's view, by (family, key): its first path with the
    feed suffix replaced by ``.html`` (``atom.xml`` -> ``atom.html``,
    ``tags/go.atom.xml`` -> ``tags/go.html``). A name already taken (by ``reserved``, a
    feed or an earlier view) gets ``-feed`` added, then a number."""
    plans = list(plans)
    taken = set(reserved) | {path for plan in plans for path in plan.paths.values()}
    out: dict[tuple[str, str], str] = {}
    for plan in plans:
        stem = _stem(next(iter(plan.paths.values())))
        candidates = [f"{stem}.html", f"{stem}-feed.html"]
        candidates += (f"{stem}-feed-{n}.html" for n in range(2, len(taken) + 3))
        path = next(c for c in candidates if c not in taken)
        taken.add(path)
        out[(plan.family, plan.key)] = path
    return out


def _howto(plan: FeedPlan, config: Config, page: str, index: str | None) -> list[str]:
    site = config.site
    lines = ['<div class="howto">']
    if plan.archive:
        lines.append(
            f"<p><strong>This is an archive of a web feed</strong>: every post of {plan.label}, "
            "for feed readers that fetch a feed's older posts. To get new posts, subscribe "
            "to the feed of the whole site instead.</p>"
        )
    else:
        lines.append(
            "<p><strong>This is a web feed.</strong> A feed reader (such as NetNewsWire, "
            "Feedly, Thunderbird or newsboat) follows a feed's address and brings you its "
            "new posts as they are published. To subscribe, copy one of these addresses into "
            "your reader (Atom and RSS work everywhere):</p>"
        )
    lines.append('<ul class="subscribe">')
    for fmt, path in plan.paths.items():
        url = escape(feed_url(config, path), quote=False)
        lines.append(
            f'<li><a href="{href(relative(path, page))}" type="{MIME[fmt]}">'
            f"{FORMAT_NAME[fmt]}</a>: <code>{url}</code></li>"
        )
    lines.append("</ul>")
    if index is not None:
        lines.append(
            f'<p><a href="{href(relative(index, page))}">Every feed of '
            f"{escape(site.title, quote=False)}</a></p>"
        )
    lines.append("</div>")
    return lines


def _entries(plan: FeedPlan) -> list[str]:
    lines = ['<ul class="feeds">']
    for post in plan.posts:
        meta = time_element(post.published)
        if post.updated.date() != post.published.date():
            meta += f" · updated {time_element(post.updated)}"
        if post.authors:
            names = ", ".join(escape(a.name, quote=False) for a in post.authors)
            meta += f" · {names}"
        lines.append("<li>")
        target = escape(entry_link(post), quote=True)
        lines.append(f'<h3><a href="{target}">{escape(post.title, quote=False)}</a></h3>')
        lines.append(f'<p class="meta">{meta}</p>')
        if post.description:
            lines.append(f"<p>{escape(post.description, quote=False)}</p>")
        lines.append("</li>")
    lines.append("</ul>")
    return lines


def view_html(plan: FeedPlan, config: Config, page: str, index: str | None) -> bytes:
    """The view of one feed, written at output path ``page``; ``index`` is the output path
    of the page listing every feed, if there is one."""
    site = config.site
    title = escape(plan.title, quote=False)
    alternates = [
        f'<link rel="alternate" type="{MIME[fmt]}" '
        f'title="{escape(plan.title, quote=True)} ({FORMAT_NAME[fmt]})" '
        f'href="{href(relative(path, page))}">'
        for fmt, path in plan.paths.items()
    ]
    lead = (
        f'<p class="lead">{escape(plan.subtitle, quote=False)}</p>'
        if plan.subtitle and plan.subtitle.strip() != plan.title.strip()
        else ""
    )
    shown = len(plan.posts)
    noun = "post" if plan.total == 1 else "posts"
    count = (
        f"The latest {shown} of {plan.total} {noun}."
        if shown < plan.total
        else f"{plan.total} {noun}."
    )
    html = f"""<!DOCTYPE html>
<html lang="{escape(site.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} (web feed)</title>
<meta name="generator" content="feedwright">
{chr(10).join(alternates)}
<style>{PAGE_CSS}</style>
</head>
<body>
<main>
{chr(10).join(_howto(plan, config, page, index))}
<h1>{title}</h1>
{lead}
<p><a href="{escape(site.root, quote=True)}">Visit {escape(site.title, quote=False)}</a></p>
<h2>Posts in this feed</h2>
<p class="section-note">{count}</p>
{chr(10).join(_entries(plan))}
</main>
</body>
</html>
"""
    return html.encode("utf-8")


def views(
    plans: list[FeedPlan], config: Config, paths: dict[tuple[str, str], str], index: str | None
) -> dict[str, bytes | None]:
    """Every feed's view, by output path (``paths`` from :func:`view_paths`)."""
    return {
        paths[(plan.family, plan.key)]: view_html(
            plan, config, paths[(plan.family, plan.key)], index
        )
        for plan in plans
    }


# For the feed itself: CSS applies to any XML document, in every browser, with no
# transformation. It cannot rewrite dates or make links, so it shows what reads the same
# in Atom and RSS (a note, the feed's title, each post's title and summary) and hides the
# rest. Element names match in any namespace (no @namespace rule).
FEED_CSS = """/* feedwright: a web feed opened in a browser */
:root{color-scheme:light dark}
feed,rss{display:block;max-width:46rem;margin:0 auto;padding:1.25rem 1rem 3rem;
font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1f;
background:#fdfdfc}
@media (prefers-color-scheme:dark){feed,rss{color:#e8e8ea;background:#16171a}}
feed::before,rss::before{display:block;margin:0 0 1rem;padding:.75rem 1rem;
border:1px solid #d9dade;border-radius:.5rem;white-space:pre-line;
content:"This is a web feed. A feed reader (such as NetNewsWire, Feedly, Thunderbird or \
newsboat) follows its address and brings you new posts as they are published.\\A To \
subscribe, copy the address of this page from the address bar into your feed reader."}
feed *,channel *{display:none}
rss>channel{display:block}
feed>title,channel>title{display:block;font-size:1.7rem;font-weight:bold;line-height:1.2;
margin:.5rem 0 1rem}
feed>entry,channel>item{display:block;padding:.75rem 0;border-top:1px solid #d9dade}
entry>title,item>title{display:block;font-weight:bold}
entry>summary,item>description{display:block;opacity:.8}
"""


def feed_css() -> bytes:
    return FEED_CSS.encode("utf-8")
