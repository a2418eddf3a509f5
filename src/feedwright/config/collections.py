"""``collections:``: folders of documents besides the posts, each with a feed family of its
own. Outside Jekyll mode a collection is a plain folder with its own permalink; in Jekyll
mode it names a collection of the site's ``_config.yml`` (``output: true``), whose folder
(``<collections_dir>/_<name>``) and permalink come from there, as Jekyll 4.3 reads them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pydantic import field_validator

from feedwright.config.base import did_you_mean
from feedwright.config.families import FeedFiles, check_names
from feedwright.config.values import check_no_control

if TYPE_CHECKING:
    from feedwright.config.jekyll_site import JekyllSite

# Jekyll's ``Collection#url_template`` without a ``permalink:`` (under the default
# ``permalink: date`` style; ``pretty`` gives ``/:collection/:path/``).
DEFAULT_PERMALINK = "/:collection/:path:output_ext"


class CollectionConfig(FeedFiles):
    """One collection: where its documents are (outside Jekyll mode), their URLs, and its
    feed. ``site_feed: true`` also makes its documents posts of the site feed, its archives
    and every other feed of posts; by default they are only in the collection's feed."""

    FOLDER: ClassVar[str] = "collections"

    folder: Path | None = None  # outside Jekyll mode; relative to the config file
    permalink: str | None = None  # outside Jekyll mode; default /:collection/:path:output_ext
    site_feed: bool = False

    @field_validator("folder")
    @classmethod
    def _folder(cls, value: Path | None) -> Path | None:
        if value is not None:
            check_no_control(str(value))
        return value

    @field_validator("permalink")
    @classmethod
    def _permalink(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if "/" not in value and ":" not in value:
            raise ValueError(
                "a collection's permalink is a path pattern such as /:collection/:title/ "
                f"(placeholders :collection, :path, :name, :title, :output_ext and the date "
                f"ones); got {value!r}"
            )
        return value if value.startswith("/") else "/" + value


def check_collections(value: dict[str, CollectionConfig]) -> dict[str, CollectionConfig]:
    """``collections:``: names safe as file names and keys; ``posts`` is not one."""
    check_names(dict(value), "collection")
    if "posts" in value:
        raise ValueError(
            "collections.posts: the posts are the site feed's already; name another collection"
        )
    return value


def add_permalink_suffix(template: str, style: str) -> str:
    """Jekyll's ``Utils.add_permalink_suffix``: the ending a permalink style gives."""
    if style == "pretty":
        return template + "/"
    if style in ("date", "ordinal", "none"):
        return template + ":output_ext"
    if style.endswith("/"):
        template += "/"
    if style.endswith(":output_ext"):
        template += ":output_ext"
    return template


def jekyll_collection_errors(
    collections: dict[str, CollectionConfig], site: JekyllSite
) -> list[str]:
    """In Jekyll mode each collection of config.yaml must be one the site writes
    (``output: true``), and takes its folder and permalink from ``_config.yml``."""
    errors: list[str] = []
    written = sorted(
        name
        for name, meta in site.collections.items()
        if name != "posts" and meta.get("output") is True
    )
    for name, spec in collections.items():
        meta = site.collections.get(name)
        if meta is None:
            hint = did_you_mean(name, written) or (
                f" (its collections with output: true: {', '.join(written)})"
                if written
                else " (it has no collection with output: true)"
            )
            errors.append(f"collections.{name}: the Jekyll site has no collection {name!r}{hint}")
        elif meta.get("output") is not True:
            errors.append(
                f"collections.{name}: the Jekyll site's collection {name!r} has no output: true, "
                "so Jekyll writes no page for its documents and their entries would link nowhere; "
                f"set output: true under collections: {name}: in _config.yml"
            )
        for key in ("folder", "permalink"):
            if getattr(spec, key) is not None:
                errors.append(
                    f"collections.{name}.{key}: in Jekyll mode a collection's folder and "
                    "permalink come from _config.yml (collections_dir, and permalink: under "
                    "the collection); remove it"
                )
    return errors
