"""The families of feeds and the feeds people compose: the formats and content modes
every family shares, the per-author and per-language families (off by default), the
site feed's filters, and ``feeds.custom``, named feeds chosen by a query over tags,
categories, authors and languages."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import ClassVar

from pydantic import Field, field_validator

from feedwright.config.base import StrictModel
from feedwright.config.values import check_path_template


class ContentMode(StrEnum):
    FULL = "full"
    SUMMARY = "summary"


class FeedFormat(StrEnum):
    ATOM = "atom"
    RSS = "rss"
    JSON = "json"


# The file name each format gets after a custom feed's path stem (as tag feeds do).
FORMAT_SUFFIX = {FeedFormat.ATOM: ".atom.xml", FeedFormat.RSS: ".rss.xml", FeedFormat.JSON: ".json"}
# A custom feed's name: its key in the state and its default file name.
_NAME = re.compile(r"[a-z0-9](?:[a-z0-9_-]{0,78}[a-z0-9])?")


class FamilyConfig(StrictModel):
    enabled: bool = True
    limit: int | None = Field(default=None, ge=1, le=10000)
    content: ContentMode | None = None
    atom: str
    rss: str
    json_: str = Field(alias="json")


def _names(value: list[str]) -> list[str]:
    for name in value:
        if not name.strip():
            raise ValueError("names must not be empty")
    return list(dict.fromkeys(value))


class ExcludeFilter(StrictModel):
    """Posts to leave out of a feed, by category or tag (matched as tag feeds match:
    case, spaces, ``-`` and ``_`` do not count, and ``tags.aliases`` apply)."""

    exclude_categories: list[str] = Field(default_factory=list)
    exclude_tags: list[str] = Field(default_factory=list)

    @field_validator("exclude_categories", "exclude_tags")
    @classmethod
    def _lists(cls, value: list[str]) -> list[str]:
        return _names(value)


class AuthorFeedConfig(FamilyConfig):
    """One feed per author (a handle of ``authors:`` or a name posts give)."""

    enabled: bool = False
    atom: str = "authors/{slug}.atom.xml"
    rss: str = "authors/{slug}.rss.xml"
    json_: str = Field(default="authors/{slug}.json", alias="json")

    @field_validator("atom", "rss", "json_")
    @classmethod
    def _paths(cls, value: str) -> str:
        return check_path_template(value, "authors", needs_slug=True)


class LanguageFeedConfig(FamilyConfig):
    """One feed per language: posts' ``lang:``, or ``site.language`` for posts without."""

    enabled: bool = False
    atom: str = "languages/{slug}.atom.xml"
    rss: str = "languages/{slug}.rss.xml"
    json_: str = Field(default="languages/{slug}.json", alias="json")

    @field_validator("atom", "rss", "json_")
    @classmethod
    def _paths(cls, value: str) -> str:
        return check_path_template(value, "languages", needs_slug=True)


class FeedFiles(StrictModel):
    """What a named feed (a custom feed, a collection's) says of its files and entries:
    its title, formats, limit, content, and where its files go (``<folder>/<name>`` by
    default, ``FOLDER`` being the family's)."""

    FOLDER: ClassVar[str] = "custom"

    title: str | None = None
    description: str | None = None
    formats: list[FeedFormat] | None = None
    limit: int | None = Field(default=None, ge=1, le=10000)
    content: ContentMode | None = None
    path: str | None = None  # the files' stem: <path>.atom.xml, <path>.rss.xml, <path>.json
    atom: str | None = None
    rss: str | None = None
    json_: str | None = Field(default=None, alias="json")

    @field_validator("formats")
    @classmethod
    def _formats(cls, value: list[FeedFormat] | None) -> list[FeedFormat] | None:
        if value is None:
            return value
        if not value:
            raise ValueError("list at least one format: atom, rss, json (or leave formats out)")
        return sorted(set(value), key=list(FeedFormat).index)

    @field_validator("path")
    @classmethod
    def _stem(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if "{" in value or value.endswith(("/", ".xml", ".json")):
            raise ValueError(
                "path is the start of the file names, without a suffix or placeholder "
                "(releases gives releases.atom.xml, releases.rss.xml, releases.json); "
                f"got {value!r}"
            )
        check_path_template(value + FORMAT_SUFFIX[FeedFormat.ATOM], cls.FOLDER, needs_slug=False)
        return value

    @field_validator("atom", "rss", "json_")
    @classmethod
    def _paths(cls, value: str | None) -> str | None:
        if value is None or "{" not in value:
            return None if value is None else check_path_template(value, cls.FOLDER, False)
        raise ValueError(
            f"a {cls.FOLDER} feed's path is one file, with no placeholder; got {value!r}"
        )

    def paths(self, name: str, formats: list[FeedFormat]) -> dict[FeedFormat, str]:
        """Where each format of the feed called ``name`` is written."""
        stem = self.path if self.path is not None else f"{self.FOLDER}/{name}"
        given = {FeedFormat.ATOM: self.atom, FeedFormat.RSS: self.rss, FeedFormat.JSON: self.json_}
        chosen = self.formats if self.formats is not None else formats
        return {fmt: given[fmt] or stem + FORMAT_SUFFIX[fmt] for fmt in chosen}


class CustomFeedConfig(FeedFiles, ExcludeFilter):
    """A feed of the posts that match a query. Every list that is not empty must match:
    ``any_tags`` one of its tags, ``all_tags`` each of them, ``categories``, ``authors``
    and ``languages`` one of theirs; posts in ``exclude_*`` are left out."""

    any_tags: list[str] = Field(default_factory=list)
    all_tags: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    authors: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)

    @field_validator("any_tags", "all_tags", "categories", "authors", "languages")
    @classmethod
    def _queries(cls, value: list[str]) -> list[str]:
        return _names(value)


def check_names(value: dict[str, object], what: str) -> None:
    """Names that are safe as file names and as keys."""
    for name in value:
        if not _NAME.fullmatch(name):
            raise ValueError(
                f"{what} name {name!r}: use lowercase letters, digits, '-' and '_' "
                "(at most 80), starting and ending with a letter or digit, such as releases"
            )


def check_custom(value: dict[str, CustomFeedConfig]) -> dict[str, CustomFeedConfig]:
    """``feeds.custom``: names that are safe as file names and as keys."""
    check_names(dict(value), "custom feed")
    return value
