"""Tag and category names: merge keys, labels and safe file-name slugs."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

# Windows device names: never safe as a file name, whatever the extension.
_RESERVED = (
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
_MAX_SLUG = 80


_SEPARATORS = re.compile(r"[\s_-]+")


@functools.lru_cache(maxsize=65536)  # a blog uses a few hundred names, thousands of times
def merge_key(name: str) -> str:
    """Names that are equal after lower-casing, with spaces, '-' and '_' counted as one
    character, are one term: ``Live Migration`` = ``live-migration``. All other
    punctuation counts, so ``C++`` and ``C#`` stay apart."""
    folded = unicodedata.normalize("NFC", name).casefold().strip()
    return _SEPARATORS.sub("-", folded).strip("-")


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def slug_for(key: str) -> str:
    """A safe file-name slug (lowercase ASCII, digits, hyphens). When slugging loses
    information, a short hash of the key keeps distinct terms in distinct files."""
    ascii_text = (
        unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode("ascii").lower()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    lossless = slug == key and len(slug) <= _MAX_SLUG and slug not in _RESERVED
    if lossless:
        return slug
    slug = slug[:_MAX_SLUG].strip("-")
    return f"{slug}-{short_hash(key)}" if slug else f"x-{short_hash(key)}"


def split_names(value: object) -> list[str] | None:
    """Tags or categories from a list, or from a string split on whitespace and commas.
    Returns None when the value has a type that cannot hold names."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in re.split(r"[\s,]+", value) if part]
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            if item is None:
                continue
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                return None
            text = str(item).strip()
            if text:
                out.append(text)
        return out
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [str(value)]
    return None
