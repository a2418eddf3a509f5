"""A Jekyll site's ``_config.yml`` as a layer of feedwright settings (Jekyll mode).

With ``jekyll: path/to/site`` in ``config.yaml``, the site's own settings become the
defaults that ``config.yaml`` overrides:

==========================  ==============================================================
``_config.yml``             feedwright
==========================  ==============================================================
url, baseurl, title,        ``site.*`` (``lang`` is ``site.language``; an ``author``
description, author,        mapping gives name, email and uri, its other keys are
timezone, lang, name        dropped; the title is ``title``, else ``name`` as in
                            jekyll-feed, else the host of ``url``)
permalink                   ``permalink`` (a style name as its pattern)
future, unpublished         ``future``, ``unpublished``
show_drafts                 ``drafts``
markdown_ext, kramdown      ``markdown_ext``, ``kramdown`` (only the options written)
liquid                      ``liquid`` (error_mode, strict_filters, strict_variables)
feed (jekyll-feed)          ``feeds.site.atom`` (path), ``limit`` (posts_limit, 10 by
                            default), ``content: summary`` (excerpt_only); see below
source                      ``posts`` and ``source`` (Jekyll finds ``_posts`` anywhere)
(any site)                  ``ids: jekyll-feed``: entry ids as jekyll-feed makes them
destination                 ``output``: its ``feeds`` folder (``_site/feeds``)
``_data``, ``_includes``    ``site.data``, ``includes``; ``_data/authors.yml`` is
                            ``authors:`` (name, email, uri), as jekyll-feed reads it
every other key             ``site.variables`` (Liquid's ``site.<key>``)
==========================  ==============================================================

jekyll-feed's settings apply when the site uses it (``jekyll-feed`` among ``plugins``
or ``gems``, or a ``feed:`` block). Its tag and category feeds then map to feedwright's
families as far as they can: ``feed.tags`` turns the tag family on (``path`` +
``{slug}.xml``, ``only`` and ``except`` as ``tags.include``/``tags.exclude``), and
without it the family is off, as jekyll-feed makes no tag feeds; ``feed.categories``
turns the category family on at ``feed/{slug}.xml``, and without it that family is
off. What does not map: the category feeds are made for every category, not only the
listed ones; feed files are named by the term's slug, where jekyll-feed uses the raw
name (and skips names with characters other than letters, digits and ``_``);
``feed.collections`` (feeds of other collections) is not supported; and only the Atom
path is taken from jekyll-feed, the RSS and JSON Feed paths stay feedwright's.

Jekyll's ``timezone`` unset means the machine's local zone; feedwright keeps UTC then,
so that builds do not depend on the machine.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError

from feedwright.config.jekyll_data import JekyllSiteError, load_yaml
from feedwright.config.jekyll_site import JekyllSite, read_site
from feedwright.config.model import Config
from feedwright.config.site import AuthorConfig
from feedwright.errors import ConfigError
from feedwright.text import strip_xml_illegal

# The keys of _config.yml that become settings (the others are Liquid variables).
MAPPED = frozenset(
    "url baseurl title description author timezone lang permalink future show_drafts "
    "unpublished markdown_ext kramdown liquid feed source destination".split()
)
_LIQUID_OPTIONS = ("error_mode", "strict_filters", "strict_variables")


# Settings the layer gives whatever the site's config file says, and settings taken from
# a _config.yml key that Jekyll fills with its default when the file does not set it.
_ALWAYS = {"ids.scheme": "Jekyll mode: jekyll-feed's ids"}
_FROM_KEY = {
    "posts": "source",
    "source": "source",
    "output": "destination",
    "site_folder": "destination",
    "includes": "includes_dir",
    "site.data": "data_dir",
}


def origin_note(dotted: str, written: Mapping[str, object]) -> str:
    """Where the Jekyll layer's setting ``dotted`` comes from, for a reader of the config:
    "from _config.yml" when the site's config file (``written``) sets what it is taken
    from, else what Jekyll mode or Jekyll's default gives it."""
    if dotted in _ALWAYS:
        return _ALWAYS[dotted]
    key = _FROM_KEY.get(dotted)
    if key is not None and key not in written:
        return f"Jekyll's default {key}"
    return "from _config.yml"


def open_site(folder: Path) -> JekyllSite:
    """Read a Jekyll site; a file it cannot read is a config error naming it (and the line)."""
    try:
        return read_site(folder)
    except JekyllSiteError as exc:
        where = f"line {exc.line}: " if exc.line is not None else ""
        raise ConfigError(exc.path, [f"{where}{exc.message}"]) from None


