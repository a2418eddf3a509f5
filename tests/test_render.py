"""The render driver: links between posts, the render key that decides reuse, the
diagnostics a reader of the build output sees, and the render stage over a store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest

from feedwright.config import Config, config_from_mapping
from feedwright.parallel import Team
from feedwright.render import Linker, render_diagnostics, render_key, render_stage, render_value
from feedwright.state.store import MemoryStore
from feedwright.types import Post, RenderValue, Severity

NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def config(**extra: object) -> Config:
    return config_from_mapping(
        {"site": {"title": "Blog", "url": "https://blog.example/"}, "posts": "posts", **extra}
    )


def post(rel: str = "2024-01-02-hello.md", body: str = "Hello *world*.", line: int = 5) -> Post:
    when = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    slug = rel.removesuffix(".md")
    return Post(
        relpath=rel,
        slug=slug,
        file_date=when.date(),
        site_date=when,
        published=when,
        updated=when,
        title=slug,
        title_derived=True,
        description=None,
        authors=(),
        tags=(),
        categories=(),
        url_path=f"/{slug}.html",
        url=f"https://blog.example/{slug}.html",
        body=body,
        body_line=line,
        body_sha=hashlib.sha256(body.encode()).hexdigest(),
        has_liquid="{%" in body or "{{" in body,
    )


# -- links ---------------------------------------------------------------------------------
def test_post_url_finds_a_post_by_file_name_with_or_without_folders() -> None:
    target = post("2023/2023-05-01-older.md")
    linker = Linker.of(config(), [target, post()])
    assert linker.post_url("2023-05-01-older") == target.url
    assert linker.post_url("2023/2023-05-01-older.md") == target.url
    assert linker.post_url("no-such-post") is None


def test_posts_in_subfolders_of_a_jekyll_sites_posts_folder_are_found(tmp_path: Path) -> None:
    # Jekyll site paths; {% post_url %} names a post by its path below _posts, with or
    # without a leading slash; {% link %} by its path in the site
    nested = dataclasses.replace(post("_posts/2024/2024-03-05-x.md"), url="https://b.example/x/")
    filed = dataclasses.replace(post("news/_posts/2024-03-06-y.md"), url="https://b.example/y/")
    for rel in ("_posts/2024/2024-03-05-x.md", "news/_posts/2024-03-06-y.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", "utf-8")
    linker = Linker.of(config(source=str(tmp_path)), [nested, filed])
    assert linker.post_url("2024/2024-03-05-x") == nested.url
    assert linker.post_url("/2024/2024-03-05-x") == nested.url
    assert linker.link("_posts/2024/2024-03-05-x.md") == (nested.url, True)
    assert linker.link("news/_posts/2024-03-06-y.md") == (filed.url, True)


def test_link_without_a_site_source_points_at_the_published_path() -> None:
    linker = Linker.of(config(), [])
    assert linker.link("/about/index.html") == ("https://blog.example/about/index.html", False)


def test_link_with_a_site_source_uses_the_pages_permalink(tmp_path: Path) -> None:
    (tmp_path / "about.md").write_text("---\npermalink: /about-us/\n---\nHi\n", "utf-8")
    (tmp_path / "plain.md").write_text("---\ntitle: x\n---\nHi\n", "utf-8")
    linker = Linker.of(config(source=str(tmp_path)), [])
    assert linker.link("about.md") == ("https://blog.example/about-us/", True)
    assert linker.link("plain.md") == ("https://blog.example/plain.html", True)
    assert linker.link("missing.md") == ("https://blog.example/missing.md", False)


def test_link_to_a_collection_document_uses_the_collections_permalink(tmp_path: Path) -> None:
    # Jekyll's {% link _docs/history.md %} is the document's URL, made from the permalink
    # of its collection (or /:collection/:path and the site style's ending), not the
    # source path
    (tmp_path / "_config.yml").write_text(
        "permalink: pretty\ncollections:\n  docs:\n    output: true\n"
        "    permalink: /:collection/:path/\n  notes:\n    output: true\n"
        "  drafts_kept:\n    output: false\n",
        "utf-8",
    )
    for rel in ("_docs/history.md", "_docs/sub/usage.md", "_notes/a.md", "_drafts_kept/b.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("---\ntitle: x\n---\nHi\n", "utf-8")
    (tmp_path / "_docs" / "own.md").write_text("---\npermalink: /own/\n---\nHi\n", "utf-8")
    linker = Linker.of(config(source=str(tmp_path), jekyll=str(tmp_path)), [])
    assert linker.link("_docs/history.md") == ("https://blog.example/docs/history/", True)
    assert linker.link("_docs/sub/usage.md") == ("https://blog.example/docs/sub/usage/", True)
    assert linker.link("_docs/own.md") == ("https://blog.example/own/", True)
    # the site's style (pretty) gives the ending of a collection without a permalink
    assert linker.link("_notes/a.md") == ("https://blog.example/notes/a/", True)
    # a collection Jekyll does not write keeps the plain path
    assert linker.link("_drafts_kept/b.md") == ("https://blog.example/_drafts_kept/b.html", True)


def test_post_url_tags_render_to_the_other_posts_address() -> None:
    target = post("2023-05-01-older.md")
    linking = post(body="See [it]({% post_url 2023-05-01-older %}).")
    value = render_value(linking, config(), Linker.of(config(), [target, linking]))
    assert f'href="{target.url}"' in value.html
    assert value.issues == ()


# -- the render key ------------------------------------------------------------------------
def test_the_render_key_changes_exactly_when_the_html_may_change() -> None:
    cfg = config()
    plain = post()
    linker = Linker.of(cfg, [plain])
    key = render_key(plain, cfg, linker)
    assert key is not None and key == render_key(post(), cfg, Linker.of(cfg, [post()]))
    assert render_key(post(body="Other words."), cfg, linker) != key
    assert render_key(plain, config(embeds="keep"), linker) != key
    assert render_key(plain, cfg, Linker.of(cfg, [plain, post("b.md")])) == key  # no Liquid
    liquid = post(body="{% post_url b %}")
    with_b = Linker.of(cfg, [liquid, post("b.md")])
    assert render_key(liquid, cfg, with_b) != render_key(liquid, cfg, Linker.of(cfg, [liquid]))


def test_a_liquid_post_that_may_read_site_pages_is_never_reused(tmp_path: Path) -> None:
    cfg = config(source=str(tmp_path))
    liquid = post(body="{% link about.md %}")
    assert render_key(liquid, cfg, Linker.of(cfg, [liquid])) is None
    assert render_key(post(), cfg, Linker.of(cfg, [])) is not None


# -- diagnostics ---------------------------------------------------------------------------
def test_liquid_problems_are_reported_at_the_line_of_the_file() -> None:
    value = RenderValue("<p/>", "", (), ((3, "liquid-unknown", "unknown tag", "remove it"),))
    (diag,) = render_diagnostics(post(line=7), value, config())
    assert (diag.path, diag.line, diag.code) == ("2024-01-02-hello.md", 9, "liquid-unknown")
    assert diag.severity is Severity.WARNING and diag.hint == "remove it"


def test_links_sanitizing_and_embeds_are_reported_as_a_reader_would_need() -> None:
    value = RenderValue("<p/>", "", ("iframe", "iframe"), (), ("img.png",), ("script",))
    diags = {d.code: d for d in render_diagnostics(post(), value, config())}
    assert set(diags) == {"relative-link", "sanitized", "embed"}
    assert "script" in diags["sanitized"].message
    assert diags["embed"].severity is Severity.NOTE and "iframe replaced" in diags["embed"].message
    kept = render_diagnostics(post(), value, config(embeds="keep"))
    assert "embed" not in {d.code for d in kept}


def test_a_script_never_reaches_a_feed_and_is_reported() -> None:
    cfg = config()
    value = render_value(post(body="Hi <script>alert(1)</script>"), cfg, Linker.of(cfg, []))
    assert "<script" not in value.html and "alert" not in value.html
    assert "embed" in {d.code for d in render_diagnostics(post(), value, cfg)}


def test_a_placeholder_in_running_text_is_shown_as_its_author_typed_it() -> None:
    cfg = config()
    body = "Run kubectl apply -f <CDI-MANIFEST> on <hostname>, then `<b>` works."
    value = render_value(post(body=body), cfg, Linker.of(cfg, []))
    assert "&lt;CDI-MANIFEST&gt; on &lt;hostname&gt;, then" in value.html


def test_line_numbered_code_keeps_its_numbers_through_the_sanitizer() -> None:
    """Rouge's line-number tables (the highlight tag's linenos, kramdown's line_numbers)
    reach the feed whole: gutter, code cell and their classes, the code still escaped."""
    cfg = config(kramdown={"syntax_highlighter_opts": {"block": {"line_numbers": True}}})
    body = "{% highlight ruby linenos %}\nif a < b\n  c\nend\n{% endhighlight %}\n\n```\nx & y\n```"
    html = render_value(post(body=body), cfg, Linker.of(cfg, [])).html
    assert (
        '<figure class="highlight"><pre><code class="language-ruby">'
        '<table class="rouge-table"><tbody><tr><td class="gutter gl">'
        '<pre class="lineno">1\n2\n3\n</pre></td><td class="code"><pre>if a &lt; b\n  c\nend\n'
        "</pre></td></tr></tbody></table></code></pre></figure>"
    ) in html
    assert (
        '<pre class="highlight"><code><table class="rouge-table"><tbody><tr>'
        '<td class="rouge-gutter gl"><pre class="lineno">1\n</pre></td>'
        '<td class="rouge-code"><pre>x &amp; y\n</pre></td></tr></tbody></table></code></pre>'
    ) in html


# -- the render stage ----------------------------------------------------------------------
def test_the_render_stage_reuses_stored_renders_and_stores_new_ones() -> None:
    cfg = config()
    store = MemoryStore()
    first, second = post("a.md", "First."), post("b.md", "Second.")
    linker = Linker.of(cfg, [first, second])
    with Team(1) as team:
        renders = render_stage({"a.md": first, "b.md": second}, cfg, linker, store, NOW, team)
        assert "First." in renders.values["a.md"].html and renders.read == 0
        assert len(renders.keys) == 2 and renders.unsettled == ()
        fake = dataclasses.replace(renders.values["a.md"], html="<p>from the store</p>")
        key = render_key(first, cfg, linker)
        assert key is not None
        store.put_render(key, fake)
        again = render_stage({"a.md": first}, cfg, linker, store, NOW, team)
    assert again.values["a.md"].html == "<p>from the store</p>"


# -- site files and reuse -------------------------------------------------------------------
def _jekyll_site(root: Path) -> Path:
    """A Jekyll site whose posts use an include, a data file, and neither; its config."""
    (root / "site" / "_posts").mkdir(parents=True)
    (root / "site" / "_includes").mkdir()
    (root / "site" / "_data").mkdir()
    (root / "site" / "_config.yml").write_text(
        "title: Site\nurl: https://blog.example\ntimezone: UTC\n", "utf-8"
    )
    (root / "site" / "_includes" / "note.html").write_text("<em>note one</em>", "utf-8")
    (root / "site" / "_data" / "team.yml").write_text("lead: Ada\n", "utf-8")
    posts = {
        "2024-01-01-include.md": "Before {% include note.html %} after.",
        "2024-01-02-data.md": "Led by {{ site.data.team.lead }}.",
        "2024-01-03-plain.md": "Nothing to evaluate here.",
    }
    for name, body in posts.items():
        (root / "site" / "_posts" / name).write_text(f"---\ntitle: {name}\n---\n{body}\n")
    path = root / "config.yaml"
    path.write_text(
        f"jekyll: {root / 'site'}\noutput: {root / 'out'}\nstate: {root / 'state'}\n"
        "formats: [json]\ncontent: full\n",
        "utf-8",
    )
    return path


def _build_recording(path: Path, monkeypatch: Any) -> tuple[set[str], dict[str, str]]:
    """Build in-process; the posts rendered (not reused) and each item's content by title."""
    import json

    import feedwright.render as render
    from feedwright.config import load_config
    from feedwright.pipeline import build

    original = render.render_value
    log = path.parent / "rendered.log"  # posts render in helper processes: a file sees all
    log.write_text("")

    def recording(post: Post, config: Config, linker: Linker) -> RenderValue:
        with log.open("a") as out:
            out.write(post.relpath.rsplit("/", 1)[-1] + "\n")
        return original(post, config, linker)

    monkeypatch.setattr(render, "render_value", recording)
    config = load_config(path)
    report = build(config, racy_ns=0, jobs=1)
    assert report.failed is None
    feed = json.loads((config.output / "feed.json").read_text("utf-8"))
    rendered = set(log.read_text().split())
    return rendered, {item["title"]: item["content_html"] for item in feed["items"]}


