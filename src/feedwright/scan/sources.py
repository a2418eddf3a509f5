"""Where a build's posts come from, and the Jekyll settings that decide them: a posts
folder (a ``_posts`` folder on its own), or every ``_posts`` (and, with drafts,
``_drafts``) folder of a Jekyll site when ``config.jekyll`` names one."""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

from feedwright.config import Config
from feedwright.config.collections import DEFAULT_PERMALINK, add_permalink_suffix
from feedwright.config.jekyll_site import JekyllSite, read_site
from feedwright.scan.jekyll_find import post_paths
from feedwright.scan.walk import walk_posts
from feedwright.types import Diagnostic, Severity, Skipped

Found = tuple[list[tuple[str, str]], list[Skipped], list[Diagnostic]]


@dataclass(frozen=True)
class CollectionSource:
    """Where one collection's documents are, and how their URLs are made."""

    name: str
    folder: Path
    prefix: str
    """Its documents' paths start with it (``_releases``, or ``../releases`` next to the
    posts folder): the folder relative to the posts root, as Jekyll's
    ``collection.relative_directory``."""
    permalink: str


@dataclass(frozen=True)
class PostRules:
    """The Jekyll settings a post's reading depends on."""

    root: Path
    """Post paths are relative to it: the posts folder, or the Jekyll site's source."""
    site: JekyllSite | None
    markdown_ext: tuple[str, ...]
    """Lower case, each with its dot."""
    permalink: str
    timezone: str
    drafts: bool
    unpublished: bool
    future: bool
    collections: tuple[CollectionSource, ...] = ()

    def collection_of(self, rel: str) -> CollectionSource | None:
        """The collection the document at ``rel`` belongs to (None for a post)."""
        for source in self.collections:
            if rel.startswith(source.prefix + "/"):
                return source
        return None

    def read_root(self, path: Path) -> Path:
        """The folder the file at ``path`` must not leave through a symlink: its
        collection's folder, or the posts root."""
        if not self.collections:  # every read asks: most builds have no collection
            return self.root
        where = os.path.normpath(path)
        for source in self.collections:
            if where.startswith(os.path.normpath(source.folder) + os.sep):
                return source.folder
        return self.root


def collection_sources(config: Config, site: JekyllSite | None) -> tuple[CollectionSource, ...]:
    """The configured collections: plain folders, or the Jekyll site's (whose folder is
    ``<collections_dir>/_<name>`` and whose permalink is the collection's, else
    ``/:collection/:path`` with the ending of the site's permalink style)."""
    out: list[CollectionSource] = []
    for name, spec in config.collections.items():
        if site is None:
            folder = spec.folder if spec.folder is not None else Path(name)
            prefix = os.path.relpath(folder, config.posts).replace(os.sep, "/")
            permalink = spec.permalink or DEFAULT_PERMALINK
        else:
            prefix = "/".join(p for p in (site.collections_dir.strip("/"), f"_{name}") if p)
            folder = site.source / prefix
            meta = site.collections.get(name, {})
            given = meta.get("permalink")
            permalink = (
                given
                if isinstance(given, str) and given
                else add_permalink_suffix("/:collection/:path", site.permalink_style)
            )
        out.append(CollectionSource(name, folder, prefix, permalink))
    return tuple(out)


@functools.lru_cache(maxsize=8)
def _site(folder: Path, stamp: tuple[int, int]) -> JekyllSite:
    del stamp  # in the key only: an edited _config.yml is read again
    return read_site(folder)


def jekyll_site(folder: Path) -> JekyllSite:
    """The Jekyll site in ``folder``, read once for each version of its ``_config.yml``."""
    stamp = (0, 0)
    for name in ("_config.yml", "_config.yaml", "_config.toml"):
        try:
            st = os.stat(folder / name)
        except OSError:
            continue
        stamp = (st.st_mtime_ns, st.st_size)
        break
    return _site(folder.resolve(), stamp)