def written_settings(site: JekyllSite) -> dict[str, object]:
    """The keys the site's config file itself sets (without Jekyll's defaults)."""
    path = site.config_file
    if path is None:
        return {}
    if path.suffix == ".toml":
        loaded: object = tomllib.loads(path.read_text(encoding="utf-8"))
    else:
        loaded = load_yaml(path)
    return {str(k): v for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def uses_jekyll_feed(written: Mapping[str, object]) -> bool:
    plugins = [*_as_list(written.get("plugins")), *_as_list(written.get("gems"))]
    return "jekyll-feed" in plugins or isinstance(written.get("feed"), Mapping)


def _as_list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _site_block(site: JekyllSite, written: Mapping[str, object]) -> dict[str, object]:
    block: dict[str, object] = {}
    for key in ("url", "title", "description", "timezone"):
        if written.get(key) not in (None, ""):
            block[key] = str(written[key])
    if "title" not in block:
        # jekyll-feed: site.title | default: site.name; with neither, it writes no title,
        # which Atom requires: the host of the site's URL stands in
        name = written.get("name")
        try:
            host = urlsplit(str(block.get("url", ""))).hostname
        except ValueError:  # "http://[x": validating site.url reports it
            host = None
        if name not in (None, ""):
            block["title"] = str(name)
        elif host:
            block["title"] = host
    if written.get("baseurl") is not None:
        baseurl = str(written["baseurl"])
        block["baseurl"] = baseurl if not baseurl or baseurl.startswith("/") else "/" + baseurl
    if written.get("lang"):
        block["language"] = str(written["lang"])
    author = written.get("author")
    if isinstance(author, Mapping):
        block["author"] = {k: str(author[k]) for k in ("name", "email", "uri") if author.get(k)}
    elif author is not None:
        block["author"] = str(author)
    block["variables"] = {k: v for k, v in written.items() if k not in MAPPED}
    if site.data:
        block["data"] = dict(site.data)
    return block


def _feed_settings(site: JekyllSite, written: Mapping[str, object]) -> dict[str, object]:
    feed = site.feed
    out: dict[str, object] = {"limit": feed.posts_limit}
    if feed.excerpt_only:
        out["content"] = "summary"
    families: dict[str, object] = {"site": {"atom": feed.path.lstrip("/")}}
    raw = written.get("feed")
    tags = raw.get("tags") if isinstance(raw, Mapping) else None
    if tags:
        options = tags if isinstance(tags, Mapping) else {}
        path = str(options.get("path") or "/feed/by_tag/").lstrip("/")
        families["tags"] = {"enabled": True, "atom": path + "{slug}.xml"}
        only, never = _as_list(options.get("only")), _as_list(options.get("except"))
        if only or never:
            out["tags"] = {"include": only, "exclude": never}
    else:
        families["tags"] = {"enabled": False}
    if feed.categories:
        families["categories"] = {"enabled": True, "atom": "feed/{slug}.xml"}
    else:
        families["categories"] = {"enabled": False}
    out["feeds"] = families
    return out


def jekyll_layer(site: JekyllSite) -> dict[str, object]:
    """The settings a Jekyll site gives, shaped like ``config.yaml``."""
    written = written_settings(site)
    layer: dict[str, object] = {
        "site": _site_block(site, written),
        "posts": site.source,
        "source": site.source,
        # the built site is what the site's URL publishes; the output is a folder of its
        # own in it (the site's index.html and pages stay Jekyll's), and feeds_url follows
        # from the two (see published.derived_feeds_url)
        "site_folder": site.destination,
        "output": site.destination / "feeds",
        # the ids a Jekyll site's feed has (jekyll-feed's {{ post.id | absolute_url }}):
        # taking the feed over must not show any post to its subscribers again
        "ids": {"scheme": "jekyll-feed"},
    }
    if site.includes_dir is not None:
        layer["includes"] = site.includes_dir
    posts_meta = site.collections.get("posts", {})
    if "permalink" in written or posts_meta.get("permalink"):
        layer["permalink"] = site.permalink
    for key in ("future", "unpublished"):
        if key in written:
            layer[key] = bool(written[key])
    if written.get("show_drafts") is not None:
        layer["drafts"] = bool(written["show_drafts"])
    if "markdown_ext" in written:
        layer["markdown_ext"] = [ext.lstrip(".") for ext in site.markdown_ext]
    kramdown = written.get("kramdown")
    if isinstance(kramdown, Mapping):
        layer["kramdown"] = dict(kramdown)
    liquid = written.get("liquid")
    if isinstance(liquid, Mapping):
        layer["liquid"] = {k: liquid[k] for k in _LIQUID_OPTIONS if k in liquid}
    authors = _data_authors(site.data.get("authors"))
    if authors:
        layer["authors"] = authors
    if uses_jekyll_feed(written):
        layer.update(_feed_settings(site, written))
    return layer


def _data_authors(table: object) -> dict[str, object]:
    """``_data/authors.yml`` as ``authors:``: jekyll-feed writes a post whose author is a
    handle there with that entry's name, email and uri. A value a feed cannot carry (an
    email or uri that is not one) is left out, as the entry's other keys are."""
    if not isinstance(table, Mapping):
        return {}
    out: dict[str, object] = {}
    for handle, entry in table.items():
        if not isinstance(entry, Mapping):
            continue
        # a name a feed cannot carry (blank, or only characters XML forbids) is the handle's
        name = next((n for n in (_feed_text(entry.get("name")), _feed_text(handle)) if n), "")
        if not name:
            continue
        author: dict[str, str] = {"name": name}
        for key in ("email", "uri"):
            value = entry.get(key)
            try:
                AuthorConfig.model_validate({**author, key: value})
            except ValidationError:
                continue
            if isinstance(value, str):
                author[key] = value
        out[str(handle)] = author
    return out


def _feed_text(value: object) -> str:
    return "" if value is None else strip_xml_illegal(str(value))[0].strip()


def effective_site(config: Config) -> JekyllSite | None:
    """The Jekyll site of a config in Jekyll mode, with the config's effective settings
    (which ``config.yaml`` and overrides may have changed) in place of its own; None
    outside Jekyll mode."""
    if config.jekyll is None:
        return None
    site = open_site(config.jekyll)
    return dataclasses.replace(
        site,
        source=config.posts,
        url=config.site.url,
        baseurl=config.site.baseurl,
        title=config.site.title,
        description=config.site.description,
        timezone=config.site.timezone,
        permalink=config.permalink,
        future=config.future,
        unpublished=config.unpublished,
        show_drafts=config.drafts,
        markdown_ext=tuple("." + ext for ext in config.markdown_ext),
        kramdown={**site.kramdown, **config.kramdown},
        includes_dir=config.includes,
        data=config.site.data,
    )
