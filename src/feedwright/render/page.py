"""``page.*`` as a post's Liquid sees it in Jekyll: the front matter and what Jekyll adds."""

from __future__ import annotations

from collections.abc import Mapping

from feedwright.config import Config
from feedwright.render.site import document_id
from feedwright.scan.sources import posts_root
from feedwright.types import Post

__all__ = ["neighbours", "page_of"]


def page_of(post: Post, config: Config) -> dict[str, object]:
    """``page.*`` for a post's Liquid: its front matter and what Jekyll adds."""
    page: dict[str, object] = dict(post.front_matter)
    url = post.url_path
    # relpath is relative to the site in Jekyll mode, to a _posts folder otherwise
    path = post.relpath if config.jekyll is not None else "_posts/" + post.relpath
    file = posts_root(config) / post.relpath
    if config.source is not None and file.is_relative_to(config.source):
        path = file.relative_to(config.source).as_posix()
    page.update(
        url=url,
        id=document_id(url, post.slug),
        date=post.site_date,
        title=post.title,
        slug=post.slug,
        tags=list(post.tags),
        categories=list(post.categories),
        path=path,
        collection=post.collection or "posts",
    )
    return page


def neighbours(page: dict[str, object], site: Mapping[str, object]) -> None:
    """``page.previous`` (the post before this one by date) and ``page.next`` (after)."""
    entries = site.get("posts")
    if not isinstance(entries, list) or page.get("collection") != "posts":
        return
    found = _positions(entries).get(page["url"], ())
    if len(found) == 1:  # site.posts is newest first
        index = found[0]
        page["previous"] = entries[index + 1] if index + 1 < len(entries) else None
        page["next"] = entries[index - 1] if index else None


_last: tuple[list[object], dict[object, list[int]]] | None = None


def _positions(entries: list[object]) -> dict[object, list[int]]:
    """Where each URL stands in ``site.posts``, worked out once per list (each post with
    Liquid asks, and searching the list each time is quadratic in the posts)."""
    global _last
    if _last is None or _last[0] is not entries:
        positions: dict[object, list[int]] = {}
        for i, entry in enumerate(entries):
            if isinstance(entry, dict):
                positions.setdefault(entry["url"], []).append(i)
        _last = (entries, positions)
    return _last[1]
