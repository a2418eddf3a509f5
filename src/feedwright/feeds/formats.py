"""The format registry: each :class:`FeedFormat` and the :class:`Serializer` that writes
it. Atom and RSS come from :mod:`.atom_rss` (feedgen), JSON Feed from :mod:`.jsonfeed`.
A serializer's module is imported the first time its format is asked for, so a build
that writes no Atom or RSS never loads feedgen and lxml."""

from __future__ import annotations

import importlib
from typing import Protocol, runtime_checkable

from feedwright.config import FeedFormat
from feedwright.errors import FeedwrightError
from feedwright.types import FeedDocument


@runtime_checkable
class Serializer(Protocol):
    """Turns a feed document into the bytes of one file. The same document must always
    give the same bytes (no clock, no randomness): unchanged feeds stay unchanged."""

    def serialize(self, doc: FeedDocument) -> bytes: ...


class UnknownFormatError(FeedwrightError):
    """No serializer is registered for a feed format."""


# format -> (module, attribute) of its serializer
_REGISTRY: dict[FeedFormat, tuple[str, str]] = {
    FeedFormat.ATOM: ("feedwright.feeds.atom_rss", "ATOM"),
    FeedFormat.RSS: ("feedwright.feeds.atom_rss", "RSS"),
    FeedFormat.JSON: ("feedwright.feeds.jsonfeed", "JSON_FEED"),
}
_loaded: dict[FeedFormat, Serializer] = {}


def serializer_for(fmt: FeedFormat) -> Serializer:
    """The serializer registered for ``fmt`` (its module is imported on first use)."""
    found = _loaded.get(fmt)
    if found is not None:
        return found
    try:
        module, name = _REGISTRY[fmt]
    except KeyError:
        raise UnknownFormatError(f"no serializer for feed format {fmt.value!r}") from None
    candidate = getattr(importlib.import_module(module), name)
    if not isinstance(candidate, Serializer):
        raise UnknownFormatError(f"{module}.{name} is not a feed serializer")
    _loaded[fmt] = candidate
    return candidate


def registered() -> tuple[FeedFormat, ...]:
    """Every format that has a serializer, in the order the registry lists them."""
    return tuple(_REGISTRY)


def to_bytes(doc: FeedDocument, fmt: FeedFormat) -> bytes:
    """``doc`` written as ``fmt``."""
    return serializer_for(fmt).serialize(doc)