def post_rules(config: Config) -> PostRules:
    """The rules for ``config``. In Jekyll mode the config already holds the site's
    ``_config.yml`` values (permalink, time zone, markdown_ext, future, unpublished,
    show_drafts) beneath config.yaml's and the command line's, so they are read from it
    alone: a setting in config.yaml wins over the site's, as everywhere else."""
    ext = tuple("." + e.strip().lower().lstrip(".") for e in config.markdown_ext if e.strip())
    site = None if config.jekyll is None else jekyll_site(config.jekyll)
    return PostRules(
        config.posts if site is None else site.source,
        site,
        ext,
        config.permalink,
        config.site.timezone,
        config.drafts,
        config.unpublished,
        config.future,
        collection_sources(config, site),
    )


def posts_root(config: Config) -> Path:
    """The folder post paths are relative to (``posts_root(config) / post.relpath``)."""
    return config.posts if config.jekyll is None else jekyll_site(config.jekyll).source


def is_draft(rel: str) -> bool:
    """Whether the post at ``rel`` is a draft (it lies in a ``_drafts`` folder)."""
    return "_drafts" in rel.split("/")[:-1]


def find_post_files(config: Config) -> Found:
    """Every post file of the build, as (relative path, full path), in a stable order,
    plus what was passed over and why."""
    rules = post_rules(config)
    if rules.site is None:
        found, skipped, diags = walk_posts(
            rules.root, (*rules.markdown_ext, ".html"), drafts=rules.drafts
        )
    else:
        found, skipped, diags = _site_post_files(rules)
    for source in rules.collections:
        if not source.folder.is_dir():
            reason = f"collection {source.name!r}: folder {source.prefix} does not exist"
            skipped.append(Skipped(source.prefix + "/", reason, False))
            diags.append(Diagnostic(Severity.WARNING, "collection-missing", reason, ""))
            continue
        docs = walk_posts(source.folder, (*rules.markdown_ext, ".html"), drafts=False)
        found += [(f"{source.prefix}/{rel}", full) for rel, full in docs[0]]
        skipped += [Skipped(f"{source.prefix}/{s.relpath}", s.reason, s.error) for s in docs[1]]
        diags += [replace(d, path=f"{source.prefix}/{d.path}") for d in docs[2]]
    return found, skipped, diags


def _site_post_files(rules: PostRules) -> Found:
    assert rules.site is not None
    found: list[tuple[str, str]] = []
    skipped: list[Skipped] = []
    diags: list[Diagnostic] = []
    paths: list[tuple[str, bool]] = []
    ignored: list[str] = []
    post_paths(rules.site, "", rules.drafts, paths, ignored)
    for rel in ignored:
        reason = "file name does not start with a date: Jekyll does not read it as a post"
        skipped.append(Skipped(rel, reason, False))
        diags.append(Diagnostic(Severity.NOTE, "skipped", f"skipped: {reason}", rel))
    real_root = os.path.realpath(rules.root) + os.sep
    for rel, _ in paths:
        full = os.path.join(rules.root, rel)
        problem = _unsafe(full, real_root)
        if rel.lower().endswith((".yml", ".yaml")):
            problem = "a YAML file: Jekyll does not read it as a post"
        if problem is None:
            found.append((rel, full))
            continue
        skipped.append(Skipped(rel, problem, False))
        diags.append(Diagnostic(Severity.WARNING, "skipped", f"skipped: {problem}", rel))
    return found, skipped, diags


def _unsafe(full: str, real_root: str) -> str | None:
    """Why the file at ``full`` must not be read: a symlink out of the site (or a broken
    one), or not a regular file (a FIFO would block the read)."""
    if os.path.islink(full):
        try:
            target = os.path.realpath(full, strict=True)
        except (OSError, RuntimeError):
            return "broken or looping symlink"
        if not target.startswith(real_root):
            return "symlink leads outside the site folder; not read"
    if not os.path.isfile(full):
        return "not a regular file (a FIFO, device or socket); not read"
    return None


def rules_key(config: Config) -> str:
    """Everything of the rules a scanned post depends on, as text (for cache keys): in
    Jekyll mode this includes the site's whole configuration."""
    rules = post_rules(config)
    site = None if rules.site is None else rules.site.config
    parts: list[object] = [str(rules.root), site, rules.markdown_ext, rules.permalink]
    parts += [rules.timezone]
    parts += [rules.drafts, rules.unpublished]
    parts += [[c.name, str(c.folder), c.prefix, c.permalink] for c in rules.collections]
    return json.dumps(parts, sort_keys=True, default=str)
