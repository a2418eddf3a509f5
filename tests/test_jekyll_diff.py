"""feedwright against real Jekyll 4.3 + jekyll-feed 0.17: for every post of the fixture blog,
the sample blog and the kubevirt.io blog, the same posts are published, at the same URL,
with the same title, date and content text, and links, images and media that lead to the
same places. Differences are allowed only where
tests/data/jekyll-allowlist.yaml says why they cannot be fixed.

Run with ``pytest -m jekyll``; ``python tests/jekyll_report.py`` prints every difference."""

from __future__ import annotations

import html
import io
import re
import shutil
from pathlib import Path

import feedparser
import pytest

from conftest import unavailable
from feedwright.cli import main
from feedwright.config import load_config
from jekyll_compare import (
    ALLOWLIST,
    FIELDS,
    FIXTURE_2,
    Comparison,
    compare,
    corpora,
    describe,
    first_link_difference,
    link_targets,
    load_allowlist,
)

pytestmark = pytest.mark.jekyll

CORPORA = corpora()
_built: dict[str, Comparison] = {}


@pytest.fixture(scope="session")
def jekyll_work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("jekyll") is None:
        unavailable("jekyll is not installed (apt-get install jekyll ruby-jekyll-feed)")
    return tmp_path_factory.mktemp("jekyll-diff")


@pytest.fixture(params=sorted(CORPORA))
def comparison(request: pytest.FixtureRequest, jekyll_work: Path) -> Comparison:
    """Each corpus is built once per test session, with both tools."""
    name: str = request.param
    corpus = CORPORA[name]
    if not corpus.source.is_dir():
        unavailable(f"{name} posts not found at {corpus.source} (set FEEDWRIGHT_SHARED)")
    if name not in _built:
        _built[name] = compare(corpus, jekyll_work / name)
    return _built[name]


def _unexpected(comparison: Comparison, field: str) -> list[str]:
    allowed = load_allowlist().get(comparison.corpus, {})
    return [
        f"{post.key}:\n{'':14}{describe(diff)}"
        for post in comparison.posts
        for diff in post.diffs
        if diff.field == field and field not in allowed.get(post.key, {})
    ]


@pytest.mark.parametrize("field", FIELDS)
def test_feedwright_publishes_what_jekyll_publishes(comparison: Comparison, field: str) -> None:
    """published: the same set of posts; url: exact; title: as jekyll-feed writes it;
    date: the same instant; content: the same text; links: the same targets of links,
    images and media, in document order, each resolved against the post's URL."""
    unexpected = _unexpected(comparison, field)
    assert not unexpected, f"{len(unexpected)} post(s) differ in {field}:\n" + "\n".join(unexpected)


def test_every_allowlisted_difference_still_exists(comparison: Comparison) -> None:
    """A difference that went away leaves the allowlist (so it cannot hide a new one)."""
    allowed = load_allowlist().get(comparison.corpus, {})
    found = {(post.key, diff.field) for post in comparison.posts for diff in post.diffs}
    stale = [
        f"{key}: {field}"
        for key, fields in allowed.items()
        for field in fields
        if (key, field) not in found
    ]
    assert not stale, f"{ALLOWLIST.name}: these no longer differ, remove them: {stale}"


def test_the_fixture_exercises_what_it_claims_to(jekyll_work: Path) -> None:
    """The oracle really ran Jekyll with kramdown's GFM parser, Liquid, includes and data:
    each construct of the fixture blog came out as Jekyll renders it."""
    if "fixture" not in _built:
        _built["fixture"] = compare(CORPORA["fixture"], jekyll_work / "fixture")
    fixture = _built["fixture"]
    posts = fixture.jekyll.by_key()
    expected_in = {
        "2023-01-02-site-variables": "lanternfish/lanternfish",
        "2023-01-05-include-with-parameters": 'class="callout callout-warning"',
        "2023-01-09-loops-and-conditions": "There are 2 stable releases; the newest is Fathom.",
        "2023-01-12-linking-posts": 'href="/blog/tutorials/2023/02/01/first-tutorial.html"',
        "2023-01-15-highlight-and-raw": "{{ .Values.image }}",
        "2023-01-18-filters": "Fish &amp; &lt;Chips&gt;",
        "2023-01-21-lists-after-paragraphs": "<ul>",
        "2023-01-24-code-in-lists-and-quotes": "<blockquote>",
        "2023-01-27-footnotes-and-abbreviations": '<abbr title="Command Line Interface">',
        "2023-01-30-definitions-and-strike": "<del>",
        "2023-02-03-attribute-lists": '<p class="note">',
        "2023-02-06-markdown-in-html": "<strong>bold</strong>",
        "2023-02-09-tables": '<th style="text-align: center">',
        "2023-02-12-tasks-and-autolinks": 'class="task-list-item-checkbox"',
        "2023-02-15-headers-and-anchors": 'id="whats-next"',
        "2023-02-18-smart-typography": "<br />",
        "2023-02-25-no-front-matter": "<strong>Markdown</strong>",
    }
    missing = {k: v for k, v in expected_in.items() if v not in posts[k].content_html}
    assert not missing
    # {% highlight python linenos %}: Rouge's table, its gutter numbering the two lines
    assert '<pre class="lineno">1\n2\n</pre>' in posts["2023-01-15-highlight-and-raw"].content_html
    assert "2099-01-01-from-the-future" not in posts
    assert "2023-03-01-unpublished" not in posts
    assert posts["2023-02-22-mkd-extension"].path.endswith("mkd-extension.html")
    assert posts["2023-03-03-relative-permalink"].url.endswith("/blog/guides/relative-permalink/")
    assert posts["2023-01-29-lenient-date"].published.isoformat() == "2023-01-29T18:30:22-08:00"
    assert posts["2023-03-08-title-apostrophe"].title == "The Interior’s Design – Part 1"


