"""What every post's Liquid and Markdown see of the site, gathered once per build: ``site.*``
(``_config.yml``, the config's extras, ``site.data``, the posts lists), the includes, the
shortcodes and the kramdown options, each with a fingerprint for the render key."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from feedwright.config import Config
from feedwright.render.kramdown import KramdownOptions
from feedwright.types import Diagnostic, Post, Severity

# Liquid that can read the posts lists: directly, or through an include or a shortcode.
# Inside a Liquid tag or output, ``site`` counts unless it is followed by ``.name`` for a
# name other than a list (``site`` alone may be assigned, looped over or filtered whole).
_MARKUP = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_LISTS = re.compile(
    r"\bsite\b(?!\s*\.\s*(?!(?:posts|tags|categories|related_posts)\b)[A-Za-z_])"
    r"|\bpage\s*\.\s*(?:previous|next)\b"  # the posts before and after this one
)
_INCLUDE = re.compile(r"\{%-?\s*include")
_INCLUDE_RELATIVE = re.compile(r"\{%-?\s*include_relative")
_MAX_INCLUDE_FILES = 2000


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _include_files(folder: Path | None) -> list[tuple[str, bytes]]:
    if folder is None or not folder.is_dir():
        return []
    found: list[tuple[str, bytes]] = []
    for path in sorted(folder.rglob("*")):
        if len(found) >= _MAX_INCLUDE_FILES:
            break
        if path.is_file():
            try:
                found.append((path.relative_to(folder).as_posix(), path.read_bytes()))
            except OSError:
                continue
    return found


def document_id(url: str, slug: str) -> str:
    """Jekyll's ``id`` of a document: the folder of its URL, then its slug
    (``File.join(File.dirname(url), slug)``: ``/2024/03/05/x/`` gives ``/2024/03/05/x``)."""
    folder = url.rstrip("/").rpartition("/")[0].rstrip("/")
    return f"{folder}/{slug}"


def post_entry(post: Post) -> dict[str, object]:
    """A post as ``site.posts`` lists it: the fields a listing or a related-posts block reads.
    Its ``url`` is Jekyll's: the path below the baseurl (``relative_url`` adds that)."""
    fm = post.front_matter
    excerpt = fm.get("excerpt")
    url = post.url_path
    return {
        "url": url,
        "title": post.title,
        "date": post.site_date,
        "tags": list(post.tags),
        "categories": list(post.categories),
        "slug": post.slug,
        "id": document_id(url, post.slug),
        "collection": "posts",
        "description": post.description,
        "excerpt": excerpt if isinstance(excerpt, str) else post.description,
    }


@dataclass(frozen=True, slots=True)
class SiteSetup:
    """The site-wide inputs of the render stage, built once per build (see :meth:`of`)."""

    site: Mapping[str, object]  # site.* as Liquid sees it, with the posts lists
    includes: Path | None
    source: Path | None
    shortcodes: Mapping[str, str]
    kramdown: KramdownOptions
    notes: tuple[Diagnostic, ...]  # about the whole build: options not applied
    fingerprint: str  # site.* without the lists, the includes, shortcodes, kramdown options
    lists_fingerprint: str  # site.posts, site.tags, site.categories
    includes_read_lists: bool  # an include or a shortcode reads the posts lists
    listed: bool = True  # site holds the lists (else they are empty, unread)

    @classmethod
    def of(cls, config: Config, posts: Iterable[Post] | None, lists: str = "") -> SiteSetup:
        """With ``posts`` None the lists are empty, and ``lists`` is taken as their
        fingerprint: for renders that do not read them (see :meth:`reads_lists`)."""
        site = config.liquid_site()
        options, option_notes = KramdownOptions.from_mapping(config.kramdown)
        notes = [
            Diagnostic(Severity.NOTE, "kramdown-option", note, "", None, None)
            for note in option_notes
        ]
        engine = site.get("markdown")
        if isinstance(engine, str) and engine.strip().lower() not in ("", "kramdown"):
            notes.append(
                Diagnostic(
                    Severity.NOTE,
                    "markdown-engine",
                    f"the site's Markdown engine is {engine.strip()}; posts are rendered as "
                    "kramdown with the GFM parser renders them, which can differ in footnote "
                    "markup, header ids and typographic quotes",
                    "",
                    None,
                    "set markdown: kramdown in _config.yml for identical output",
                )
            )
        includes = _include_files(config.includes)
        shortcodes = dict(config.liquid.tags)
        fingerprint = _digest(
            [
                site,
                [(name, hashlib.sha256(data).hexdigest()) for name, data in includes],
                shortcodes,
                repr(options),
            ]
        )
        # site.posts lists the posts; a collection's documents are not among them.
        listed = sorted(
            (p for p in (posts or ()) if p.collection is None),
            key=lambda p: (p.site_date, p.relpath),
        )
        # newest first, as Jekyll lists them (by date, then by path)
        entries = [post_entry(p) for p in reversed(listed)]
        tags: dict[str, list[dict[str, object]]] = {}
        categories: dict[str, list[dict[str, object]]] = {}
        for entry in entries:
            for name in entry["tags"]:  # type: ignore[attr-defined]
                tags.setdefault(str(name), []).append(entry)
            for name in entry["categories"]:  # type: ignore[attr-defined]
                categories.setdefault(str(name), []).append(entry)
        lists_fingerprint = _digest(entries) if posts is not None else lists
        site.update(posts=entries, tags=tags, categories=categories, related_posts=entries[:10])
        sources = [text.decode("utf-8", "replace") for _, text in includes]
        sources.extend(shortcodes.values())
        return cls(
            site=site,
            includes=config.includes,
            source=config.source,
            shortcodes=shortcodes,
            kramdown=options,
            notes=tuple(notes),
            fingerprint=fingerprint,
            lists_fingerprint=lists_fingerprint,
            includes_read_lists=any(_reads_lists(s) for s in sources),
            listed=posts is not None,
        )

    def without_lists(self) -> SiteSetup:
        """The same setup with empty lists (the same fingerprints), for renders that do not
        read them: the lists of a large blog cost every helper process time and memory."""
        if not self.listed:
            return self
        site = dict(self.site)
        site.update(posts=[], tags={}, categories={}, related_posts=[])
        return dataclasses.replace(self, site=site, listed=False)

    def reads_lists(self, body: str) -> bool:
        """Whether Liquid in ``body`` can read ``site.posts``/``tags``/``categories``."""
        if _reads_lists(body) or _INCLUDE_RELATIVE.search(body):
            return True
        if not self.includes_read_lists:
            return False
        if _INCLUDE.search(body):
            return True
        return any(re.search(r"\{%-?\s*" + re.escape(n) + r"\b", body) for n in self.shortcodes)


def _reads_lists(text: str) -> bool:
    return any(_LISTS.search(m.group()) for m in _MARKUP.finditer(text))
