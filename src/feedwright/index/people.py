"""Who wrote a post and in which language, as the author and language feeds and the
custom feeds' queries see it.

An author is known by the handle of ``authors:`` whose name the post's author has (so
``jdoe`` gives ``authors/jdoe.atom.xml``), else by the name as written; a post that
names no author is by ``site.author``, as its entries say. A post's language is its
``lang:`` front matter (``pt_BR`` is ``pt-BR``), else ``site.language``."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from feedwright.config import Config
from feedwright.index.terms import merge_key
from feedwright.types import Author, Post

# BCP 47 in outline: a primary language subtag, then subtags of letters and digits.


def handles_by_name(config: Config) -> dict[str, str]:
    """Display name -> the first handle of ``authors:`` that has it."""
    out: dict[str, str] = {}
    for handle, entry in config.authors.items():
        out.setdefault(entry.name, handle)
    return out


def post_authors(post: Post, config: Config) -> tuple[Author, ...]:
    """The post's authors as its entries give them."""
    if post.authors:
        return post.authors
    return (Author(config.site.author),) if config.site.author else ()


def author_names(config: Config) -> Callable[[Post], list[str]]:
    """For the index: each post's authors, by handle where ``authors:`` has one."""
    handles = handles_by_name(config)

    def names(post: Post) -> list[str]:
        return [handles.get(a.name, a.name) for a in post_authors(post, config)]

    return names


def author_labels(config: Config) -> dict[str, str]:
    """The label of each handle's feed: the display name."""
    return {merge_key(handle): entry.name for handle, entry in config.authors.items()}


def author_keys(post: Post, config: Config, handles: dict[str, str] | None = None) -> set[str]:
    """Every key a query may name one of the post's authors by: handle or name."""
    handles = handles_by_name(config) if handles is None else handles
    keys: set[str] = set()
    for author in post_authors(post, config):
        keys.add(merge_key(author.name))
        if author.name in handles:
            keys.add(merge_key(handles[author.name]))
    return keys


def known_authors(config: Config) -> dict[str, str]:
    """Key -> name for every handle of ``authors:`` (they exist even without posts)."""
    out = {merge_key(h): h for h in config.authors}
    out.update({merge_key(entry.name): entry.name for entry in config.authors.values()})
    return out


def language(post: Post, config: Config) -> str | None:
    """The post's language tag (``pt-BR``): its ``lang:`` as the scan read it (a value that
    is no tag was reported there, and the post has the site's language), else the site's."""
    return post.lang or config.site.language or None


def languages_of(config: Config) -> Callable[[Post], Iterable[str]]:
    def names(post: Post) -> list[str]:
        found = language(post, config)
        return [] if found is None else [found]

    return names
