"""One line of help for every key of ``config.yaml``, by dotted key, as ``feedwright init``
writes it above the key. A key the config model gains without a line here fails the tests."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_FAMILY = {
    "enabled": "write this family of feeds",
    "limit": "entries per feed of this family (null: the top-level limit)",
    "content": "full or summary for this family (null: the top-level content)",
}

_HELP: dict[str, str] = {
    "site": "the site's identity; other keys here become Liquid variables (site.<key>)",
    "site.title": "the site feed's title; tag and category feeds are titled after it",
    "site.url": "the site's public URL, such as https://example.org/",
    "site.baseurl": "Jekyll's baseurl, such as /blog: used in URLs and {{ site.baseurl }}",
    "site.description": "feed subtitle and RSS description (the title when empty)",
    "site.author": "feed author, and the author of posts that name none",
    "site.author_email": "the site author's e-mail address",
    "site.author_uri": "the site author's web page",
    "site.language": "language tag for xml:lang and RSS <language>, such as en or pt-BR",
    "site.timezone": "IANA time zone for dates without a time, such as UTC or Europe/Berlin",
    "site.icon": "a small square image for feed readers; relative URLs resolve against the site",
    "site.logo": "a larger image, about 2:1",
    "site.variables": "more Liquid variables (site.<key>); any unknown key under site: lands here",
    "site.data": "site.data for Liquid (a Jekyll site's _data folder)",
    "posts": "the posts folder (Jekyll's _posts), relative to this file",
    "output": "where the feeds are written; publish this folder",
    "state": "private state (cache, status, the list of written files); never inside output",
    "source": "the site's source folder, to resolve {% link %} targets",
    "feeds_url": "the output folder's public URL (null: from site_folder, else the site's URL)",
    "site_folder": "the folder the site's URL publishes, such as _site (null: none); an output "
    "inside it gets feeds_url from it",
    "permalink": "post URLs: a Jekyll pattern or a style (date, pretty, ordinal, weekdate, none)",
    "ids": "entry ids; never change them once readers subscribe (ids: tag is short for scheme)",
    "ids.scheme": "url (the post's URL), tag (RFC 4151, survives URL changes), jekyll-feed, "
    "or ledger (keep every id already published; ids.new for new posts)",
    "ids.new": "under ids.scheme ledger: the scheme of posts never published (url, tag, ...)",
    "ids.authority": "for tag ids: a domain you own, such as example.org",
    "ids.date": "for tag ids: a date on which you owned it, such as 2017-01-01",
    "publication_date": "date and order entries by pub (pub-date, pub-year) or site (site date)",
    "limit": "entries per feed",
    "content": "full (summary and full HTML) or summary",
    "formats": "formats to write: atom, rss, json (JSON Feed 1.1)",
    "feeds": "the families of feeds, their file names, and the feeds you compose",
    "feeds.site": "the site-wide feed",
    "feeds.tags": "one feed per tag",
    "feeds.categories": "one feed per category",
    "feeds.ttl": "minutes readers may wait between fetches (RSS ttl, sy:update*); 0: none; "
    "unset: from schedule",
    "feeds.authors": "one feed per author (a handle of authors:, or a name posts give)",
    "feeds.languages": "one feed per language (posts' lang:, else site.language)",
    "feeds.custom": "feeds you compose: name -> {any_tags, all_tags, categories, authors, "
    "languages, exclude_tags, exclude_categories, title, description, formats, limit, content, "
    "path}",
    "feeds.site.exclude_categories": "leave posts in these categories out of the site feed "
    "and its archives",
    "feeds.site.exclude_tags": "leave posts with these tags out of the site feed and its archives",
    "tags": "which tags get feeds and how they are named",
    "tags.aliases": "merge one tag into another, such as {k8s: kubernetes}",
    "tags.labels": "the label shown for a tag, such as {kubevirt: KubeVirt}",
    "tags.include": "only these tags get feeds (entries keep all their tags)",
    "tags.exclude": "these tags never get feeds",
    "tags.min_posts": "fewest posts for a tag to get its own feed",
    "authors": "author handles posts may name: handle -> {name, email, uri}",
    "embeds": "iframes, scripts and objects in posts: link (replaced by a link) or keep",
    "future": "publish future-dated posts right away (else at their time)",
    "drafts": "also publish the posts in _drafts folders (Jekyll's show_drafts)",
    "unpublished": "also publish posts whose front matter says published: false",
    "jekyll": "a Jekyll site folder whose _config.yml gives the defaults",
    "includes": "the folder {% include %} reads (a Jekyll site's _includes)",
    "markdown_ext": "file extensions read as Markdown posts",
    "kramdown": "kramdown options, as in Jekyll's _config.yml",
    "liquid": "how Liquid runs: custom tags and Jekyll's liquid: options",
    "liquid.tags": "custom tags: {% name args %} renders this template, such as {note: '<b>...'}",
    "liquid.error_mode": "warn, strict or lax: how Liquid syntax errors are reported",
    "liquid.strict_filters": "an unknown Liquid filter is an error",
    "liquid.strict_variables": "an undefined Liquid variable is an error",
    "schedule": "when feedwright run rebuilds: set exactly one of every or cron",
    "schedule.every": "a duration such as 30s, 15m or 1h30m",
    "schedule.cron": "a five-field cron expression such as '*/15 * * * *'",
    "repair": "repairs build applies, each with a warning",
    "repair.mojibake": "repair mojibake (Itâ€™s) with ftfy",
    "repair.encoding": "read files that are not UTF-8 as Windows-1252 (else they are errors)",
    "sanitize": "the HTML allowlist; scripts, event handlers and javascript: are never allowed",
    "sanitize.enabled": "clean post HTML with nh3",
    "sanitize.tags": "more HTML tags to allow",
    "sanitize.attributes": "more attributes to allow, per tag: {tag: [attribute]}",
    "sanitize.url_schemes": "more URL schemes to allow in links",
    "limits": "bounds for hostile input",
    "limits.post_size": "larger posts are skipped with a warning (such as 5MB)",
    "limits.tags_per_post": "a post keeps at most this many tags",
    "limits.feed_size": "the feed size budget that check reports (such as 512KB)",
    "limits.render_seconds": "a post that takes longer to render is left out with an error",
    "limits.render_memory": "a post whose rendering needs more memory is left out (such as 1GB)",
    "max_loss": "fail a build that loses more than this share of the last good build's posts",
    "archives": "RFC 5005 archived feeds: one Atom document per publication year",
    "archives.enabled": "write the yearly archives",
    "archives.path": "the archive path in the output folder; must contain {year}",
    "discovery": "pages and lists that help readers find the feeds",
    "discovery.index": "write index.html, listing every feed",
    "discovery.opml": "write feeds.opml",
    "discovery.autodiscovery": "write autodiscovery.html, <link> tags to paste into pages",
    "discovery.autodiscovery_families": "the feeds autodiscovery.html links: site, category, "
    "tag, author, language, custom, collection",
    "discovery.stylesheet": "write feed.xsl and reference it from every Atom and RSS feed",
    "websub": "WebSub hubs, advertised in every feed and pinged after each build",
    "websub.hubs": "hub URLs",
    "websub.timeout": "seconds per request to a hub",
    "websub.retries": "retries per hub, with backoff",
    "serve": "feedwright serve and run --serve",
    "serve.bind": "the address to listen on, HOST:PORT",
    "serve.cache_control": "the Cache-Control header sent with every file",
    "serve.status": "serve the full status at /status.json, to clients on this machine only",
    "serve.stats": "serve the polling statistics at /stats, to clients on this machine only",
    "serve.polite": "throttling of clients that re-fetch feeds without conditional headers",
    "serve.polite.min_interval": "answer 429 to an unconditional re-fetch sooner than this (5m)",
    "moved": "feeds that moved: old path -> new path (both in the output folder) or URL; "
    "answered with 301",
    "retired": "a tag or category feed that lost its last post: tombstone (a valid feed "
    "with one final entry) or remove",
    "redirects": "redirect rules for static hosts, written to the output folder",
    "redirects.netlify": "write _redirects (Netlify; Cloudflare Pages follows its 301 lines)",
    "redirects.nginx": "write feedwright-redirects.nginx.conf, a map to include (docs/serving.md)",
    "redirects.apache": "write .htaccess with RedirectMatch 301 and 410 rules",
    "podcast": "one feed's RSS file as a podcast: {feed: category:NAME, title, owner, artwork, "
    "categories, ...}; docs/podcasts.md has every key (null: none)",
    "collections": "folders of documents besides the posts, each with its own feed "
    "(collections/<name>.atom.xml): name -> {folder, permalink, title, description, site_feed, "
    "formats, limit, content, path}; in Jekyll mode a collection of _config.yml with output: true",
}

for _family in ("site", "tags", "categories", "authors", "languages"):
    _HELP.update({f"feeds.{_family}.{key}": text for key, text in _FAMILY.items()})
    _slug = "" if _family == "site" else ", with {slug}"
    for _format, _name in (("atom", "Atom"), ("rss", "RSS"), ("json", "JSON Feed")):
        _HELP[f"feeds.{_family}.{_format}"] = f"the {_name} file's path in the output folder{_slug}"

HELP: Mapping[str, str] = MappingProxyType(_HELP)
