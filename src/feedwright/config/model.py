"""The validated contents of ``config.yaml``: one frozen pydantic model per section and
the enums for the keys that take one of a few words. Every model forbids unknown keys."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from feedwright.config.values import (
    PERMALINK_STYLES,
    Size,
    absolute_http_url,
    check_cron,
    check_path_template,
    expand_permalink,
    ids_shorthand,
    parse_duration,
)


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, populate_by_name=True
    )


class SiteConfig(_Model):
    title: str = Field(min_length=1)
    url: str
    baseurl: str = ""
    description: str = ""
    author: str = ""
    language: str = "en"
    timezone: str = "UTC"
    icon: str | None = None  # a small square image; relative URLs resolve against the site
    logo: str | None = None  # a larger image, about 2:1

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return absolute_http_url(value)

    @field_validator("baseurl")
    @classmethod
    def _baseurl(cls, value: str) -> str:
        if value and not value.startswith("/"):
            raise ValueError(f"must be empty or start with '/', such as /blog, got {value!r}")
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as UTC or Europe/Berlin"
            ) from None
        return value

    @field_validator("language")
    @classmethod
    def _lang(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
            raise ValueError(f"must be a language tag such as en or pt-BR, got {value!r}")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def root(self) -> str:
        """The site's public root URL, with the base URL and a trailing slash."""
        return self.url.rstrip("/") + self.baseurl + "/"


class IdScheme(StrEnum):
    URL = "url"
    TAG = "tag"
    JEKYLL_FEED = "jekyll-feed"


