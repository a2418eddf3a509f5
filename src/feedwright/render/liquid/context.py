"""What a post's Liquid can see of the site."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class SiteContext:
    """What a post's Liquid can see of the site; built once per build.

    ``site`` is ``site.*``: ``_config.yml`` values merged with the configuration's extras,
    including ``url``, ``baseurl``, ``timezone`` and prepared ``posts``/``tags``/
    ``categories``/``data``. It is read, never copied or changed.
    """

    site: Mapping[str, object]
    includes_dirs: tuple[Path, ...] = ()
    post_url: Callable[[str], str | None] = lambda _name: None  # name -> relative URL
    link: Callable[[str], tuple[str, bool]] = lambda path: (path, False)  # -> (URL, found)
    shortcodes: Mapping[str, str] = field(default_factory=dict)  # tag -> template source
    markdownify: Callable[[str], str] | None = None
    source: Path | None = None  # site source folder: include_relative and link stay inside
