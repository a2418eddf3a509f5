"""Build posts with real Jekyll (and jekyll-feed) and read back what it published.

The oracle copies a site's posts (``_posts`` and every ``<category>/_posts``), its
``_drafts``, ``_includes``, ``_data`` and ``_config.yml`` into a fresh folder, replaces the
layouts with ``{{ content }}``, turns on jekyll-feed with no entry limit and runs
``jekyll build``. For every published post it returns the URL, id, title and dates as
jekyll-feed wrote them in ``feed.xml`` and the content HTML from the page Jekyll wrote
under ``_site``.

A folder without ``_posts`` is taken as a bare posts folder (it becomes ``_posts``), with
the site settings given by the caller.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml
from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"
MANIFEST = ".oracle-manifest.json"
# Jekyll's named permalink styles (Jekyll 4).
PERMALINK_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_LINK_TAG = re.compile(r"\{%-?\s*link\s+(\S+?)\s*-?%\}")

# Runs inside Jekyll after the site is written: where each published post went.
_MANIFEST_PLUGIN = """\
require "json"
Jekyll::Hooks.register :site, :post_write do |site|
  rows = site.posts.docs.map do |doc|
    {
      "relative_path" => doc.relative_path,
      "url" => doc.url,
      "id" => doc.id,
      "destination" => doc.destination(site.dest),
      "date" => doc.date.iso8601,
    }
  end
  File.write(File.join(site.source, "MANIFEST"), JSON.generate(rows))
end
""".replace("MANIFEST", MANIFEST)

_STUB_TAGS_PLUGIN = """\
class OracleStubTag < Liquid::Tag
  def render(_context)
    ""
  end
end
NAMES.each { |name| Liquid::Template.register_tag(name, OracleStubTag) }
"""


class JekyllError(RuntimeError):
    """``jekyll build`` failed or wrote something the oracle cannot read."""


@dataclass(frozen=True)
class JekyllPost:
    """One post as Jekyll published it."""

    source: str  # path inside the site, such as "_posts/2023-01-29-x.md"
    key: str  # the file name without its extension: "2023-01-29-x"
    url: str  # absolute: jekyll-feed's <link rel="alternate">
    path: str  # the file Jekyll wrote, relative to _site
    id: str  # jekyll-feed's <id>
    title: str  # jekyll-feed's <title>: smartify | strip_html | normalize_whitespace
    published: dt.datetime
    updated: dt.datetime
    content_html: str  # the rendered page, which is exactly {{ content }}


@dataclass(frozen=True)
class JekyllSite:
    """A finished Jekyll build: the settings it ran with and its published posts."""

    root: Path  # the temporary site (its output is root / "_site")
    settings: Mapping[str, Any] = field(compare=False)
    posts: tuple[JekyllPost, ...]

    @property
    def url(self) -> str:
        return str(self.settings.get("url") or "")

    @property
    def baseurl(self) -> str:
        return str(self.settings.get("baseurl") or "")

    @property
    def permalink(self) -> str:
        value = str(self.settings.get("permalink") or "date")
        return PERMALINK_STYLES.get(value, value)

    @property
    def timezone(self) -> str:
        return str(self.settings.get("timezone") or "UTC")

    def by_key(self) -> dict[str, JekyllPost]:
        return {post.key: post for post in self.posts}


def _copy_site(source: Path, dest: Path) -> dict[str, Any]:
    """Copy what Jekyll needs to render posts; return the site's own settings."""
    if not (source / "_posts").is_dir():
        shutil.copytree(source, dest / "_posts")
        return {}
    for posts in sorted(source.rglob("_posts")):
        if posts.is_dir() and "_site" not in posts.relative_to(source).parts:
            shutil.copytree(posts, dest / posts.relative_to(source))
    for name in ("_includes", "_data", "_drafts"):
        if (source / name).is_dir():
            shutil.copytree(source / name, dest / name)
    config = source / "_config.yml"
    if config.is_file():
        loaded = yaml.safe_load(config.read_text("utf-8")) or {}
        if not isinstance(loaded, dict):
            raise JekyllError(f"{config}: not a mapping")
        return loaded
    return {}


def _stub_links(site: Path) -> None:
    """Create an empty page for every ``{% link %}`` target the copied posts name but the
    copy lacks (Jekyll refuses to build without them)."""
    for post in sorted(site.rglob("*")):
        if not post.is_file() or "_posts" not in post.relative_to(site).parts:
            continue
        text = post.read_text("utf-8", errors="replace")
        for target in _LINK_TAG.findall(text):
            path = site / target
            if "{" in target or path.exists() or site.resolve() not in path.resolve().parents:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("---\n---\n" if path.suffix in (".md", ".html") else "", "utf-8")


def _datetime(text: str | None, where: str) -> dt.datetime:
    if not text:
        raise JekyllError(f"{where}: no date")
    return dt.datetime.fromisoformat(text)


