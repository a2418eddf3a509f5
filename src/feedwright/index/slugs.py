"""File-name slugs for the tags (or categories) of one blog, unique by construction.

Each term first asks for its natural slug (:func:`feedwright.index.terms.slug_for`): the
merge key itself when that is a safe file name, else a readable part and a short hash of
the key. A slug is free when no other term of the family has it and none of the family's
feed files would be one of the site's own files (a site feed, or any year's archive).

Natural slugs that are the merge key itself are given first: keys are unique, so they
never clash with each other. Every other term then takes, in merge-key order, the first
free one of its candidates (its natural slug, then that slug with one hash of the key
after another). A term's slug therefore depends on its own key and the config alone,
except in two cases: a hashed slug that another term's key spells out exactly, or two
keys whose 32-bit hashes agree. Only then can a new tag move an existing tag (the one
that sorts later, or the one whose slug is hashed)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import count

from feedwright.config import Config
from feedwright.config.model import FIXED_KEYS
from feedwright.index.terms import short_hash, slug_for


def _fold(path: str) -> str:
    """A path as a case-insensitive file system compares it."""
    return unicodedata.normalize("NFC", path).casefold()


@dataclass(frozen=True, slots=True)
class Taken:
    """Why a slug cannot be used: one of its files is another feed's file."""

    path: str  # the file both would write
    key: str  # the config key of the template that makes the term's file
    owner: str  # the config key of the feed that writes it already


@dataclass(frozen=True, slots=True)
class Reserved:
    """The files a family's slugs must not produce: the site's feeds and the custom
    feeds (by folded path) and, as a pattern, every year's archive."""

    templates: tuple[tuple[str, str], ...]  # (config key, template) of the family's files
    fixed: Mapping[str, str]  # folded path -> config key of the site feed written there
    archive: re.Pattern[str] | None

    @classmethod
    def of(cls, config: Config, family: str) -> Reserved:
        """For ``family`` ("tags", "categories", "authors" or "languages"): its enabled
        templates, against the site's feeds, custom feeds and archives this config writes."""
        templates = config.output_templates()
        own = tuple(
            (key, value) for key, value in templates.items() if key.startswith(f"feeds.{family}.")
        )
        fixed = {_fold(v): k for k, v in templates.items() if k.startswith(FIXED_KEYS)}
        archive = None
        if "archives.path" in templates:
            parts = _fold(templates["archives.path"]).split("{year}")
            archive = re.compile("[0-9]+".join(re.escape(p) for p in parts))
        return cls(own, fixed, archive)

    def clash(self, slug: str) -> Taken | None:
        for key, template in self.templates:
            path = template.replace("{slug}", slug)
            folded = _fold(path)
            owner = self.fixed.get(folded)
            if owner is None and self.archive is not None and self.archive.fullmatch(folded):
                owner = "archives.path"
            if owner is not None:
                return Taken(path, key, owner)
        return None


@dataclass(frozen=True, slots=True)
class Slug:
    """A term's slug; ``natural`` is the one it asked for, ``moved`` why it did not get it
    (another term's key, or a site file)."""

    slug: str
    natural: str
    moved: str | Taken | None = None


def _candidates(key: str, natural: str) -> Iterable[str]:
    yield natural
    yield f"{natural}-{short_hash(key)}"
    for n in count(2):
        yield f"{natural}-{short_hash(f'{n}:{key}')}"


def assign_slugs(keys: Iterable[str], reserved: Reserved) -> dict[str, Slug]:
    """A unique slug for each merge key, the same for the same keys and config."""
    ordered = sorted(set(keys))
    natural = {key: slug_for(key) for key in ordered}
    out: dict[str, Slug] = {}
    owner: dict[str, str] = {}  # slug -> key
    for key in ordered:  # lossless slugs: unique because keys are
        if natural[key] == key and reserved.clash(key) is None:
            out[key] = Slug(key, key)
            owner[key] = key
    for key in ordered:
        if key in out:
            continue
        first = natural[key]
        moved: str | Taken | None = None
        for slug in _candidates(key, first):
            taken_by = owner.get(slug)
            clash = reserved.clash(slug) if taken_by is None else None
            if taken_by is None and clash is None:
                break
            if slug == first:
                moved = taken_by if taken_by is not None else clash
        out[key] = Slug(slug, first, moved)
        owner[slug] = key
    return out
