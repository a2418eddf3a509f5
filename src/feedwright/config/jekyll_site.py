"""A Jekyll site's own settings, read the way Jekyll 4.3 reads them.

``read_site`` loads the site's ``_config.yml`` (or ``_config.yaml``, or ``_config.toml``:
Jekyll reads the first of these that exists, never several) over Jekyll's defaults, and the
``_data`` folder (:mod:`feedwright.config.jekyll_data`). Only reading happens here:
nothing is rendered. :mod:`feedwright.config.jekyll` turns the result into settings.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from feedwright.config.jekyll_data import JekyllSiteError, load_yaml, read_data

# Jekyll::Configuration::DEFAULTS (source and destination are made absolute per site).
DEFAULTS: Mapping[str, object] = {
    "source": ".",
    "destination": "_site",
    "collections_dir": "",
    "cache_dir": ".jekyll-cache",
    "plugins_dir": "_plugins",
    "layouts_dir": "_layouts",
    "data_dir": "_data",
    "includes_dir": "_includes",
    "collections": {},
    "safe": False,
    "include": [".htaccess"],
    "exclude": [],
    "keep_files": [".git", ".svn"],
    "encoding": "utf-8",
    "markdown_ext": "markdown,mkdown,mkdn,mkd,md",
    "strict_front_matter": False,
    "show_drafts": None,
    "limit_posts": 0,
    "future": False,
    "unpublished": False,
    "whitelist": [],
    "plugins": [],
    "markdown": "kramdown",
    "highlighter": "rouge",
    "lsi": False,
    "excerpt_separator": "\n\n",
    "incremental": False,
    "detach": False,
    "port": "4000",
    "host": "127.0.0.1",
    "baseurl": None,
    "show_dir_listing": False,
    "permalink": "date",
    "paginate_path": "/page:num",
    "timezone": None,
    "quiet": False,
    "verbose": False,
    "defaults": [],
    "liquid": {"error_mode": "warn", "strict_filters": False, "strict_variables": False},
    "kramdown": {
        "auto_ids": True,
        "toc_levels": [1, 2, 3, 4, 5, 6],
        "entity_output": "as_char",
        "smart_quotes": "lsquo,rsquo,ldquo,rdquo",
        "input": "GFM",
        "hard_wrap": False,
        "guess_lang": True,
        "footnote_nr": 1,
        "show_warnings": False,
    },
}

# Configuration::DEFAULT_EXCLUDES, appended to every site's exclude list.
DEFAULT_EXCLUDES = (
    ".sass-cache",
    ".jekyll-cache",
    "gemfiles",
    "Gemfile",
    "Gemfile.lock",
    "node_modules",
    "vendor/bundle/",
    "vendor/cache/",
    "vendor/gems/",
    "vendor/ruby/",
)

# Configuration::STYLE_TO_PERMALINK.
PERMALINK_STYLES: Mapping[str, str] = {
    "none": "/:categories/:title:output_ext",
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
}


@dataclass(frozen=True)
class FeedSettings:
    """jekyll-feed's ``feed:`` block with the plugin's defaults filled in."""

    path: str = "feed.xml"
    posts_limit: int = 10
    excerpt_only: bool = False
    categories: tuple[str, ...] = ()
    tags: object = None
    collections: object = None


@dataclass(frozen=True)
class DefaultsSet:
    """One entry of ``defaults:``: a scope (path, type) and the values it gives."""

    path: str | None
    type: str | None
    has_type: bool
    values: Mapping[str, object]


@dataclass(frozen=True)
class JekyllSite:
    root: Path
    config_file: Path | None
    config: Mapping[str, object]
    source: Path
    destination: Path
    url: str | None
    baseurl: str | None
    title: str | None
    description: str | None
    author: object
    timezone: str | None
    permalink: str
    """The posts' URL template: a style name already turned into its template."""
    permalink_style: str
    """``permalink`` as written (a style name or a template)."""
    future: bool
    unpublished: bool
    show_drafts: bool | None
    limit_posts: int
    markdown_ext: tuple[str, ...]
    """Lower-cased, each with its leading dot: ``(".markdown", ..., ".md")``."""
    markdown: str
    kramdown: Mapping[str, object]
    feed: FeedSettings
    collections: Mapping[str, Mapping[str, object]]
    collections_dir: str
    defaults: tuple[DefaultsSet, ...]
    plugins: tuple[str, ...]
    exclude: tuple[str, ...]
    include: tuple[str, ...]
    safe: bool
    includes_dir: Path | None
    data: Mapping[str, object] = field(default_factory=dict)

    @property
    def variables(self) -> Mapping[str, object]:
        """Everything Liquid templates see as ``site.*`` from the configuration."""
        return self.config


