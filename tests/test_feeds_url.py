"""Where the feeds say they are: ``site_folder`` (the folder published at the site's URL)
gives ``feeds_url`` for an output inside it, and ``check`` (a warning) and ``build`` (a
note, printed without -v) say when the feeds' URLs and the output's place disagree."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import lxml.html
import pytest
import yaml
from lxml import etree

from conftest import FIXED_NOW, check_feeds, cli, write_config
from feedwright.config import load_config
from feedwright.config.published import feeds_url_finding

SITE = "https://tidepool.example.org/"
FEEDS = SITE + "feeds/"


def edit(config: Path, **changes: object) -> Path:
    """The config with keys set (None removes one)."""
    data = yaml.safe_load(config.read_text("utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    config.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return config


def build(config: Path, *extra: str) -> tuple[int, list[str]]:
    result = cli("build", "-c", config, "--now", FIXED_NOW, *extra)
    return result.returncode, (result.stdout + result.stderr).splitlines()


def check(config: Path, *extra: str) -> tuple[int, list[str]]:
    result = cli("check", "-c", config, "--now", FIXED_NOW, *extra)
    return result.returncode, (result.stdout + result.stderr).splitlines()


def about_urls(lines: list[str]) -> list[str]:
    return [line for line in lines if "feed links say" in line or "feeds_url is" in line]


# -- site_folder gives feeds_url ------------------------------------------------------------
def test_an_output_inside_site_folder_is_published_under_the_site_url_everywhere(
    sample_copy: Path,
) -> None:
    config = edit(
        sample_copy / "config.yaml", feeds_url=None, output="_site/feeds", site_folder="_site"
    )
    code, lines = build(config)
    assert code == 0, lines
    assert not about_urls(lines), lines
    out = sample_copy / "_site" / "feeds"
    for path in out.rglob("*.json"):
        name = path.relative_to(out).as_posix()
        assert json.loads(path.read_bytes())["feed_url"] == FEEDS + name
    parsed = check_feeds(out.rglob("*.xml"))
    assert len(parsed) > 10
    for path, doc in parsed.items():
        name = path.relative_to(out).as_posix()
        selves = [ln.href for ln in doc.feed.get("links", []) if ln.rel == "self"]
        assert selves == [FEEDS + name], path
        if doc.version.startswith("atom"):
            assert doc.feed.id == FEEDS + name
    opml = etree.parse(str(out / "feeds.opml")).getroot()
    urls = [o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")]
    assert urls and all(u.startswith(FEEDS) and (out / u[len(FEEDS) :]).is_file() for u in urls)
    snippet = (out / "autodiscovery.html").read_text("utf-8").split("-->", 1)[1]
    hrefs = [link.get("href") for link in lxml.html.fragments_fromstring(snippet)]
    assert hrefs[0] == FEEDS + "atom.xml"
    assert all(h.startswith(FEEDS) and (out / h[len(FEEDS) :]).is_file() for h in hrefs)
    shown = cli("config", "-c", config).stdout.splitlines()
    assert "site_folder: " + str(sample_copy / "_site") + "  # config.yaml" in shown
    assert f"feeds_url: {FEEDS}  # default" in shown


def test_the_site_folder_is_published_at_the_base_url(tmp_path: Path) -> None:
    config = write_config(tmp_path, tmp_path / "posts", feeds_url=None, output="public/f/x")
    text = config.read_text("utf-8").replace("  timezone: UTC", "  timezone: UTC\n  baseurl: /b")
    config.write_text(text + "site_folder: public\n", "utf-8")
    assert load_config(config).feeds_url == "https://blog.example.org/b/f/x/"
    edit(config, output="public")
    assert load_config(config).feeds_url == "https://blog.example.org/b/"


# -- the sample config and a first run say nothing ---------------------------------------------
def test_the_sample_config_gives_no_note_about_feed_urls(sample_copy: Path) -> None:
    config = sample_copy / "config.yaml"
    code, lines = build(config)
    assert code == 0 and not about_urls(lines), lines
    result = cli("check", "-c", config, "--now", FIXED_NOW, "--format", "json")
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert "feeds-url" not in codes


def test_a_fresh_init_gives_no_note_about_feed_urls(tmp_path: Path) -> None:
    assert cli("init", tmp_path).returncode == 0
    built = cli("build", "-c", tmp_path / "config.yaml")  # its first post is dated today
    assert built.returncode == 0 and "1 indexed" in built.stdout, built.stdout + built.stderr
    assert not about_urls((built.stdout + built.stderr).splitlines())


# -- the rule ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("settings", "says"),
    [
        # right, or nothing says otherwise: no note
        ({"output": "feeds"}, None),
        ({"output": "_site"}, None),
        ({"output": "out/feeds"}, None),
        ({"output": "_site/feeds", "feeds_url": FEEDS}, None),
        ({"output": "_site/feeds", "site_folder": "_site"}, None),
        ({"output": "_site/feeds", "site_folder": "_site", "feeds_url": FEEDS}, None),
        ({"output": "_site", "site_folder": "_site", "feeds_url": SITE}, None),
        # unset feeds_url, output inside a folder that is published whole
        ({"output": "_site/feeds"}, ["site_folder: _site", SITE + "atom.xml", FEEDS]),
        ({"output": "public/blog/feeds"}, ["site_folder: public", SITE + "blog/feeds/"]),
        ({"output": "docs/feeds"}, ["site_folder: docs"]),
        # unset feeds_url, output outside the site folder
        ({"output": "feeds", "site_folder": "_site"}, ["not inside site_folder _site"]),
        # feeds_url set, output inside the site folder at another URL
        (
            {"output": "_site/feeds", "site_folder": "_site", "feeds_url": SITE},
            [f"feeds_url is {SITE}", f"at {FEEDS}"],
        ),
        (
            {"output": "_site/x", "site_folder": "_site", "feeds_url": FEEDS},
            [f"feeds_url is {FEEDS}", f"at {SITE}x/"],
        ),
    ],
)
def test_the_note_comes_only_when_the_urls_and_the_output_disagree(
    tmp_path: Path, settings: dict[str, str], says: list[str] | None
) -> None:
    config = write_config(tmp_path, tmp_path / "posts", feeds_url=None)
    text = config.read_text("utf-8").replace("blog.example.org", "tidepool.example.org")
    config.write_text(text, "utf-8")
    finding = feeds_url_finding(load_config(edit(config, **settings)))
    if says is None:
        assert finding is None, finding
    else:
        assert finding is not None
        text = finding.message + " " + (finding.hint or "")
        assert all(s in text for s in says), text


def test_where_the_config_itself_lives_does_not_count(tmp_path: Path) -> None:
    folder = tmp_path / "www" / "public" / "ops"  # the config's own folder has such names
    folder.mkdir(parents=True)
    config = write_config(folder, folder / "posts", feeds_url=None, output="feeds")
    assert feeds_url_finding(load_config(config)) is None


# -- what check and build print --------------------------------------------------------------
BLOG = "https://blog.example.org/"


def small_blog(folder: Path, **settings: object) -> Path:
    """A blog whose one post gives no warning, so that --strict answers for the config."""
    posts = folder / "posts"
    posts.mkdir()
    (posts / "2024-05-06-hello.md").write_text(
        "---\ntitle: Hello\nauthor: Ann\ndescription: A first post.\n---\nHi.\n", "utf-8"
    )
    config = write_config(folder, posts, feeds_url=None)
    return edit(config, **settings)


def test_check_warns_and_build_notes_when_links_would_say_the_site_root(tmp_path: Path) -> None:
    config = small_blog(tmp_path, output="_site/feeds")
    assert check(config)[0] == 0
    code, lines = check(config, "--strict")
    assert code == 3
    (line,) = about_urls(lines)
    assert line.startswith(f"feedwright: warning: feed links say {BLOG}atom.xml, but output ")
    assert f"_site/feeds is inside _site, so it is probably published at {BLOG}feeds/" in line
    assert "(fix: set site_folder: _site if _site is what" in line
    code, lines = build(config, "--strict")  # a note, printed without -v: --strict passes
    assert code == 0
    (line,) = about_urls(lines)
    assert line.startswith(f"feedwright: note: feed links say {BLOG}atom.xml")
    assert not about_urls(build(config, "-q")[1])
    assert about_urls(build(config)[1]) == [line]  # also when nothing changed since
    # the fix the note names makes it go away, and the links right
    edit(config, site_folder="_site")
    assert check(config, "--strict")[0] == 0
    code, lines = build(config)
    assert code == 0 and not about_urls(lines), lines
    atom = feedparser.parse((tmp_path / "_site" / "feeds" / "atom.xml").read_bytes())
    assert atom.feed.id == BLOG + "feeds/atom.xml"


def test_check_warns_and_build_notes_when_feeds_url_disagrees_with_the_site_folder(
    tmp_path: Path,
) -> None:
    config = small_blog(
        tmp_path, output="_site/news", site_folder="_site", feeds_url=BLOG + "feeds/"
    )
    code, lines = check(config, "--strict")
    assert code == 3
    (line,) = about_urls(lines)
    assert line.startswith(f"feedwright: warning: feeds_url is {BLOG}feeds/, but output _site/news")
    assert f"published at {BLOG}, so the feeds are at {BLOG}news/" in line
    assert f"(fix: remove feeds_url: so that it defaults to {BLOG}news/" in line
    code, lines = build(config, "--strict")
    assert code == 0
    (line,) = about_urls(lines)
    assert line.startswith(f"feedwright: note: feeds_url is {BLOG}feeds/")
    edit(config, feeds_url=None)
    assert check(config, "--strict")[0] == 0


def test_in_jekyll_mode_the_note_names_jekylls_destination(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("title: Notes\nurl: https://notes.example.org\n", "utf-8")
    (site / "_posts" / "2024-05-06-hello.md").write_text("---\ntitle: Hello\n---\nHi.\n", "utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(f"jekyll: {site}\nstate: state\n", "utf-8")
    assert not about_urls(check(config)[1])
    shown = cli("config", "-c", config).stdout.splitlines()
    assert f"site_folder: {site / '_site'}  # _config.yml" in shown
    config.write_text(f"jekyll: {site}\nstate: state\nfeeds_url: https://cdn.example.net/\n")
    (line,) = about_urls(check(config)[1])
    assert "feeds_url is https://cdn.example.net/" in line
    assert "inside Jekyll's destination" in line and "https://notes.example.org/feeds/" in line


# -- one severity for an embed replaced by a link ----------------------------------------------
def test_an_iframe_replaced_by_a_link_is_a_note_in_build_and_in_check(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "2024-05-06-video.md").write_text(
        "---\ntitle: A video\nauthor: Ann\ndescription: Watch it.\n---\nWatch:\n\n"
        '<iframe src="https://player.example/v/1"></iframe>\n',
        "utf-8",
    )
    config = write_config(tmp_path, posts)
    quiet = cli("build", "-c", config, "--now", FIXED_NOW, "--strict")
    assert quiet.returncode == 0 and "iframe" not in quiet.stderr, quiet.stderr
    built = cli("build", "-c", config, "--now", FIXED_NOW, "--full", "-v")
    (line,) = [ln for ln in built.stderr.splitlines() if "iframe" in ln]
    assert line.startswith("2024-05-06-video.md: note: iframe replaced by a link")
    checked = cli("check", "-c", config, "--now", FIXED_NOW, "--format", "json")
    (embed,) = [f for f in json.loads(checked.stdout)["findings"] if f["code"] == "embed"]
    assert embed["severity"] == "note"
    assert cli("check", "-c", config, "--now", FIXED_NOW, "--strict").returncode == 0
    shown = cli("check", "-c", config, "--now", FIXED_NOW, "-v").stdout
    assert "2024-05-06-video.md: note: iframe replaced by a link" in shown


def test_links_between_output_files_are_the_relative_paths_a_browser_follows() -> None:
    # index.html, tag pages and every feed's stylesheet name other output files relative
    # to themselves; the answer must be posixpath.relpath's for any two output paths
    import itertools
    import posixpath

    from feedwright.feeds.webpage import relative

    names = ["tags", "a", "feed.css", "x.atom.xml", "index.html"]
    paths = ["/".join(p) for n in (1, 2, 3) for p in itertools.product(names, repeat=n)]
    for target, page in itertools.product(paths, paths):
        expected = posixpath.relpath(target, posixpath.dirname(page) or ".")
        assert relative(target, page) == expected, (target, page)
