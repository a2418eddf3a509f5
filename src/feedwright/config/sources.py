"""Where each setting came from: feedwright's default, ``config.yaml``, the Jekyll site's
``_config.yml``, or an override (``--set`` on the command line). The layers are merged
key by key, later ones winning, and every key set on the way is recorded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Source(StrEnum):
    """Where a value was set, in order of precedence: each wins over those before it."""

    DEFAULT = "default"
    JEKYLL = "_config.yml"
    CONFIG = "config.yaml"
    OVERRIDE = "override"


@dataclass(frozen=True)
class Setting:
    """One effective setting: its dotted key, its value and where that value came from."""

    key: str
    value: object
    source: Source


def merge_layer(
    base: Mapping[str, object],
    layer: Mapping[str, object],
    source: Source,
    origins: dict[str, Source],
    prefix: str = "",
) -> dict[str, object]:
    """``layer`` over ``base`` (mappings merge key by key), recording in ``origins`` the
    dotted key of every value ``layer`` sets. Keys set before under a value that ``layer``
    replaces whole are forgotten."""
    out = dict(base)
    for raw_key, new in layer.items():
        key = str(raw_key)
        dotted = f"{prefix}{key}"
        old = out.get(key)
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            out[key] = merge_layer(old, new, source, origins, dotted + ".")
            continue
        for stale in [k for k in origins if k.startswith(dotted + ".")]:
            del origins[stale]
        if isinstance(new, Mapping):
            out[key] = merge_layer({}, new, source, origins, dotted + ".")
            if not new:
                origins[dotted] = source
        else:
            out[key] = new
            origins[dotted] = source
    return out


def unflatten(dotted: Mapping[str, object]) -> dict[str, object]:
    """``{"site.title": "x"}`` as ``{"site": {"title": "x"}}``."""
    out: dict[str, object] = {}
    for key, value in dotted.items():
        node = out
        *parents, last = key.split(".")
        for part in parents:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[last] = value
    return out


def origin_of(key: str, origins: Mapping[str, Source]) -> Source:
    """Where ``key`` came from: its own record, an enclosing key's, or (for a mapping
    assembled from several places) the latest of its parts'."""
    parts = key.split(".")
    for end in range(len(parts), 0, -1):
        found = origins.get(".".join(parts[:end]))
        if found is not None:
            return found
    inner = [source for k, source in origins.items() if k.startswith(key + ".")]
    if inner:
        order = list(Source)
        return max(inner, key=order.index)
    return Source.DEFAULT
