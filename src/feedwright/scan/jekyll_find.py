"""Which files of a Jekyll site are posts (``Reader``, ``PostReader`` and
``EntryFilter``), and which of them ``jekyll build`` writes (``Publisher#publish?``,
``future``, ``unpublished``, drafts and ``limit_posts``)."""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
from collections.abc import Sequence

from feedwright.config.jekyll_site import JekyllSite
from feedwright.scan.jekyll import (
    DATE_FILENAME,
    DATELESS_FILENAME,
    PostFile,
    read_post,
    ruby_truthy,
)
from feedwright.scan.jekyll_dates import ruby_to_s, site_zone
from feedwright.scan.ruby_time import ruby_time_parse


def _glob_include(site: JekyllSite, patterns: Sequence[str], entry: str) -> bool:
    """``EntryFilter#glob_include?`` (``entry`` relative to the source)."""
    full = os.path.join(str(site.source), entry.lstrip("/"))
    is_dir = os.path.isdir(full)
    for pattern in patterns:
        pat = os.path.join(str(site.source), pattern.lstrip("/"))
        if pattern.startswith("/"):
            pat = str(site.source) + pattern
        if fnmatch.fnmatchcase(full, pat) or full.startswith(pat):
            return True
        if is_dir and pat == full + "/":
            return True
    return False


def _filter(site: JekyllSite, entries: Sequence[str], base: str) -> list[str]:
    """``EntryFilter#filter`` for entries relative to ``base`` (a folder relative to the
    source, '' for the source itself)."""
    exclude = [p for p in site.exclude if p not in site.include]
    kept: list[str] = []
    for e in entries:
        if e.endswith("."):
            continue
        name = e.rsplit("/", 1)[-1]
        included = _glob_include(site, site.include, e) or _glob_include(site, site.include, name)
        rel = f"{base}/{e}" if base else e
        if _glob_include(site, exclude, rel) and not included:
            continue
        if site.safe and _symlink_outside(site, os.path.join(str(site.source), rel)):
            continue
        if included:
            kept.append(e)
            continue
        if e[:1] in "._#~" or name[:1] in "._#~" or e.endswith("~"):
            continue
        kept.append(e)
    return kept


def _symlink_outside(site: JekyllSite, path: str) -> bool:
    if not os.path.islink(path):
        return False
    return not os.path.realpath(path).startswith(str(site.source))


def _glob_all(base: str) -> list[str]:
    """Ruby's ``Dir["**/*"]``: no dot-files, symlinked folders listed but not entered."""
    out: list[str] = []

    def walk(folder: str, prefix: str) -> None:
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return
        for name in names:
            if name.startswith("."):
                continue
            rel = prefix + name
            out.append(rel)
            full = os.path.join(folder, name)
            if os.path.isdir(full) and not os.path.islink(full):
                walk(full, rel + "/")

    walk(base, "")
    return out


def _post_entries(site: JekyllSite, folder: str, magic: str) -> list[str]:
    """``Reader#get_entries``: files under ``folder/magic``, relative to it."""
    base_rel = f"{folder}/{magic}" if folder else magic
    base = os.path.join(str(site.source), base_rel)
    if not os.path.exists(base):
        return []
    entries = _filter(site, _glob_all(base), base_rel)
    return [e for e in entries if not os.path.isdir(os.path.join(base, e))]


def post_paths(
    site: JekyllSite,
    folder: str,
    drafts: bool,
    out: list[tuple[str, bool]],
    ignored: list[str] | None = None,
) -> None:
    """``Reader#read_directories``: every post (and draft, when ``drafts``) Jekyll reads,
    as (path relative to the source, is a draft), posts first; files of a ``_posts``
    folder whose names have no date go to ``ignored``."""
    base = os.path.join(str(site.source), folder) if folder else str(site.source)
    if not os.path.isdir(base):
        return
    coll = site.collections_dir
    if not coll or folder.startswith(coll):
        prefix = f"{folder}/" if folder else ""
        for entry in _post_entries(site, folder, "_posts"):
            if DATE_FILENAME.match(entry):
                out.append((f"{prefix}_posts/{entry}", False))
            elif ignored is not None:
                ignored.append(f"{prefix}_posts/{entry}")
        if drafts:
            for entry in _post_entries(site, folder, "_drafts"):
                if DATELESS_FILENAME.match(entry):
                    out.append((f"{prefix}_drafts/{entry}", True))
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return
    dest = str(site.destination)
    for name in _filter(site, names, folder):
        full = os.path.join(base, name)
        if os.path.isdir(full) and full != dest:
            post_paths(site, f"{folder}/{name}" if folder else name, drafts, out, ignored)


def find_posts(site: JekyllSite, *, drafts: bool, now: dt.datetime | None = None) -> list[PostFile]:
    """Every file Jekyll reads as a post (and as a draft when ``drafts``), before the
    ``published``/``future`` rules, sorted as Jekyll sorts them (by date, then path).
    ``now`` stands for Jekyll's ``site.time`` (a post whose front matter cannot be read
    is dated then)."""
    now = now or dt.datetime.now(dt.UTC)
    found: list[tuple[str, bool]] = []
    post_paths(site, "", drafts, found)
    posts: list[PostFile] = []
    for rel, is_draft in found:
        post = read_post(site, rel, draft=is_draft, now=now)
        if post is not None:
            posts.append(post)
    posts.sort(key=lambda p: (p.date, str(p.path)))
    return posts


def exclusion_reason(
    post: PostFile, site: JekyllSite, *, now: dt.datetime, drafts: bool = False
) -> str | None:
    """Why Jekyll leaves ``post`` out of the site, or None when it publishes it
    (``Publisher#publish?`` plus the drafts switch)."""
    if post.draft and not (drafts or site.show_drafts):
        return "a draft (drafts are only built with --drafts or show_drafts)"
    value = post.front_matter.get("published", True)
    if not ruby_truthy(value) and not site.unpublished:
        return f"published: {ruby_to_s(value) or 'null'}"
    time_setting = site.config.get("time")
    site_time = now
    if time_setting is not None:
        site_time = ruby_time_parse(ruby_to_s(time_setting), now, site_zone(site.timezone))
    if not site.future and int(post.date.timestamp()) > int(site_time.timestamp()):
        return f"dated in the future ({post.date.isoformat()})"
    return None


def published(post: PostFile, site: JekyllSite, *, now: dt.datetime, drafts: bool = False) -> bool:
    return exclusion_reason(post, site, now=now, drafts=drafts) is None


def site_posts(site: JekyllSite, *, now: dt.datetime, drafts: bool = False) -> list[PostFile]:
    """The posts ``jekyll build`` (``--drafts`` when ``drafts``) writes, oldest first,
    ``limit_posts`` applied."""
    posts = [
        p
        for p in find_posts(site, drafts=drafts or bool(site.show_drafts), now=now)
        if published(p, site, now=now, drafts=drafts)
    ]
    if site.limit_posts > 0:
        posts = posts[-site.limit_posts :]
    return posts