def deep_merge(base: Mapping[str, object], over: Mapping[str, object]) -> dict[str, object]:
    """Jekyll's ``Utils.deep_merge_hashes``: a nil value never replaces an existing one."""
    out = dict(base)
    for key, new in over.items():
        old = out.get(key)
        if new is None and key in out:
            continue
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            out[key] = deep_merge(old, new)
        else:
            out[key] = new
    return out


def style_to_permalink(value: object) -> str:
    text = str(value)
    return PERMALINK_STYLES.get(text, text)


def _config_file(root: Path) -> Path | None:
    for ext in ("yml", "yaml", "toml"):
        candidate = root / f"_config.{ext}"
        if candidate.exists():
            return candidate
    return None


def _read_config(path: Path | None) -> dict[str, object]:
    if path is None:
        return {}
    if path.suffix == ".toml":
        try:
            loaded: object = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise JekyllSiteError(path, f"cannot read: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            line = getattr(exc, "lineno", None)
            raise JekyllSiteError(path, f"invalid TOML: {exc}", line) from None
    else:
        loaded = load_yaml(path)
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise JekyllSiteError(path, "the configuration must be a mapping of settings")
    return {str(k): v for k, v in loaded.items()}


def _str_list(path: Path, config: Mapping[str, object], key: str) -> tuple[str, ...]:
    value = config.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise JekyllSiteError(path, f"'{key}' should be set as an array, but was: {value!r}")
    return tuple(str(v) for v in value)


def _collections(config: dict[str, object]) -> dict[str, dict[str, object]]:
    """``Configuration#add_default_collections``."""
    raw = config.get("collections")
    if raw is None:
        return {}
    if isinstance(raw, list):
        raw = {str(name): {} for name in raw}
    if not isinstance(raw, Mapping):
        raw = {}
    merged = deep_merge({"posts": {}}, raw)
    out = {str(k): dict(v) if isinstance(v, Mapping) else {} for k, v in merged.items()}
    posts = out["posts"]
    posts["output"] = True
    if config.get("permalink") and not posts.get("permalink"):
        posts["permalink"] = style_to_permalink(config["permalink"])
    return out


def _feed(value: object) -> FeedSettings:
    if not isinstance(value, Mapping):
        return FeedSettings()
    limit = value.get("posts_limit")
    cats = value.get("categories")
    return FeedSettings(
        path=str(value.get("path") or "feed.xml"),
        posts_limit=int(limit) if isinstance(limit, int) and not isinstance(limit, bool) else 10,
        excerpt_only=bool(value.get("excerpt_only", False)),
        categories=tuple(str(c) for c in cats) if isinstance(cats, list) else (),
        tags=value.get("tags"),
        collections=value.get("collections"),
    )


def _defaults(value: object) -> tuple[DefaultsSet, ...]:
    """``FrontmatterDefaults#valid_sets``: entries without a ``values`` mapping are ignored,
    and the deprecated singular types become plural."""
    if not isinstance(value, list):
        return ()
    out: list[DefaultsSet] = []
    for entry in value:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("values"), Mapping):
            continue
        scope = entry.get("scope")
        path: str | None = None
        kind: str | None = None
        has_type = False
        if isinstance(scope, Mapping):
            raw_path = scope.get("path")
            path = raw_path if isinstance(raw_path, str) else None
            if "type" in scope:
                has_type = True
                kind = str(scope["type"])
                kind = {"page": "pages", "post": "posts", "draft": "drafts"}.get(kind, kind)
        out.append(DefaultsSet(path, kind, has_type, dict(entry["values"])))
    return tuple(out)


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _settings(root: Path) -> tuple[Path | None, dict[str, object]]:
    """The site's config file, and its settings over Jekyll's defaults."""
    config_file = _config_file(root)
    return config_file, deep_merge(copy.deepcopy(dict(DEFAULTS)), _read_config(config_file))