class IdsConfig(_Model):
    scheme: IdScheme = IdScheme.URL
    authority: str | None = None
    date: dt.date | None = None

    @field_validator("authority")
    @classmethod
    def _authority(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not re.fullmatch(
            r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*"
            r"|[^@\s]+@[a-z0-9.-]+",
            value,
        ):
            raise ValueError(
                "must be a lowercase domain name you own (or an e-mail address), "
                "such as example.org"
            )
        return value

    @model_validator(mode="after")
    def _tag_needs(self) -> IdsConfig:
        if self.scheme is IdScheme.TAG and (self.authority is None or self.date is None):
            raise ValueError(
                "ids.scheme 'tag' needs ids.authority (a domain you own, such as example.org) and "
                "ids.date (a date on which you owned it, such as 2017-01-01)"
            )
        return self


class ContentMode(StrEnum):
    FULL = "full"
    SUMMARY = "summary"


class FeedFormat(StrEnum):
    ATOM = "atom"
    RSS = "rss"
    JSON = "json"


class FamilyConfig(_Model):
    enabled: bool = True
    limit: int | None = Field(default=None, ge=1, le=10000)
    content: ContentMode | None = None
    atom: str
    rss: str
    json_: str = Field(alias="json")


class SiteFeedConfig(FamilyConfig):
    atom: str = "atom.xml"
    rss: str = "rss.xml"
    json_: str = Field(default="feed.json", alias="json")

    @field_validator("atom", "rss", "json_")
    @classmethod
    def _paths(cls, value: str) -> str:
        return check_path_template(value, "site", needs_slug=False)


class TagFeedConfig(FamilyConfig):
    atom: str = "tags/{slug}.atom.xml"
    rss: str = "tags/{slug}.rss.xml"
    json_: str = Field(default="tags/{slug}.json", alias="json")

    @field_validator("atom", "rss", "json_")
    @classmethod
    def _paths(cls, value: str) -> str:
        return check_path_template(value, "tags", needs_slug=True)


class CategoryFeedConfig(FamilyConfig):
    atom: str = "categories/{slug}.atom.xml"
    rss: str = "categories/{slug}.rss.xml"
    json_: str = Field(default="categories/{slug}.json", alias="json")

    @field_validator("atom", "rss", "json_")
    @classmethod
    def _paths(cls, value: str) -> str:
        return check_path_template(value, "categories", needs_slug=True)


class ArchivesConfig(_Model):
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


class DiscoveryConfig(_Model):
    """The pages and lists that help readers find the feeds (all in the output folder)."""

    index: bool = True  # index.html
    opml: bool = True  # feeds.opml
    autodiscovery: bool = True  # autodiscovery.html
    stylesheet: bool = True  # feed.xsl, referenced from every Atom and RSS feed


class WebSubConfig(_Model):
    """WebSub hubs: advertised in every feed and pinged with the feeds that changed."""

    hubs: list[str] = Field(default_factory=list)
    timeout: float = Field(default=10.0, gt=0, le=300)
    retries: int = Field(default=3, ge=0, le=20)

    @field_validator("hubs")
    @classmethod
    def _hubs(cls, value: list[str]) -> list[str]:
        return [absolute_http_url(v) for v in value]


class ServeConfig(_Model):
    """``feedwright serve`` and ``run --serve``."""

    bind: str = "127.0.0.1:8080"
    cache_control: str = "public, max-age=300"


class FeedsConfig(_Model):
    site: SiteFeedConfig = SiteFeedConfig()
    tags: TagFeedConfig = TagFeedConfig()
    categories: CategoryFeedConfig = CategoryFeedConfig()


class TagsConfig(_Model):
    aliases: dict[str, str] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    min_posts: int = Field(default=1, ge=1)


class AuthorConfig(_Model):
    name: str = Field(min_length=1)
    email: str | None = None
    uri: str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError(f"must be an e-mail address such as jane@example.org, got {value!r}")
        return value

    @field_validator("uri")
    @classmethod
    def _uri(cls, value: str | None) -> str | None:
        return None if value is None else absolute_http_url(value)


class ScheduleConfig(_Model):
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


class RepairConfig(_Model):
    """Repairs that ``build`` applies (each with a warning)."""

    mojibake: bool = True
    encoding: bool = True


class SanitizeConfig(_Model):
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


class LimitsConfig(_Model):
    post_size: Size = 5 * 1024 * 1024
    tags_per_post: int = Field(default=100, ge=1)
    feed_size: Size = 512 * 1024


class PublicationDate(StrEnum):
    PUB = "pub"
    SITE = "site"


class EmbedMode(StrEnum):
    LINK = "link"
    KEEP = "keep"


class Config(_Model):
    """The validated contents of ``config.yaml``."""

    site: SiteConfig
    posts: Path = Path("posts")
    output: Path = Path("feeds")
    state: Path = Path(".feedwright")
    source: Path | None = None
    feeds_url: str | None = None
    permalink: Annotated[str, BeforeValidator(expand_permalink)] = "/:year/:title:output_ext"
    ids: Annotated[IdsConfig, BeforeValidator(ids_shorthand)] = IdsConfig()
    publication_date: PublicationDate = PublicationDate.PUB
    limit: int = Field(default=20, ge=1, le=10000)
    content: ContentMode = ContentMode.FULL
    formats: list[FeedFormat] = Field(
        default_factory=lambda: [FeedFormat.ATOM, FeedFormat.RSS, FeedFormat.JSON]
    )
    feeds: FeedsConfig = FeedsConfig()
    tags: TagsConfig = TagsConfig()
    authors: dict[str, AuthorConfig] = Field(default_factory=dict)
    embeds: EmbedMode = EmbedMode.LINK
    future: bool = False
    jekyll: Path | None = None
    markdown_ext: list[str] = Field(
        default_factory=lambda: ["markdown", "mkdown", "mkdn", "mkd", "md"]
    )
    drafts: bool = False
    unpublished: bool = False
    schedule: ScheduleConfig = ScheduleConfig(every="15m")
    repair: RepairConfig = RepairConfig()
    sanitize: SanitizeConfig = SanitizeConfig()
    limits: LimitsConfig = LimitsConfig()
    max_loss: float = Field(default=0.5, ge=0.0, le=1.0)
    archives: ArchivesConfig = ArchivesConfig()
    discovery: DiscoveryConfig = DiscoveryConfig()
    websub: WebSubConfig = WebSubConfig()
    serve: ServeConfig = ServeConfig()

    @field_validator("feeds_url")
    @classmethod
    def _feeds_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        return absolute_http_url(value).rstrip("/") + "/"

    @field_validator("permalink")
    @classmethod
    def _permalink_shape(cls, value: str) -> str:
        if "/" not in value and ":" not in value:
            styles = ", ".join(PERMALINK_STYLES)
            raise ValueError(
                f"must be a path pattern such as /:year/:title:output_ext, "
                f"or one of the named styles {styles}; got {value!r}"
            )
        return value

    @field_validator("formats")
    @classmethod
    def _formats(cls, value: list[FeedFormat]) -> list[FeedFormat]:
        if not value:
            raise ValueError("list at least one format: atom, rss, json")
        return sorted(set(value), key=list(FeedFormat).index)

    @property
    def public_feeds_url(self) -> str:
        """Where ``output`` is published; defaults to the site root."""
        return self.feeds_url or self.site.root

    def family_limit(self, family: FamilyConfig) -> int:
        return family.limit if family.limit is not None else self.limit

    def family_content(self, family: FamilyConfig) -> ContentMode:
        return family.content if family.content is not None else self.content
