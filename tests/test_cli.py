"""`feedwright build` and `feedwright list` as a user runs them: exit codes, messages that
name the file and line, and what ends up on disk. Most tests call the CLI in this process;
the ones about exit codes as a shell sees them, and about a lock held by another process,
run it as a subprocess."""

from __future__ import annotations

import fcntl
import io
import json
import os
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest

from conftest import check_feeds, cli, feed_files, run_cli, write_config
from daemon_helpers import set_config


def post(folder: Path, name: str, front: str, body: str = "Hello **world**.\n") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front.strip()}\n---\n{body}", "utf-8")
    return path


def blog(tmp_path: Path) -> tuple[Path, Path]:
    posts = tmp_path / "posts"
    post(
        posts,
        "2024-03-01-first.md",
        "title: First\nauthor: Ann\ntags: [Alpha, beta]\ncategory: news\n"
        "pub-date: March 1\npub-year: 2024",
    )
    post(
        posts,
        "2024-04-02-second.md",
        "title: Second\nauthor: Bob\ntags: [alpha]\ncategory: news\n"
        "pub-date: Apr 2\npub-year: 2024",
    )
    return posts, write_config(tmp_path, posts)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_build_writes_site_tag_and_category_feeds(tmp_path: Path) -> None:
    _, config = blog(tmp_path)
    result = cli("build", "-c", config)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    names = sorted(p.relative_to(out).as_posix() for p in feed_files(out))
    assert names == [
        "atom.xml",
        "categories/news.atom.xml",
        "categories/news.rss.xml",
        "rss.xml",
        "tags/alpha.atom.xml",
        "tags/alpha.rss.xml",
        "tags/beta.atom.xml",
        "tags/beta.rss.xml",
    ]
    feeds = check_feeds(feed_files(out))
    alpha = feeds[out / "tags/alpha.atom.xml"]
    assert [e.title for e in alpha.entries] == ["Second", "First"]
    assert "Alpha" in alpha.feed.title
    assert "posts: 2 found, 2 indexed, 0 skipped" in result.stdout
    # and where they went (the output folder, here outside the working folder)
    assert f"feeds: 8 written, 0 unchanged, 0 removed, in {out.resolve()}\n" in result.stdout


def test_second_build_with_no_change_rewrites_nothing(tmp_path: Path) -> None:
    _, config = blog(tmp_path)
    assert cli("build", "-c", config).returncode == 0
    before = snapshot(tmp_path / "out")
    again = cli("build", "-c", config)
    assert again.returncode == 0
    assert "feeds: 0 written, 8 unchanged, 0 removed" in again.stdout
    assert snapshot(tmp_path / "out") == before


def test_feed_updated_comes_from_posts_never_the_clock(tmp_path: Path) -> None:
    _, config = blog(tmp_path)
    cli("build", "-c", config)
    doc = feedparser.parse((tmp_path / "out" / "atom.xml").read_bytes())
    assert doc.feed.updated == "2024-04-02T00:00:00+00:00"
    rss = (tmp_path / "out" / "rss.xml").read_text()
    assert "<lastBuildDate>Tue, 02 Apr 2024 00:00:00 +0000</lastBuildDate>" in rss


def test_bad_config_exits_2_and_names_key_and_file(tmp_path: Path) -> None:
    _, config = blog(tmp_path)
    config.write_text(config.read_text() + "limmit: 5\nlimit: many\n")
    result = run_cli("build", "-c", config)
    assert result.returncode == 2
    assert str(config) in result.stderr
    assert "limmit: unknown key" in result.stderr
    assert "limit:" in result.stderr and "integer" in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_config_file_exits_2(tmp_path: Path) -> None:
    result = cli("build", "-c", tmp_path / "nope.yaml")
    assert result.returncode == 2
    assert "nope.yaml" in result.stderr and "not found" in result.stderr


