"""A Jekyll site's own settings as feedwright's defaults (``jekyll:`` in config.yaml):
what reaches the config, what wins, the errors a user meets, and where each value came
from."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import cli
from feedwright.config import (
    ContentMode,
    Source,
    describe,
    effective_site,
    load_config,
)
from feedwright.errors import ConfigError
from feedwright.state.snapshot import config_digest

FULL_SITE = """\
title: Kube Site
url: https://kube.example.org
baseurl: blog
description: From Jekyll
author:
  name: Kim Lee
  email: kim@example.org
  uri: https://kim.example.org/
timezone: Europe/Berlin
lang: de
permalink: pretty
future: true
show_drafts: true
unpublished: true
markdown_ext: md,Markdown
kramdown:
  hard_wrap: true
  syntax_highlighter: rouge
liquid:
  error_mode: strict
repository: kubevirt/kubevirt.github.io
source: src
destination: public
plugins: [jekyll-feed]
feed:
  path: /atom/feed.xml
  posts_limit: 7
  excerpt_only: true
  categories: [news]
  tags:
    only: [kubevirt]
    except: [misc]
    path: /tagged/
"""

MINIMAL_SITE = "title: Small\nurl: https://small.example.org/\n"


def make_site(
    tmp_path: Path, site_config: str, config_yaml: str = "", files: dict[str, str] | None = None
) -> Path:
    """A Jekyll site in tmp_path/site and a config.yaml beside it; returns config.yaml."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "_config.yml").write_text(site_config, "utf-8")
    for name, text in (files or {}).items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("jekyll: site\n" + config_yaml, "utf-8")
    return config


def problems(path: Path, overrides: dict[str, object] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path, overrides)
    assert caught.value.exit_code == 2
    return str(caught.value)


def sources(path: Path, overrides: dict[str, object] | None = None) -> dict[str, Source]:
    return {s.key: s.source for s in describe(load_config(path, overrides))}


# -- what reaches the config -------------------------------------------------------------
def test_every_setting_of_config_yml_reaches_the_config(tmp_path: Path) -> None:
    config = load_config(
        make_site(tmp_path, FULL_SITE, files={"src/_data/people.yml": "- name: Ann\n"})
    )
    site = tmp_path.resolve() / "site"

    assert config.jekyll == site
    assert config.site.title == "Kube Site"
    assert config.site.url == "https://kube.example.org"
    assert config.site.baseurl == "/blog"  # Jekyll adds the missing slash
    assert config.site.root == "https://kube.example.org/blog/"
    assert config.site.description == "From Jekyll"
    assert config.site.author == "Kim Lee"
    assert config.site.author_email == "kim@example.org"
    assert config.site.author_uri == "https://kim.example.org/"
    assert config.site.timezone == "Europe/Berlin"
    assert config.site.language == "de"
    assert config.permalink == "/:categories/:year/:month/:day/:title/"
    assert (config.future, config.drafts, config.unpublished) == (True, True, True)
    assert config.markdown_ext == ["md", "markdown"]
    assert config.kramdown == {"hard_wrap": True, "syntax_highlighter": "rouge"}
    assert config.liquid.error_mode == "strict"
    # source and destination: the posts are found in the source folder, feeds go to the
    # destination, as jekyll-feed's do
    assert config.posts == site / "src"
    assert config.source == site / "src"
    assert config.output == site / "src" / "public" / "feeds"  # a folder of its own
    assert config.public_feeds_url == "https://kube.example.org/blog/feeds/"
    # jekyll-feed
    assert config.feeds.site.atom == "atom/feed.xml"
    assert config.limit == 7
    assert config.content is ContentMode.SUMMARY
    assert config.feeds.tags.enabled and config.feeds.tags.atom == "tagged/{slug}.xml"
    assert config.tags.include == ["kubevirt"] and config.tags.exclude == ["misc"]
    assert config.feeds.categories.enabled
    assert config.feeds.categories.atom == "feed/{slug}.xml"
    # everything else is a Liquid variable
    assert config.site.variables["repository"] == "kubevirt/kubevirt.github.io"
    assert config.site.data == {"people": [{"name": "Ann"}]}


