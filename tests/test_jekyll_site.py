"""feedwright's reading of a Jekyll site against ``jekyll build`` itself, and its date
parsing against Ruby's ``Time.parse``."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feedwright.config.jekyll_data import JekyllSiteError
from feedwright.config.jekyll_site import read_site
from feedwright.scan.jekyll_dates import post_date
from feedwright.scan.jekyll_find import find_posts, site_posts
from feedwright.scan.permalink import post_url
from feedwright.scan.ruby_time import RubyTimeError, ruby_time_parse


def _need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is required under CI")
        pytest.skip(f"{tool} is not installed")
    return found


# name -> text; every post's layout is reduced to its content
POSTS: dict[str, str] = {
    "_posts/2016-01-01-plain.md": "---\ntitle: Plain\n---\nbody\n",
    "_posts/2016-01-02-markdown-ext.markdown": "---\n---\nx\n",
    "_posts/2016-01-03-mkd-ext.mkd": "---\n---\nx\n",
    "_posts/2016-01-04-mkdn-ext.mkdn": "---\n---\nx\n",
    "_posts/2016-01-05-html-ext.html": "---\n---\n<p>x</p>\n",
    "_posts/2016-01-06-text-ext.txt": "---\n---\nx\n",
    "_posts/2016-01-07-no-front-matter.md": "just text\n",
    "_posts/2016-01-08-dated-later.md": "---\ndate: 2016-01-08 23:59:59 -1200\n---\nx\n",
    "_posts/2099-01-01-far-future.md": "---\n---\nx\n",
    "_posts/2016-01-09-unpublished.md": "---\npublished: false\n---\nx\n",
    "_posts/2016-01-10-fm-category.md": "---\ncategory: Release Notes\n---\nx\n",
    "_posts/2016-01-11-fm-categories.md": "---\ncategories: [News, Tech]\n---\nx\n",
    "_posts/2016-01-12-string-categories.md": "---\ncategories: alpha beta\n---\nx\n",
    "_posts/sub/2016-01-13-subfolder.md": "---\n---\nx\n",
    "news/_posts/2016-01-14-folder-category.md": "---\n---\nx\n",
    "news/tech/_posts/2016-01-15-two-folders.md": "---\ncategories: extra\n---\nx\n",
    "_posts/2016-01-16-lenient.md": "---\ndate: 2023-01-29 18:30:22 2023 -0800\n---\nx\n",
    "_posts/2016-01-17-no-seconds.md": "---\ndate: 2016-03-08 12:00\n---\nx\n",
    "_posts/2016-01-18-utc.md": "---\ndate: 2016-03-08T02:00:00Z\n---\nx\n",
    "_posts/2016-01-19-words.md": "---\ndate: March 8, 2016\n---\nx\n",
    "_posts/2016-01-20-naive-timestamp.md": "---\ndate: 2016-03-09 01:00:00\n---\nx\n",
    "_posts/2016-01-21-offset.md": "---\ndate: 2016-03-10 23:30:00 -0800\n---\nx\n",
    "_posts/2016-1-2-short-numbers.md": "---\n---\nx\n",
    "_posts/2016-01-22-fm-permalink.md": "---\npermalink: /custom/place/\n---\nx\n",
    "_posts/2016-01-23-fm-permalink-noslash.md": "---\npermalink: bare/:title.html\n---\nx\n",
    "_posts/2016-01-24-fm-template.md": "---\npermalink: /:year/:i_month/:i_day/:slug\n---\nx\n",
    "_posts/2016-01-25-every-placeholder.md": (
        "---\npermalink: /:short_year/:y_day/:week/:w_year/:short_month/:long_month/"
        ":short_day/:long_day/:hour-:minute-:second/:name/:collection:path\n---\nx\n"
    ),
    "_posts/2016-01-26-fm-slug.md": "---\nslug: Custom Slug!\n---\nx\n",
    "_posts/2016-01-27-Ünïcode Tïtle.md": "---\n---\nx\n",
    "_posts/2016-01-28-title-ignored.md": "---\ntitle: Something Else Entirely\n---\nx\n",
    "_posts/2016-01-29-trailing-dots...md": "---\n---\nx\n",
    "styled/_posts/2016-01-30-pretty-by-default.md": "---\n---\nx\n",
    "_posts/2016-01-31-ordinal.md": (
        "---\npermalink: /:categories/:year/:y_day/:title:output_ext\n---\n"
    ),
    "_posts/_hidden-2016-02-01-underscore.md": "---\n---\nx\n",
    "_posts/2016-02-02-backup.md~": "---\n---\nx\n",
    "_posts/#2016-02-03-hash.md": "---\n---\nx\n",
    "_posts/not-a-dated-file.md": "---\n---\nx\n",
    "_posts/2016-02-04-excluded.md": "---\n---\nx\n",
    "_posts/2016-02-05-data.yml": "a: 1\n",
    "_posts/2016-02-06-php-permalink.md": "---\npermalink: /thing.php\n---\nx\n",
    "_posts/2016-02-07-uppercase-cats.md": "---\ncategories: [Mixed Case, mixed case]\n---\nx\n",
    "_posts/2016-02-08-tz-edge.md": "---\ndate: 2016-02-08 23:30:00 +0000\n---\nx\n",
    "_drafts/a-draft.md": "---\n---\nx\n",
    "_drafts/2016-02-09-dated-draft.md": "---\n---\nx\n",
}

CONFIG = """\
title: Oracle
url: https://example.org
baseurl: /blog
timezone: America/New_York
permalink: /:categories/:year/:month/:day/:title:output_ext
plugins: [jekyll-feed]
exclude: [_posts/2016-02-04-excluded.md]
feed:
  posts_limit: 50
