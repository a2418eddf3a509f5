"""A Jekyll site's own settings: the names of :mod:`feedwright.config.jekyll_site` and
:mod:`feedwright.config.jekyll_data`, where reading ``_config.yml`` and ``_data`` lives."""

from feedwright.config.jekyll_data import JekyllSiteError, load_yaml, read_data
from feedwright.config.jekyll_site import (
    DEFAULT_EXCLUDES,
    DEFAULTS,
    PERMALINK_STYLES,
    DefaultsSet,
    FeedSettings,
    JekyllSite,
    deep_merge,
    read_site,
    style_to_permalink,
)

__all__ = [
    "DEFAULTS",
    "DEFAULT_EXCLUDES",
    "PERMALINK_STYLES",
    "DefaultsSet",
    "FeedSettings",
    "JekyllSite",
    "JekyllSiteError",
    "deep_merge",
    "load_yaml",
    "read_data",
    "read_site",
    "style_to_permalink",
]
