"""Scanner building blocks: dates, permalinks, tag merging, Liquid and HTML rewriting."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
import yaml

from conftest import CORPUS, ROOT
from feedwright.index.terms import merge_key, slug_for, split_names
from feedwright.render import html as render_html
from feedwright.render.kramdown import to_html
from feedwright.render.kramdown.premonition import premonition
from feedwright.render.liquid import JekyllLiquid, SiteContext
from feedwright.scan import frontmatter, permalink
from feedwright.scan.dates import DateParseError, parse_pub_date, parse_site_date

UTC = ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("text", "month", "day"),
    [
        ("June 28", 6, 28),
        ("Jun 28", 6, 28),
        ("Sept 11", 9, 11),
        ("July, 18", 7, 18),
        ("8 Jul", 7, 8),
        ("May 04", 5, 4),
        ("July 3", 7, 3),
        ("August, 2", 8, 2),
        ("September", 9, None),
        ("Dec 13", 12, 13),
        ("Mar 3", 3, 3),
    ],
)
def test_every_pub_date_shape_in_the_wild(text: str, month: int, day: int | None) -> None:
    parsed = parse_pub_date(text)
    assert (parsed.month, parsed.day) == (month, day)


def test_unreadable_pub_date_is_an_error_not_a_guess() -> None:
    with pytest.raises(DateParseError, match="Smarch"):
        parse_pub_date("Smarch 3")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2013-05-06 02:12:52 +0200", dt.datetime(2013, 5, 6, 0, 12, 52, tzinfo=UTC)),
        ("2014-05-14T11:02:00-04:00", dt.datetime(2014, 5, 14, 15, 2, tzinfo=UTC)),
        ("2014-05-14", dt.datetime(2014, 5, 14, tzinfo=UTC)),
        (dt.date(2020, 1, 2), dt.datetime(2020, 1, 2, tzinfo=UTC)),
        (dt.datetime(2020, 1, 2, 10, 0, 0, 123456), dt.datetime(2020, 1, 2, 10, tzinfo=UTC)),
    ],
)
def test_site_dates_in_every_form_jekyll_accepts(value: object, expected: dt.datetime) -> None:
    assert parse_site_date(value, UTC) == expected


def test_date_only_means_midnight_in_the_site_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    value = parse_site_date("2024-06-28", berlin)
    assert value.isoformat() == "2024-06-28T00:00:00+02:00"


def test_permalink_matches_jekyll_for_kubevirt_style() -> None:
    date = dt.datetime(2022, 6, 28, tzinfo=UTC)
    values = permalink.placeholders(
        date,
        "KubeVirt-at-KubeCon-EU-2022",
        "2022-06-28-KubeVirt-at-KubeCon-EU-2022",
        ("news",),
        ".html",
    )
    assert permalink.render("/:year/:title:output_ext", values) == (
        "/2022/KubeVirt-at-KubeCon-EU-2022.html"
    )
    assert permalink.render("/:categories/:year/:month/:day/:title/", values) == (
        "/news/2022/06/28/KubeVirt-at-KubeCon-EU-2022/"
    )
    assert permalink.render("/:year/:slug/", values) == "/2022/kubevirt-at-kubecon-eu-2022/"


def test_permalink_without_categories_folds_slashes() -> None:
    date = dt.datetime(2018, 7, 3, tzinfo=UTC)
    values = permalink.placeholders(date, "Kubevirt-v0.7.0", "x", (), ".html")
    assert permalink.render("/:categories/:year/:title:output_ext", values) == (
        "/2018/Kubevirt-v0.7.0.html"
    )


def test_titles_from_slugs_like_jekyll() -> None:
    assert permalink.titleize_slug("KubeVirt-Network-Deep-Dive") == "Kubevirt Network Deep Dive"
    assert permalink.titleize_slug("KubeVirt_UI_options") == "Kubevirt_ui_options"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("KubeVirt", "kubevirt"),
        ("live migration", "live-migration"),
        ("Live_Migration", "live migration"),
        ("CI-CD", "ci-cd"),
    ],
)
def test_tags_that_merge(a: str, b: str) -> None:
    assert merge_key(a) == merge_key(b)


@pytest.mark.parametrize(("a", "b"), [("C++", "C#"), ("v1.10", "v1.1.0"), ("cicd", "ci-cd")])
def test_tags_that_stay_apart(a: str, b: str) -> None:
    assert merge_key(a) != merge_key(b)
    assert slug_for(merge_key(a)) != slug_for(merge_key(b))


def test_slugs_are_safe_and_plain_when_nothing_is_lost() -> None:
    assert slug_for(merge_key("Release Notes")) == "release-notes"
    for name in ("C++", "../../etc/passwd", "CON", "😄", "x" * 300):
        slug = slug_for(merge_key(name))
        assert slug.replace("-", "").isalnum() and slug.isascii() and slug == slug.lower()
        assert len(slug) <= 90


def test_tag_strings_split_on_whitespace_and_commas() -> None:
    assert split_names("tutorial, networking  storage") == ["tutorial", "networking", "storage"]
    assert split_names(["a", 2, None]) == ["a", "2"]
    assert split_names({"a": 1}) is None


def _engine() -> JekyllLiquid:
    posts = {"2024-01-02-hello": "/blog/2024/hello.html"}
    return JekyllLiquid(
        SiteContext(
            site={"url": "https://blog.example.org", "baseurl": "/blog", "title": "Blog"},
            post_url=posts.get,
            link=lambda p: ("/blog/" + p, False),
        )
    )


def test_liquid_resolution() -> None:
    text = (
        "a {% post_url 2024-01-02-hello %}\n"
        "b {% raw %}{{.status.podIP}}{% endraw %}\n"
        'c {{ "{{" }} {{ site.url }}{{ site.baseurl }}\n'
        "d {% svg /x.svg %}\n"
        "e {{ .IPAM.Config }}\n"
        "f {% link pages/x.md %}\n"
    )
    out, issues = _engine().render(text, {})
    assert out.splitlines() == [
        "a /blog/2024/hello.html",
        "b {{.status.podIP}}",
        "c {{ https://blog.example.org/blog",
        "d ",
        "e ",
        "f /blog/pages/x.md",
    ]
    assert [(i.line, i.code) for i in issues] == [
        (4, "liquid-tag"),
        (5, "liquid-syntax"),
        (6, "liquid-link"),
    ]


def test_missing_post_url_target_is_reported() -> None:
    _, issues = _engine().render("{% post_url 1999-01-01-nope %}", {})
    assert issues[0].code == "liquid-post-url" and "1999-01-01-nope" in issues[0].message


def test_relative_urls_become_absolute_with_an_html_parser() -> None:
    html = to_html(
        "![a](/assets/a.png) ![b](../assets/b.png) [c](notes.html) [d](#top)\n\n"
        '<img src="x.png" srcset="/s1.png 1x, s2.png 2x">\n\n'
        '<video poster="/p.jpg" src="v.mp4"></video>\n'
    )
    out = render_html.rewrite_html(html, "https://site.example/2024/post.html", keep_embeds=False)
    for expected in (
        'src="https://site.example/assets/a.png"',
        'src="https://site.example/assets/b.png"',
        'href="https://site.example/2024/notes.html"',
        'href="https://site.example/2024/post.html#top"',
        'srcset="https://site.example/s1.png 1x, https://site.example/2024/s2.png 2x"',
        'poster="https://site.example/p.jpg"',
        'src="https://site.example/2024/v.mp4"',
    ):
        assert expected in out.html


def test_lazy_pictures_protocol_relative_and_svg_links_become_absolute() -> None:
    html = (
        '<p><img src="//cdn.example/c.png"> <a href="?page=2">next</a> '
        '<img data-src="lazy.png" data-srcset="l1.png 1x, /l2.png 2x"> '
        '<svg><use xlink:href="sprite.svg#icon"></use></svg></p>'
    )
    out = render_html.rewrite_html(html, "https://site.example/2024/post.html", keep_embeds=False)
    for expected in (
        'src="https://cdn.example/c.png"',
        'href="https://site.example/2024/post.html?page=2"',
        'data-src="https://site.example/2024/lazy.png"',
        'data-srcset="https://site.example/2024/l1.png 1x, https://site.example/l2.png 2x"',
        'xlink:href="https://site.example/2024/sprite.svg#icon"',
    ):
        assert expected in out.html
    # a reader runs no lazy-loading script: the picture itself is the src
    assert 'src="https://site.example/2024/lazy.png"' in out.html.replace("data-src", "x")


def test_embeds_become_links_unless_kept() -> None:
    html = (
        '<p>Intro</p>\n<iframe src="https://www.youtube.com/embed/abc123" '
        'title="Demo"></iframe>\n<script>alert(1)</script>'
    )
    out = render_html.rewrite_html(html, "https://s.example/p.html", keep_embeds=False)
    assert "<iframe" not in out.html and "<script" not in out.html
    assert '<a href="https://www.youtube.com/watch?v=abc123">Demo</a>' in out.html
    kept = render_html.rewrite_html(html, "https://s.example/p.html", keep_embeds=True)
    assert "<iframe" in kept.html


def test_premonition_callout_is_a_titled_blockquote() -> None:
    html = to_html(premonition('> note "Before you start"\n> You need two nodes.\n'))
    assert "<blockquote>" in html
    assert "<strong>Before you start</strong>" in html
    assert "You need two nodes." in html
    assert "note" not in html.replace("Before", "")


def test_kramdown_attribute_lists_and_tables() -> None:
    html = to_html("Lead text.\n{: .lead}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert '<p class="lead">Lead text.</p>' in html
    assert "<table>" in html and "<td>1</td>" in html


def test_unknown_tags_written_as_placeholders_stay_visible() -> None:
    html = to_html("Replace <hostname> here.\n\n| ip |\n|--|\n| <none> |\n")
    out = render_html.rewrite_html(html + "<p>x <b>bold</b></p>", "https://s.example/p.html", False)
    assert "&lt;hostname&gt; here." in out.html
    assert "<td>&lt;none&gt;</td>" in out.html
    assert "<b>bold</b>" in out.html
    assert "</hostname>" not in out.html and "</none>" not in out.html


def test_html5_void_elements_are_not_closed() -> None:
    html = to_html('<video controls>\n<source src="a.mp4" type="video/mp4">\n</video>\n')
    out = render_html.rewrite_html(html, "https://s.example/p.html", False)
    assert '<source src="https://s.example/a.mp4" type="video/mp4">' in out.html
    assert "</source>" not in out.html


def test_the_fast_placeholder_subset_matches_the_full_table() -> None:
    date = dt.datetime(2019, 3, 7, 5, 6, 7, tzinfo=UTC)
    args = (date, "Some_Slug.v2", "2019-03-07-Some_Slug.v2", ("News", "news", "Dev"), ".html")
    full = permalink.placeholders(*args)
    for template in (
        "/:year/:title:output_ext",
        "/:categories/:year/:month/:day/:slug/",
        "/:i_month/:i_day/:title_/",
    ):
        only = permalink.used_placeholders(template)
        assert permalink.render(template, permalink.placeholders(*args, only=only)) == (
            permalink.render(template, full)
        )


def test_a_body_read_again_is_the_body_the_scan_saw() -> None:
    """A first build drops post bodies after the scan and reads the rendered ones again
    without parsing front matter; that must give the very same text (same hash) for every
    kind of file: BOM, CRLF, Windows-1252, mojibake, control characters, scripts, RTL."""
    from pathlib import Path

    from feedwright.config import config_from_mapping
    from feedwright.scan import Scanner

    root = Path(__file__).resolve().parent
    config = config_from_mapping({"site": {"title": "T", "url": "https://example.org/"}})
    scanner = Scanner(config, dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    files = sorted((root / "data" / "hostile").rglob("*.md")) + sorted(
        (root.parent / "posts").rglob("*.md*")
    )
    compared = 0
    for path in files:
        if not path.is_file() or path.is_symlink():
            continue
        post = scanner.read(path, path.name).post
        if post is None:
            continue
        assert scanner.body(path) == (post.body, post.body_sha), path.name
        compared += 1
    assert compared >= 25


def _markdown_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "posts").glob("*.md"))]
    if CORPUS.is_dir():  # the real blog, where it is available
        texts += [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.md"))]
    pieces = ["*", "_", "**", "`", "``", "\\", "[", "]", "(", ")", "![", "<", ">", "&", ";"]
    pieces += ["@", "  \n", "\t\n", " \t\n", "\r\n", "\n", "\n\n", "a", "b c", "http://x.y"]
    pieces += ["<b>", "&amp;", "&#35;", "<http://a.b>", "<a@b.c>", "[x][1]", "\n[1]: http://z\n"]
    pieces += ["- ", "1. ", "> ", "    ", "```\n", "~~~\n", "|a|b|\n|-|-|\n", "|", ":", "#"]
    pieces += ["{: .x}", "{", "}", "# H {#id}\n", "```python\nx = 1\n```\n"]
    # raw HTML that Markdown's HTML extraction and md_in_html turn into new text
    texts += [
        "- item\n  <div>x</div>\n",
        "Some text\n  <div>note</div>\n",
        '<div markdown="span">foo\n  <div>x</div></div>',
        '<div markdown="1">\nx <hr markdown="1" title="&#96;y&#96;" />\n</div>',
        '<div markdown="1">\nx <hr markdown="1" title="&#91;a](/b)" />\n</div>',
        '<div MARKDOWN="1">\nx <hr markdown="1" title="&lt;a&#64;b.c&gt;" />\n</div>',
    ]
    rnd = random.Random(20261128)
    texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 30))) for _ in range(3000)]
    return texts


def test_leaving_out_inline_patterns_that_cannot_match_changes_no_html() -> None:
    """Each post's Markdown skips the inline patterns its text cannot trigger; the HTML
    must be exactly what the full set of patterns gives, tabs, CRs and all."""
    texts = _markdown_texts()
    differ = [t for t in texts if to_html(t) != to_html(t, prune=False)]
    assert differ == []
    assert len(texts) > 3000


def _yaml_documents() -> list[str]:
    docs = []
    for folder in (ROOT / "posts", CORPUS):
        for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
            parts = path.read_text(encoding="utf-8").split("---", 2)
            if len(parts) == 3:
                docs.append(parts[1])
    docs += [
        "a: 1\nb: 0o17\nc: 0x1F\nd: 1_000\ne: 1:30\nf: 3.5\ng: .inf\nh: -.NaN\n",
        "yes: no\non: off\nnull: ~\nempty:\nt: True\nf: FALSE\n",
        "date: 2022-06-28\nstamp: 2022-06-28 10:30:00 +02:00\nplain: June 28\n",
        "tags: [a, B c, 'quoted', \"dq\", 12, null, [nested], {k: v}]\n",
        "author:\n  name: A\n  email: a@example.org\nlist:\n  - x\n  - {y: 1}\n",
        "base: &b {x: 1}\nmerged:\n  <<: {y: 2}\n  z: 3\n",
        "=: equals\nkey: =\n",
        "s: !!str 123\ni: !!int '5'\nb: !!binary aGVsbG8=\nset: !!set {a, b}\n",
        "om: !!omap [a: 1, b: 2]\npairs: !!pairs [a: 1, a: 2]\n",
        "dup: 1\ndup: 2\n",
        "? [a, b]\n: unhashable\n",
        "? {a: 1}\n: unhashable\n",
        "p: !!python/object:os.system ls\n",
        "x: !custom thing\n",
        "- a\n- b\n",
        "just a string\n",
        "123\n",
        "",
        "title: 'It''s'\nd: \"tab\\there\"\nm: |\n  line one\n  line two\nf: >\n  folded\n  text\n",
        "k: v # comment\n# full line\nq: 'a: b'\n",
    ]
    return docs


def _typed(value: object) -> object:
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list | tuple | set):
        return (type(value).__name__, [_typed(v) for v in value])
    return (type(value).__name__, repr(value))


def _load(raw: str, fast: bool) -> object:
    loader = frontmatter.Loader(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _typed(
            frontmatter.construct(loader, node) if fast else loader.construct_document(node)
        )
    except yaml.YAMLError as exc:
        return ("error", type(exc).__name__, str(exc))
    finally:
        loader.dispose()


def test_the_quick_yaml_constructor_builds_what_pyyaml_builds() -> None:
    """Front matter without aliases is built by a short path for strings, lists and
    mappings; values of every other kind, and every error, must come out as PyYAML's."""
    docs = _yaml_documents()
    assert len(docs) > 20
    assert [_load(d, fast=True) for d in docs] == [_load(d, fast=False) for d in docs]


def test_deeply_nested_front_matter_is_built_as_pyyaml_builds_it() -> None:
    raw = "x: " + "[" * 600 + "]" * 600 + "\n"
    loader = frontmatter.Loader(raw)
    try:
        node = loader.get_single_node()
        value = frontmatter.construct(loader, node)  # a RecursionError once
    finally:
        loader.dispose()
    depth = 0
    inner = value["x"]
    while inner:
        assert isinstance(inner, list) and len(inner) == 1
        inner, depth = inner[0], depth + 1
    assert inner == [] and depth == 599
    assert _load("? !!seq a\n: x\n", fast=True) == _load("? !!seq a\n: x\n", fast=False)
