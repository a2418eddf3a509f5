"""The scan stage: read each post of a posts folder (or of every ``_posts`` folder of a
Jekyll site, ``jekyll:``), parse its front matter and dates, and return typed posts plus
every problem found, each naming the file and line. The posts are those Jekyll 4.3
publishes. :mod:`.sources` finds the files, :mod:`.walk` reads them safely,
:mod:`.frontmatter` splits and parses them, :mod:`.metadata` turns them into posts (with
:mod:`.site_post`, :mod:`.post_dates` and :mod:`.fields`); :mod:`.jekyll`,
:mod:`.jekyll_find`, :mod:`.jekyll_dates`, :mod:`.ruby_time` and :mod:`.permalink` hold
Jekyll's own rules."""

from __future__ import annotations

import datetime as dt

from feedwright.config import Config
from feedwright.scan.fields import KNOWN_KEYS, READ_KEYS
from feedwright.scan.frontmatter import (
    MAX_YAML_VALUES,
    MOJIBAKE_HINT,
    FrontMatter,
    decode,
    decode_fallback,
    split_front_matter,
)
from feedwright.scan.metadata import OutcomeSource, Scanner
from feedwright.scan.report import PostError
from feedwright.scan.walk import POST_EXTENSIONS, FileOutcome, read_limited, walk_posts
from feedwright.types import ScanResult

__all__ = [
    "KNOWN_KEYS",
    "MAX_YAML_VALUES",
    "MOJIBAKE_HINT",
    "POST_EXTENSIONS",
    "READ_KEYS",
    "FileOutcome",
    "FrontMatter",
    "OutcomeSource",
    "PostError",
    "Scanner",
    "decode",
    "decode_fallback",
    "read_limited",
    "scan",
    "split_front_matter",
    "walk_posts",
]


def scan(config: Config, now: dt.datetime, source: OutcomeSource | None = None) -> ScanResult:
    """Scan the posts folder; ``source`` may supply outcomes (a cache) instead of reading."""
    return Scanner(config, now).scan(source)