def test_a_string_author_and_jekylls_defaults(tmp_path: Path) -> None:
    config = load_config(make_site(tmp_path, MINIMAL_SITE + "author: Kim\n"))
    site = tmp_path.resolve() / "site"

    assert config.site.author == "Kim" and config.site.author_email is None
    assert config.posts == site  # Jekyll finds _posts folders anywhere in the site
    assert config.output == site / "_site" / "feeds"
    assert config.public_feeds_url == "https://small.example.org/feeds/"
    assert config.includes is None
    # no jekyll-feed: feedwright's own feed settings stay
    assert config.limit == 20
    assert config.feeds.site.atom == "atom.xml"
    assert config.feeds.tags.enabled and config.feeds.categories.enabled
    # Jekyll's defaults, which are feedwright's too
    assert config.permalink == "/:categories/:year/:month/:day/:title:output_ext"
    assert config.markdown_ext == ["markdown", "mkdown", "mkdn", "mkd", "md"]
    assert (config.future, config.drafts, config.unpublished) == (False, False, False)
    assert config.site.timezone == "UTC"  # not the machine's zone, unlike Jekyll


def test_jekyll_feed_without_tags_or_categories_makes_only_the_site_feed(
    tmp_path: Path,
) -> None:
    config = load_config(make_site(tmp_path, MINIMAL_SITE + "plugins: [jekyll-feed]\n"))
    assert config.feeds.site.atom == "feed.xml"  # jekyll-feed's defaults
    assert config.limit == 10
    assert config.content is ContentMode.FULL
    assert not config.feeds.tags.enabled
    assert not config.feeds.categories.enabled


def test_site_variables_data_and_includes_are_there_for_liquid(tmp_path: Path) -> None:
    path = make_site(
        tmp_path,
        MINIMAL_SITE + "repository: kubevirt/kubevirt\nsocial: {twitter: kubevirt}\n",
        "site:\n  edit_base: https://github.com/x/edit/\n",
        files={
            "_data/releases.yml": "- v1.0\n- v1.1\n",
            "_data/team/core.json": '{"lead": "Ann"}',
            "_includes/note.html": "<aside>{{ include.text }}</aside>\n",
        },
    )
    config = load_config(path)
    liquid = config.liquid_site()

    assert liquid["repository"] == "kubevirt/kubevirt"
    assert liquid["social"] == {"twitter": "kubevirt"}
    assert liquid["edit_base"] == "https://github.com/x/edit/"  # from config.yaml's site:
    assert liquid["data"] == {"releases": ["v1.0", "v1.1"], "team": {"core": {"lead": "Ann"}}}
    assert liquid["title"] == "Small" and liquid["url"] == "https://small.example.org"
    assert liquid["permalink"] == "/:categories/:year/:month/:day/:title:output_ext"
    assert config.includes == tmp_path.resolve() / "site" / "_includes"
    assert (config.includes / "note.html").is_file()


def test_site_accepts_extra_keys_without_jekyll(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        "site:\n  title: T\n  url: https://e.org/\n  repository: kubevirt/kubevirt\n", "utf-8"
    )
    config = load_config(path)
    assert config.site.variables == {"repository": "kubevirt/kubevirt"}
    assert config.jekyll is None and effective_site(config) is None


