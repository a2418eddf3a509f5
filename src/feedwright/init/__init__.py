"""``feedwright init``: a commented ``config.yaml`` that lists every setting, prefilled from
a Jekyll site when there is one, and a first post when there is nothing to publish yet;
the effective settings as text; the systemd unit shipped with the package.

The templates are package data (``feedwright/data``), read with :mod:`importlib.resources`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from string import Template

from feedwright import __version__
from feedwright.config import Config, config_from_mapping, describe, load_config
from feedwright.config.jekyll import jekyll_layer, open_site, origin_note, written_settings
from feedwright.config.sources import Source, merge_layer, origin_of
from feedwright.config.values import MARKDOWN_EXT
from feedwright.errors import ConfigError, UsageError
from feedwright.init.keys import lookup, model_keys, yaml_value
from feedwright.init.template import NOTE_WIDTH, Line, compose, short

__all__ = [
    "CONFIG_NAME",
    "ConfigExistsError",
    "Initialized",
    "init_folder",
    "render_settings",
    "systemd_unit",
    "template",
    "write_config",
]

CONFIG_NAME = "config.yaml"
# What a new config.yaml says until the user names their site.
PLACEHOLDER_SITE = {"title": "My blog", "url": "https://example.org/"}
JEKYLL_CONFIGS = ("_config.yml", "_config.yaml", "_config.toml")
# Sizes are shown as a user writes them (5MB), not as a number of bytes.
_SIZE_KEYS = ("limits.post_size", "limits.feed_size")


class ConfigExistsError(UsageError):
    """``init`` would replace a config file that is already there."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"{path}: already exists; edit it, or run `feedwright init --force` to replace it "
            "with a fresh one (its settings are lost)"
        )


@dataclass(frozen=True)
class Initialized:
    """What :func:`init_folder` wrote: the config file, and the first post if it wrote one."""

    config: Path
    post: Path | None
    jekyll: Path | None
    placeholders: tuple[str, ...] = ()  # the site.* keys left at PLACEHOLDER_SITE: to edit


def template(name: str) -> str:
    """A text file shipped in ``feedwright/data``."""
    return files("feedwright").joinpath("data", name).read_text(encoding="utf-8")


def systemd_unit() -> str:
    """The systemd unit that runs ``feedwright run`` as a service (as in ``deploy/``)."""
    return template("feedwright.service")


def _size(value: object) -> str:
    if isinstance(value, int):
        for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
            if value % factor == 0:
                return f"{value // factor}{unit}"
    return yaml_value(value)


def _shown(dotted: str, value: object, folder: Path) -> str:
    if dotted in _SIZE_KEYS:
        return _size(value)
    if isinstance(value, Path) and value.is_absolute() and value.is_relative_to(folder):
        value = value.relative_to(folder)
    return yaml_value(value)


def _defaults() -> dict[str, object]:
    config = Config.model_validate({"site": PLACEHOLDER_SITE})
    return config.model_dump(mode="python", by_alias=True)


def _plain_lines(folder: Path) -> dict[str, Line]:
    defaults = _defaults()
    lines = {
        k.dotted: Line(_shown(k.dotted, lookup(defaults, k.dotted), folder))
        for k in model_keys()
        if not k.section
    }
    for key in ("title", "url"):
        lines[f"site.{key}"] = Line(yaml_value(PLACEHOLDER_SITE[key]), active=True)
    if not (folder / "posts").exists() and (folder / "_posts").is_dir():
        lines["posts"] = Line("_posts", active=True)
    return lines


def _jekyll_lines(folder: Path, site_dir: Path) -> tuple[dict[str, Line], str]:
    """Every key as the Jekyll site leaves it: those the site gives commented out with
    its value, the others at feedwright's default."""
    site = open_site(site_dir)
    written = written_settings(site)
    origins: dict[str, Source] = {}
    merged = merge_layer({}, jekyll_layer(site), Source.JEKYLL, origins)
    missing = {
        k: v
        for k, v in PLACEHOLDER_SITE.items()
        if origin_of(f"site.{k}", origins) is not Source.JEKYLL
    }
    merged = merge_layer(merged, {"site": missing}, Source.CONFIG, {})
    config = config_from_mapping(
        merged, site.config_file, origins=origins, jekyll_file=site.config_file
    )
    effective = config.model_dump(mode="python", by_alias=True)
    defaults = _defaults()
    lines: dict[str, Line] = {}
    for key in model_keys():
        if key.section:
            continue
        value = lookup(effective, key.dotted)
        default = _shown(key.dotted, lookup(defaults, key.dotted), folder)
        if origin_of(key.dotted, origins) is Source.JEKYLL and value != {}:
            shown = _shown(key.dotted, value, folder)
            note = f"{origin_note(key.dotted, written)}: {short(shown)}"
            lines[key.dotted] = Line(shown if len(shown) <= NOTE_WIDTH else default, note=note)
        else:
            lines[key.dotted] = Line(default)
    for name, value in missing.items():
        lines[f"site.{name}"] = Line(yaml_value(value), active=True)
    lines["jekyll"] = Line(_shown("jekyll", site_dir, folder), active=True)
    header = template("config-header-jekyll.yaml")
    if folder.is_relative_to(site.source) and CONFIG_NAME not in site.exclude:
        header += (
            f"# Jekyll copies this file into the site it builds unless the site's config file\n"
            f"# lists {CONFIG_NAME} under its exclude setting.\n"
        )
    return lines, header