def test_a_changed_include_or_data_file_renders_the_liquid_posts_again(
    tmp_path: Path, monkeypatch: Any
) -> None:
    path = _jekyll_site(tmp_path)
    first, content = _build_recording(path, monkeypatch)
    assert first == {"2024-01-01-include.md", "2024-01-02-data.md", "2024-01-03-plain.md"}
    assert "note one" in content["2024-01-01-include.md"]
    assert "Led by Ada." in content["2024-01-02-data.md"]

    (tmp_path / "site" / "_includes" / "note.html").write_text("<em>note two</em>", "utf-8")
    again, content = _build_recording(path, monkeypatch)
    assert again == {"2024-01-01-include.md", "2024-01-02-data.md"}
    assert "note two" in content["2024-01-01-include.md"]

    (tmp_path / "site" / "_data" / "team.yml").write_text("lead: Grace\n", "utf-8")
    again, content = _build_recording(path, monkeypatch)
    assert again == {"2024-01-01-include.md", "2024-01-02-data.md"}
    assert "Led by Grace." in content["2024-01-02-data.md"]
    assert "Nothing to evaluate here." in content["2024-01-03-plain.md"]


# -- excerpts -------------------------------------------------------------------------------
def test_excerpt_source_is_the_text_before_the_separator_as_jekyll_cuts_it() -> None:
    from feedwright.render.excerpt import excerpt_source

    assert excerpt_source("One.\n\nTwo.", "\n\n") == "One."
    assert excerpt_source("One paragraph only.", "\n\n") is None  # the whole post
    assert excerpt_source("One.\n\nTwo.", "") == ""  # no excerpt
    closed = excerpt_source("{% if true %}A\n\nB{% endif %}", "\n\n")
    assert closed == "{% if true %}A\n{% endif %}"
    linked = excerpt_source("See [the docs][d].\n\nMore.\n\n[d]: https://d.example\n", "\n\n")
    assert linked == "See [the docs][d].\n\n[d]: https://d.example"