# -- precedence --------------------------------------------------------------------------
def test_config_yaml_wins_over_config_yml(tmp_path: Path) -> None:
    path = make_site(
        tmp_path,
        FULL_SITE,
        "site:\n  title: Feeds of Kube\n  author: Someone Else\n  repository: mine\n"
        "permalink: /:year/:title:output_ext\nlimit: 30\nfuture: false\n"
        "feeds:\n  site:\n    atom: atom.xml\n"
        "kramdown:\n  hard_wrap: false\n"
        "output: out\n",
    )
    config = load_config(path)

    assert config.site.title == "Feeds of Kube"
    assert config.site.description == "From Jekyll"  # not set in config.yaml: stays
    assert config.site.author == "Someone Else"
    assert config.site.author_email is None  # the author was replaced, not merged
    assert config.site.variables["repository"] == "mine"
    assert config.permalink == "/:year/:title:output_ext"
    assert config.limit == 30
    assert config.future is False and config.unpublished is True
    assert config.feeds.site.atom == "atom.xml"
    assert config.feeds.tags.atom == "tagged/{slug}.xml"
    assert config.kramdown == {"hard_wrap": False, "syntax_highlighter": "rouge"}
    assert config.output == tmp_path.resolve() / "out"

    site = effective_site(config)
    assert site is not None
    assert site.future is False and site.unpublished is True and site.show_drafts is True
    assert site.permalink == "/:year/:title:output_ext"
    assert site.markdown_ext == (".md", ".markdown")
    assert site.timezone == "Europe/Berlin"


def test_overrides_win_over_both(tmp_path: Path) -> None:
    path = make_site(tmp_path, FULL_SITE, "site:\n  title: From config.yaml\nlimit: 30\n")
    config = load_config(
        path, {"site.title": "From the command line", "limit": 2, "feeds.tags.enabled": False}
    )
    assert config.site.title == "From the command line"
    assert config.limit == 2
    assert not config.feeds.tags.enabled
    assert config.site.description == "From Jekyll"


def test_an_override_can_point_at_the_jekyll_site(tmp_path: Path) -> None:
    site = tmp_path / "blog"
    site.mkdir()
    (site / "_config.yml").write_text(MINIMAL_SITE, "utf-8")
    path = tmp_path / "config.yaml"
    path.write_text("limit: 5\n", "utf-8")
    config = load_config(path, {"jekyll": "blog"})
    assert config.site.title == "Small" and config.limit == 5