def test_usage_error_exits_2(tmp_path: Path) -> None:
    result = run_cli("build", "--no-such-flag")
    assert result.returncode == 2


def test_broken_post_is_skipped_with_file_and_line_and_the_rest_builds(tmp_path: Path) -> None:
    posts, config = blog(tmp_path)
    post(posts, "2024-05-01-broken.md", "title: Broken\ntags: [unclosed\nauthor: x")
    result = cli("build", "-c", config)
    assert result.returncode == 1
    assert "2024-05-01-broken.md:4: error: skipped: front matter is not valid YAML" in result.stderr
    assert "skipped 2024-05-01-broken.md" in result.stdout
    doc = feedparser.parse((tmp_path / "out" / "atom.xml").read_bytes())
    assert [e.title for e in doc.entries] == ["Second", "First"]


def test_strict_turns_warnings_into_exit_3(tmp_path: Path) -> None:
    posts, config = blog(tmp_path)
    post(posts, "2024-06-01-odd.md", "title: Odd\npub-date: June 3\npub-year: 2024")
    relaxed = cli("build", "-c", config)
    assert relaxed.returncode == 0
    assert "2024-06-01-odd.md:3: warning: pub-date/pub-year say 2024-06-03" in relaxed.stderr
    assert cli("build", "-c", config, "--strict").returncode == 3