def _feed_entries(feed: Path) -> dict[str, dict[str, str]]:
    # jekyll-feed writes a post's URL into href="..." unescaped: an "&" from a file name
    # makes the feed ill-formed XML, which is read here as if it had been escaped
    text = re.sub(r"&(?!#?[A-Za-z0-9]+;)", "&amp;", feed.read_text("utf-8"))
    root = etree.fromstring(text.encode("utf-8"))
    entries: dict[str, dict[str, str]] = {}
    for entry in root.iter(f"{ATOM}entry"):
        link = next(
            (
                el.get("href", "")
                for el in entry.iter(f"{ATOM}link")
                if el.get("rel") == "alternate"
            ),
            "",
        )
        title = entry.find(f"{ATOM}title")
        text = "" if title is None else title.text or ""
        entries[link] = {
            "id": entry.findtext(f"{ATOM}id") or "",
            # type="html": what a reader shows is the text of that HTML
            "title": html.unescape(text)
            if title is not None and title.get("type") == "html"
            else text,
            "published": entry.findtext(f"{ATOM}published") or "",
            "updated": entry.findtext(f"{ATOM}updated") or "",
        }
    return entries


def _path_key(path: str) -> str:
    """A URL path compared loosely: percent-decoded, repeated slashes folded."""
    return re.sub("/+", "/", unquote(path))


def jekyll_build(
    source: Path,
    work: Path,
    *,
    settings: Mapping[str, Any] | None = None,
    stub_tags: Sequence[str] = (),
    timeout: float = 600,
) -> JekyllSite:
    """Build ``source`` (a Jekyll site, or a bare posts folder) in ``work``/site.

    ``settings`` override the site's ``_config.yml``. ``stub_tags`` names Liquid tags of
    plugins that are not installed; they render as nothing (as feedwright renders tags it
    does not know). ``{% link %}`` targets missing from the copy become empty pages."""
    jekyll = shutil.which("jekyll")
    if jekyll is None:
        raise JekyllError("jekyll is not on PATH")
    site = work / "site"
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    config: dict[str, Any] = {**_copy_site(source, site), **(settings or {})}
    plugins = [p for p in config.get("plugins") or [] if isinstance(p, str)]
    config["plugins"] = sorted({*plugins, "jekyll-feed"})
    config["feed"] = {**(config.get("feed") or {}), "posts_limit": 100000}
    config["timezone"] = config.get("timezone") or "UTC"
    (site / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
    layouts = site / "_layouts"
    layouts.mkdir()
    for name in ("post.html", "default.html"):
        (layouts / name).write_text("{{ content }}", "utf-8")
    plugin_dir = site / "_plugins"
    plugin_dir.mkdir()
    (plugin_dir / "oracle_manifest.rb").write_text(_MANIFEST_PLUGIN, "utf-8")
    if stub_tags:
        (plugin_dir / "oracle_stub_tags.rb").write_text(
            _STUB_TAGS_PLUGIN.replace("NAMES", json.dumps(list(stub_tags))), "utf-8"
        )
    _stub_links(site)
    env = {**os.environ, "TZ": "UTC", "JEKYLL_ENV": "production", "LC_ALL": "C.UTF-8"}
    try:
        result = subprocess.run(
            [
                jekyll,
                "build",
                "--quiet",
                "--source",
                str(site),
                "--destination",
                str(site / "_site"),
            ],
            cwd=site,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise JekyllError(f"jekyll build took more than {timeout:g}s") from exc
    if result.returncode != 0:
        raise JekyllError(f"jekyll build failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return _read_site(site, config)


def _read_site(site: Path, config: Mapping[str, Any]) -> JekyllSite:
    out = site / "_site"
    entries = _feed_entries(out / "feed.xml")
    manifest = json.loads((site / MANIFEST).read_text("utf-8"))
    baseurl = str(config.get("baseurl") or "")
    by_path = {_path_key(urlsplit(link).path): link for link in entries}
    posts = []
    for row in manifest:
        link = by_path.get(_path_key(baseurl + "/" + row["url"]), "")
        entry = entries.pop(link, None)
        if entry is None:
            raise JekyllError(f"{row['relative_path']}: no feed.xml entry for {row['url']}")
        written = Path(row["destination"])
        posts.append(
            JekyllPost(
                source=row["relative_path"],
                key=Path(row["relative_path"]).stem,
                url=link,
                path=written.relative_to(out).as_posix(),
                id=entry["id"],
                title=entry["title"],
                published=_datetime(entry["published"], link),
                updated=_datetime(entry["updated"], link),
                content_html=written.read_text("utf-8"),
            )
        )
    if entries:
        raise JekyllError(f"feed.xml entries for no post: {sorted(entries)}")
    keys = [p.key for p in posts]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise JekyllError(f"two posts share a file name: {duplicates}")
    return JekyllSite(
        root=site, settings=dict(config), posts=tuple(sorted(posts, key=lambda p: p.key))
    )


__all__ = ["JekyllError", "JekyllPost", "JekyllSite", "jekyll_build"]
