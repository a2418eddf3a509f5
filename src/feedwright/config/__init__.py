"""Load and validate ``config.yaml``.

Every key is validated on load: an unknown key, a wrong type or a bad value is a
:class:`~feedwright.errors.ConfigError` that names the key and the file and says
what is allowed. Relative paths are resolved against the config file's folder. With
``jekyll:`` set, a Jekyll site's ``_config.yml`` gives the defaults
(:mod:`feedwright.config.jekyll`), and :func:`describe` lists every effective setting
with where it came from.
The models live in :mod:`feedwright.config.model`, the value checks they use in
:mod:`feedwright.config.values` and the reading in :mod:`feedwright.config.load`.
"""

from feedwright.config.collections import CollectionConfig
from feedwright.config.describe import describe
from feedwright.config.families import (
    AuthorFeedConfig,
    ContentMode,
    CustomFeedConfig,
    FamilyConfig,
    FeedFormat,
    LanguageFeedConfig,
)
from feedwright.config.jekyll import effective_site
from feedwright.config.load import (
    DEFAULT_CONFIG,
    check_paths,
    config_from_mapping,
    known_folders,
    load_config,
)
from feedwright.config.model import (
    CategoryFeedConfig,
    Config,
    EmbedMode,
    FeedsConfig,
    IdScheme,
    IdsConfig,
    LiquidConfig,
    PublicationDate,
    SiteFeedConfig,
    TagFeedConfig,
    TagsConfig,
)
from feedwright.config.podcast import PodcastConfig, podcast_guid
from feedwright.config.sections import (
    ArchivesConfig,
    DiscoveryConfig,
    LimitsConfig,
    RepairConfig,
    SanitizeConfig,
    ScheduleConfig,
    ServeConfig,
    WebSubConfig,
)
from feedwright.config.site import AuthorConfig, SiteConfig
from feedwright.config.sources import Setting, Source
from feedwright.config.values import FEED_SUFFIXES, PERMALINK_STYLES, parse_duration, parse_size

__all__ = [
    "DEFAULT_CONFIG",
    "FEED_SUFFIXES",
    "PERMALINK_STYLES",
    "ArchivesConfig",
    "AuthorConfig",
    "AuthorFeedConfig",
    "CategoryFeedConfig",
    "CollectionConfig",
    "Config",
    "ContentMode",
    "CustomFeedConfig",
    "DiscoveryConfig",
    "EmbedMode",
    "FamilyConfig",
    "FeedFormat",
    "FeedsConfig",
    "IdScheme",
    "IdsConfig",
    "LanguageFeedConfig",
    "LimitsConfig",
    "LiquidConfig",
    "PodcastConfig",
    "PublicationDate",
    "RepairConfig",
    "SanitizeConfig",
    "ScheduleConfig",
    "ServeConfig",
    "Setting",
    "SiteConfig",
    "SiteFeedConfig",
    "Source",
    "TagFeedConfig",
    "TagsConfig",
    "WebSubConfig",
    "check_paths",
    "config_from_mapping",
    "describe",
    "effective_site",
    "known_folders",
    "load_config",
    "parse_duration",
    "parse_size",
    "podcast_guid",
]