# -- permalinks --------------------------------------------------------------------------
def test_the_default_permalink_is_jekylls_date_style(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("site:\n  title: T\n  url: https://e.org/\n", "utf-8")
    assert load_config(path).permalink == "/:categories/:year/:month/:day/:title:output_ext"


def test_the_bundled_config_keeps_the_year_style() -> None:
    root = Path(__file__).resolve().parent.parent
    assert load_config(root / "config.yaml").permalink == "/:year/:title:output_ext"


@pytest.mark.parametrize(
    ("written", "expected"),
    [("blog/:slug.html", "/blog/:slug.html"), (":year/:title/", "/:year/:title/")],
)
def test_a_permalink_without_a_leading_slash_gets_one(
    tmp_path: Path, written: str, expected: str
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"site: {{title: T, url: 'https://e.org/'}}\npermalink: {written}\n")
    assert load_config(path).permalink == expected
    (tmp_path / "s").mkdir()
    site = make_site(tmp_path / "s", MINIMAL_SITE + f"permalink: {written}\n")
    assert load_config(site).permalink == expected


# -- errors ------------------------------------------------------------------------------
def test_bad_yaml_in_config_yml_names_that_file_and_line(tmp_path: Path) -> None:
    path = make_site(tmp_path, "title: Ok\nurl: https://e.org/\nfeed:\n  path: [unclosed\n")
    message = problems(path)
    config_yml = tmp_path.resolve() / "site" / "_config.yml"
    assert message.startswith(f"{config_yml}: invalid configuration\n")
    assert "line 5: invalid YAML" in message


def test_a_bad_value_from_config_yml_says_it_came_from_there(tmp_path: Path) -> None:
    path = make_site(tmp_path, "title: T\nurl: kube.example.org\n")
    message = problems(path)
    assert message.startswith(f"{path}: invalid configuration\n")
    assert "site.url: must be an absolute http(s) URL" in message
    assert f"(from {tmp_path.resolve() / 'site' / '_config.yml'})" in message


def test_a_missing_site_url_says_where_it_can_be_set(tmp_path: Path) -> None:
    message = problems(make_site(tmp_path, "title: T\n"))
    assert "site.url: required key is missing; set it under site: here or as url in" in message


def test_a_missing_jekyll_site_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("jekyll: nowhere\n", "utf-8")
    assert "not a folder (expected a Jekyll site)" in problems(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("limt: 5\n", "limt: unknown key; remove it or check its spelling (did you mean 'limit'"),
        (
            "feeds: {site: {atomm: a.xml}}\n",
            "feeds.site.atomm: unknown key; remove it or check its spelling (did you mean 'atom'?)",
        ),
        (
            "feeds: {tag: {}}\n",
            "feeds.tag: unknown key; remove it or check its spelling (did you mean 'tags'?)",
        ),
        ("schedule: {evry: 5m}\n", "(did you mean 'every'?)"),
        (
            "authors: {jd: {nmae: J}}\n",
            "authors.jd.nmae: unknown key; remove it or check its spelling (did you mean 'name'?)",
        ),
        (
            "liquid: {tag: {}}\n",
            "liquid.tag: unknown key; remove it or check its spelling (did you mean 'tags'?)",
        ),
        ("site: {titel: X}\n", "unknown key 'titel' (did you mean 'title'?)"),
        (
            "site: {author: {name: K, emial: k@e.org}}\n",
            "author.emial: unknown key; an author "
            "mapping holds name, email and uri (did you mean 'email'?)",
        ),
        ("drafst: true\n", "(did you mean 'drafts'?)"),
    ],
)
def test_an_unknown_key_names_the_closest_known_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("site: {title: T, url: 'https://e.org/'}\n" + text, "utf-8")
    if text.startswith("site:"):
        path.write_text(text.replace("{", "{title: T, url: 'https://e.org/', ", 1), "utf-8")
    assert expected in problems(path)


def test_an_unknown_key_far_from_every_known_key_gets_no_guess(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("site: {title: T, url: 'https://e.org/'}\nzzzqqq: 1\n", "utf-8")
    message = problems(path)
    assert "zzzqqq: unknown key; remove it or check its spelling (see" in message
    assert "did you mean" not in message


def test_config_yml_keys_are_never_taken_for_typos(tmp_path: Path) -> None:
    # "titles" is close to "title", but _config.yml holds any variables a site wants
    config = load_config(make_site(tmp_path, MINIMAL_SITE + "titles: [a, b]\n"))
    assert config.site.variables["titles"] == ["a", "b"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("liquid: {tags: {youtube: '<iframe src=\"{{ include.id }}\"></iframe>'}}\n", None),
        ("liquid: {tags: {highlight: x}}\n", "'highlight' is one of Liquid's own tags"),
        ("liquid: {tags: {'two words': x}}\n", "tag names are words"),
        ("liquid: {error_mode: loud}\n", "liquid.error_mode: Input should be"),
        ("markdown_ext: [md, '']\n", "markdown_ext: must list file extensions"),
        ("markdown_ext: .MD,mkd\n", None),
        ("kramdown: {input: GFM, toc_levels: [1, 2]}\n", None),
    ],
)
def test_the_new_keys_are_validated(tmp_path: Path, text: str, expected: str | None) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("site: {title: T, url: 'https://e.org/'}\n" + text, "utf-8")
    if expected is None:
        config = load_config(path)
        if text.startswith("liquid"):
            assert "youtube" in config.liquid.tags
        if text.startswith("markdown_ext"):
            assert config.markdown_ext == ["md", "mkd"]
        if text.startswith("kramdown"):
            assert config.kramdown == {"input": "GFM", "toc_levels": [1, 2]}
    else:
        assert expected in problems(path)