def test_link_targets_resolve_as_a_browser_on_the_post_page() -> None:
    """Relative targets (Jekyll's), absolute ones (feedwright's) and fragments compare
    equal when they lead to the same place; different places do not."""
    page = "https://example.org/blog/2019/01/02/post.html"
    jekyll = (
        '<a href="#fn:1">1</a> <a href="/blog/a%20b.png">x</a> <img src="../img é.png">'
        '<img srcset="s.png 1x, l.png 2x"> <a href=" mailto:a@b.org ">m</a>'
    )
    feedwright = (
        f'<a href="{page}#fn:1">1</a> <a href="https://example.org/blog/a b.png">x</a>'
        '<img src="https://example.org/blog/2019/01/img%C3%A9.png">'
        f'<img srcset="{page[:-9]}s.png 1x, {page[:-9]}l.png 2x"> <a href="mailto:a@b.org">m</a>'
    )
    ours, theirs = link_targets(jekyll, page), link_targets(feedwright, page)
    assert len(ours) == 6
    assert [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b] == [2]
    assert first_link_difference("\n".join(ours), "\n".join(theirs)).startswith("link 3 of 6")


def test_the_links_fixture_exercises_every_kind_of_target(jekyll_work: Path) -> None:
    """The second fixture's links post leads to footnotes, headers, posts, static files,
    images (with srcset), media, an embed, mail, protocol-relative and Unicode URLs, so
    the links comparison above has them all to compare."""
    if "fixture-2" not in _built:
        _built["fixture-2"] = compare(CORPORA["fixture-2"], jekyll_work / "fixture-2")
    post = _built["fixture-2"].jekyll.by_key()["2024-04-11-links-and-images"]
    targets = link_targets(post.content_html, post.url)
    kinds = {target.split(" ")[0] for target in targets}
    assert kinds >= {"a@href", "img@src", "img@srcset", "source@srcset", "video@src"}
    assert kinds >= {"video@poster", "audio@src", "iframe@src"}
    expected = ("#fn:where", "#next-steps", "mailto:", "https://cdn.", "caf%C3%A9", "%60string")
    assert all(any(part in target for target in targets) for part in expected)


def _atom_entries(text: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
    # jekyll-feed writes an "&" from a file name into href="..." unescaped (see the oracle)
    text = re.sub(r"&(?!#?[A-Za-z0-9]+;)", "&amp;", text)
    parsed = feedparser.parse(text)
    assert not parsed.bozo, parsed.bozo_exception
    # a title of type html is shown as the text of that HTML
    return [
        (
            e.id,
            e.link,
            html.unescape(e.title) if e.title_detail.type == "text/html" else e.title,
            # the post's categories, then its tags; feedwright writes a name once, under
            # the label of its merged tag, where jekyll-feed writes it as each post spells it
            tuple(dict.fromkeys(t.term.casefold() for t in e.get("tags", []))),
        )
        for e in parsed.entries
    ]


def test_init_and_build_in_a_jekyll_site_give_jekyll_feeds_ids_links_and_titles(
    jekyll_work: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a user runs it: `feedwright init` then `feedwright build` inside the site, with
    no config written by hand. Every entry has the id, link, title and categories of the
    entry jekyll-feed wrote for the same post, newest first, as many as the feed holds."""
    if "fixture-2" not in _built:
        _built["fixture-2"] = compare(CORPORA["fixture-2"], jekyll_work / "fixture-2")
    jekyll_feed = _built["fixture-2"].jekyll.root / "_site" / "feed.xml"
    theirs = _atom_entries(jekyll_feed.read_text("utf-8"))
    site = tmp_path / "site"
    shutil.copytree(FIXTURE_2, site)
    monkeypatch.chdir(site)
    out, err = io.StringIO(), io.StringIO()
    assert main(["init"], out, err) == 0, err.getvalue()
    assert "next: run `feedwright build`" in out.getvalue()
    config = load_config(site / "config.yaml")
    assert config.output == site / "_site" / "feeds"
    assert config.public_feeds_url == "https://quillwort.example/journal/feeds/"
    out, err = io.StringIO(), io.StringIO()
    assert main(["build"], out, err) == 0, err.getvalue()
    assert "error" not in err.getvalue().replace("0 error(s)", "")
    ours = _atom_entries((config.output / config.feeds.site.atom).read_text("utf-8"))
    assert len(ours) == min(config.limit, len(theirs)) > 0
    assert ours == theirs[: len(ours)]
