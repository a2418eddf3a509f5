"""The render driver: links between posts, the render key that decides reuse, the
diagnostics a reader of the build output sees, and the render stage over a store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

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