def test_summaries_are_jekylls_excerpt_when_the_post_gives_none(tmp_path: Path) -> None:
    import json

    from feedwright.config import load_config
    from feedwright.pipeline import build

    path = _jekyll_site(tmp_path)
    site = tmp_path / "site"
    with (site / "_config.yml").open("a", encoding="utf-8") as fh:
        fh.write("excerpt_separator: <!--more-->\n")
    posts = {
        "2024-02-01-site-separator.md": "---\ntitle: A\n---\nFirst *part*.\n\nStill the"
        " excerpt.\n<!--more-->\nThe rest.\n",
        "2024-02-02-own-separator.md": "---\ntitle: B\nexcerpt_separator: '~~cut~~'\n---\n"
        "Short {{ site.title }} intro. ~~cut~~ Long text.\n",
        "2024-02-03-description.md": "---\ntitle: C\ndescription: Said in front matter.\n---\n"
        "Body.\n<!--more-->\nMore.\n",
        "2024-02-04-no-separator.md": "---\ntitle: D\n---\nAll of it.\n\nEvery word.\n",
    }
    for name, text in posts.items():
        (site / "_posts" / name).write_text(text, "utf-8")
    config = load_config(path)
    assert build(config, racy_ns=0, jobs=1).failed is None
    feed = json.loads((config.output / "feed.json").read_text("utf-8"))
    summaries = {item["title"]: item.get("summary") for item in feed["items"]}
    assert summaries["A"] == "First part. Still the excerpt."
    assert summaries["B"] == "Short Site intro."
    assert summaries["C"] == "Said in front matter."
    assert summaries["D"] == "All of it. Every word."