def test_output_may_be_jekylls_destination_but_not_the_posts(tmp_path: Path) -> None:
    load_config(make_site(tmp_path, MINIMAL_SITE))  # site/_site inside the site: fine
    (tmp_path / "b").mkdir()
    message = problems(make_site(tmp_path / "b", MINIMAL_SITE, "output: site/_posts\n"))
    assert "overlaps posts" in message
    (tmp_path / "c").mkdir()
    message = problems(make_site(tmp_path / "c", MINIMAL_SITE, "output: site/feeds\n"))
    assert "overlaps posts" in message  # Jekyll would read it


# -- sources -----------------------------------------------------------------------------
def test_describe_says_where_each_value_came_from(tmp_path: Path) -> None:
    path = make_site(
        tmp_path,
        FULL_SITE,
        "site:\n  title: Mine\n  edit_base: https://e.org/edit/\nlimit: 30\n",
    )
    found = sources(path, {"future": False, "feeds.site.json": "all.json"})

    assert found["jekyll"] is Source.CONFIG
    assert found["site.title"] is Source.CONFIG
    assert found["site.description"] is Source.JEKYLL
    assert found["site.author"] is Source.JEKYLL
    assert found["site.author_email"] is Source.JEKYLL
    assert found["site.repository"] is Source.JEKYLL  # a variable, as Liquid names it
    assert found["site.edit_base"] is Source.CONFIG
    assert found["permalink"] is Source.JEKYLL
    assert found["limit"] is Source.CONFIG
    assert found["future"] is Source.OVERRIDE
    assert found["feeds.site.json"] is Source.OVERRIDE
    assert found["feeds.site.atom"] is Source.JEKYLL
    assert found["feeds.site.rss"] is Source.DEFAULT
    assert found["kramdown.hard_wrap"] is Source.JEKYLL
    assert found["ids.scheme"] is Source.JEKYLL  # Jekyll mode: jekyll-feed's ids
    assert found["site.language"] is Source.JEKYLL
    assert found["site.icon"] is Source.DEFAULT


def test_describe_lists_effective_values(tmp_path: Path) -> None:
    path = make_site(tmp_path, MINIMAL_SITE, "site:\n  author: {name: Kim, email: k@e.org}\n")
    settings = {s.key: s for s in describe(load_config(path, {"limit": 4}))}
    assert settings["limit"].value == 4
    assert settings["site.title"].value == "Small"
    assert (settings["site.author"].value, settings["site.author"].source) == (
        "Kim",
        Source.CONFIG,
    )
    assert settings["site.author_email"].source is Source.CONFIG
    assert settings["site.author_uri"].source is Source.DEFAULT
    assert settings["posts"].value == tmp_path.resolve() / "site"


