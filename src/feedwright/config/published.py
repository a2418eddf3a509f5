"""Where the output folder is published, and what ``feedwright check`` and ``build`` say
when the feeds' own URLs (self links, ids, OPML and autodiscovery links, all under
``feeds_url``) are probably not where the files end up.

An output inside ``site_folder`` (in Jekyll mode, Jekyll's ``destination``) is published
at the same path under the site's URL, so ``feeds_url`` defaults to that. Without a site
folder, ``feeds_url`` defaults to the site's URL itself: right when the output folder is
what the site's URL serves, wrong when the output lies inside a folder that a web server
or static host publishes whole (``_site/feeds``, ``public/feeds``)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote, urlsplit

from feedwright.config.jekyll_site import unkept_output
from feedwright.config.model import Config
from feedwright.config.sources import Source, origin_of
from feedwright.types import Diagnostic, Severity

CODE = "feeds-url"
CLEARED = "jekyll-clears-feeds"  # jekyll build deletes the output folder
# Folders that static site generators build into and web servers publish whole: an
# output below one of them is served below the site's root, not at it.
WEB_ROOTS = frozenset(
    {"_site", "public", "public_html", "htdocs", "www", "html", "docs", "site", "dist", "build"}
)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def url_under(config: Config, folder: Path) -> str:
    """The URL of the output folder when ``folder`` (which holds it) is published at the
    site's URL: ``_site`` and ``_site/feeds`` give ``https://example.org/blog/feeds/``."""
    rel = config.output.resolve().relative_to(folder.resolve()).as_posix()
    return config.site.root + ("" if rel == "." else quote(rel) + "/")


def derived_feeds_url(config: Config) -> str | None:
    """``feeds_url`` when the config does not set it and the output lies inside the site
    folder; None otherwise."""
    folder = config.site_folder
    if config.feeds_url is not None or folder is None:
        return None
    if not _inside(config.output.resolve(), folder.resolve()):
        return None
    return url_under(config, folder)


def _shown(path: Path, base: Path | None) -> str:
    """A path as the user would write it in the config: relative to its folder if inside."""
    if base is not None and _inside(path, base.resolve()):
        return path.relative_to(base.resolve()).as_posix()
    return str(path)


def _example(config: Config, url: str) -> str:
    """A feed's URL under ``url``: the site's first feed file, else the folder itself."""
    for key, template in config.output_templates().items():
        if key.startswith("feeds.site."):
            return url + quote(template)
    return url


def _same_url(first: str, second: str) -> bool:
    a, b = urlsplit(first), urlsplit(second)
    return (a.scheme, a.netloc.lower(), a.path) == (b.scheme, b.netloc.lower(), b.path)


def _web_root(output: Path, base: Path | None) -> Path | None:
    """The innermost folder above ``output`` whose name says it is published whole, looking
    only at the part of the path the config names (below the folder the config file and the
    output share), so that where the config itself lives does not count."""
    if base is None:
        return None
    common = Path(os.path.commonpath([output, base.resolve()]))
    parts = output.relative_to(common).parts[:-1]
    for i in range(len(parts), 0, -1):
        if parts[i - 1].lower() in WEB_ROOTS:
            return common.joinpath(*parts[:i])
    return None


def feeds_url_finding(config: Config) -> Diagnostic | None:
    """A note when the feeds' URLs probably disagree with where the output is published:

    - ``feeds_url`` is set, but the output lies inside the site folder at a path that
      gives another URL;
    - ``feeds_url`` is not set (so it is the site's URL), and the output lies outside the
      site folder, or, with no site folder set, below a folder named like a published web
      root (``_site``, ``public``, ``docs``, ...).

    An output that is itself such a folder, or whose path names none, gets no note: the
    site's URL is then the likely place it is published (the default, ``output: feeds``,
    with ``feedwright serve``)."""
    base = config.folder
    output = config.output.resolve()
    folder = None if config.site_folder is None else config.site_folder.resolve()
    jekyll = folder is not None and origin_of("site_folder", config.origins) is Source.JEKYLL
    key = "Jekyll's destination" if jekyll else "site_folder"
    root = config.site.root
    if folder is not None and _inside(output, folder):
        expected = url_under(config, folder)
        if config.feeds_url is None or _same_url(config.feeds_url, expected):
            return None
        return _note(
            f"feeds_url is {config.feeds_url}, but output {_shown(output, base)} is inside "
            f"{key} {_shown(folder, base)}, which is published at {root}, so the feeds are "
            f"at {expected}",
            f"remove feeds_url: so that it defaults to {expected}, or move output: out of "
            f"{_shown(folder, base)} if the feeds are published at {config.feeds_url}",
        )
    if config.feeds_url is not None:
        return None
    links = _example(config, root)
    if folder is not None:
        return _note(
            f"feed links say {links}, but output {_shown(output, base)} is not inside "
            f"{key} {_shown(folder, base)}, which is what {root} publishes",
            f"set feeds_url: to the URL the output folder is published at, or move "
            f"output: into {_shown(folder, base)}",
        )
    guess = _web_root(output, base)
    if guess is None:
        return None
    shown = _shown(guess, base)
    rel = output.relative_to(guess).as_posix()
    return _note(
        f"feed links say {links}, but output {_shown(output, base)} is inside {shown}, so it "
        f"is probably published at {root}{quote(rel)}/",
        f"set site_folder: {shown} if {shown} is what {root} publishes, or feeds_url: to "
        "the URL the output folder is published at",
    )


def _note(message: str, hint: str) -> Diagnostic:
    return Diagnostic(Severity.NOTE, CODE, message, "", None, hint)


def jekyll_clears_finding(config: Config) -> Diagnostic | None:
    """A note, in Jekyll mode, when the next ``jekyll build`` deletes the feeds: the output
    lies in Jekyll's destination, which Jekyll empties except for ``keep_files``."""
    if config.jekyll is None:
        return None
    found = unkept_output(config.jekyll, config.output)
    if found is None:
        return None
    destination, top = found
    base = config.folder
    return Diagnostic(
        Severity.NOTE,
        CLEARED,
        f"jekyll build empties {_shown(destination, base)} of every file it did not make, so "
        f"it deletes the feeds in {_shown(config.output, base)} each time it runs",
        "",
        None,
        f"add keep_files: [{top}] to the site's _config.yml (Jekyll then leaves that "
        "folder alone), or run feedwright build after every jekyll build",
    )


def config_findings(config: Config) -> list[Diagnostic]:
    """What the config alone gives to note, each time it is used until it is fixed."""
    found = (feeds_url_finding(config), jekyll_clears_finding(config))
    return [finding for finding in found if finding is not None]