def test_locked_output_exits_75_and_writes_nothing(tmp_path: Path) -> None:
    _, config = blog(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        result = run_cli("build", "-c", config)
    finally:
        os.close(fd)
    assert result.returncode == 75
    assert "locked by another feedwright run" in result.stderr
    assert list(out.iterdir()) == []


def test_dry_run_writes_nothing_and_says_why(tmp_path: Path) -> None:
    posts, config = blog(tmp_path)
    result = cli("build", "-c", config, "--dry-run")
    assert result.returncode == 0
    assert "would write  tags/beta.atom.xml: new feed" in result.stdout
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    cli("build", "-c", config)
    (posts / "2024-03-01-first.md").unlink()
    again = cli("build", "-c", config, "--dry-run")
    assert "would write  tags/beta.atom.xml: the feed has ended: a tombstone" in again.stdout
    set_config(config, retired="remove")
    again = cli("build", "-c", config, "--dry-run")
    assert "would remove tags/beta.atom.xml: its tag or category no longer has a feed" in (
        again.stdout
    )
    assert (tmp_path / "out" / "tags" / "beta.atom.xml").exists()


def test_stale_tag_feeds_are_removed_but_foreign_files_are_kept(tmp_path: Path) -> None:
    posts, config = blog(tmp_path)
    set_config(config, retired="remove")  # the default keeps a tombstone instead
    assert cli("build", "-c", config).returncode == 0
    foreign = tmp_path / "out" / "tags" / "handmade.xml"
    foreign.write_text("<rss/>")
    (posts / "2024-03-01-first.md").unlink()
    result = cli("build", "-c", config)
    assert result.returncode == 0
    assert "2 removed" in result.stdout
    assert not (tmp_path / "out" / "tags" / "beta.atom.xml").exists()
    assert foreign.read_text() == "<rss/>"


def test_a_failed_build_leaves_published_feeds_intact(tmp_path: Path) -> None:
    posts, config = blog(tmp_path)
    assert cli("build", "-c", config).returncode == 0
    before = snapshot(tmp_path / "out")
    for path in posts.iterdir():
        path.unlink()
    result = cli("build", "-c", config)
    assert result.returncode == 1
    assert "no publishable posts" in result.stderr
    assert snapshot(tmp_path / "out") == before


def test_unpublished_and_future_posts_are_left_out_and_reported(tmp_path: Path) -> None:
    posts, config = blog(tmp_path)
    post(posts, "2024-05-05-draft.md", "title: Draft\npublished: false")
    post(posts, "2030-01-01-later.md", "title: Later")
    result = cli("build", "-c", config, "--now", "2025-01-01T00:00:00Z")
    assert result.returncode == 0, result.stderr
    assert "skipped 2024-05-05-draft.md: published: false (not published)" in result.stdout
    assert "skipped 2030-01-01-later.md: dated in the future" in result.stdout
    titles = [
        e.title for e in feedparser.parse((tmp_path / "out" / "rss.xml").read_bytes()).entries
    ]
    assert titles == ["Second", "First"]
    later = cli("build", "-c", config, "--now", "2030-01-02T00:00:00Z")
    titles = [
        e.title for e in feedparser.parse((tmp_path / "out" / "rss.xml").read_bytes()).entries
    ]
    assert later.returncode == 0 and titles == ["Later", "Second", "First"]


def test_cli_options_override_the_config_file(tmp_path: Path) -> None:
    _, config = blog(tmp_path)
    other = tmp_path / "elsewhere"
    result = cli(
        "build",
        "-c",
        config,
        "--output",
        other,
        "--limit",
        "1",
        "--site-url",
        "https://other.example/",
    )
    assert result.returncode == 0, result.stderr
    doc = feedparser.parse((other / "atom.xml").read_bytes())
    assert [e.link for e in doc.entries] == ["https://other.example/2024/second.html"]
    assert not (tmp_path / "out").exists()


def test_list_shows_the_index_by_year_tag_and_category(tmp_path: Path) -> None:
    _, config = blog(tmp_path)
    by_year = cli("list", "-c", config)
    assert by_year.returncode == 0
    assert by_year.stdout.splitlines()[:3] == [
        "2024 (2)",
        "  2024-04-02  Second  [2024-04-02-second.md]",
        "  2024-03-01  First  [2024-03-01-first.md]",
    ]
    by_tag = cli("list", "-c", config, "--by", "tag").stdout
    assert "Alpha (2) slug=alpha spellings: Alpha, alpha" in by_tag
    by_cat = cli("list", "-c", config, "--by", "category").stdout
    assert by_cat.startswith("news (2) slug=news")


def test_version_via_python_dash_m(tmp_path: Path) -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("feedwright ")


def test_descriptions_are_summaries_as_jekyll_feed_writes_them(tmp_path: Path) -> None:
    """jekyll-feed prints ``description | strip_html | normalize_whitespace``: what looks
    like a tag is dropped (a theme's page shows no more of it), an ampersand stays one."""
    posts, config = blog(tmp_path)
    post(
        posts,
        "2024-06-01-links.md",
        'title: Links\ndescription: "Release notes at <https://example.org/r> & more"',
    )
    assert cli("build", "-c", config).returncode == 0
    doc = feedparser.parse((tmp_path / "out" / "rss.xml").read_bytes())
    assert doc.entries[0].summary == "Release notes at &amp; more"  # HTML: one ampersand
    atom = feedparser.parse((tmp_path / "out" / "atom.xml").read_bytes())
    assert atom.entries[0].summary == "Release notes at & more"


def test_an_earlier_now_never_reuses_a_later_result(
    tmp_path: Path, racy_window: Callable[[], None]
) -> None:
    posts, config = blog(tmp_path)
    post(posts, "2030-01-01-later.md", "title: Later")
    racy_window()  # let the files age past the racy window so the no-op path is allowed
    assert cli("build", "-c", config, "--now", "2030-06-01T00:00:00Z").returncode == 0
    earlier = cli("build", "-c", config, "--now", "2025-01-01T00:00:00Z")
    assert earlier.returncode == 0
    titles = [
        e.title for e in feedparser.parse((tmp_path / "out" / "rss.xml").read_bytes()).entries
    ]
    assert titles == ["Second", "First"]


def test_losing_most_posts_at_once_fails_and_keeps_the_feeds(tmp_path: Path) -> None:
    posts, config = blog(tmp_path)
    for n in range(3, 9):
        post(posts, f"2024-05-0{n}-extra-{n}.md", f"title: Extra {n}")
    assert cli("build", "-c", config).returncode == 0
    before = snapshot(tmp_path / "out")
    for path in sorted(posts.glob("2024-05-*.md"))[:6]:
        path.unlink()  # 8 posts -> 2: more than max_loss (50%) gone at once
    result = cli("build", "-c", config)
    assert result.returncode == 1
    assert "only 2 of the 8 posts of the last good build remain" in result.stderr
    assert snapshot(tmp_path / "out") == before
    status = cli("status", "-c", config)
    assert status.returncode == 1
    relaxed = config.read_text() + "max_loss: 0.9\n"
    config.write_text(relaxed)
    assert cli("build", "-c", config).returncode == 0


def test_a_tampered_manifest_cannot_make_a_build_delete_outside_the_output(
    tmp_path: Path,
) -> None:
    _, config = blog(tmp_path)
    assert cli("build", "-c", config).returncode == 0
    victim = tmp_path / "victim.xml"
    victim.write_text("<keep/>")
    manifest = tmp_path / "state" / "manifest.json"
    manifest.write_text('{"files": ["../victim.xml", "/etc/hostname", "atom.xml"]}')
    assert cli("build", "-c", config, "--full").returncode == 0
    assert victim.read_text() == "<keep/>"
    assert (tmp_path / "out" / "atom.xml").exists()


def test_usage_errors_help_and_version_go_to_the_streams_given_to_main(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from feedwright.cli import main

    out, err = io.StringIO(), io.StringIO()
    assert main(["build", "--no-such-flag"], out, err) == 2
    assert "unrecognized arguments: --no-such-flag" in err.getvalue()
    assert main(["--version"], out, err) == 0
    assert out.getvalue().startswith("feedwright ")
    assert main(["build", "--help"], out, err) == 0
    assert "--dry-run" in out.getvalue()
    assert capsys.readouterr() == ("", "")


def test_init_then_build_works_in_an_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "blog"
    folder.mkdir()
    first = cli("init", folder)
    assert first.returncode == 0, first.stderr
    assert f"wrote {folder / 'config.yaml'}" in first.stdout
    assert f"build -c {folder / 'config.yaml'}" in first.stdout  # the next step, spelled out
    built = cli("build", "-c", folder / "config.yaml")
    assert built.returncode == 0, built.stderr
    feed = feedparser.parse((folder / "feeds" / "atom.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == 1
    # a second init never replaces the config, and says how to
    again = cli("init", folder)
    assert again.returncode == 2
    assert "already exists" in again.stderr and "--force" in again.stderr
    assert cli("init", folder, "--force").returncode == 0


def test_init_systemd_prints_the_unit(tmp_path: Path) -> None:
    result = cli("init", "--systemd")
    assert result.returncode == 0
    assert "ExecStart=" in result.stdout and "feedwright run" in result.stdout


def test_config_shows_each_value_and_where_it_came_from(sample_copy: Path) -> None:
    config = sample_copy / "config.yaml"
    result = cli("config", "-c", config, "--limit", "7")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "limit: 7  # override" in lines
    assert "site.title: Tidepool Blog  # config.yaml" in lines
    assert "embeds: link  # default" in lines


def test_jekyll_option_reads_the_sites_config(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text(
        "title: From Jekyll\nurl: https://jekyll.example.org\npermalink: pretty\n", "utf-8"
    )
    config = tmp_path / "config.yaml"
    config.write_text("output: out\nstate: state\n", "utf-8")
    result = cli("config", "-c", config, "--jekyll", site)
    assert result.returncode == 0, result.stderr
    assert "site.title: From Jekyll  # _config.yml" in result.stdout.splitlines()
    assert "permalink: /:categories/:year/:month/:day/:title/  # _config.yml" in (
        result.stdout.splitlines()
    )


def test_a_jekyll_site_builds_into_its_own_feeds_folder_with_right_urls(tmp_path: Path) -> None:
    """In Jekyll mode the feeds go to _site/feeds (the site's own index.html is never
    touched), and every self link, feed id and OPML entry says /feeds/ without a guess."""
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text(
        "title: Notes\nurl: https://notes.example.org\nbaseurl: /blog\n", "utf-8"
    )
    (site / "_posts" / "2024-05-06-hello.md").write_text("---\ntitle: Hello\n---\nHi.\n", "utf-8")
    (site / "_site").mkdir()
    (site / "_site" / "index.html").write_text("<p>the blog's home page</p>", "utf-8")
    made = cli("init", tmp_path, "--jekyll", site)
    assert made.returncode == 0 and "set site.title" not in made.stdout, made.stdout
    built = cli("build", "-c", tmp_path / "config.yaml")
    assert built.returncode == 0, built.stderr
    assert (site / "_site" / "index.html").read_text("utf-8") == "<p>the blog's home page</p>"
    feeds = site / "_site" / "feeds"
    atom = feedparser.parse((feeds / "atom.xml").read_bytes())
    base = "https://notes.example.org/blog/feeds/"
    assert atom.feed.id == base + "atom.xml"
    assert any(ln.rel == "self" and ln.href == base + "atom.xml" for ln in atom.feed.links)
    assert atom.entries[0].link == "https://notes.example.org/blog/2024/05/06/hello.html"
    assert f'xmlUrl="{base}atom.xml"' in (feeds / "feeds.opml").read_text("utf-8")


def test_check_reports_unevaluated_liquid_and_an_approximated_markdown_engine(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text(
        "title: Notes\nurl: https://notes.example.org\nmarkdown: CommonMarkGhPages\n", "utf-8"
    )
    (site / "_posts" / "2024-05-06-hello.md").write_text(
        "---\ntitle: Hello\n---\nHi {% gallery x %} there.\n\n{% if %}\n", "utf-8"
    )
    (tmp_path / "config.yaml").write_text(f"jekyll: {site}\nstate: state\n", "utf-8")
    result = cli("check", "-v", "-c", tmp_path / "config.yaml")
    assert result.returncode == 0, result.stderr  # warnings and notes only
    lines = (result.stdout + result.stderr).splitlines()
    assert any(
        line.startswith("_posts/2024-05-06-hello.md:4: warning:") and "gallery" in line
        for line in lines
    ), lines
    assert any(line.startswith("_posts/2024-05-06-hello.md:6: warning:") for line in lines)
    assert any("CommonMarkGhPages" in line and "note" in line for line in lines), lines
    built = cli("build", "-c", tmp_path / "config.yaml")
    feed = feedparser.parse((site / "_site" / "feeds" / "atom.xml").read_bytes())
    assert built.returncode == 0 and "{%" not in feed.entries[0].content[0].value


# -- the small things a first run meets -----------------------------------------------------
def test_dash_capital_v_prints_the_version() -> None:
    from feedwright import __version__

    result = cli("-V")
    assert result.returncode == 0
    assert result.stdout.strip() == f"feedwright {__version__}"


def test_a_missing_config_file_says_how_to_create_one(tmp_path: Path) -> None:
    result = cli("build", "-c", tmp_path / "missing.yaml")
    assert result.returncode == 2
    assert str(tmp_path / "missing.yaml") in result.stderr
    assert "file not found" in result.stderr and "feedwright init" in result.stderr
    assert "pass -c PATH" not in result.stderr


@pytest.mark.parametrize("command", ["serve", "status", "list"])
@pytest.mark.parametrize("option", [["--limit", "3"], ["--ids", "url"]])
def test_options_that_do_nothing_for_a_command_are_refused(
    tmp_path: Path, command: str, option: list[str]
) -> None:
    _, config = blog(tmp_path)
    result = cli(command, "-c", config, *option)
    assert result.returncode == 2
    assert f"unrecognized arguments: {option[0]}" in result.stderr


@pytest.mark.parametrize("command", ["serve", "status"])
def test_serve_and_status_refuse_now(tmp_path: Path, command: str) -> None:
    _, config = blog(tmp_path)
    result = cli(command, "-c", config, "--now", "2024-05-01")
    assert result.returncode == 2
    assert "unrecognized arguments: --now" in result.stderr


def test_serve_on_a_missing_output_folder_says_so(tmp_path: Path) -> None:
    _, config = blog(tmp_path)
    result = cli("serve", "-c", config, "--bind", "127.0.0.1:0")
    assert result.returncode == 2
    assert f"{tmp_path / 'out'}: the output folder does not exist" in result.stderr
    assert "feedwright build" in result.stderr


def test_check_schema_needs_no_config_file(tmp_path: Path) -> None:
    import json

    result = cli("check", "--schema", "-c", tmp_path / "missing.yaml")
    assert result.returncode == 0, result.stderr
    assert "$schema" in json.loads(result.stdout)


def test_no_author_without_a_site_author_says_the_entry_has_none(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    post(posts, "2024-03-01-first.md", "title: First")
    site = {"title": "T", "url": "https://blog.example.org/", "timezone": "UTC"}
    config = write_config(tmp_path, posts, site=site)
    result = cli("build", "-v", "-c", config)
    assert result.returncode == 0, result.stderr
    assert "the site author is used" not in result.stderr
    assert "no author: the entry has no author" in result.stderr
    with_site_author = write_config(tmp_path, posts)
    again = cli("build", "-v", "--full", "-c", with_site_author)
    assert "no author: the site author is used" in again.stderr


def test_a_deliberate_deletion_goes_through_with_accept_loss(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    for day in range(1, 6):
        post(posts, f"2024-03-0{day}-p{day}.md", f"title: Post {day}\nauthor: Ann")
    config = write_config(tmp_path, posts)
    assert cli("build", "-c", config).returncode == 0
    for day in range(1, 4):
        (posts / f"2024-03-0{day}-p{day}.md").unlink()
    before = snapshot(tmp_path / "out")
    refused = cli("build", "-c", config)
    assert refused.returncode == 1
    assert "max_loss" in refused.stderr and "--accept-loss" in refused.stderr
    assert snapshot(tmp_path / "out") == before
    accepted = cli("build", "--accept-loss", "-c", config)
    assert accepted.returncode == 0, accepted.stderr
    atom = feedparser.parse((tmp_path / "out" / "atom.xml").read_bytes())
    assert sorted(e.title for e in atom.entries) == ["Post 4", "Post 5"]
    assert cli("build", "-c", config).returncode == 0  # the new count is the last good one
    assert cli("run", "--accept-loss", "-c", config).returncode == 2  # never for the daemon


def test_status_of_a_stopped_daemon_shows_no_next_run(tmp_path: Path) -> None:
    from feedwright.state.status import clear_next_run, read_status

    _, config = blog(tmp_path)
    assert cli("build", "-c", config).returncode == 0
    status_file = tmp_path / "state" / "status.json"
    data = json.loads(status_file.read_text("utf-8"))
    data["next_run"] = "2999-01-01T00:00:00+00:00"
    status_file.write_text(json.dumps(data), "utf-8")
    assert "next run: 2999-01-01" in cli("status", "-c", config).stdout
    clear_next_run(tmp_path / "state")
    status = read_status(tmp_path / "state")
    assert status is not None and status.next_run is None and status.result == "ok"
    shown = cli("status", "-c", config).stdout
    assert "next run:" not in shown and "not running" in shown


def test_build_names_the_output_folder_from_where_it_was_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, config = blog(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = cli("build", "-c", config)
    assert result.returncode == 0
    assert "feeds: 8 written, 0 unchanged, 0 removed, in out\n" in result.stdout
