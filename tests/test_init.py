"""`feedwright init`'s library: the commented config.yaml, the first post, the effective
settings as text, and the templates shipped as package data."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from importlib.resources import files
from pathlib import Path

import feedparser
import pytest

from conftest import ROOT
from feedwright.config import Source, describe, load_config
from feedwright.errors import FeedwrightError
from feedwright.init import (
    ConfigExistsError,
    init_folder,
    render_settings,
    systemd_unit,
    write_config,
)
from feedwright.init.help import HELP
from feedwright.init.keys import model_keys
from feedwright.pipeline import build

FIXTURE = ROOT / "tests" / "data" / "jekyll-fixture"
# A commented-out setting: indentation, "# ", then a lower-case key and a colon.
COMMENTED_KEY = re.compile(r"^(\s*)# ([a-z_]+:(?: .*)?)$")
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def settings(config_file: Path) -> dict[str, tuple[object, Source]]:
    return {s.key: (s.value, s.source) for s in describe(load_config(config_file))}


def uncomment_keys(text: str) -> str:
    return "\n".join(COMMENTED_KEY.sub(r"\1\2", line) for line in text.splitlines()) + "\n"


def jekyll_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    return site


def test_every_config_key_has_one_line_of_help() -> None:
    keys = {k.dotted for k in model_keys()}
    assert "feeds.tags.json" in keys and "limits.post_size" in keys  # the walk goes deep
    assert not keys - set(HELP), f"keys without help: {sorted(keys - set(HELP))}"
    assert not set(HELP) - keys, f"help for keys that do not exist: {set(HELP) - keys}"
    assert all(text.strip() and "\n" not in text for text in HELP.values())


def test_written_config_shows_every_key_under_its_help(tmp_path: Path) -> None:
    lines = write_config(tmp_path).read_text().splitlines()
    for key in model_keys():
        indent = "  " * key.depth
        found = [
            i
            for i, line in enumerate(lines)
            if line in (f"{indent}{key.name}:", f"{indent}# {key.name}:")
            or line.startswith((f"{indent}{key.name}: ", f"{indent}# {key.name}: "))
        ]
        assert found, f"{key.dotted} is missing"
        # the right occurrence is the one whose help line is the key's
        assert any(lines[i - 1] == f"{indent}# {HELP[key.dotted]}" for i in found), key.dotted


def test_written_config_loads_as_the_defaults_with_a_placeholder_site(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    assert config == tmp_path / "config.yaml"
    loaded = settings(config)
    assert loaded["site.title"] == ("My blog", Source.CONFIG)
    assert loaded["site.url"] == ("https://example.org/", Source.CONFIG)
    others = {k: src for k, (_, src) in loaded.items() if k not in ("site.title", "site.url")}
    assert set(others.values()) == {Source.DEFAULT}


def test_the_values_shown_are_the_defaults(tmp_path: Path) -> None:
    """Uncommenting every setting changes no value: what the file shows is what applies."""
    written = write_config(tmp_path)
    uncommented = tmp_path / "all.yaml"
    uncommented.write_text(uncomment_keys(written.read_text()))
    every = settings(uncommented)
    assert every["limits.post_size"] == (5 * 1024 * 1024, Source.CONFIG)
    assert {k: v for k, (v, _) in every.items()} == {
        k: v for k, (v, _) in settings(written).items()
    }


def test_jekyll_site_in_the_folder_fills_the_config(tmp_path: Path) -> None:
    site = jekyll_site(tmp_path)
    made = init_folder(site)
    assert made.jekyll == site and made.post is None
    text = made.config.read_text()
    assert "\njekyll: .\n" in text
    assert "# the site feed's title; tag and category feeds are titled after it; " in text
    assert "from _config.yml: Lanternfish Notes\n  # title: Lanternfish Notes\n" in text
    assert "from _config.yml: America/Los_Angeles\n  # timezone: America/Los_Angeles\n" in text
    assert "\n# site:\n" in text  # the site gives title and url: nothing to set here
    loaded = settings(made.config)
    assert loaded["site.title"] == ("Lanternfish Notes", Source.JEKYLL)
    assert loaded["site.baseurl"] == ("/blog", Source.JEKYLL)
    assert loaded["output"] == (site / "_site" / "feeds", Source.JEKYLL)
    assert loaded["limit"] == (20, Source.DEFAULT)
    assert not (site / "posts").exists()
    # and uncommenting everything keeps the site's values
    uncommented = site / "all.yaml"
    uncommented.write_text(uncomment_keys(text))
    assert load_config(uncommented).site == load_config(made.config).site


def test_jekyll_notes_say_which_values_the_site_config_file_sets(tmp_path: Path) -> None:
    """Only what _config.yml sets is noted "from _config.yml"; the ids Jekyll mode
    chooses and the folders Jekyll defaults are noted for what they are."""
    site = jekyll_site(tmp_path)
    text = init_folder(site).config.read_text()
    assert "; Jekyll mode: jekyll-feed's ids: jekyll-feed\n" in text
    assert "; Jekyll's default destination: _site/feeds\n" in text
    assert "; Jekyll's default source: .\n" in text
    assert "from _config.yml: jekyll-feed" not in text
    (site / "_config.yml").write_text(
        (site / "_config.yml").read_text() + "destination: public\n", "utf-8"
    )
    text = init_folder(site, force=True).config.read_text()
    assert "; from _config.yml: public/feeds\n" in text


def test_jekyll_site_elsewhere_is_named_by_its_path(tmp_path: Path) -> None:
    site = jekyll_site(tmp_path)
    folder = tmp_path / "feeds-config"
    write_config(folder, jekyll=site)
    assert f"\njekyll: {site}\n" in (folder / "config.yaml").read_text()
    assert load_config(folder / "config.yaml").jekyll == site


def test_jekyll_site_without_a_url_gets_a_placeholder_to_edit(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("title: Just a title\n")
    text = write_config(tmp_path).read_text()
    assert "\nsite:\n" in text and "\n  url: https://example.org/\n" in text
    assert "\n  # title: Just a title\n" in text
    assert load_config(tmp_path / "config.yaml").site.title == "Just a title"


def test_refuses_to_replace_an_existing_config(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("site: {title: Mine, url: https://mine.example/}\n")
    with pytest.raises(ConfigExistsError) as caught:
        write_config(tmp_path)
    assert isinstance(caught.value, FeedwrightError)
    assert str(config) in str(caught.value) and "--force" in str(caught.value)
    assert config.read_text() == "site: {title: Mine, url: https://mine.example/}\n"
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind
    write_config(tmp_path, force=True)
    assert "My blog" in config.read_text()


def test_empty_folder_gets_a_first_post_that_builds(tmp_path: Path) -> None:
    made = init_folder(tmp_path, today=dt.date(2025, 12, 31))
    assert made.post == tmp_path / "posts" / "2025-12-31-hello-feeds.md"
    report = build(load_config(made.config), now=NOW, jobs=1)
    assert report.failed is None and report.errors == 0 and report.indexed == 1
    feed = feedparser.parse((tmp_path / "feeds" / "atom.xml").read_bytes())
    assert feed.feed.title == "My blog"
    assert [e.title for e in feed.entries] == ["Hello, feeds"]
    assert feed.entries[0].link.startswith("https://example.org/")
    assert (tmp_path / "feeds" / "tags" / "feedwright.atom.xml").is_file()


def test_no_first_post_where_posts_exist(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "2024-01-02-mine.md").write_text("---\ntitle: Mine\n---\nText.\n")
    assert init_folder(tmp_path).post is None
    assert [p.name for p in posts.iterdir()] == ["2024-01-02-mine.md"]


def test_render_settings_shows_each_value_with_its_source(tmp_path: Path) -> None:
    site = jekyll_site(tmp_path)
    config = site / "feedwright.yaml"
    config.write_text("jekyll: .\nlimit: 5\n")
    text = render_settings(load_config(config, {"formats": ["atom"]}))
    lines = text.splitlines()
    assert len(lines) == len(describe(load_config(config)))
    assert "site.title: Lanternfish Notes  # _config.yml" in lines
    assert "site.repository: lanternfish/lanternfish  # _config.yml" in lines
    assert "limit: 5  # config.yaml" in lines
    assert "formats: [atom]  # override" in lines
    assert "content: full  # default" in lines
    assert "limits.post_size: 5MB  # default" in lines
    assert f"output: {site / '_site' / 'feeds'}  # _config.yml" in lines


def test_templates_and_unit_are_package_data() -> None:
    data = files("feedwright").joinpath("data")
    names = {entry.name for entry in data.iterdir()}
    assert {"feedwright.service", "welcome.md", "config-header.yaml"} <= names
    assert systemd_unit() == (ROOT / "deploy" / "feedwright.service").read_text()
    assert "ExecStart=" in systemd_unit() and "feedwright run" in systemd_unit()


def test_a_posts_folder_named_like_jekylls_is_used(tmp_path: Path) -> None:
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "2024-01-02-mine.md").write_text("---\ntitle: Mine\n---\nText.\n")
    made = init_folder(tmp_path)
    assert made.post is None and "\nposts: _posts\n" in made.config.read_text()
    assert load_config(made.config).posts == posts


def test_a_missing_jekyll_site_is_an_error_that_names_it(tmp_path: Path) -> None:
    with pytest.raises(FeedwrightError, match="not a folder"):
        write_config(tmp_path, jekyll=tmp_path / "nope")
    assert not (tmp_path / "config.yaml").exists()


@pytest.mark.parametrize(
    ("site_config", "next_step"),
    [
        (None, "next: set site.title and site.url in config.yaml, then run"),
        ("title: T\nurl: https://t.example.org\n", "next: run"),
        ("title: T\n", "next: set site.url in config.yaml, then run"),  # a placeholder URL
    ],
)
def test_init_names_the_placeholders_left_to_edit(
    tmp_path: Path, site_config: str | None, next_step: str
) -> None:
    from conftest import cli

    if site_config is not None:
        (tmp_path / "_config.yml").write_text(site_config, "utf-8")
        (tmp_path / "_posts").mkdir()
    result = cli("init", tmp_path)
    assert result.returncode == 0, result.stderr
    assert next_step in result.stdout, result.stdout