def test_a_summary_taken_out_of_front_matter_gives_way_to_the_excerpt(tmp_path: Path) -> None:
    # The excerpt is not made for a post with a description; once the description is
    # gone, the next build (quick, with the store) shows the excerpt, not an empty summary.
    import json

    from feedwright.config import load_config
    from feedwright.pipeline import build

    path = _jekyll_site(tmp_path)
    post = tmp_path / "site" / "_posts" / "2024-02-01-post.md"
    body = "First *part*.\n\nThe rest.\n"
    post.write_text(f"---\ntitle: A\ndescription: Said before.\n---\n{body}", "utf-8")
    config = load_config(path)

    def summary() -> object:
        assert build(config, racy_ns=0, jobs=1).failed is None
        feed = json.loads((config.output / "feed.json").read_text("utf-8"))
        return feed["items"][0].get("summary")

    assert summary() == "Said before."
    post.write_text(f"---\ntitle: A\n---\n{body}", "utf-8")
    assert summary() == "First part."


@pytest.mark.parametrize(
    ("body", "reads"),
    [
        ("{{ site.title }} and {{ site.baseurl | append: '/x' }}", False),
        ("This site lists posts; site.posts in prose is not Liquid.", False),
        ("{% for p in site.posts %}{{ p.title }}{% endfor %}", True),
        ("{{ site.related_posts | size }}", True),
        ("{{ site['posts'] | size }}", True),
        ("{% assign s = site %}{{ s.posts | size }}", True),
        ("{{ site.tags.kubevirt | size }}", True),
        ("{% include_relative notes.md %}", True),
        ("{{ page.previous.url }} {{ page . next.title }}", True),
        ("{{ page.title }} {{ page.url }}", False),
    ],
)
def test_which_liquid_reads_the_posts_lists(body: str, reads: bool) -> None:
    # A quick rebuild lists every post for Liquid only when a post to render reads them.
    from feedwright.render.site import SiteSetup

    setup = SiteSetup.of(
        config_from_mapping({"site": {"title": "T", "url": "https://x.example/"}}), None
    )
    assert setup.reads_lists(body) is reads


