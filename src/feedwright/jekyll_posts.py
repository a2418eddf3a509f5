"""A Jekyll site's posts, found, dated and addressed exactly as Jekyll 4.3 does it: the
names of :mod:`feedwright.scan.jekyll` and its neighbours, in one place.

``find_posts`` walks the site the way Jekyll's ``Reader``/``PostReader``/``EntryFilter``
do; ``post_date`` parses dates the way Jekyll's ``Utils.parse_date`` (Ruby's ``Time.parse``,
then the site's time zone) does; ``published`` applies the ``future``/``unpublished``/drafts
rules; ``post_url`` and ``post_destination`` build the URL and output file of a post.
"""

from __future__ import annotations

from feedwright.scan.jekyll import (
    DATE_FILENAME,
    DATELESS_FILENAME,
    FRONT_MATTER,
    JekyllPostError,
    PostFile,
    front_matter_defaults,
    read_post,
)
from feedwright.scan.jekyll_dates import post_date, ruby_to_s, site_zone
from feedwright.scan.jekyll_find import exclusion_reason, find_posts, published, site_posts
from feedwright.scan.permalink import (
    PermalinkError,
    escape_path,
    fill_template,
    output_ext,
    post_destination,
    post_url,
    slugify,
    titleize_slug,
    url_placeholders,
)
from feedwright.scan.ruby_time import RubyTimeError, ruby_time_parse

PermalinkTemplateError = PermalinkError

__all__ = [
    "DATELESS_FILENAME",
    "DATE_FILENAME",
    "FRONT_MATTER",
    "JekyllPostError",
    "PermalinkError",
    "PermalinkTemplateError",
    "PostFile",
    "RubyTimeError",
    "escape_path",
    "exclusion_reason",
    "fill_template",
    "find_posts",
    "front_matter_defaults",
    "output_ext",
    "post_date",
    "post_destination",
    "post_url",
    "published",
    "read_post",
    "ruby_time_parse",
    "ruby_to_s",
    "site_posts",
    "site_zone",
    "slugify",
    "titleize_slug",
    "url_placeholders",
]
