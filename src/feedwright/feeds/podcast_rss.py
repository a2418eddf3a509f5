"""A podcast's RSS through feedgen: the iTunes tags through feedgen's own podcast
extension, and what it lacks through a small extension of ours: the Podcasting 2.0 tags
(``podcast:guid``, ``locked``, ``funding``, ``transcript``, ``chapters``, ``season``,
``episode``) and ``itunes:explicit`` as the ``true``/``false`` Apple asks for now
(feedgen still writes ``yes``/``no``)."""

from __future__ import annotations

from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from feedwright.feeds.episodes import CHAPTERS_TYPE
from feedwright.types import Episode, FeedDocument, FeedEntry, PodcastChannel

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
_EXT = "feedwright_podcast"


def _flag(value: bool) -> str:
    return "true" if value else "false"


class _ChannelExtension(BaseExtension):  # type: ignore[misc]
    def __init__(self) -> None:
        self.show: PodcastChannel | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, feed: Any) -> Any:
        show = self.show
        if show is None:
            return feed
        channel = feed[0]
        etree.SubElement(channel, f"{{{ITUNES_NS}}}explicit").text = _flag(show.explicit)
        etree.SubElement(channel, f"{{{PODCAST_NS}}}guid").text = show.guid
        if show.locked is not None:
            attrs = {"owner": show.owner.email} if show.owner and show.owner.email else {}
            locked = etree.SubElement(channel, f"{{{PODCAST_NS}}}locked", attrs)
            locked.text = "yes" if show.locked else "no"
        if show.funding is not None:
            funding = etree.SubElement(
                channel, f"{{{PODCAST_NS}}}funding", {"url": show.funding.href}
            )
            funding.text = show.funding.title or ""
        return feed


class _ItemExtension(BaseEntryExtension):  # type: ignore[misc]
    def __init__(self) -> None:
        self.episode: Episode | None = None

    def extend_rss(self, item: Any) -> Any:
        episode = self.episode
        if episode is None:
            return item
        if episode.explicit is not None:
            etree.SubElement(item, f"{{{ITUNES_NS}}}explicit").text = _flag(episode.explicit)
        if episode.transcript is not None:
            etree.SubElement(
                item,
                f"{{{PODCAST_NS}}}transcript",
                {"url": episode.transcript.href, "type": episode.transcript.type or "text/plain"},
            )
        if episode.chapters is not None:
            etree.SubElement(
                item, f"{{{PODCAST_NS}}}chapters", {"url": episode.chapters, "type": CHAPTERS_TYPE}
            )
        if episode.season is not None:
            etree.SubElement(item, f"{{{PODCAST_NS}}}season").text = str(episode.season)
        if episode.episode is not None:
            etree.SubElement(item, f"{{{PODCAST_NS}}}episode").text = str(episode.episode)
        return item


def podcast_channel(fg: FeedGenerator, doc: FeedDocument) -> None:
    """Make ``fg`` a podcast: iTunes channel tags and our Podcasting 2.0 extension."""
    show = doc.podcast
    if show is None:
        return
    fg.load_extension("podcast", atom=False, rss=True)
    fg.register_extension(_EXT, _ChannelExtension, _ItemExtension, atom=False, rss=True)
    getattr(fg, _EXT).show = show
    fg.podcast.itunes_author(show.author)
    fg.podcast.itunes_summary(doc.subtitle or doc.title)
    fg.podcast.itunes_type(show.type)
    if show.artwork:
        fg.podcast.itunes_image(show.artwork)
    if show.categories:
        fg.podcast.itunes_category(
            [{"cat": c, **({"sub": s} if s else {})} for c, s in show.categories]
        )
    if show.owner is not None and show.owner.email:
        fg.podcast.itunes_owner(name=show.owner.name, email=show.owner.email)
    if show.new_feed_url:
        fg.podcast.itunes_new_feed_url(show.new_feed_url)


def podcast_item(fe: Any, entry: FeedEntry) -> None:
    """An episode's iTunes tags (its enclosure is written with the item's)."""
    episode = entry.episode
    if episode is None:
        return
    getattr(fe, _EXT).episode = episode
    fe.podcast.itunes_title(entry.title)
    if episode.duration is not None:
        fe.podcast.itunes_duration(episode.duration)
    if episode.episode is not None:
        fe.podcast.itunes_episode(episode.episode)
    if episode.season is not None:
        fe.podcast.itunes_season(episode.season)
    if episode.episode_type is not None:
        fe.podcast.itunes_episode_type(episode.episode_type)
    if entry.image is not None and entry.image.url.lower().endswith((".jpg", ".png")):
        fe.podcast.itunes_image(entry.image.url)