def _folders(root: Path, config: Mapping[str, object]) -> tuple[Path, Path]:
    """Jekyll's ``source`` and ``destination`` folders, resolved."""
    source = (root / str(config.get("source") or ".")).resolve()
    return source, (source / str(config.get("destination") or "_site")).resolve()


def read_site(folder: Path) -> JekyllSite:
    """Read a Jekyll site's configuration and data, the way ``jekyll build`` would."""
    root = folder.resolve()
    if not root.is_dir():
        raise JekyllSiteError(folder, "not a folder (expected a Jekyll site)")
    config_file, config = _settings(root)
    where = config_file or root
    include = _str_list(where, config, "include")
    exclude = _str_list(where, config, "exclude")
    plugins = _str_list(where, config, "plugins")
    if "exclude" in config and config["exclude"] is not None:
        exclude = tuple(dict.fromkeys((*exclude, *DEFAULT_EXCLUDES)))
    collections = _collections(config)
    config["collections"] = collections
    for key in ("source", "destination", "includes_dir", "data_dir"):
        if "\0" in str(config.get(key) or ""):
            raise JekyllSiteError(where, f"'{key}' holds a NUL character, which no path can")
    source, destination = _folders(root, config)
    includes_dir = source / str(config.get("includes_dir") or "_includes")
    markdown_ext = tuple(
        "." + e.strip().lower() for e in str(config.get("markdown_ext") or "").split(",")
    )
    posts_meta = collections.get("posts", {})
    permalink_style = str(config.get("permalink") or "date")
    template = posts_meta.get("permalink") or style_to_permalink(permalink_style)
    data = read_data(source / str(config.get("data_dir") or "_data"), config)
    limit = config.get("limit_posts")
    kramdown = config.get("kramdown")
    show_drafts = config.get("show_drafts")
    return JekyllSite(
        root=root,
        config_file=config_file,
        config=config,
        source=source,
        destination=destination,
        url=_opt_str(config.get("url")),
        baseurl=_opt_str(config.get("baseurl")),
        title=_opt_str(config.get("title")),
        description=_opt_str(config.get("description")),
        author=config.get("author"),
        timezone=_opt_str(config.get("timezone")),
        permalink=str(template),
        permalink_style=permalink_style,
        future=bool(config.get("future")),
        unpublished=bool(config.get("unpublished")),
        show_drafts=None if show_drafts is None else bool(show_drafts),
        limit_posts=int(limit) if isinstance(limit, int) else 0,
        markdown_ext=markdown_ext,
        markdown=str(config.get("markdown") or "kramdown"),
        kramdown=dict(kramdown) if isinstance(kramdown, Mapping) else {},
        feed=_feed(config.get("feed")),
        collections=collections,
        collections_dir=str(config.get("collections_dir") or ""),
        defaults=_defaults(config.get("defaults")),
        plugins=plugins,
        exclude=exclude,
        include=include,
        safe=bool(config.get("safe")),
        includes_dir=includes_dir if includes_dir.is_dir() else None,
        data=data,
    )


def unkept_output(folder: Path, output: Path) -> tuple[Path, str] | None:
    """Whether ``jekyll build`` of the site in ``folder`` deletes ``output``: Jekyll
    empties its destination of every file it did not make, except what ``keep_files``
    names (Jekyll's cleaner keeps a file whose path below the destination starts with an
    entry, as written: ``feed`` keeps ``feeds/``, ``/feeds`` keeps nothing). The
    destination and the top folder of ``output`` in it to keep, when ``output`` is below
    the destination and no entry keeps all of it; None otherwise (or when the site cannot
    be read: building says so)."""
    try:
        root = folder.resolve()
        config_file, config = _settings(root)
        kept = _str_list(config_file or root, config, "keep_files")
        _, destination = _folders(root, config)
        out = output.resolve()
    except (JekyllSiteError, OSError, ValueError, RuntimeError):  # NUL, a symlink loop
        return None
    if out == destination or not out.is_relative_to(destination):
        return None
    rel = out.relative_to(destination).as_posix()
    if any((rel + "/").startswith(entry) for entry in kept):
        return None
    return destination, rel.split("/")[0]
