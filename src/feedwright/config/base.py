"""The base of every config model, and the "did you mean" suggestions for unknown keys.

Every section forbids unknown keys; :func:`known_keys` finds, for the location of an
unknown key, the keys that are allowed there, so that the error can name the closest."""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable, Sequence
from typing import Annotated, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, field_validator

from feedwright.text import strip_xml_illegal


class StrictModel(BaseModel):
    """A frozen section of the configuration that rejects unknown keys."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        populate_by_name=True,
        defer_build=True,
    )

    @field_validator("*")
    @classmethod
    def _xml_text(cls, value: object) -> object:
        """No text of the config may hold what XML forbids (control characters, U+FFFE):
        feed titles, descriptions and names go into every feed."""
        if isinstance(value, str):
            _, removed = strip_xml_illegal(value)
            if removed:
                raise ValueError(
                    f"holds {removed} character(s) that XML forbids (control characters "
                    "such as U+0001); remove them"
                )
        return value

    @classmethod
    def key_names(cls) -> list[str]:
        """The keys a user writes for this section (aliases where a field has one)."""
        return [info.alias or name for name, info in cls.model_fields.items()]


def suggest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> list[str]:
    """The known keys closest to a misspelt ``word``, best first: the best, and the others
    nearly as close (``drafst`` is ``drafts``, not also ``podcast``)."""
    close = difflib.get_close_matches(word, list(candidates), n=3, cutoff=cutoff)
    if not close:
        return close

    def score(candidate: str) -> float:
        return difflib.SequenceMatcher(None, word, candidate).ratio()

    best = score(close[0])
    return [c for c in close if score(c) >= best - 0.1]


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str:
    """`` (did you mean 'title'?)`` or the empty string."""
    close = suggest(word, candidates, cutoff)
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"


def _unwrap(annotation: object) -> list[object]:
    """The types an annotation may hold: ``Annotated``, ``Optional`` and unions opened."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [t for arg in get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _field(model: type[BaseModel], key: str) -> object | None:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info.annotation
    return None


def known_keys(root: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """The keys allowed beside the last key of ``loc`` (the path of an unknown key)."""
    current: list[object] = [root]
    for part in loc[:-1]:
        following: list[object] = []
        for kind in current:
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                annotation = _field(kind, str(part))
                if annotation is not None:
                    following.extend(_unwrap(annotation))
            elif get_origin(kind) in (dict, list):
                args = get_args(kind)
                if args:
                    following.extend(_unwrap(args[-1]))
        current = following
    keys: list[str] = []
    for kind in current:
        if isinstance(kind, type) and issubclass(kind, StrictModel):
            keys.extend(kind.key_names())
        elif isinstance(kind, type) and issubclass(kind, BaseModel):
            keys.extend(kind.model_fields)
    return keys
