"""Loading config.yaml as a user sees it: defaults, resolved paths, overrides, and errors
that name the file and the key and say what is allowed."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from feedwright.config import (
    Config,
    ContentMode,
    FeedFormat,
    IdScheme,
    config_from_mapping,
    load_config,
)
from feedwright.errors import ConfigError, FeedwrightError

MINIMAL = "site:\n  title: Tidepool\n  url: https://tidepool.example.org\n"


def write(folder: Path, text: str, name: str = "config.yaml") -> Path:
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def problems(path: Path, overrides: dict[str, object] | None = None) -> str:
    """The message a user sees for an invalid config."""
    with pytest.raises(ConfigError) as caught:
        load_config(path, overrides)
    assert isinstance(caught.value, FeedwrightError)
    assert caught.value.exit_code == 2
    message = str(caught.value)
    assert message.startswith(f"{path}: invalid configuration\n")
    return message


# -- loading ------------------------------------------------------------------------------
def test_the_bundled_config_loads_with_paths_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blog = tmp_path / "blog"
    blog.mkdir()
    shutil.copy(ROOT / "config.yaml", blog / "config.yaml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # relative paths follow the file, not the working folder

    config = load_config(Path("../blog/config.yaml"))

    assert config.site.title == "Tidepool Blog"
    assert config.posts == blog.resolve() / "posts"
    assert config.output == blog.resolve() / "feeds"
    assert config.state == blog.resolve() / ".feedwright"
    assert config.public_feeds_url == "https://tidepool.example.org/feeds/"
    assert config.tags.aliases == {"k8s": "kubernetes"}
    assert config.authors["jdoe"].name == "Jordan Doe"


def test_a_minimal_config_gets_the_documented_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL))

    assert config.output == tmp_path.resolve() / "feeds"
    assert config.posts == tmp_path.resolve() / "posts"
    assert config.state == tmp_path.resolve() / ".feedwright"
    assert config.source is None
    assert config.limit == 20
    assert config.content is ContentMode.FULL
    assert config.formats == [FeedFormat.ATOM, FeedFormat.RSS, FeedFormat.JSON]
    assert config.ids.scheme is IdScheme.URL
    assert config.permalink == "/:categories/:year/:month/:day/:title:output_ext"  # Jekyll's
    assert config.site.language == "en"
    assert config.site.timezone == "UTC"
    assert config.feeds.site.atom == "atom.xml"
    assert config.feeds.tags.rss == "tags/{slug}.rss.xml"
    assert config.feeds.categories.json_ == "categories/{slug}.json"
    assert config.archives.path == "archive/{year}.atom.xml"
    assert config.schedule.interval == dt.timedelta(minutes=15)
    assert config.limits.feed_size == 512 * 1024
    assert config.serve.bind == "127.0.0.1:8080"
    assert config.websub.hubs == []
    # without feeds_url the feeds are published at the site root, base URL included
    assert config.public_feeds_url == "https://tidepool.example.org/"


def test_base_url_and_feeds_url_are_normalised(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, MINIMAL + "  baseurl: /blog/\nfeeds_url: https://cdn.example.org/f\n")
    )
    assert config.site.root == "https://tidepool.example.org/blog/"
    assert config.public_feeds_url == "https://cdn.example.org/f/"
    no_feeds_url = load_config(write(tmp_path, MINIMAL + "  baseurl: /blog\n", "b.yaml"))
    assert no_feeds_url.public_feeds_url == "https://tidepool.example.org/blog/"


def test_shorthands_sizes_durations_and_formats(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            MINIMAL
            + "permalink: pretty\n"
            + "ids: jekyll-feed\n"
            + "formats: [json, atom, json]\n"
            + "schedule: {every: 1h30m}\n"
            + "limits: {post_size: 1MB, feed_size: 2048}\n"
            + "feeds: {tags: {limit: 5, content: summary}}\n",
        )
    )
    assert config.permalink == "/:categories/:year/:month/:day/:title/"
    assert config.ids.scheme is IdScheme.JEKYLL_FEED
    assert config.formats == [FeedFormat.ATOM, FeedFormat.JSON]  # deduplicated, in order
    assert config.schedule.interval == dt.timedelta(hours=1, minutes=30)
    assert config.limits.post_size == 1024 * 1024
    assert config.limits.feed_size == 2048
    assert config.family_limit(config.feeds.tags) == 5
    assert config.family_limit(config.feeds.site) == 20
    assert config.family_content(config.feeds.tags) is ContentMode.SUMMARY
    assert config.family_content(config.feeds.site) is ContentMode.FULL


def test_a_byte_order_mark_and_an_empty_section_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + (MINIMAL + "tags:\n  min_posts: 2\n").encode())
    assert load_config(path).tags.min_posts == 2


# -- overrides ----------------------------------------------------------------------------
def test_overrides_win_over_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "limit: 5\nids: url\n")
    out = tmp_path / "elsewhere" / "out"
    config = load_config(
        path,
        {
            "limit": 7,
            "site.url": "https://mirror.example.org/",
            "ids.scheme": "jekyll-feed",  # the file's shorthand string becomes a mapping
            "output": str(out),
            "websub.hubs": ["https://hub.example.org/"],  # a section the file lacks
        },
    )
    assert config.limit == 7
    assert config.site.url == "https://mirror.example.org/"
    assert config.site.title == "Tidepool"  # the rest of the section stays
    assert config.ids.scheme is IdScheme.JEKYLL_FEED
    assert config.output == out
    assert config.websub.hubs == ["https://hub.example.org/"]
    assert "limit: 5" in path.read_text()  # the file itself is untouched


def test_an_invalid_override_is_reported_like_a_key_in_the_file(tmp_path: Path) -> None:
    message = problems(write(tmp_path, MINIMAL), {"limit": 0, "site.url": "ftp://x"})
    assert "limit: Input should be greater than or equal to 1" in message
    assert "site.url: must be an absolute http(s) URL" in message


# -- errors -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("limmit: 5\n", "limmit: unknown key; remove it or check its spelling"),
        ("site2: {}\n", "site2: unknown key"),
        ("limit: many\n", "limit: Input should be a valid integer"),
        ("limit: 0\n", "limit: Input should be greater than or equal to 1"),
        ("content: partial\n", "content: Input should be 'full' or 'summary', got 'partial'"),
        ("formats: [atom, gemini]\n", "formats[1]: Input should be 'atom', 'rss' or 'json'"),
        ("formats: []\n", "formats: list at least one format"),
        ("permalink: ''\n", "permalink: must be a path pattern such as /:year/:title"),
        ("permalink: prety\n", "permalink: must be a path pattern such as"),
        ("ids: tag\n", "ids.scheme 'tag' needs ids.authority"),
        ("ids: {scheme: tag, authority: Example.ORG, date: 2020-01-01}\n", "ids.authority:"),
        ("feeds: {tags: {atom: tags/all.xml}}\n", "must contain {slug}"),
        ("feeds: {site: {rss: ../rss.xml}}\n", "must be a relative path inside the output"),
        ("feeds: {site: {json: feed.txt}}\n", "ending in .xml (or .json for JSON Feed)"),
        ("feeds: {tags: {atom: 'tags/{slug}/{year}.xml'}}\n", "only the placeholder {slug}"),
        ("archives: {path: archive.atom.xml}\n", "must contain {year}"),
        ("schedule: {every: soon}\n", "schedule.every: must be a duration such as 15m"),
        ("schedule: {every: 0s}\n", "schedule.every: must be at least 1s"),
        ("schedule: {cron: '* * *'}\n", "must be a five-field cron expression"),
        ("schedule: {cron: '61 * * * *'}\n", "invalid cron expression '61 * * * *'"),
        ("schedule: {every: 5m, cron: '* * * * *'}\n", "set exactly one of schedule.every"),
        ("limits: {feed_size: huge}\n", "limits.feed_size: must be a size such as 512KB"),
        ("sanitize: {tags: [Script]}\n", "script can never be allowed in feeds"),
        ("sanitize: {attributes: {a: [onclick]}}\n", "event handler 'onclick'"),
        ("sanitize: {url_schemes: [JavaScript]}\n", "javascript:, vbscript: and data: URLs"),
        ("authors: {jd: {name: J, email: nope}}\n", "authors.jd.email: must be an e-mail"),
        ("websub: {hubs: [hub.example.org]}\n", "websub.hubs: must be an absolute http(s)"),
        ("max_loss: 2\n", "max_loss: Input should be less than or equal to 1"),
    ],
)
def test_a_bad_value_names_its_key_and_what_is_allowed(
    tmp_path: Path, extra: str, expected: str
) -> None:
    assert expected in problems(write(tmp_path, MINIMAL + extra))


@pytest.mark.parametrize(
    ("site", "expected"),
    [
        ("  title: ''\n  url: https://e.org/\n", "site.title: String should have at least 1"),
        ("  url: https://e.org/\n", "site.title: required key is missing"),
        ("  title: T\n  url: e.org\n", "site.url: must be an absolute http(s) URL such as"),
        ("  title: T\n  url: https://e.org/\n  baseurl: blog\n", "site.baseurl: must be empty"),
        ("  title: T\n  url: https://e.org/\n  timezone: Mars/Base\n", "unknown time zone"),
        ("  title: T\n  url: https://e.org/\n  language: english!\n", "language tag"),
    ],
)
def test_site_errors(tmp_path: Path, site: str, expected: str) -> None:
    assert expected in problems(write(tmp_path, "site:\n" + site))


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    message = problems(write(tmp_path, "limmit: 5\nlimit: many\ncontent: partial\n"))
    lines = message.splitlines()[1:]
    assert all(line.startswith("  - ") for line in lines)
    keys = sorted(line[4:].split(":")[0] for line in lines)
    assert keys == ["content", "limit", "limmit", "site"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"site: [unclosed\n", "line 2: not valid YAML"),
        (b"- a\n- list\n", "(top level): must be a mapping of keys"),
        (b"site:\n  title: caf\xe9\n", "cannot read"),
        (b"", "site: required key is missing"),
    ],
)
def test_unreadable_files_say_why(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(content)
    assert expected in problems(path)


def test_a_missing_file_says_how_to_name_one(tmp_path: Path) -> None:
    assert "file not found; create one with `feedwright init`" in problems(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        ("output: public\nstate: public/.state\n", "state: {dir}/public/.state is inside output"),
        ("output: public\nstate: public\n", "must never be published"),
        (
            "posts: site\noutput: site/feeds\n",
            "output: {dir}/site/feeds overlaps posts: {dir}/site;",
        ),
        ("posts: site/_posts\noutput: site\n", "overlaps posts"),
        ("posts: here\noutput: here\n", "keep them apart"),
    ],
)
def test_output_state_and_posts_must_be_kept_apart(
    tmp_path: Path, paths: str, expected: str
) -> None:
    message = problems(write(tmp_path, MINIMAL + paths))
    assert expected.format(dir=tmp_path.resolve()) in message


def test_a_mapping_validates_without_resolving_paths() -> None:
    config = config_from_mapping({"site": {"title": "T", "url": "https://e.org/"}})
    assert isinstance(config, Config)
    assert config.output == Path("feeds")  # as written: nothing is resolved
    with pytest.raises(ConfigError, match=r"configuration: invalid configuration"):
        config_from_mapping({"site": {"title": "T"}})
    with pytest.raises(ConfigError, match=r"must be a mapping"):
        config_from_mapping(["site"])


@pytest.mark.parametrize("key", ["title", "description", "author"])
def test_config_text_that_xml_forbids_is_an_error_not_a_crash(tmp_path: Path, key: str) -> None:
    # a feed's title, description and author go into every feed: a control character
    # there made lxml stop the build with a traceback
    import yaml

    from conftest import cli

    site = {"title": "T", "url": "https://t.example.org/", key: "Bad\x01text"}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"site": site, "posts": "posts"}), "utf-8")
    (tmp_path / "posts").mkdir()
    result = cli("build", "-c", path)
    assert result.returncode == 2, result.stderr
    assert f"site.{key}" in result.stderr and "XML forbids" in result.stderr
