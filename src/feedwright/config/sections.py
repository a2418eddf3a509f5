"""The sections of ``config.yaml`` about running and publishing rather than about the
site: archives, discovery pages, WebSub, serving, the schedule, repairs, the HTML
allowlist and size limits."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from feedwright.config.base import StrictModel
from feedwright.config.values import (
    Size,
    absolute_http_url,
    check_cron,
    check_no_control,
    check_path_template,
    parse_duration,
)


class ArchivesConfig(StrictModel):
    """RFC 5005 archived feeds: one Atom document per publication year."""

    enabled: bool = True
    path: str = "archive/{year}.atom.xml"

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if "{year}" not in value:
            raise ValueError(f"the archive path template must contain {{year}}, got {value!r}")
        return check_path_template(
            value.replace("{year}", "{slug}"), "archives", needs_slug=True
        ).replace("{slug}", "{year}")


Family = Literal["site", "category", "tag", "author", "language", "custom", "collection"]


def _site_and_categories() -> list[Family]:
    return ["site", "category", "collection"]


class DiscoveryConfig(StrictModel):
    """The pages and lists that help readers find the feeds (all in the output folder)."""

    index: bool = True  # index.html
    opml: bool = True  # feeds.opml
    autodiscovery: bool = True  # autodiscovery.html
    # which feeds autodiscovery.html links: every page's <head> carries it, so not the
    # hundreds of tag feeds a blog can have (a tag page links its own; see the README)
    autodiscovery_families: list[Family] = Field(default_factory=_site_and_categories)
    stylesheet: bool = True  # feed.css in every Atom and RSS feed, and a page per feed


class WebSubConfig(StrictModel):
    """WebSub hubs: advertised in every feed and pinged with the feeds that changed."""

    hubs: list[str] = Field(default_factory=list)
    timeout: float = Field(default=10.0, gt=0, le=300)
    retries: int = Field(default=3, ge=0, le=20)

    @field_validator("hubs")
    @classmethod
    def _hubs(cls, value: list[str]) -> list[str]:
        return [absolute_http_url(v) for v in value]


class PoliteConfig(StrictModel):
    """Throttling of clients that re-fetch a feed without a conditional header."""

    min_interval: str | None = None  # a duration such as 5m; None: never throttle

    @field_validator("min_interval", mode="before")
    @classmethod
    def _interval(cls, value: object) -> object:
        if value is None:
            return value
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise ValueError(f"must be a duration such as 5m, got {value!r}")
        parse_duration(value)
        return str(value)

    @property
    def seconds(self) -> float | None:
        return (
            None if self.min_interval is None else parse_duration(self.min_interval).total_seconds()
        )


class ServeConfig(StrictModel):
    """``feedwright serve`` and ``run --serve``."""

    bind: str = "127.0.0.1:8080"
    cache_control: str = "public, max-age=300"
    status: bool = False  # serve the full status at /status.json, to loopback clients only
    stats: bool = False  # serve the polling statistics at /stats, to loopback clients only
    polite: PoliteConfig = PoliteConfig()


class RedirectsConfig(StrictModel):
    """The redirect rules ``build`` writes for static hosts, each a file in the output
    folder: 301 for moved feeds, 410 for retired ones."""

    netlify: bool = False  # _redirects (Netlify; Cloudflare Pages reads its 301 lines)
    nginx: bool = False  # feedwright-redirects.nginx.conf, a map to include
    apache: bool = False  # .htaccess


Retired = Literal["tombstone", "remove"]


def check_moved(value: dict[str, str]) -> dict[str, str]:
    """``moved:``: old path (relative to the output folder) -> new path (relative to it)
    or an absolute http(s) URL. Neither may be empty, absolute or leave the folder."""
    for old, new in value.items():
        for what, path in (("old", old), ("new", new)):
            check_no_control(path)
            if what == "new" and path.startswith(("http://", "https://")):
                absolute_http_url(path)
                continue
            names = path.split("/")
            if path.startswith("/") or "\\" in path or any(n in ("", ".", "..") for n in names):
                raise ValueError(
                    f"moved: the {what} path {path!r} must be a plain path relative to the "
                    "output folder, such as tags/go.atom.xml"
                    + (" (or an absolute http(s) URL)" if what == "new" else "")
                )
        if old == new:
            raise ValueError(f"moved: {old!r} is moved to itself")
    return value


class ScheduleConfig(StrictModel):
    every: str | None = None
    cron: str | None = None

    @field_validator("every", mode="before")
    @classmethod
    def _every(cls, value: object) -> object:
        if value is None:
            return value
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise ValueError(f"must be a duration such as 15m, got {value!r}")
        parse_duration(value)
        return str(value)

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is None:
            return value
        return check_cron(value)

    @model_validator(mode="after")
    def _one(self) -> ScheduleConfig:
        if (self.every is None) == (self.cron is None):
            raise ValueError("set exactly one of schedule.every (such as 15m) or schedule.cron")
        return self

    @property
    def interval(self) -> dt.timedelta | None:
        return None if self.every is None else parse_duration(self.every)


class RepairConfig(StrictModel):
    """Repairs that ``build`` applies (each with a warning)."""

    mojibake: bool = True
    encoding: bool = True


class SanitizeConfig(StrictModel):
    """The HTML allowlist (nh3). Scripts, event handlers and ``javascript:`` URLs are
    never allowed; these lists add to feedwright's defaults."""

    enabled: bool = True
    tags: list[str] = Field(default_factory=list)
    attributes: dict[str, list[str]] = Field(default_factory=dict)
    url_schemes: list[str] = Field(default_factory=list)

    @field_validator("tags")
    @classmethod
    def _no_script(cls, value: list[str]) -> list[str]:
        banned = {"script", "style"} & {t.lower() for t in value}
        if banned:
            raise ValueError(f"{', '.join(sorted(banned))} can never be allowed in feeds")
        return [t.lower() for t in value]

    @field_validator("attributes")
    @classmethod
    def _no_handlers(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for tag, names in value.items():
            for name in names:
                if name.lower().startswith("on"):
                    raise ValueError(f"{tag}: event handler {name!r} can never be allowed")
        return value

    @field_validator("url_schemes")
    @classmethod
    def _no_js(cls, value: list[str]) -> list[str]:
        if {"javascript", "vbscript", "data"} & {v.lower() for v in value}:
            raise ValueError("javascript:, vbscript: and data: URLs can never be allowed")
        return [v.lower() for v in value]


class LimitsConfig(StrictModel):
    post_size: Size = 5 * 1024 * 1024
    tags_per_post: int = Field(default=100, ge=1)
    feed_size: Size = 512 * 1024
    render_seconds: float = Field(default=5.0, gt=0)
    render_memory: Size = 1024 * 1024 * 1024
