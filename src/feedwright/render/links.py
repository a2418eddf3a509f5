"""Links between posts and pages for the Liquid pass (``{% post_url %}``, ``{% link %}``),
and what every post's Liquid sees of the site, both built once per build."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import posixpath
from collections.abc import Iterable
from pathlib import Path

from feedwright.config import Config
from feedwright.config.collections import add_permalink_suffix
from feedwright.render.site import SiteSetup
from feedwright.scan import PostError, split_front_matter
from feedwright.scan.permalink import PermalinkError, post_url
from feedwright.scan.sources import jekyll_site
from feedwright.types import Post

# the files Jekyll renders into a collection's documents (others are copied as they are)
_DOCUMENT_EXT = (".md", ".markdown", ".mkdown", ".mkdn", ".mkd", ".html")


class Linker:
    """Resolves ``{% post_url %}`` and ``{% link %}`` for the Liquid pass, and holds the
    build's :class:`SiteSetup` (``site.posts`` only when built from the posts)."""

    def __init__(
        self,
        config: Config,
        by_name: dict[str, str],
        posts: Iterable[Post] | None = None,
        lists: str = "",
    ) -> None:
        self.config = config
        self.host = config.site.url.rstrip("/")
        self.root = self.host + config.site.baseurl
        self.by_name = by_name  # a post's file name (with and without folders) -> its URL
        urls = sorted(by_name.items())
        self.fingerprint = hashlib.sha256(json.dumps(urls).encode()).hexdigest()
        self.setup = SiteSetup.of(config, posts, lists)

    def without_lists(self) -> Linker:
        """This linker with :meth:`SiteSetup.without_lists`."""
        lean = copy.copy(self)
        lean.setup = self.setup.without_lists()
        return lean

    @classmethod
    def of(cls, config: Config, posts: Iterable[Post]) -> Linker:
        posts = list(posts)
        by_name: dict[str, str] = {}
        for post in posts:
            stem = post.relpath.rsplit(".", 1)[0]
            by_name.setdefault(stem, post.url)
            # in a Jekyll site: the path below its _posts folder ("2024/2024-03-05-x")
            by_name.setdefault(stem.rpartition("_posts/")[2], post.url)
            by_name.setdefault(posixpath.basename(stem), post.url)
        return cls(config, by_name, posts)

    def post_url(self, name: str) -> str | None:
        # Jekyll's {% post_url /2024/2024-03-05-x %}: a leading slash is allowed
        name = name.strip().lstrip("/").removesuffix(".md").removesuffix(".markdown")
        return self.by_name.get(name)

    def link(self, target: str) -> tuple[str, bool]:
        target = target.strip().lstrip("/")
        fallback = self.root + "/" + target
        source = self.config.source
        if source is None:
            return fallback, False
        path = source / target
        if not path.is_file():
            return fallback, False
        stem = target.rsplit(".", 1)[0]
        if "_posts/" in stem:  # a post of the site, or of a category folder
            url = self.by_name.get(stem) or self.by_name.get(stem.removeprefix("_posts/"))
            if url is not None:
                return url, True
        document = self._document_url(target, path)
        if document is not None:
            return document, True
        if path.suffix.lower() in (".md", ".markdown", ".html"):
            permalink = _page_permalink(path)
            if permalink:
                return self.root + "/" + permalink.lstrip("/"), True
            return self.root + "/" + stem + ".html", True
        return fallback, True

    def _document_url(self, target: str, path: Path) -> str | None:
        """The URL of the document at ``target`` of a collection the Jekyll site writes
        (``output: true``), as Jekyll makes it: its own ``permalink:``, else the
        collection's, else ``/:collection/:path`` with the ending of the site's style."""
        if self.config.jekyll is None:
            return None
        site = jekyll_site(self.config.jekyll)
        folder, _, rest = target.partition("/")
        prefix = site.collections_dir.strip("/")
        if prefix:
            if folder != prefix:
                return None
            folder, _, rest = rest.partition("/")
        name = folder.removeprefix("_")
        meta = site.collections.get(name)
        if not folder.startswith("_") or name == "posts" or not rest or meta is None:
            return None
        if meta.get("output") is not True or path.suffix.lower() not in _DOCUMENT_EXT:
            return None
        given = meta.get("permalink")
        template = _page_permalink(path) or (
            given
            if isinstance(given, str) and given
            else add_permalink_suffix("/:collection/:path", site.permalink_style)
        )
        stem, ext = posixpath.splitext(target)
        try:
            url = post_url(
                template,
                date=dt.datetime.now(dt.UTC),
                slug=None,
                ext=ext,
                collection=name,
                basename=posixpath.basename(stem),
                relative_path=target,
                collection_dir="/".join(p for p in (prefix, folder) if p),
            )
        except PermalinkError:
            return None
        return self.root + url

    # Jekyll 4 writes both as site-relative paths with the base URL (``relative_url``)
    def relative_post_url(self, name: str) -> str | None:
        url = self.post_url(name)
        return None if url is None else self.relative(url)

    def relative_link(self, target: str) -> tuple[str, bool]:
        url, found = self.link(target)
        return self.relative(url), found

    def relative(self, url: str) -> str:
        return url[len(self.host) :] or "/" if url.startswith(self.host + "/") else url


def _page_permalink(path: Path) -> str | None:
    try:
        fm = split_front_matter(path.read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError, PostError):
        return None
    if fm is None:
        return None
    value = fm.data.get("permalink")
    return value if isinstance(value, str) and value.strip() else None
