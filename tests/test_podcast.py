"""Podcasts: posts with audio: are episodes, and podcast: makes one feed's RSS a podcast
that the W3C validator (with its iTunes rules), feedparser and a real podcatcher library
accept; episodes keep their guid; check reports what Apple Podcasts would refuse."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import feedparser
import pytest
import yaml
from lxml import etree

from conftest import ROOT, check_feeds, cli, write_config
from feedwright.config import config_from_mapping, podcast_guid
from feedwright.feeds.podcast_check import podcast_findings

NOW = "2026-01-01T00:00:00Z"
PODCAST_RSS = "categories/podcast.rss.xml"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
MEDIA = ROOT / "assets" / "podcast"


def _build(config: Path, *extra: str) -> None:
    result = cli("build", "-q", "-c", config, "--now", NOW, *extra)
    assert result.returncode == 0, result.stderr


def _sample(sample_copy: Path) -> Path:
    _build(sample_copy / "config.yaml")
    return sample_copy / "feeds"


def test_the_sample_podcast_passes_every_validator(sample_copy: Path) -> None:
    out = _sample(sample_copy)
    files = [out / PODCAST_RSS, out / "categories/podcast.atom.xml", out / "rss.xml"]
    parsed = check_feeds(files)  # W3C (with its iTunes rules), jing, feedparser
    podcast = parsed[out / PODCAST_RSS]
    assert podcast.feed.title == "Tidepool Radio"
    assert podcast.feed.image.href.endswith("/assets/podcast/artwork.png")
    channel = etree.parse(str(out / PODCAST_RSS)).getroot()[0]
    assert channel.findtext(f"{ITUNES}explicit") == "false"  # what Apple asks for now
    assert channel.find(f"{ITUNES}category").get("text") == "Technology"
    assert channel.find(f"{ITUNES}owner/{ITUNES}email").text == "podcast@tidepool.example.org"
    # derived from the feed's URL, as Podcasting 2.0 derives it
    assert channel.findtext(f"{PODCAST}guid") == podcast_guid(
        "https://tidepool.example.org/feeds/categories/podcast.rss.xml"
    )
    assert channel.find(f"{PODCAST}funding").get("url") == "https://tidepool.example.org/sponsor/"
    assert channel.findtext(f"{PODCAST}locked") == "no"


def test_every_item_has_one_enclosure_with_the_files_length_and_type(
    sample_copy: Path,
) -> None:
    out = _sample(sample_copy)
    doc = feedparser.parse((out / PODCAST_RSS).read_bytes())
    assert [e.title for e in doc.entries] == [
        "Tidepool Radio 2: storage classes",
        "Tidepool Radio 1: what Tidepool is",
    ]
    for entry, number in zip(doc.entries, (2, 1), strict=True):
        (enclosure,) = entry.enclosures  # the post's picture is no second enclosure
        name = f"episode-{number}.mp3"
        assert enclosure.href == f"https://tidepool.example.org/assets/podcast/{name}"
        assert int(enclosure.length) == (MEDIA / name).stat().st_size
        assert enclosure.type == "audio/mpeg"
        assert entry.itunes_duration == "8"
        assert entry.itunes_episode == str(number)
    picture = doc.entries[0]
    assert picture.image.href.endswith("/assets/podcast/artwork.png")  # itunes:image
    assert picture.media_thumbnail[0]["url"].endswith("/assets/podcast/artwork.png")
    # the site feed (not a podcast) lists the same enclosure, and text posts too
    site = feedparser.parse((out / "rss.xml").read_bytes())
    (episode,) = (e for e in site.entries if e.title.startswith("Tidepool Radio 2"))
    assert [x.type for x in episode.enclosures] == ["audio/mpeg"]


def test_the_podcast_keeps_every_episode_whatever_the_limit(sample_copy: Path) -> None:
    config = sample_copy / "config.yaml"
    data = yaml.safe_load(config.read_text("utf-8"))
    data["limit"] = 1
    config.write_text(yaml.safe_dump(data), "utf-8")
    out = _sample(sample_copy)
    assert len(feedparser.parse((out / PODCAST_RSS).read_bytes()).entries) == 2
    assert len(feedparser.parse((out / "rss.xml").read_bytes()).entries) == 1
    data["podcast"]["limit"] = 1
    config.write_text(yaml.safe_dump(data), "utf-8")
    _build(config)
    assert len(feedparser.parse((out / PODCAST_RSS).read_bytes()).entries) == 1


def test_a_podcatcher_lists_every_episode_with_its_enclosure(
    sample_copy: Path, tmp_path: Path
) -> None:
    # reader (a feed reader library with podcast enclosures) runs headless anywhere;
    # Debian's podcatchers need a network fetch and a configured home to do the same.
    from reader import make_reader

    out = _sample(sample_copy)
    reader = make_reader(str(tmp_path / "reader.sqlite"), feed_root=str(out))
    try:
        reader.add_feed(PODCAST_RSS)
        reader.update_feeds(scheduled=False)
        feed = reader.get_feed(PODCAST_RSS)
        assert feed.last_exception is None
        assert feed.title == "Tidepool Radio"
        episodes = {e.title: e.enclosures for e in reader.get_entries(feed=PODCAST_RSS)}
    finally:
        reader.close()
    assert set(episodes) == {
        "Tidepool Radio 1: what Tidepool is",
        "Tidepool Radio 2: storage classes",
    }
    for title, enclosures in episodes.items():
        (enclosure,) = enclosures
        name = f"episode-{title.split()[2].rstrip(':')}.mp3"
        assert enclosure.href == f"https://tidepool.example.org/assets/podcast/{name}"
        assert enclosure.length == (MEDIA / name).stat().st_size
        assert enclosure.type == "audio/mpeg"


def _guids(out: Path) -> dict[str, str]:
    doc = feedparser.parse((out / PODCAST_RSS).read_bytes())
    return {e.enclosures[0].href: e.id for e in doc.entries}


def test_episodes_keep_their_guid_across_edits_and_moves(sample_copy: Path) -> None:
    out = _sample(sample_copy)
    before = _guids(out)
    posts = sample_copy / "posts"
    first = posts / "podcast" / "2025-06-02-tidepool-radio-1.md"
    text = first.read_text("utf-8").replace("Tidepool Radio 1: what", "Tidepool Radio 1: why")
    first.write_text(text + "\nShow notes added later.\n", "utf-8")
    (posts / "shows").mkdir()
    shutil.move(posts / "podcast" / "2025-06-16-tidepool-radio-2.md", posts / "shows")
    _build(sample_copy / "config.yaml")
    assert _guids(out) == before
    # an episode's own guid: survives even a new URL
    second = posts / "shows" / "2025-06-16-tidepool-radio-2.md"
    text = second.read_text("utf-8").replace("---\n", "---\nguid: tidepool-radio-2\n", 1)
    second.write_text(text, "utf-8")
    _build(sample_copy / "config.yaml")
    guids = _guids(out)
    second.rename(posts / "shows" / "2025-06-16-storage-classes-episode.md")
    # the post's URL-based id changes in the other feeds: the ledger asks to accept that
    _build(sample_copy / "config.yaml", "--accept-id-change")
    assert _guids(out) == guids
    assert "tidepool-radio-2" in guids.values()


def _podcast_blog(tmp_path: Path, podcast: dict[str, Any], **posts: str) -> Path:
    folder = tmp_path / "blog"
    (folder / "posts").mkdir(parents=True)
    (folder / "assets").mkdir()
    shutil.copy(MEDIA / "episode-1.mp3", folder / "assets" / "one.mp3")
    for name, text in posts.items():
        (folder / "posts" / name).write_text(text, "utf-8")
    return write_config(folder, folder / "posts", podcast=podcast)


def _codes(config: Path) -> dict[str, list[str]]:
    result = cli("check", "-c", config, "--now", NOW)
    found: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        if ": error: " in line or ": warning: " in line:
            found.setdefault(line.split(": ", 1)[0], []).append(line)
    return found


EPISODE = "---\ntitle: One\ncategory: show\naudio: /assets/one.mp3\nduration: 8\n---\nHi.\n"


def test_check_reports_the_shows_artwork_and_categories(tmp_path: Path) -> None:
    from PIL import Image

    show = {"feed": "category:show", "categories": ["Technology"], "artwork": "/assets/art.png"}
    config = _podcast_blog(tmp_path, show, **{"2025-01-01-one.md": EPISODE})
    assets = tmp_path / "blog" / "assets"
    result = cli("check", "-c", config, "--now", NOW)
    assert "the podcast's artwork /assets/art.png is not found" in result.stdout
    Image.new("RGB", (1400, 1000)).save(assets / "art.png")
    assert (
        "1400×1000 pixels, not square (fix: use a square JPEG or PNG"
        in cli("check", "-c", config, "--now", NOW).stdout
    )
    Image.new("RGB", (600, 600)).save(assets / "art.png")
    assert "is 600×600 pixels" in cli("check", "-c", config, "--now", NOW).stdout
    Image.new("RGB", (1400, 1400)).save(assets / "art.png", format="GIF")
    assert "a GIF file, not JPEG or PNG" in cli("check", "-c", config, "--now", NOW).stdout
    Image.new("RGB", (1400, 1400)).save(assets / "art.png")
    result = cli("check", "-c", config, "--now", NOW)
    assert "podcast" not in result.stdout, result.stdout
    assert result.returncode == 0

    show = {"feed": "category:show", "artwork": "/assets/art.png"}
    config = _podcast_blog(tmp_path / "b", show, **{"2025-01-01-one.md": EPISODE})
    shutil.copy(assets / "art.png", tmp_path / "b" / "blog" / "assets" / "art.png")
    result = cli("check", "-c", config, "--now", NOW)
    assert "the podcast has no itunes:category" in result.stdout and result.returncode == 1
    show["categories"] = ["Tech", "Arts > Book"]
    config = _podcast_blog(tmp_path / "c", show, **{"2025-01-01-one.md": EPISODE})
    shutil.copy(assets / "art.png", tmp_path / "c" / "blog" / "assets" / "art.png")
    out = cli("check", "-c", config, "--now", NOW).stdout
    assert "itunes:category 'Tech' is not in Apple's list" in out
    assert "did you mean 'Books'?" in out


def test_check_reports_each_episode_problem(tmp_path: Path) -> None:
    show = {"feed": "category:show", "categories": ["Technology"]}
    posts = {
        "2025-01-01-one.md": EPISODE,
        "2025-01-02-missing.md": EPISODE.replace("one.mp3", "gone.mp3"),
        "2025-01-03-no-length.md": EPISODE.replace(
            "/assets/one.mp3", "https://cdn.example.org/three.mp3"
        ),
        "2025-01-04-no-duration.md": EPISODE.replace("duration: 8\n", ""),
        "2025-01-05-wrong-type.md": EPISODE.replace("duration: 8", "duration: 8\ntype: audio/mp4"),
    }
    config = _podcast_blog(tmp_path, show, **posts)
    result = cli("check", "-c", config, "--now", NOW)
    assert result.returncode == 1
    out = result.stdout
    assert "2025-01-02-missing.md:4: error: audio file /assets/gone.mp3 is not found" in out
    assert "(fix: put the file at assets/gone.mp3" in out
    assert (
        "2025-01-03-no-length.md:4: error: audio https://cdn.example.org/three.mp3 is a URL "
        "without length" in out
    )
    assert "2025-01-04-no-duration.md:4: warning: the episode has no duration" in out
    assert "2025-01-05-wrong-type.md" in out and "bytes of audio/mp4, the file one.mp3 is" in out
    assert "podcast has no artwork" in out
    assert "2025-01-01-one.md" not in out


def test_an_episode_whose_urls_have_a_malformed_host_is_an_error_not_a_crash(
    tmp_path: Path,
) -> None:
    show = {"feed": "category:show", "categories": ["Technology"]}
    odd = EPISODE.replace("/assets/one.mp3", "'http://[::1/x.mp3'\ntranscript: 'https://[x]/t'")
    config = _podcast_blog(tmp_path, show, **{"2025-01-06-brackets.md": odd})
    result = cli("build", "-c", config, "--now", NOW)
    assert result.returncode == 1, result.stderr
    assert (
        "2025-01-06-brackets.md:4: error: audio 'http://[::1/x.mp3' is neither a path in the "
        "site nor an http(s) URL" in result.stderr
    )
    feed = feedparser.parse((tmp_path / "blog" / "out" / "atom.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["One"]


def test_check_reports_an_item_with_two_enclosures(tmp_path: Path) -> None:
    config = config_from_mapping(
        {
            "site": {"title": "T", "url": "https://blog.example.org/"},
            "posts": str(tmp_path),
            "podcast": {"feed": "site", "categories": ["Technology"]},
        }
    )
    from feedwright.feeds.plan import FeedPlan

    plan = FeedPlan("site", "", "T", "", {"rss": "rss.xml"}, (), "full", podcast=True)  # type: ignore[dict-item,arg-type]
    rss = (
        b"<rss version='2.0'><channel><item><title>Twice</title><link>x</link>"
        b"<enclosure url='a' length='1' type='audio/mpeg'/>"
        b"<enclosure url='b' length='1' type='audio/mpeg'/></item></channel></rss>"
    )
    found = podcast_findings(config, [plan], {"rss.xml": rss})
    assert [(f.code, f.message) for f in found if f.code == "episode-enclosures"] == [
        ("episode-enclosures", "item 'Twice' has 2 enclosures; podcast apps play only one")
    ]


@pytest.mark.parametrize(
    ("podcast", "message"),
    [
        ({"feed": "post:x"}, "must be site, category:NAME or tag:NAME"),
        ({"type": "weekly"}, "podcast.type"),
        ({"owner": {"name": "A", "email": "nope"}}, "must be an e-mail address"),
    ],
)
def test_a_bad_podcast_block_stops_the_run(
    tmp_path: Path, podcast: dict[str, Any], message: str
) -> None:
    config = _podcast_blog(tmp_path, podcast, **{"2025-01-01-one.md": EPISODE})
    result = cli("build", "-c", config, "--now", NOW)
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_a_podcast_feed_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    show = {"feed": "tag:nothing", "categories": ["Technology"]}
    config = _podcast_blog(tmp_path, show, **{"2025-01-01-one.md": EPISODE})
    result = cli("check", "-c", config, "--now", NOW)
    assert "podcast.feed 'tag:nothing' names no feed" in result.stdout and result.returncode == 1


def test_the_podcast_guid_is_podcasting_2_0s() -> None:
    # the example in the Podcasting 2.0 namespace's description of <podcast:guid>
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == (
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )


def test_a_build_names_an_episode_whose_media_is_missing(sample_copy: Path) -> None:
    # Nothing is left out silently: the build says so as check does, once, and the
    # podcast (without episodes now) still validates and keeps a plausible date.
    shutil.rmtree(sample_copy / "assets" / "podcast")
    (sample_copy / "assets" / "podcast").mkdir()
    shutil.copy(MEDIA / "artwork.png", sample_copy / "assets" / "podcast" / "artwork.png")
    result = cli("build", "-c", sample_copy / "config.yaml", "--now", NOW)
    assert result.returncode == 1  # errors were reported
    missing = [line for line in result.stderr.splitlines() if "is not found; the episode" in line]
    assert len(missing) == 2 and all("tidepool-radio" in line for line in missing)
    check = cli("check", "-c", sample_copy / "config.yaml", "--now", NOW)
    assert check.stdout.count("episode-1.mp3 is not found") == 1
    out = sample_copy / "feeds"
    check_feeds([out / PODCAST_RSS])
    assert "1970" not in (out / PODCAST_RSS).read_text("utf-8")