defaults:
  - scope: {path: "styled"}
    values: {permalink: "/styled/:title/"}
  - scope: {path: "", type: posts}
    values: {author: someone}
  - scope: {path: "_posts/2016-01-31-ordinal.md"}
    values: {category: ordinals}
"""

NOW = dt.datetime(2024, 6, 15, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    jekyll = _need("jekyll")
    root = tmp_path_factory.mktemp("site")
    (root / "_config.yml").write_text(CONFIG, encoding="utf-8")
    (root / "_layouts").mkdir()
    (root / "_layouts" / "default.html").write_text("{{ content }}", encoding="utf-8")
    (root / "_data" / "people").mkdir(parents=True)
    (root / "_data" / "people" / "ana.yml").write_text("name: Ana\n", encoding="utf-8")
    (root / "_data" / "nav.json").write_text('[{"t": 1}]', encoding="utf-8")
    (root / "_data" / "rows.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    for name, text in POSTS.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    env = {**os.environ, "JEKYLL_ENV": "production"}
    result = subprocess.run(
        [jekyll, "build", "--drafts", "--quiet", "--source", str(root)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return root


def _written(root: Path) -> set[str]:
    return {
        p.relative_to(root / "_site").as_posix() for p in (root / "_site").rglob("*") if p.is_file()
    }


def test_written_post_files_match(built: Path) -> None:
    site = read_site(built)
    now = dt.datetime.now(dt.UTC)  # jekyll build ran moments ago
    posts = site_posts(site, now=now, drafts=True)
    expected = {p.destination for p in posts}
    written = _written(built) - {"feed.xml"}
    assert expected == written


def test_feed_lists_the_same_urls_in_order(built: Path) -> None:
    feed = (built / "_site" / "feed.xml").read_text(encoding="utf-8")
    site = read_site(built)
    posts = site_posts(site, now=dt.datetime.now(dt.UTC), drafts=True)
    # jekyll-feed links each post with the site URL and baseurl in front
    links = re.findall(r'<link href="([^"]*)" rel="alternate" type="text/html" title=', feed)
    by_link = {"https://example.org/blog" + p.url: p.date for p in posts}
    assert sorted(links) == sorted(by_link)
    # newest first; posts of the same second come in no order Jekyll defines
    dates = [by_link[link] for link in links]
    assert dates == sorted(dates, reverse=True)


def test_left_out_posts_and_reasons(built: Path) -> None:
    site = read_site(built)
    every = {p.relative_path for p in find_posts(site, drafts=True, now=NOW)}
    assert "_posts/2016-02-04-excluded.md" not in every
    assert "_posts/_hidden-2016-02-01-underscore.md" not in every
    assert "_posts/not-a-dated-file.md" not in every
    assert "_posts/2016-02-05-data.yml" not in every
    assert "_posts/2016-01-09-unpublished.md" in every
    kept = {p.relative_path for p in site_posts(site, now=NOW, drafts=True)}
    assert "_posts/2016-01-09-unpublished.md" not in kept
    assert "_posts/2099-01-01-far-future.md" not in kept
    assert "_posts/2016-01-07-no-front-matter.md" in kept
    without_drafts = {p.relative_path for p in site_posts(site, now=NOW)}
    assert "_drafts/a-draft.md" not in without_drafts


def test_categories_and_dates(built: Path) -> None:
    site = read_site(built)
    posts = {p.relative_path: p for p in find_posts(site, drafts=True, now=NOW)}
    assert posts["_posts/sub/2016-01-13-subfolder.md"].categories == ()
    assert posts["news/tech/_posts/2016-01-15-two-folders.md"].categories == (
        "news",
        "tech",
        "extra",
    )
    assert posts["_posts/2016-01-31-ordinal.md"].categories == ("ordinals",)
    lenient = posts["_posts/2016-01-16-lenient.md"].date
    assert lenient.isoformat() == "2023-01-29T18:30:22-05:00"
    naive = posts["_posts/2016-01-20-naive-timestamp.md"]
    assert naive.date.isoformat() == "2016-03-08T20:00:00-05:00"  # YAML read it as UTC
    assert any("UTC" in note for note in naive.notes)


def test_site_settings_and_data(built: Path) -> None:
    site = read_site(built)
    assert site.feed.posts_limit == 50
    assert site.feed.path == "feed.xml"
    assert site.baseurl == "/blog"
    assert site.markdown_ext == (".markdown", ".mkdown", ".mkdn", ".mkd", ".md")
    assert site.kramdown["input"] == "GFM"
    assert site.future is False
    assert "node_modules" in site.exclude
    assert site.data["people"] == {"ana": {"name": "Ana"}}
    assert site.data["nav"] == [{"t": 1}]
    assert site.data["rows"] == [{"a": "1", "b": "2"}]


def test_bad_config_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("title: ok\nbad: [unclosed\n", encoding="utf-8")
    with pytest.raises(JekyllSiteError) as info:
        read_site(tmp_path)
    assert "_config.yml" in str(info.value)
    assert info.value.line is not None


# --------------------------------------------------------------------------------------
# Dates against Ruby

DATES = [
    "2023-01-29 18:30:22 2023 -0800", "2016-03-08 12:00", "2016-03-08T12:00:00Z",
    "March 8, 2016", "2016-03-08", "2016-3-8", "2016-03-08 12:00:00 +0100",
    "2016-03-08 12:00:00 UTC", "2016-03-08 12:00:00 GMT", "2016-03-08 12:00:00 EST",
    "2016-03-08 12:00:00 PDT", "2016-03-08 12:00:00 CET", "2016-03-08T12:00:00+05:30",
    "2016-03-08T12:00:00.123456Z", "2016-03-08 12:00:00.5 -0700", "8 March 2016",
    "8 Mar 2016 10:00", "Mar 8 2016", "Tue, 08 Mar 2016 12:00:00 +0100",
    "Tuesday, March 8th, 2016 at 3pm", "2016/03/08", "2016/03/08 07:05", "03/08/2016",
    "08.03.2016", "20160308", "20160308T120000", "2016-03-08 3:04 PM",
    "2016-03-08 12:00:00 -08", "2016-03-08 12:00:00 +8", "2016-03-08 24:00:00",
    "2016-03-08 23:59:60", "March 2016", "March 8", "12:30", "2016", "16-03-08",
    "2016-03-08 12:00:00 Z", "2016-03-08 12:00:00 America/New_York",
    "2016-03-08 12:00:00 +01:00", "Mar 8, 2016 12:00:00 AM", "2016-W10-2", "2016-068",
    "H28.03.08", "08-Mar-2016", "2016-03-08 noon", "2016-02-30", "2016-13-01", "foo",
    "  2016-03-08  ", "2016-03-08T12:00", "2016-03-08 12:00:00 +0000 (UTC)",
    "2016-03-13 02:30", "2016-11-06 01:30", "2016-03-08 12:00:00 a.m.", "'16 Mar 8",
]  # fmt: skip

RUBY = r"""
require "time"
now = Time.at(Integer(ARGV[0]))
STDIN.read.split("\n").each do |s|
  begin
    t = Time.parse(s, now).localtime
    puts t.strftime("%Y-%m-%dT%H:%M:%S.%6N%:z")
  rescue ArgumentError
    puts "ERROR"
  end
