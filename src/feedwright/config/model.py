"""The validated contents of ``config.yaml``: one frozen pydantic model per section and
the enums for the keys that take one of a few words. Every model forbids unknown keys,
except ``site:``, whose extra keys are Liquid variables (see :mod:`feedwright.config.site`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from feedwright.config.base import StrictModel
from feedwright.config.collections import CollectionConfig, check_collections
from feedwright.config.families import (
    AuthorFeedConfig,
    ContentMode,
    CustomFeedConfig,
    ExcludeFilter,
    FamilyConfig,
    FeedFormat,
    LanguageFeedConfig,
    check_custom,
)
from feedwright.config.podcast import PodcastConfig
from feedwright.config.sections import (
    ArchivesConfig,
    DiscoveryConfig,
    LimitsConfig,
    RedirectsConfig,
    RepairConfig,
    Retired,
    SanitizeConfig,
    ScheduleConfig,
    ServeConfig,
    WebSubConfig,
    check_moved,
)
from feedwright.config.site import AuthorConfig, SiteConfig
from feedwright.config.sources import Source
from feedwright.config.values import (
    MARKDOWN_EXT,
    PERMALINK_STYLES,
    PlainMapping,
    absolute_http_url,
    check_liquid_tag,
    check_no_control,
    check_path_template,
    expand_permalink,
    ids_shorthand,
    markdown_ext_list,
    shared_path,
)


class IdScheme(StrEnum):
    URL = "url"
    TAG = "tag"
    JEKYLL_FEED = "jekyll-feed"
    LEDGER = "ledger"  # every published id as the id ledger keeps it; ``new`` for new posts


class IdsConfig(StrictModel):
    scheme: IdScheme = IdScheme.URL
    new: IdScheme = IdScheme.URL  # under ``scheme: ledger``, the scheme of unpublished posts
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
        if self.new is IdScheme.LEDGER:
            raise ValueError("ids.new must be url, tag or jekyll-feed (the scheme of new posts)")
        if self.base is IdScheme.TAG and (self.authority is None or self.date is None):
            raise ValueError(
                "ids.scheme 'tag' needs ids.authority (a domain you own, such as example.org) and "
                "ids.date (a date on which you owned it, such as 2017-01-01)"
            )
        return self

    @property
    def base(self) -> IdScheme:
        """The scheme that makes the id of a post the ledger does not pin."""
        return self.new if self.scheme is IdScheme.LEDGER else self.scheme


class SiteFeedConfig(FamilyConfig, ExcludeFilter):
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


class FeedsConfig(StrictModel):
    site: SiteFeedConfig = SiteFeedConfig()
    tags: TagFeedConfig = TagFeedConfig()
    categories: CategoryFeedConfig = CategoryFeedConfig()
    ttl: int | None = Field(default=None, ge=0, le=525600)
    """Minutes a reader may cache the feeds (RSS ``ttl``, ``sy:updatePeriod`` and
    ``sy:updateFrequency``); 0 leaves them out; unset: from a ``schedule`` in config.yaml."""
    authors: AuthorFeedConfig = AuthorFeedConfig()
    languages: LanguageFeedConfig = LanguageFeedConfig()
    custom: Annotated[dict[str, CustomFeedConfig], AfterValidator(check_custom)] = Field(
        default_factory=dict
    )


class TagsConfig(StrictModel):
    aliases: dict[str, str] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    min_posts: int = Field(default=1, ge=1)


class PublicationDate(StrEnum):
    PUB = "pub"
    SITE = "site"


class EmbedMode(StrEnum):
    LINK = "link"
    KEEP = "keep"


class LiquidConfig(StrictModel):
    """How Liquid runs: custom tags (shortcodes) and Jekyll's ``liquid:`` options."""

    tags: dict[str, str] = Field(default_factory=dict)
    """A tag name and the Liquid template it expands to: ``{% name args %}`` renders the
    template with ``include.*`` set from the arguments, as ``{% include %}`` does."""
    error_mode: Literal["warn", "strict", "lax"] = "warn"
    strict_filters: bool = False
    strict_variables: bool = False

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            check_liquid_tag(name)
        return value


SLUG_FAMILIES = ("tags", "categories", "authors", "languages")  # feeds.<family>: one per slug
FIXED_KEYS = ("feeds.site.", "feeds.custom.", "collections.")  # one file per format


def _template_kind(key: str) -> str:
    if key == "archives.path":
        return "year"
    return "fixed" if key.startswith(FIXED_KEYS) else "slug"


