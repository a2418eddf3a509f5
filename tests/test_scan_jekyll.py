"""The scan publishes the posts Jekyll publishes, and only those: which files are posts,
their dates, the future/unpublished/drafts rules, categories from folders and URLs, for a
posts folder and for a whole Jekyll site (``jekyll:``), checked against ``jekyll build``."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from feedwright.config import config_from_mapping, load_config
from feedwright.pipeline import build
from feedwright.scan import scan
from feedwright.types import Markup, ScanResult, Severity

NOW = dt.datetime(2024, 6, 15, 12, 0, tzinfo=dt.UTC)
SITE = {"title": "Blog", "url": "https://blog.example.org/"}


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def folder(tmp_path: Path, files: dict[str, str], **config: Any) -> ScanResult:
    """Scan a posts folder (a ``_posts`` folder on its own)."""
    write(tmp_path / "posts", files)
    data = {"site": SITE, "posts": str(tmp_path / "posts"), **config}
    return scan(config_from_mapping(data), NOW)


def site(tmp_path: Path, files: dict[str, str], **config: Any) -> ScanResult:
    """Scan a Jekyll site (``jekyll:``)."""
    write(tmp_path / "site", files)
    data = {"site": SITE, "jekyll": "site", "output": "out", "state": "state", **config}
    (tmp_path / "config.yaml").write_text(json.dumps(data), "utf-8")
    return scan(load_config(tmp_path / "config.yaml"), NOW)


def urls(result: ScanResult) -> dict[str, str]:
    return {p.relpath: p.url_path for p in result.posts}


def test_every_markdown_ext_is_a_post_and_html_posts_skip_markdown(tmp_path: Path) -> None:
    files = {
        f"2024-01-0{i}-{ext}-post.{ext}": "---\ntitle: T\n---\n*em*\n"
        for i, ext in enumerate(("markdown", "mkdown", "mkdn", "mkd", "md"), start=1)
    }
    files["2024-01-06-page.html"] = "---\ntitle: H\n---\n<p>*not em*</p>\n"
    files["2024-01-07-notes.txt"] = "---\ntitle: X\n---\nx\n"
    result = folder(tmp_path, files)
    kinds = {p.relpath: p.markup for p in result.posts}
    assert len(kinds) == 6 and "2024-01-07-notes.txt" not in kinds
    assert kinds["2024-01-06-page.html"] is Markup.HTML
    assert kinds["2024-01-04-mkd-post.mkd"] is Markup.MARKDOWN
    assert urls(result)["2024-01-02-mkdown-post.mkdown"] == "/2024/01/02/mkdown-post.html"

    # a narrower markdown_ext: .mkd is no longer a post
    narrow = folder(tmp_path, {}, markdown_ext=["md"])
    assert "2024-01-04-mkd-post.mkd" not in {p.relpath for p in narrow.posts}

    # through the whole build: the .html body is published as written
    out = tmp_path / "out"
    config = config_from_mapping(
        {"site": SITE, "posts": str(tmp_path / "posts"), "output": str(out),
         "state": str(tmp_path / "state")}
    )  # fmt: skip
    build(config, now=NOW, lock=False, jobs=1)
    items = {i["url"]: i for i in json.loads((out / "feed.json").read_text())["items"]}
    site_url = "https://blog.example.org/2024/01/0"
    assert "<p>*not em*</p>" in items[site_url + "6/page.html"]["content_html"]
    assert "<em>em</em>" in items[site_url + "5/md-post.html"]["content_html"]


def test_files_without_front_matter_are_posts_titled_from_the_name(tmp_path: Path) -> None:
    result = folder(tmp_path, {"2024-03-05-just-some-text.md": "Hello *there*.\n"})
    (post,) = result.posts
    assert post.title == "Just Some Text"
    assert post.site_date == dt.datetime(2024, 3, 5, tzinfo=dt.UTC)
    assert post.body == "Hello *there*.\n"


def test_dates_are_read_like_time_parse_with_a_warning_on_the_date_line(tmp_path: Path) -> None:
    files = {
        "2024-01-10-odd.md": "---\ntitle: Odd\ndate: 2023-01-29 18:30:22 2023 -0800\n---\nx\n",
        "2024-01-11-words.md": "---\ntitle: W\ndate: March 8, 2016\n---\nx\n",
        "2024-01-12-old.md": "---\ntitle: O\npub-year: 2019\npub-date: June 28\n---\nx\n",
        "2024-01-13-bad.md": "---\ntitle: B\n\ndate: not a date at all\n---\nx\n",
    }
    result = folder(tmp_path, files, permalink="/:year/:month/:day/:title/")
    posts = {p.relpath: p for p in result.posts}
    odd = posts["2024-01-10-odd.md"]
    # Ruby takes the second year and drops the zone, as jekyll build does
    assert odd.site_date == dt.datetime(2023, 1, 29, 18, 30, 22, tzinfo=dt.UTC)
    assert odd.url_path == "/2023/01/29/odd/"
    (warn,) = [d for d in result.diagnostics if d.path == "2024-01-10-odd.md" and d.code == "date"]
    assert warn.severity is Severity.WARNING and warn.line == 3
    assert posts["2024-01-11-words.md"].url_path == "/2016/03/08/words/"
    # the pub date dates the entry; the site date builds the URL
    old = posts["2024-01-12-old.md"]
    assert old.published.date() == dt.date(2019, 6, 28)
    assert old.url_path == "/2024/01/12/old/"
    (bad,) = [d for d in result.diagnostics if d.path == "2024-01-13-bad.md"]
    assert bad.severity is Severity.ERROR and bad.line == 4
    assert "2024-01-13-bad.md" not in posts


def test_a_yaml_timestamp_without_a_zone_is_utc_with_a_note_not_a_warning(
    tmp_path: Path,
) -> None:
    # Jekyll reads "date: 2024-03-02 14:05:00" as UTC, whatever the site's timezone: so
    # does the scan, and says so in a note (the feed is as the site's), written as the
    # post wrote it; in a UTC site there is nothing to say
    files = {"_posts/2024-03-02-x.md": "---\ntitle: X\ndate: 2024-03-02 14:05:00\n---\nx\n"}
    east = site(tmp_path, {**files, "_config.yml": "timezone: America/New_York\n"})
    (post,) = east.posts
    assert post.site_date == dt.datetime(2024, 3, 2, 14, 5, tzinfo=dt.UTC)
    found = [d for d in east.diagnostics if d.code.startswith("date")]
    assert [(d.severity, d.code, d.line) for d in found] == [(Severity.NOTE, "date-zone", 3)]
    assert "2024-03-02 14:05:00 has no zone" in found[0].message
    assert "UTC" in found[0].message and "09:05" in found[0].message
    utc = site(tmp_path, {"_config.yml": "timezone: UTC\n"})
    assert [d for d in utc.diagnostics if d.code.startswith("date")] == []


def test_future_unpublished_and_drafts_follow_jekyll(tmp_path: Path) -> None:
    files = {
        "2024-01-01-now.md": "---\ntitle: N\n---\n",
        "2030-01-01-later.md": "---\ntitle: L\n---\n",
        "2024-01-02-hidden.md": "---\ntitle: H\npublished: false\n---\n",
        "_drafts/an-idea.md": "---\ntitle: I\n---\n",
        "_drafts/2024-02-02-dated-idea.md": "---\ntitle: D\n---\n",
    }
    plain = {p.relpath for p in folder(tmp_path, files).posts}
    assert plain == {"2024-01-01-now.md"}
    every = folder(tmp_path, {}, future=True, unpublished=True, drafts=True)
    posts = {p.relpath: p for p in every.posts}
    assert set(posts) == {
        "2024-01-01-now.md",
        "2030-01-01-later.md",
        "2024-01-02-hidden.md",
        "_drafts/an-idea.md",
        "_drafts/2024-02-02-dated-idea.md",
    }
    assert posts["_drafts/an-idea.md"].title == "I"
    assert posts["_drafts/2024-02-02-dated-idea.md"].url_path == "/2024/02/02/dated-idea.html"


def test_a_sites_posts_come_from_every_posts_folder_with_folder_categories(
    tmp_path: Path,
) -> None:
    files = {
        "_config.yml": "permalink: /:categories/:year/:title/\nexclude: [old]\n"
        "defaults:\n  - scope: {path: weekly}\n    values: {category: digest}\n",
        "_posts/2024-01-01-top.md": "---\ntitle: T\n---\n",
        "releases/_posts/2024-01-02-v1.md": "---\ntitle: V1\ncategories: [Notes]\n---\n",
        "releases/beta/_posts/2024-01-03-b.md": "---\ntitle: B\ncategory: x\n---\n",
        "weekly/_posts/2024-01-04-w.md": "---\ntitle: W\n---\n",
        "old/_posts/2024-01-05-excluded.md": "---\ntitle: E\n---\n",
        "_hidden/_posts/2024-01-06-skipped.md": "---\ntitle: S\n---\n",
        "_posts/undated.md": "---\ntitle: U\n---\n",
        "_drafts/2024-01-07-draft.md": "---\ntitle: D\n---\n",
        "about.md": "---\ntitle: About\n---\n",
    }
    result = site(tmp_path, files)
    posts = {p.relpath: p for p in result.posts}
    assert set(posts) == {
        "_posts/2024-01-01-top.md",
        "releases/_posts/2024-01-02-v1.md",
        "releases/beta/_posts/2024-01-03-b.md",
        "weekly/_posts/2024-01-04-w.md",
    }
    assert posts["releases/_posts/2024-01-02-v1.md"].categories == ("releases", "Notes")
    assert posts["releases/beta/_posts/2024-01-03-b.md"].url_path == "/releases/beta/x/2024/b/"
    assert posts["weekly/_posts/2024-01-04-w.md"].categories == ("weekly", "digest")
    assert posts["_posts/2024-01-01-top.md"].url_path == "/2024/top/"
    assert "_posts/undated.md" in {s.relpath for s in result.skipped}
    with_drafts = site(tmp_path, {}, drafts=True)
    assert "_drafts/2024-01-07-draft.md" in {p.relpath for p in with_drafts.posts}


def test_permalinks_without_a_leading_slash(tmp_path: Path) -> None:
    files = {
        "2024-05-06-one.md": "---\ntitle: One\n---\n",
        "2024-05-07-two.md": "---\ntitle: Two\npermalink: notes/:slug\n---\n",
    }
    result = folder(tmp_path, files, permalink=":year/:month/:title.html")
    assert urls(result) == {
        "2024-05-06-one.md": "/2024/05/one.html",
        "2024-05-07-two.md": "/notes/two",
    }
    assert result.posts[0].url.startswith("https://blog.example.org/")


# -- against jekyll build ------------------------------------------------------------------

ORACLE: dict[str, str] = {
    "_config.yml": "title: Oracle\ntimezone: America/New_York\n"
    'permalink: "categories/:year/:month/:day/:title:output_ext"\n'
    "exclude: [_posts/2016-02-04-excluded.md]\n"
    "defaults:\n  - scope: {path: styled}\n    values: {permalink: /styled/:title/}\n",
    "_layouts/default.html": "{{ content }}",
    "_posts/2016-01-01-plain.md": "---\ntitle: Plain\n---\nbody\n",
    "_posts/2016-01-02-markdown-ext.markdown": "---\n---\nx\n",
    "_posts/2016-01-03-mkd-ext.mkd": "---\n---\nx\n",
    "_posts/2016-01-05-html-ext.html": "---\n---\n<p>x</p>\n",
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
    "_posts/2016-01-19-words.md": "---\ndate: March 8, 2016\n---\nx\n",
    "_posts/2016-1-2-short-numbers.md": "---\n---\nx\n",
    "_posts/2016-02-30-rolled-over.md": "---\n---\nx\n",
    "_posts/2016-01-22-fm-permalink.md": "---\npermalink: /custom/place/\n---\nx\n",
    "_posts/2016-01-23-fm-noslash.md": "---\npermalink: bare/:title.html\n---\nx\n",
    "_posts/2016-01-26-fm-slug.md": "---\nslug: Custom Slug!\n---\nx\n",
    "_posts/2016-01-27-Ünïcode Tïtle.md": "---\n---\nx\n",
    "_posts/2016-01-28-draft-key.md": "---\ndraft: true\n---\nx\n",
    "styled/_posts/2016-01-30-styled.md": "---\n---\nx\n",
    "_posts/_hidden-2016-02-01-underscore.md": "---\n---\nx\n",
    "_posts/not-a-dated-file.md": "---\n---\nx\n",
    "_posts/2016-02-04-excluded.md": "---\n---\nx\n",
    "_drafts/a-draft.md": "---\n---\nx\n",
}


def _jekyll() -> str:
    found = shutil.which("jekyll")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("jekyll is required under CI")
        pytest.skip("jekyll is not installed")
    return found


def test_the_posts_and_urls_are_those_of_jekyll_build(tmp_path: Path) -> None:
    jekyll = _jekyll()
    root = tmp_path / "site"
    write(root, ORACLE)
    done = subprocess.run(
        [jekyll, "build", "--quiet", "--source", str(root), "--destination", str(root / "_site")],
        cwd=root,
        env={**os.environ, "JEKYLL_ENV": "production"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    written = {
        "/" + p.relative_to(root / "_site").as_posix()
        for p in (root / "_site").rglob("*")
        if p.is_file()
    }
    # as a user configures it: config.yaml names the site, whose _config.yml gives the rest
    (tmp_path / "config.yaml").write_text(
        json.dumps({"site": SITE, "jekyll": str(root), "output": "out", "state": "state"}),
        "utf-8",
    )
    config = load_config(tmp_path / "config.yaml")
    result = scan(config, dt.datetime.now(dt.UTC))
    mine = set()
    for post in result.posts:
        path = post.url_path
        mine.add(path + "index.html" if path.endswith("/") else path)
    from urllib.parse import unquote

    assert {unquote(u) for u in mine} == written
    assert len(result.posts) >= 20
