"""Every effective setting of a loaded config, with where its value came from."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from feedwright.config.model import Config
from feedwright.config.sources import Setting, Source, origin_of

# Shown key -> other keys its value may have been written under.
_WRITTEN_AS: Mapping[str, tuple[str, ...]] = {
    "site.author": ("site.author.name",),
    "site.author_email": ("site.author.email",),
    "site.author_uri": ("site.author.uri",),
}
_VARIABLES = "site.variables."


def _leaves(value: object, prefix: str) -> Iterator[tuple[str, object]]:
    if isinstance(value, Mapping) and value:
        for key, inner in value.items():
            yield from _leaves(inner, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, value


def _source(dumped: str, shown: str, origins: Mapping[str, Source]) -> Source:
    keys = (dumped, shown, *_WRITTEN_AS.get(dumped, ()))
    order = list(Source)
    return max((origin_of(k, origins) for k in keys), key=order.index)


def describe(config: Config) -> list[Setting]:
    """The effective value of every setting, by dotted key, and where it came from:
    feedwright's default, ``config.yaml``, the Jekyll site's ``_config.yml`` or an
    override. Liquid variables are shown as Liquid sees them (``site.repository``)."""
    out: list[Setting] = []
    dumped = config.model_dump(mode="python", by_alias=True)
    for key, value in _leaves(dumped, ""):
        shown = "site." + key.removeprefix(_VARIABLES) if key.startswith(_VARIABLES) else key
        out.append(Setting(shown, value, _source(key, shown, config.origins)))
    return out