class Config(StrictModel):
    """The validated contents of ``config.yaml``."""

    site: SiteConfig
    posts: Path = Path("posts")
    output: Path = Path("feeds")
    state: Path = Path(".feedwright")
    source: Path | None = None
    feeds_url: str | None = None
    site_folder: Path | None = None
    """The folder on disk that is published at the site's URL (``site.url`` with
    ``baseurl``), such as a static site generator's ``_site`` or ``public``: an output
    inside it is published at the same path under the site's URL, which ``feeds_url``
    then defaults to. In Jekyll mode, Jekyll's ``destination``."""
    permalink: Annotated[str, BeforeValidator(expand_permalink)] = PERMALINK_STYLES["date"]
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
    drafts: bool = False
    """Publish the posts in ``_drafts`` folders too (Jekyll's ``show_drafts``)."""
    unpublished: bool = False
    """Publish posts whose front matter says ``published: false`` too."""
    jekyll: Path | None = None
    """A Jekyll site folder whose ``_config.yml`` gives the defaults (Jekyll mode)."""
    includes: Path | None = None
    """The folder ``{% include %}`` reads (a Jekyll site's ``_includes``)."""
    markdown_ext: Annotated[list[str], BeforeValidator(markdown_ext_list)] = Field(
        default_factory=lambda: list(MARKDOWN_EXT)
    )
    kramdown: PlainMapping = Field(default_factory=dict)
    liquid: LiquidConfig = LiquidConfig()
    schedule: ScheduleConfig = ScheduleConfig(every="15m")
    repair: RepairConfig = RepairConfig()
    sanitize: SanitizeConfig = SanitizeConfig()
    limits: LimitsConfig = LimitsConfig()
    max_loss: float = Field(default=0.5, ge=0.0, le=1.0)
    archives: ArchivesConfig = ArchivesConfig()
    discovery: DiscoveryConfig = DiscoveryConfig()
    websub: WebSubConfig = WebSubConfig()
    serve: ServeConfig = ServeConfig()
    moved: Annotated[dict[str, str], AfterValidator(check_moved)] = Field(default_factory=dict)
    retired: Retired = "tombstone"
    redirects: RedirectsConfig = RedirectsConfig()
    podcast: PodcastConfig | None = None
    """A feed whose RSS file is a podcast (see docs/podcasts.md)."""
    collections: Annotated[dict[str, CollectionConfig], AfterValidator(check_collections)] = Field(
        default_factory=dict
    )
    """Folders of documents besides the posts, each with a feed (see docs/feeds.md)."""

    @field_validator("posts", "output", "state", "source", "site_folder", "jekyll", "includes")
    @classmethod
    def _folder(cls, value: Path | None) -> Path | None:
        if value is not None:
            check_no_control(str(value))
        return value

    def output_templates(self) -> dict[str, str]:
        """The path template of every feed file this config writes, by key
        (``feeds.site.atom``, ``feeds.tags.rss``, ``archives.path``, ...): enabled families
        and configured formats only."""
        out: dict[str, str] = {}
        for name in ("site", *SLUG_FAMILIES):
            family: FamilyConfig = getattr(self.feeds, name)
            if family.enabled:
                for fmt in self.formats:
                    key = "json" if fmt is FeedFormat.JSON else fmt.value
                    out[f"feeds.{name}.{key}"] = getattr(family, "json_" if key == "json" else key)
        for name, custom in self.feeds.custom.items():
            for fmt, path in custom.paths(name, self.formats).items():
                out[f"feeds.custom.{name}.{fmt.value}"] = path
        for name, collection in self.collections.items():
            for fmt, path in collection.paths(name, self.formats).items():
                out[f"collections.{name}.{fmt.value}"] = path
        if self.archives.enabled and FeedFormat.ATOM in self.formats:
            out["archives.path"] = self.archives.path
        return out

    @model_validator(mode="after")
    def _distinct_outputs(self) -> Config:
        """No two templates may name one file, whatever the posts: the site's files must
        differ (and no year's archive may be one of them), and no tag or category file may
        ever be another's. A tag whose file would be a site file or an archive gets another
        slug when the index is made (see feedwright.index.slugs)."""
        templates = self.output_templates()
        keys = sorted(templates)
        for i, first in enumerate(keys):
            for second in keys[i + 1 :]:
                kinds = {_template_kind(first), _template_kind(second)}
                if kinds in ({"slug", "fixed"}, {"slug", "year"}):
                    continue  # decided per slug when the index is made
                clash = shared_path(templates[first], templates[second])
                if clash is not None:
                    same = templates[first] == templates[second]
                    what = (
                        f"are both {templates[first]!r}"
                        if same
                        else f"({templates[first]!r} and {templates[second]!r}) can both "
                        f"write {clash!r}"
                    )
                    fix = (
                        "give each a folder of its own, such as tags/{slug}.atom.xml and "
                        "categories/{slug}.atom.xml"
                        if kinds == {"slug"}
                        else "give each its own file name"
                    )
                    raise ValueError(
                        f"{first} and {second} {what}, so one feed would replace the other; {fix}"
                    )
        return self

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
                "must be a path pattern such as /:year/:title:output_ext, or one of the named "
                f"styles {styles}; got {value!r}"
            )
        # Jekyll makes every URL start with a slash: blog/:slug.html is /blog/:slug.html.
        return value if value.startswith("/") else "/" + value

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

    _origins: dict[str, Source] = PrivateAttr(default_factory=dict)
    _read_from: Path | None = PrivateAttr(default=None)

    def with_origins(self, origins: Mapping[str, Source], folder: Path | None = None) -> Config:
        """This config, recording where each key that was set came from, and the folder
        of the file it was read from (relative paths were resolved against it)."""
        copy = self.model_copy()
        copy._origins = dict(origins)
        copy._read_from = folder
        return copy

    @property
    def folder(self) -> Path | None:
        """The folder of the config file, or None for a config not read from a file."""
        return self._read_from

    @property
    def origins(self) -> Mapping[str, Source]:
        """Dotted key of every value that was set -> where it was set."""
        return MappingProxyType(self._origins)

    def liquid_site(self) -> dict[str, object]:
        """``site.*`` as Liquid sees it, with Jekyll's names for the settings."""
        out = self.site.liquid()
        out.update(
            permalink=self.permalink,
            future=self.future,
            show_drafts=self.drafts,
            unpublished=self.unpublished,
            markdown_ext=",".join(self.markdown_ext),
            kramdown=dict(self.kramdown),
        )
        return out
