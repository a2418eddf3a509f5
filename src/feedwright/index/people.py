"""Who wrote a post and in which language, as the author and language feeds and the
custom feeds' queries see it.

An author is known by the handle of ``authors:`` whose name the post's author has (so
``jdoe`` gives ``authors/jdoe.atom.xml``), else by the name as written; a post that
names no author is by ``site.author``, as its entries say. A post's language is its
``lang:`` front matter (``pt_BR`` is ``pt-BR``), else ``site.language``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from feedwright.config import Config
from feedwright.index.terms import merge_key
from feedwright.types import Author, Diagnostic, Post, Severity

# BCP 47 in outline: a primary language subtag, then subtags of letters and digits.
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")


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
    """The post's language tag (``pt-BR``); None when its ``lang:`` is not one."""
    value = post.front_matter.get("lang")
    if value is None or value == "":
        value = config.site.language
    if not isinstance(value, str):
        return None
    text = value.strip().replace("_", "-")
    return text if _LANGUAGE.fullmatch(text) else None


def languages_of(config: Config) -> Callable[[Post], Iterable[str]]:
    def names(post: Post) -> list[str]:
        found = language(post, config)
        return [] if found is None else [found]

    return names


def language_findings(posts: Iterable[Post], config: Config) -> list[Diagnostic]:
    """A warning for each post whose ``lang:`` is not a language tag."""
    out: list[Diagnostic] = []
    for post in posts:
        if language(post, config) is None:
            out.append(
                Diagnostic(
                    Severity.WARNING,
                    "bad-lang",
                    f"lang {post.front_matter.get('lang')!r} is not a language tag; the post is "
                    "in no language feed",
                    post.relpath,
                    post.key_lines.get("lang"),
                    "write a language tag such as en, de or pt-BR",
                )
            )
    return out
