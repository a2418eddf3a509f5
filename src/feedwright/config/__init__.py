"""Load and validate ``config.yaml``.

Every key is validated on load: an unknown key, a wrong type or a bad value is a
:class:`~feedwright.errors.ConfigError` that names the key and the file and says
what is allowed. Relative paths are resolved against the config file's folder.
The models live in :mod:`feedwright.config.model`, the value checks they use in
:mod:`feedwright.config.values` and the reading in :mod:`feedwright.config.load`.
"""

from feedwright.config.load import DEFAULT_CONFIG, check_paths, config_from_mapping, load_config
from feedwright.config.model import (
    ArchivesConfig,
    AuthorConfig,
    CategoryFeedConfig,
    Config,
    ContentMode,
    DiscoveryConfig,
    EmbedMode,
    FamilyConfig,
    FeedFormat,
    FeedsConfig,
    IdScheme,
    IdsConfig,
    LimitsConfig,
    PublicationDate,
    RepairConfig,
    SanitizeConfig,
    ScheduleConfig,
    ServeConfig,
    SiteConfig,
    SiteFeedConfig,
    TagFeedConfig,
    TagsConfig,
    WebSubConfig,
)
from feedwright.config.values import FEED_SUFFIXES, PERMALINK_STYLES, parse_duration, parse_size

__all__ = [
    "DEFAULT_CONFIG",
    "FEED_SUFFIXES",
    "PERMALINK_STYLES",
    "ArchivesConfig",
    "AuthorConfig",
    "CategoryFeedConfig",
    "Config",
    "ContentMode",
    "DiscoveryConfig",
    "EmbedMode",
    "FamilyConfig",
    "FeedFormat",
    "FeedsConfig",
    "IdScheme",
    "IdsConfig",
    "LimitsConfig",
    "PublicationDate",
    "RepairConfig",
    "SanitizeConfig",
    "ScheduleConfig",
    "ServeConfig",
    "SiteConfig",
    "SiteFeedConfig",
    "TagFeedConfig",
    "TagsConfig",
    "WebSubConfig",
    "check_paths",
    "config_from_mapping",
    "load_config",
    "parse_duration",
    "parse_size",
]
