"""The ``podcast:`` section: which feed is a podcast, and the show's own details (what
Apple Podcasts and the Podcasting 2.0 namespace ask of the channel)."""

from __future__ import annotations

import re
import uuid
from typing import Literal

from pydantic import Field, field_validator

from feedwright.config.base import StrictModel
from feedwright.config.values import absolute_http_url

# Podcasting 2.0: <podcast:guid> is a UUIDv5 of the feed URL without its scheme.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
_FEED = re.compile(r"site|(category|tag):.+")


class PodcastOwner(StrictModel):
    """``itunes:owner``: who Apple contacts about the show (not shown to listeners)."""

    name: str
    email: str

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError(
                f"must be an e-mail address, such as podcast@example.org; got {value!r}"
            )
        return value


class PodcastFunding(StrictModel):
    """``podcast:funding``: where listeners can support the show."""

    url: str
    text: str = "Support the show"

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return absolute_http_url(value)


class PodcastConfig(StrictModel):
    """A feed family's RSS feed published as a podcast."""

    feed: str = "site"
    """``site``, ``category:NAME`` or ``tag:NAME``: the feed whose RSS file is the podcast."""
    title: str | None = None
    author: str | None = None
    owner: PodcastOwner | None = None
    artwork: str | None = None
    categories: list[str] = Field(default_factory=list)
    """Apple's categories, such as ``Technology`` or ``Society & Culture > Documentary``."""
    explicit: bool = False
    language: str | None = None
    type: Literal["episodic", "serial"] = "episodic"
    guid: uuid.UUID | None = None
    funding: PodcastFunding | None = None
    locked: bool | None = None
    new_feed_url: str | None = None
    limit: int | None = Field(default=None, ge=1, le=100000)

    @field_validator("feed")
    @classmethod
    def _feed(cls, value: str) -> str:
        if not _FEED.fullmatch(value):
            raise ValueError(
                f"must be site, category:NAME or tag:NAME (such as category:podcast); got {value!r}"
            )
        return value

    @field_validator("new_feed_url")
    @classmethod
    def _new_feed_url(cls, value: str | None) -> str | None:
        return None if value is None else absolute_http_url(value)

    @property
    def family(self) -> str:
        """``site``, ``category`` or ``tag``."""
        return self.feed.split(":", 1)[0]

    @property
    def name(self) -> str:
        """The category or tag the podcast is made of ("" for the site feed)."""
        return self.feed.split(":", 1)[1].strip() if ":" in self.feed else ""


def podcast_guid(feed_url: str) -> str:
    """The Podcasting 2.0 guid of a feed: UUIDv5 of its URL without scheme or trailing
    slashes."""
    bare = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))