def test_without_jekyll_nothing_comes_from_config_yml(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("site: {title: T, url: 'https://e.org/', repo: x}\nlimit: 3\n", "utf-8")
    found = sources(path, {"content": "summary"})
    assert Source.JEKYLL not in found.values()
    assert found["site.repo"] is Source.CONFIG
    assert found["limit"] is Source.CONFIG
    assert found["content"] is Source.OVERRIDE
    assert found["permalink"] is Source.DEFAULT


def test_any_yaml_in_config_yml_and_data_can_be_fingerprinted(tmp_path: Path) -> None:
    """Dates, numeric keys and binary values are fine in Jekyll; a build must not choke on
    them when it fingerprints the config."""
    path = make_site(
        tmp_path,
        MINIMAL_SITE + "launched: 2017-01-01\nports: {80: http, 443: https}\nlogo: !!binary /w==\n",
        files={"_data/years.yml": "2019: quiet\n2020: busy\n"},
    )
    config = load_config(path)
    assert config.site.variables["ports"] == {"80": "http", "443": "https"}
    assert config.site.data == {"years": {"2019": "quiet", "2020": "busy"}}
    assert len(config_digest(config)) == 64


_POST = {"_posts/2024-03-01-hello.md": "---\ntitle: Hello\n---\nHi.\n"}


@pytest.mark.parametrize(
    ("site_config", "noted"),
    [
        (MINIMAL_SITE, True),  # _site/feeds: jekyll build deletes it
        (MINIMAL_SITE + "keep_files: [.git, feeds]\n", False),
        (MINIMAL_SITE + "keep_files: [feeds/tags]\n", True),  # keeps part of it only
        (MINIMAL_SITE + "destination: public\nkeep_files: [feeds]\n", False),
        # Jekyll's cleaner keeps a path that starts with an entry as written
        (MINIMAL_SITE + "keep_files: [feed]\n", False),
        (MINIMAL_SITE + "keep_files: [/feeds]\n", True),
    ],
)
def test_build_says_when_jekyll_build_would_delete_the_feeds(
    tmp_path: Path, site_config: str, noted: bool
) -> None:
    # Jekyll empties its destination of every file it did not make, except keep_files:
    # feeds written to _site/feeds vanish at the next jekyll build unless kept
    path = make_site(tmp_path, site_config, files=_POST)
    result = cli("build", "-c", path)  # no -v: the note is shown all the same
    assert result.returncode == 0, result.stderr
    said = "deletes the feeds" in result.stderr
    assert said is noted, result.stderr
    if noted:
        assert "keep_files: [feeds]" in result.stderr
    checked = cli("check", "-c", path)
    assert ("deletes the feeds" in checked.stdout + checked.stderr) is noted


@pytest.mark.parametrize("kept", [False, True])
def test_real_jekyll_build_keeps_the_feeds_only_as_the_note_says(
    tmp_path: Path, kept: bool
) -> None:
    # The note's claim and its fix, against real Jekyll: a jekyll build after feedwright's
    # deletes _site/feeds, unless keep_files names it
    import shutil
    import subprocess

    from conftest import unavailable

    if shutil.which("jekyll") is None:
        unavailable("jekyll is not installed (apt-get install jekyll)")
    site_config = MINIMAL_SITE + ("keep_files: [feeds]\n" if kept else "")
    path = make_site(tmp_path, site_config, files=_POST)
    result = cli("build", "-c", path)
    assert result.returncode == 0, result.stderr
    assert ("deletes the feeds" in result.stderr) is not kept
    feed = tmp_path / "site" / "_site" / "feeds" / "atom.xml"
    assert feed.is_file()
    done = subprocess.run(
        ["jekyll", "build", "--quiet", "--source", str(tmp_path / "site")],
        cwd=tmp_path / "site",
        capture_output=True,
        text=True,
        env={"TZ": "UTC", "LC_ALL": "C.UTF-8", "PATH": "/usr/local/bin:/usr/bin:/bin"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "site" / "_site" / "2024" / "03" / "01" / "hello.html").is_file()
    assert feed.is_file() is kept


def test_authors_of_the_data_folder_name_the_entries_as_jekyll_feed_does(tmp_path: Path) -> None:
    # jekyll-feed looks a post's author up in site.data.authors and writes that entry's
    # name, email and uri; a value no feed can carry is left out, not a config error
    import feedparser

    authors = (
        "jdoe:\n  name: Jane Doe\n  email: jane@example.org\n  uri: https://jane.example.org/\n"
        "  bio: Writes things.\n"
        "kim:\n  email: not an address\n  uri: /about/kim\n"
    )
    files = {
        "_data/authors.yml": authors,
        "_posts/2024-03-01-one.md": "---\ntitle: One\nauthor: jdoe\n---\nHi.\n",
        "_posts/2024-03-02-two.md": "---\ntitle: Two\nauthor: kim\n---\nHi.\n",
        "_posts/2024-03-03-three.md": "---\ntitle: Three\nauthor: Someone Else\n---\nHi.\n",
    }
    path = make_site(tmp_path, MINIMAL_SITE, files=files)
    result = cli("build", "-c", path)
    assert result.returncode == 0, result.stderr
    feed = feedparser.parse((tmp_path / "site" / "_site" / "feeds" / "atom.xml").read_bytes())
    found = {e.title: e.authors[0] for e in feed.entries}
    assert found["One"] == {
        "name": "Jane Doe",
        "email": "jane@example.org",
        "href": "https://jane.example.org/",
    }
    assert found["Two"] == {"name": "kim"}
    assert found["Three"] == {"name": "Someone Else"}


@pytest.mark.parametrize(
    ("authors", "name"),
    [
        ("jo:\n  name: '   '\n", "jo"),  # a blank name: the handle's, not a config error
        ('jo:\n  name: "Jo\\u0001 Doe"\n', "Jo Doe"),  # what XML forbids is left out
    ],
)
def test_an_author_of_the_data_folder_with_no_usable_name_stops_nothing(
    tmp_path: Path, authors: str, name: str
) -> None:
    import feedparser

    files = {
        "_data/authors.yml": authors,
        "_posts/2024-03-01-one.md": "---\ntitle: One\nauthor: jo\n---\nHi.\n",
    }
    path = make_site(tmp_path, MINIMAL_SITE, files=files)
    result = cli("build", "-c", path)
    assert result.returncode == 0, result.stderr
    feed = feedparser.parse((tmp_path / "site" / "_site" / "feeds" / "atom.xml").read_bytes())
    assert feed.entries[0].authors[0] == {"name": name}


@pytest.mark.parametrize(
    ("site_config", "title"),
    [
        ("title: Own\nname: Other\nurl: https://t.example.org\n", "Own"),
        ("name: Named Blog\nurl: https://t.example.org\n", "Named Blog"),  # as jekyll-feed
        ("url: https://t.example.org/\n", "t.example.org"),  # Atom needs a title
    ],
)
def test_a_jekyll_site_titles_its_feeds_as_jekyll_feed_does(
    tmp_path: Path, site_config: str, title: str
) -> None:
    import feedparser

    path = make_site(tmp_path, site_config, files=_POST)
    result = cli("build", "-c", path)
    assert result.returncode == 0, result.stderr
    feed = feedparser.parse((tmp_path / "site" / "_site" / "feeds" / "atom.xml").read_bytes())
    assert feed.feed.title == title
    assert not feed.bozo


def test_build_with_jekyll_needs_no_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `feedwright build --jekyll SITE`, as the README shows it: the site's _config.yml
    # gives every setting; without --jekyll a missing config.yaml is still an error
    make_site(tmp_path, MINIMAL_SITE, files=_POST)
    (tmp_path / "config.yaml").unlink()
    monkeypatch.chdir(tmp_path)
    result = cli("build", "--jekyll", "site")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "_site" / "feeds" / "atom.xml").is_file()
    missing = cli("build")
    assert missing.returncode == 2
    assert "config.yaml" in missing.stderr and "feedwright init" in missing.stderr
    elsewhere = cli("build", "--jekyll", "site", "-c", "other.yaml")  # named: must exist
    assert elsewhere.returncode == 2 and "other.yaml" in elsewhere.stderr


def test_a_site_url_python_cannot_split_is_a_config_error_without_a_title(
    tmp_path: Path,
) -> None:
    # the title falls back to the URL's host: a URL whose host cannot be read is the
    # site.url error it is with a title, not an unexpected error
    path = make_site(tmp_path, "url: 'http://[blog.example.org/'\n", files=_POST)
    assert "site.url" in problems(path)


def test_a_jekyll_source_no_path_can_hold_is_a_config_error(tmp_path: Path) -> None:
    # a NUL in source: (YAML's "\0") cannot be a path: the config error names the key,
    # the build is not an unexpected error
    path = make_site(tmp_path, MINIMAL_SITE + 'source: "a\\0b"\n', files=_POST)
    result = cli("build", "-c", path)
    assert result.returncode == 2, result.stderr
    assert "'source' holds a NUL character" in result.stderr
