"""The ``site:`` block: the site's identity (title, URL, author, time zone, ...) and the
variables Liquid sees as ``site.*``.

Keys the model does not know are kept as Liquid variables (``site.repository``), except
those that look like a misspelt known key, which are an error that names the key meant.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from feedwright.config.base import StrictModel, did_you_mean, suggest
from feedwright.config.values import PlainMapping, absolute_http_url

# An extra key this close to a known one (difflib ratio) is taken for a typo.
TYPO_CUTOFF = 0.8


class AuthorConfig(StrictModel):
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


class SiteConfig(StrictModel):
    title: str = Field(min_length=1)
    url: str
    baseurl: str = ""
    description: str = ""
    author: str = ""
    """The site author's name (``author:`` may also be a mapping with name, email, uri)."""
    author_email: str | None = None
    author_uri: str | None = None
    language: str = "en"
    timezone: str = "UTC"
    icon: str | None = None  # a small square image; relative URLs resolve against the site
    logo: str | None = None  # a larger image, about 2:1
    variables: PlainMapping = Field(default_factory=dict)
    """Every other key: what Liquid sees as ``site.<key>``."""
    data: PlainMapping = Field(default_factory=dict)
    """``site.data``: the Jekyll site's ``_data`` folder."""

    @model_validator(mode="before")
    @classmethod
    def _extras(cls, data: Any) -> Any:
        """Spread an author mapping; keep unknown keys as variables unless misspelt."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        author = data.get("author")
        if isinstance(author, dict):
            fields = AuthorConfig.key_names()
            for key in author:
                if key not in fields:
                    raise ValueError(
                        f"author.{key}: unknown key; an author mapping holds name, email and "
                        f"uri{did_you_mean(str(key), fields)}"
                    )
            data["author"] = author.get("name") or ""
            data["author_email"] = author.get("email")
            data["author_uri"] = author.get("uri")
        known = cls.key_names()
        extras = {k: v for k, v in data.items() if k not in known}
        typos = {k: suggest(str(k), known, TYPO_CUTOFF) for k in extras}
        typos = {k: close for k, close in typos.items() if close}
        if typos:
            raise ValueError(
                "; ".join(
                    f"unknown key {k!r} (did you mean {' or '.join(map(repr, close))}?); "
                    "keys that are not settings are Liquid variables, so rename it if it "
                    "is one"
                    for k, close in typos.items()
                )
            )
        if extras:
            variables = data.get("variables")
            merged = dict(variables) if isinstance(variables, dict) else {}
            merged.update({str(k): v for k, v in extras.items()})
            data = {k: v for k, v in data.items() if k not in extras}
            data["variables"] = merged
        return data

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

    @field_validator("author_email")
    @classmethod
    def _author_email(cls, value: str | None) -> str | None:
        return None if value is None else AuthorConfig(name="x", email=value).email

    @field_validator("author_uri")
    @classmethod
    def _author_uri(cls, value: str | None) -> str | None:
        return None if value is None else absolute_http_url(value)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def root(self) -> str:
        """The site's public root URL, with the base URL and a trailing slash."""
        return self.url.rstrip("/") + self.baseurl + "/"

    @property
    def author_profile(self) -> AuthorConfig | None:
        """The site author as a name with optional e-mail and web address."""
        if not self.author:
            return None
        return AuthorConfig(name=self.author, email=self.author_email, uri=self.author_uri)

    def liquid(self) -> dict[str, object]:
        """``site.*`` as Liquid sees it: the variables, then the settings by Jekyll's names."""
        out: dict[str, object] = dict(self.variables)
        author: object = self.author
        if self.author_email or self.author_uri:
            profile = {"name": self.author, "email": self.author_email, "uri": self.author_uri}
            author = {k: v for k, v in profile.items() if v is not None}
        out.update(
            title=self.title,
            url=self.url.rstrip("/"),
            baseurl=self.baseurl,
            description=self.description,
            author=author,
            lang=self.language,
            timezone=self.timezone,
            data=self.data,
        )
        return out