end
"""


@pytest.mark.parametrize("zone_name", ["America/New_York", "Asia/Kolkata"])
def test_time_parse_agrees_with_ruby(zone_name: str) -> None:
    ruby = _need("ruby")
    now = dt.datetime(2024, 6, 15, 9, 30, 7, tzinfo=dt.UTC)
    result = subprocess.run(
        [ruby, "-e", RUBY, str(int(now.timestamp()))],
        input="\n".join(DATES),
        env={**os.environ, "TZ": zone_name},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    zone = ZoneInfo(zone_name)
    mine: list[str] = []
    for text in DATES:
        try:
            value = ruby_time_parse(text, now, zone)
        except RubyTimeError:
            mine.append("ERROR")
        else:
            mine.append(value.strftime("%Y-%m-%dT%H:%M:%S.%f") + value.isoformat()[-6:])
    theirs = result.stdout.splitlines()
    assert len(DATES) >= 40
    assert dict(zip(DATES, mine, strict=True)) == dict(zip(DATES, theirs, strict=True))


def test_post_date_rules() -> None:
    zone = "Europe/Berlin"
    # the front matter wins; YAML dates and datetimes arrive as Python values
    when, _ = post_date(dt.date(2020, 5, 1), "2020-01-01", zone)
    assert when.isoformat() == "2020-05-01T00:00:00+02:00"
    when, notes = post_date(dt.datetime(2020, 5, 1, 12, 0), "2020-05-01", zone)
    assert when.isoformat() == "2020-05-01T14:00:00+02:00"
    assert notes
    when, notes = post_date(None, "2020-1-5", zone)
    assert when.isoformat() == "2020-01-05T00:00:00+01:00"
    assert notes == []
    with pytest.raises(RubyTimeError):
        post_date("not a date", "2020-01-01", zone)


def test_post_url_styles() -> None:
    date = dt.datetime(2016, 3, 8, 9, 5, tzinfo=ZoneInfo("UTC"))
    kw = {"date": date, "slug": "Hello World", "categories": ("News", "Big Ideas")}
    assert post_url("date", **kw) == "/news/big%20ideas/2016/03/08/Hello-World.html"  # type: ignore[arg-type]
    assert post_url("pretty", **kw) == "/news/big%20ideas/2016/03/08/Hello-World/"  # type: ignore[arg-type]
    assert post_url("ordinal", **kw) == "/news/big%20ideas/2016/068/Hello-World.html"  # type: ignore[arg-type]
    assert post_url("weekdate", **kw) == "/news/big%20ideas/2016/W10/Tue/Hello-World.html"  # type: ignore[arg-type]
    assert post_url("none", **kw) == "/news/big%20ideas/Hello-World.html"  # type: ignore[arg-type]
    assert (
        post_url("date", **kw, front_matter_permalink="x/:slug:output_ext")  # type: ignore[arg-type]
        == "/x/hello-world.html"
    )