def test_page_and_site_posts_read_as_in_jekyll_under_a_baseurl() -> None:
    # site.posts[].url and page.url are paths below the baseurl (relative_url adds it);
    # page.previous is the older post, page.next the newer; page.id is the URL's folder
    # and the slug; page.excerpt is the excerpt rendered
    cfg = config_from_mapping(
        {"site": {"title": "Blog", "url": "https://blog.example/", "baseurl": "/b"}}
    )

    def dated(rel: str, day: int, body: str = "x") -> Post:
        made = post(rel, body)
        when = dt.datetime(2024, 1, day, tzinfo=dt.UTC)
        path = f"/2024/01/{day:02}/{made.slug[11:]}/"
        return dataclasses.replace(
            made,
            slug=made.slug[11:],
            site_date=when,
            url_path=path,
            url=f"https://blog.example/b{path}",
        )

    body = (
        "First *words*.\n\n"
        "{% for p in site.posts %}({{ p.url | relative_url }}) {% endfor %}\n\n"
        "prev={{ page.previous.title }} next={{ page.next.title }} id={{ page.id }} "
        "in={{ page.collection }} excerpt={{ page.excerpt | strip_html | strip }}"
    )
    older, middle, newer = (
        dated("2024-01-01-a.md", 1),
        dated("2024-01-02-b.md", 2, body),
        dated("2024-01-03-c.md", 3),
    )
    html = render_value(middle, cfg, Linker.of(cfg, [newer, older, middle])).html
    assert "(/b/2024/01/03/c/) (/b/2024/01/02/b/) (/b/2024/01/01/a/)" in html
    assert "prev=2024-01-01-a next=2024-01-03-c id=/2024/01/02/b in=posts" in html
    assert "excerpt=First words." in html


def test_the_summary_note_says_what_readers_get(tmp_path: Path) -> None:
    # Without description: the note says the summary is the excerpt (it is, in the feed);
    # a post that gives summary: or excerpt: gets no note.
    from feedwright.config import load_config
    from feedwright.pipeline import build

    path = _jekyll_site(tmp_path)
    posts = {
        "2024-02-01-bare.md": "---\ntitle: A\n---\nFirst part.\n\nRest.\n",
        "2024-02-02-summary.md": "---\ntitle: B\nsummary: Mine.\n---\nBody.\n",
        "2024-02-03-excerpt.md": "---\ntitle: C\nexcerpt: Also mine.\n---\nBody.\n",
    }
    for name, text in posts.items():
        (tmp_path / "site" / "_posts" / name).write_text(text, "utf-8")
    report = build(load_config(path), racy_ns=0, jobs=1)
    noted = {d.path: d.message for d in report.diagnostics if d.code == "no-description"}
    assert set(noted) & {f"_posts/{name}" for name in posts} == {"_posts/2024-02-01-bare.md"}
    assert "excerpt" in noted["_posts/2024-02-01-bare.md"]