def _find_site(folder: Path, jekyll: Path | None) -> Path | None:
    if jekyll is not None:
        return jekyll.resolve()
    if any((folder / name).is_file() for name in JEKYLL_CONFIGS):
        return folder
    return None


def _has_posts(posts: Path) -> bool:
    if not posts.is_dir():
        return False
    exts = {"." + e for e in MARKDOWN_EXT} | {".html"}
    return any(p.suffix.lower() in exts for p in posts.rglob("*") if p.is_file())


def _write_checked(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` only once it loads as a config, beside it."""
    temporary = target.with_name(f".{target.name}.init")
    temporary.write_text(text, encoding="utf-8")
    try:
        load_config(temporary)
        temporary.replace(target)
    except ConfigError as exc:  # named as the file it would have been
        raise ConfigError(target, exc.problems) from None
    finally:
        temporary.unlink(missing_ok=True)


def init_folder(
    folder: Path,
    *,
    jekyll: Path | None = None,
    force: bool = False,
    today: dt.date | None = None,
) -> Initialized:
    """Write ``folder/config.yaml`` (see :func:`write_config`), and a first post into
    ``folder/posts`` when the folder has no posts and no Jekyll site (dated ``today``,
    by default today in UTC), so that a build publishes something right away."""
    folder = folder.resolve()
    target = folder / CONFIG_NAME
    if target.exists() and not force:
        raise ConfigExistsError(target)
    site_dir = _find_site(folder, jekyll)
    header = Template(template("config-header.yaml")).substitute(version=__version__)
    if site_dir is None:
        lines = _plain_lines(folder)
    else:
        lines, more = _jekyll_lines(folder, site_dir)
        header += more
    folder.mkdir(parents=True, exist_ok=True)
    _write_checked(target, compose(lines, header))
    post = None
    written = load_config(target)
    posts = written.posts
    placeholders = tuple(
        k
        for k, v in PLACEHOLDER_SITE.items()
        if getattr(written.site, k).rstrip("/") == v.rstrip("/")
    )
    if site_dir is None and not _has_posts(posts):
        day = (today or dt.datetime.now(dt.UTC).date()).isoformat()
        post = posts / f"{day}-hello-feeds.md"
        posts.mkdir(parents=True, exist_ok=True)
        post.write_text(Template(template("welcome.md")).substitute(date=day), encoding="utf-8")
    return Initialized(config=target, post=post, jekyll=site_dir, placeholders=placeholders)


def write_config(folder: Path, *, jekyll: Path | None = None, force: bool = False) -> Path:
    """Write ``folder/config.yaml``: every setting with one line of help, commented out at
    its default except the site's title and URL (placeholders to edit). With a Jekyll site
    (``jekyll``, or a ``_config.yml`` in ``folder``), ``jekyll:`` names it and the settings
    its config file gives stay commented out, marked "from _config.yml: VALUE". An
    existing config file is kept unless ``force``: :class:`ConfigExistsError`. Also writes
    a first post when there is nothing to publish (see :func:`init_folder`)."""
    return init_folder(folder, jekyll=jekyll, force=force).config


def render_settings(config: Config) -> str:
    """Every effective setting, one ``key: value  # source`` line each, where the source
    is feedwright's default, config.yaml, the Jekyll site's _config.yml or an override."""
    lines = [
        f"{s.key}: {_size(s.value) if s.key in _SIZE_KEYS else yaml_value(s.value)}"
        f"  # {s.source.value}"
        for s in describe(config)
    ]
    return "\n".join(lines) + "\n"
