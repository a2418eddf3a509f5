"""The feeds stage: plan which feeds exist (:mod:`.plan`), turn each into a document
(:mod:`.document`), and write it in every format through the registry (:mod:`.formats`)."""

from __future__ import annotations

from feedwright.feeds.document import (
    ATOM_TYPE,
    STYLESHEET,
    absolute_url,
    document,
    entry_id,
    entry_image,
    external_files,
    feed_url,
    image_file,
    tag_labels,
)
from feedwright.feeds.plan import (
    FeedPlan,
    archive_path,
    feed_paths,
    output_clashes,
    plan_feeds,
)

__all__ = [
    "ATOM_TYPE",
    "STYLESHEET",
    "FeedPlan",
    "absolute_url",
    "archive_path",
    "document",
    "entry_id",
    "entry_image",
    "external_files",
    "feed_paths",
    "feed_url",
    "image_file",
    "output_clashes",
    "plan_feeds",
    "tag_labels",
]
