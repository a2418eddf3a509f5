"""The state layer: the store protocol (SQLite and in memory), the codec, and what an
incremental build decides to reuse."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from feedwright.config import Config, ContentMode, FeedFormat, config_from_mapping, load_config
from feedwright.pipeline import build
from feedwright.scan.cached import tree_of
from feedwright.state import codec
from feedwright.state.codec import FeedRecord, Outcome, PlanRecord, Summary
from feedwright.state.sqlite import SqliteStore
from feedwright.state.store import FileRecord, MemoryStore, OutputPrint, Store, WriteOnly
from feedwright.types import Author, Diagnostic, Markup, Post, RenderValue, Severity, Skipped

NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
UTC = dt.UTC


def a_post(rel: str = "2024-01-02-hello.md", body: str = "Hello *there*.") -> Post:
    return Post(
        relpath=rel,
        slug="hello",
        file_date=dt.date(2024, 1, 2),
        site_date=dt.datetime(2024, 1, 2, tzinfo=UTC),
        published=dt.datetime(2024, 1, 2, 9, 30, tzinfo=UTC),
        updated=dt.datetime(2024, 1, 3, tzinfo=UTC),
        title="Hello — “quoted” ünïcode",
        title_derived=False,
        description=None,
        authors=(Author("Jo", "jo@example.org", None), Author("Kim")),
        tags=("a", "b c"),
        categories=("news",),
        url_path="/2024/hello.html",
        url="https://example.org/2024/hello.html",
        body=body,
        body_line=5,
        key_lines={"title": 2, "tags": 3},
        body_sha="abc123",
        has_liquid=True,
        image="/img/x.png",
    )


def a_render() -> RenderValue:
    return RenderValue(
        "<p>Hi</p>", "Hi", ("iframe",), ((3, "liquid-tag", "odd", None),), ("a.md",), ("script",)
    )


def a_plan() -> PlanRecord:
    diag = Diagnostic(Severity.WARNING, "w", "careful", "x.md", 4, "fix it")
    feed = FeedRecord(
        path="tags/a.atom.xml",
        format=FeedFormat.ATOM,
        family="tag",
        key="a",
        title="T",
        subtitle="S",
        paths={FeedFormat.ATOM: "tags/a.atom.xml", FeedFormat.JSON: "tags/a.json"},
        content=ContentMode.FULL,
        complete=True,
        archive=False,
        prev_archive=None,
        total=2,
        label="A",
        posts=("x.md", "y.md"),
    )
    return PlanRecord(
        config="c0ffee",
        walk="beef",
        latest=dt.datetime(2024, 5, 1, tzinfo=UTC),
        next_future=None,
        summary=Summary(3, 2, (Skipped("z.md", "draft", False),), (diag,), 6),
        outputs={"tags/a.atom.xml": [120, 17]},
        externals={"/img/x.png": [5, 6], "/gone.png": None},
        feeds=(feed,),
        labels={"a": "A"},
        links={"hello": "https://example.org/2024/hello.html"},
    )


# -- the codec -------------------------------------------------------------------------------
def test_a_post_round_trips_and_keeps_its_body_only_when_asked() -> None:
    post = a_post()
    assert codec.post_from_json(codec.post_to_json(post, body=True)) == post
    bare = codec.post_from_json(codec.post_to_json(post))
    assert bare.body == "" and bare.body_missing
    assert dataclasses.replace(bare, body=post.body) == post
    assert bare.key_lines == post.key_lines  # not part of equality: checked on its own


def test_an_html_post_stays_html_and_an_older_record_reads_as_markdown() -> None:
    page = dataclasses.replace(a_post("2024-01-02-page.html"), markup=Markup.HTML)
    assert codec.post_from_json(codec.post_to_json(page)).markup is Markup.HTML
    older = json.loads(codec.post_to_json(a_post()))
    del older["markup"], older["front_matter"]  # written before those fields existed
    post = codec.post_from_json(json.dumps(older))
    assert post.markup is Markup.MARKDOWN and post.front_matter == {}


def test_outcomes_render_values_and_plan_records_round_trip() -> None:
    diag = Diagnostic(Severity.ERROR, "read", "skipped: cannot read", "b.md", None, None)
    for outcome in (
        Outcome(a_post(body=""), None, (diag,)),
        Outcome(None, Skipped("b.md", "cannot read", True), (diag,)),
    ):
        assert codec.outcome_from_json(codec.outcome_to_json(outcome)) == outcome
    assert codec.render_from_json(codec.render_to_json(a_render())) == a_render()
    assert codec.plan_from_json(codec.plan_to_json(a_plan())) == a_plan()


def test_a_summary_does_not_repeat_what_was_said_about_one_run_only() -> None:
    note = Diagnostic(Severity.NOTE, "cache-rebuilt", "cache unreadable; rebuilt it")
    kept = Diagnostic(Severity.WARNING, "embed", "iframe", "a.md")
    summary = Summary(1, 1, (), (note, kept), 3)
    again = codec.summary_from(codec.summary_obj(summary))
    assert again.diagnostics == (kept,)
    assert (again.files_seen, again.indexed, again.feeds) == (1, 1, 3)


# -- the store protocol, against each implementation -----------------------------------------
@pytest.fixture(params=["sqlite", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    made: Store = SqliteStore(tmp_path, "fp") if request.param == "sqlite" else MemoryStore()
    yield made
    made.close()


def test_a_store_gives_back_what_it_was_given(store: Store) -> None:
    record = FileRecord("1:2:3:4", "sha", 99, Outcome(a_post(body=""), None, ()))
    assert store.file("a.md") is None and store.plan() is None and store.outputs() == {}
    store.put_file("a.md", record, a_post())
    assert store.file("a.md") == record
    assert store.files() == {"a.md": record}
    good = store.good("a.md")
    assert good is not None and good.body == "Hello *there*."
    store.put_render("k1", a_render())
    assert store.render("k1") == a_render() and store.render("k2") is None
    store.put_outputs({"a.xml": OutputPrint("f1", "s1")}, replace=True)
    store.put_outputs({"b.xml": OutputPrint("f2", "s2")}, replace=False)
    assert set(store.outputs()) == {"a.xml", "b.xml"}
    store.put_outputs({"c.xml": OutputPrint("f3", "")}, replace=True)
    assert store.outputs() == {"c.xml": OutputPrint("f3", "")}
    store.put_plan(a_plan())
    assert store.plan() == a_plan()


def test_sqlite_keeps_a_scanned_post_without_its_body_and_its_good_version_with_it(
    tmp_path: Path,
) -> None:
    body = 'Say "hi" \\ {"body": ""} ünï\u2028 \n'
    post = dataclasses.replace(a_post(body=body), front_matter={"body": "", "x": [1, "é"]})
    store = SqliteStore(tmp_path, "fp")
    store.put_file("a.md", FileRecord("sig", "sha", 1, Outcome(post, None, ())), post)
    store.commit()
    store.close()
    again = SqliteStore(tmp_path, "fp")
    record, good = again.file("a.md"), again.good("a.md")
    again.close()
    assert good == post and good.front_matter == post.front_matter
    assert record is not None and record.outcome.post == post.without_body()
    assert record.outcome.post.front_matter == post.front_matter


def test_a_post_without_its_body_is_the_same_post_with_an_empty_body() -> None:
    post = a_post()
    assert post.without_body() == dataclasses.replace(post, body="")
    assert post.without_body().key_lines == post.key_lines


def test_a_store_forgets_files_and_renders_no_longer_used(store: Store) -> None:
    record = FileRecord("sig", "sha", 1, Outcome(a_post(body=""), None, ()))
    store.put_file("a.md", record, a_post("a.md"))
    store.put_file("b.md", record, a_post("b.md"))
    store.prune_files({"b.md"})
    assert store.file("a.md") is None and store.good("a.md") is None
    assert store.file("b.md") == record
    store.put_render("old", a_render())
    store.put_render("new", a_render())
    store.prune_renders({"new"})
    assert store.render("old") is None and store.render("new") == a_render()


def test_a_background_commit_drops_the_plan_record(store: Store) -> None:
    """A build that dies after this commit must not leave a record of feeds it never
    wrote."""
    store.put_plan(a_plan())
    store.commit_in_background()
    store.wait()
    assert store.plan() is None


def test_a_plan_record_rewritten_by_a_quick_build_keeps_its_links(tmp_path: Path) -> None:
    # The links are stored apart and written again only when they are another mapping.
    first = SqliteStore(tmp_path, "fp")
    first.put_plan(a_plan())
    first.commit()
    first.close()
    second = SqliteStore(tmp_path, "fp")
    saved = second.plan()
    assert saved is not None and saved.links == a_plan().links and saved.links
    second.put_plan(dataclasses.replace(saved, latest=None))  # as a quick build does
    second.commit()
    second.close()
    third = SqliteStore(tmp_path, "fp")
    again = third.plan()
    assert again == dataclasses.replace(a_plan(), latest=None)
    third.commit_in_background()  # drops the record, links too; the same mapping comes back
    third.wait()
    third.put_plan(again)
    third.commit()
    third.close()
    assert SqliteStore(tmp_path, "fp").plan() == again


def test_the_sqlite_store_persists_and_recovers_from_garbage(tmp_path: Path) -> None:
    first = SqliteStore(tmp_path, "fp")
    assert first.recovered == "new"
    first.put_render("k", a_render())
    first.put_plan(a_plan())
    first.commit()
    first.close()
    second = SqliteStore(tmp_path, "fp")
    assert second.recovered is None
    assert second.render("k") == a_render() and second.plan() == a_plan()
    fresh = second.restart("unreadable (test)")
    assert fresh.recovered == "unreadable (test)" and fresh.render("k") is None
    fresh.close()
    other = SqliteStore(tmp_path, "another config")  # what scanning gave is stale now
    assert other.render("k") is None and other.plan() is None
    other.close()
    (tmp_path / "cache.sqlite").write_bytes(b"not a database" * 100)
    broken = SqliteStore(tmp_path, "fp")
    assert broken.recovered is not None and broken.recovered.startswith("unreadable")
    broken.close()


def test_write_only_remembers_without_reusing(tmp_path: Path) -> None:
    inner = SqliteStore(tmp_path, "fp")
    store = WriteOnly(inner)
    store.put_render("k", a_render())
    store.put_file("a.md", FileRecord("s", "h", 1, Outcome(None, None, ())), a_post())
    assert store.render("k") is None and store.file("a.md") is None
    assert store.good("a.md") == a_post()  # a broken post still keeps its last good text
    assert inner.render("k") == a_render()
    store.close()


# -- what a build reuses ---------------------------------------------------------------------
POST = """---
title: {title}
tags: [{tag}]
---
{body}
"""


def blog(root: Path, **extra: object) -> Config:
    posts = root / "posts"
    posts.mkdir(exist_ok=True)
    for i in range(4):
        text = POST.format(title=f"Post {i}", tag="even" if i % 2 == 0 else "odd", body=f"B{i}")
        (posts / f"2024-01-0{i + 1}-post-{i}.md").write_text(text, "utf-8")
    return config_from_mapping(
        {
            "site": {"title": "Blog", "url": "https://blog.example/"},
            "posts": str(posts),
            "output": str(root / "out"),
            "state": str(root / "state"),
            **extra,
        }
    )


def outputs(config: Config) -> dict[str, bytes]:
    return {
        str(p.relative_to(config.output)): p.read_bytes()
        for p in sorted(config.output.rglob("*"))
        if p.is_file()
    }


def edit(config: Config, i: int, old: str, new: str) -> None:
    path = config.posts / f"2024-01-0{i + 1}-post-{i}.md"
    path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")


def test_nothing_changed_means_nothing_is_read(tmp_path: Path) -> None:
    config = blog(tmp_path)
    first = build(config, now=NOW, racy_ns=0)
    assert first.opened == 4 and not first.quick
    again = build(config, now=NOW, racy_ns=0)
    assert again.opened == 0
    assert {c.action for c in again.changes} == {"unchanged"}
    assert again.diagnostics == first.diagnostics


def test_a_body_edit_rereads_one_post_and_rewrites_only_its_feeds(tmp_path: Path) -> None:
    config = blog(tmp_path)
    build(config, now=NOW, racy_ns=0)
    edit(config, 1, "B1", "Brand new words")
    quick = build(config, now=NOW, racy_ns=0)
    assert quick.quick and quick.opened == 1
    written = {c.relpath for c in quick.by_action("write")}
    assert written and all("even" not in rel for rel in written)  # post 1 is tagged odd
    assert any(b"Brand new words" in data for data in outputs(config).values())
    reference = tmp_path / "reference"
    apart = {"output": reference, "state": tmp_path / "reference-state"}
    full = build(config.model_copy(update=apart), now=NOW, full=True)
    assert not full.quick
    assert outputs(config) == {
        str(p.relative_to(reference)): p.read_bytes()
        for p in sorted(reference.rglob("*"))
        if p.is_file()
    }


def test_a_build_right_after_an_edit_looks_again_at_that_file_and_serializes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file changed just before a build may change again within the same timestamp, so
    # the next build reads it again; when its bytes are the same, that is all it does.
    config = blog(tmp_path)
    build(config, now=NOW, racy_ns=0)
    edit(config, 1, "B1", "Brand new words")
    racy = 3600 * 10**9  # every file written in this test is "just changed"
    quick = build(config, now=NOW, racy_ns=racy)
    assert quick.quick and quick.by_action("write")
    published = outputs(config)
    import feedwright.rebuild

    def no_serializing(*args: object) -> None:
        raise AssertionError("a feed was serialized again")

    monkeypatch.setattr(feedwright.rebuild, "serialize_one", no_serializing)
    again = build(config, now=NOW, racy_ns=racy)
    assert again.quick and again.failed is None
    assert again.opened == 4  # every file is "just changed" here: each is read again
    assert {c.action for c in again.changes} == {"unchanged"}
    assert again.diagnostics == quick.diagnostics
    assert outputs(config) == published


def test_a_build_without_its_snapshot_still_reads_and_serializes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The snapshot is not trusted when a post changed just before the last build began (at
    # 100,000 posts the walk takes longer than that window): every file's own record then
    # shows that nothing changed, without a full build.
    config = blog(tmp_path)
    first = build(config, now=NOW, racy_ns=0)
    (config.state / "snapshot.json").unlink()
    import feedwright.rebuild

    def no_serializing(*args: object) -> None:
        raise AssertionError("a feed was serialized again")

    monkeypatch.setattr(feedwright.rebuild, "serialize_one", no_serializing)
    again = build(config, now=NOW, racy_ns=0)
    assert again.quick and again.opened == 0
    assert {c.action for c in again.changes} == {"unchanged"}
    assert again.diagnostics == first.diagnostics
    assert (config.state / "snapshot.json").exists()  # the next one is answered from it


def test_an_edit_is_found_from_the_last_walk_without_every_files_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The build after an edit compares the walk with the last build's (listing.txt); the
    # store's record of every file is read only when that listing cannot be used.
    config = blog(tmp_path)
    build(config, now=NOW, racy_ns=0)
    assert (config.state / "listing.txt").exists()

    def every_record(self: SqliteStore) -> dict[str, tuple[str, int]]:
        raise AssertionError("every file's record was read")

    monkeypatch.setattr(SqliteStore, "stamps", every_record)
    edit(config, 2, "B2", "Edited words")
    quick = build(config, now=NOW, racy_ns=0)
    assert quick.quick and quick.opened == 1
    assert b"Edited words" in (config.output / "feed.json").read_bytes()


@pytest.mark.parametrize("damage", ["other walk", "missing", "garbage"])
def test_a_listing_that_is_not_the_last_walks_is_not_trusted(
    tmp_path: Path, damage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not trusted: every file's record is read instead, and the edit is published.
    config = blog(tmp_path)
    build(config, now=NOW, racy_ns=0)
    read_every_record: list[bool] = []
    stamps = SqliteStore.stamps

    def every_record(self: SqliteStore) -> dict[str, tuple[str, int]]:
        read_every_record.append(True)
        return stamps(self)

    monkeypatch.setattr(SqliteStore, "stamps", every_record)
    listing = config.state / "listing.txt"
    if damage == "other walk":  # the edited file as it is now: not what the store read
        edit(config, 1, "B1", "Fresh words")
        tree = tree_of(config)
        assert tree is not None
        listing.write_text(tree.listing, "utf-8")
    elif damage == "missing":
        listing.unlink()
        edit(config, 1, "B1", "Fresh words")
    else:
        listing.write_text("2024-01-01-post-0.md\t1:2:3:4\n" * 4, "utf-8")
        edit(config, 1, "B1", "Fresh words")
    again = build(config, now=NOW, racy_ns=0)
    assert again.quick and read_every_record == [True]
    assert again.failed is None and b"Fresh words" in (config.output / "feed.json").read_bytes()
    full = outputs(config)
    build(config, now=NOW, racy_ns=0, full=True)
    assert outputs(config) == full


LISTING = """---
title: {title}
tags: [odd]
---
{body}
{{% for p in site.posts %}}* {{{{ p.title }}}}
{{% endfor %}}
"""


@pytest.mark.parametrize("lists", [True, False])
def test_a_quick_rebuild_of_a_liquid_post_equals_a_full_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lists: bool
) -> None:
    config = blog(tmp_path)
    path = config.posts / "2024-01-02-post-1.md"
    text = LISTING if lists else POST.replace("{body}", "{body} in {{{{ site.title }}}}")
    path.write_text(text.format(title="Post 1", tag="odd", body="B1"), "utf-8")
    build(config, now=NOW, racy_ns=0)
    edit(config, 1, "B1", "Brand new words")
    from feedwright.state.sqlite import SqliteStore

    listed = []
    files = SqliteStore.files

    def counted(self: SqliteStore) -> object:
        listed.append(1)
        return files(self)

    monkeypatch.setattr(SqliteStore, "files", counted)
    quick = build(config, now=NOW, racy_ns=0)
    assert quick.quick
    # the posts are listed from the stored scans only for a post that reads the lists
    assert bool(listed) is lists
    body = b"Post 3" if lists else b"in Blog"
    assert any(b"Brand new words" in d and body in d for d in outputs(config).values())
    reference = tmp_path / "reference"
    apart = {"output": reference, "state": tmp_path / "reference-state"}
    build(config.model_copy(update=apart), now=NOW, full=True)
    assert outputs(config) == {
        str(p.relative_to(reference)): p.read_bytes()
        for p in sorted(reference.rglob("*"))
        if p.is_file()
    }


def test_a_front_matter_edit_is_a_full_build(tmp_path: Path) -> None:
    config = blog(tmp_path)
    build(config, now=NOW, racy_ns=0)
    edit(config, 1, "Post 1", "A better title")
    report = build(config, now=NOW, racy_ns=0)
    assert not report.quick
    assert report.opened == 1  # still only the changed file is read
    assert any(b"A better title" in data for data in outputs(config).values())


def test_a_config_change_reuses_nothing_it_depends_on(tmp_path: Path) -> None:
    config = blog(tmp_path)
    build(config, now=NOW, racy_ns=0)
    changed = blog(tmp_path, site={"title": "Renamed", "url": "https://blog.example/"})
    report = build(changed, now=NOW, racy_ns=0)
    assert not report.quick and report.opened == 4
    assert any(b"Renamed" in data for data in outputs(changed).values())


def test_a_dry_run_writes_nothing_and_reads_every_post(tmp_path: Path) -> None:
    config = blog(tmp_path)
    report = build(config, now=NOW, dry_run=True)
    assert report.dry_run and report.opened == 4
    assert not config.output.exists() and not config.state.exists()
    assert {c.action for c in report.changes} == {"write"}


def test_a_racy_window_makes_a_fresh_edit_be_read_again(tmp_path: Path) -> None:
    """Within the window, stat is not trusted: an edit that kept size and timestamps
    is still seen."""
    config = blog(tmp_path)
    build(config, now=NOW, racy_ns=10**12)
    again = build(config, now=NOW, racy_ns=10**12)
    assert again.opened == 4


def test_an_html_post_from_the_store_is_still_published_as_written(tmp_path: Path) -> None:
    config = blog(tmp_path)
    page = config.posts / "2024-01-06-page.html"
    page.write_text("---\ntitle: Page\ntags: [odd]\n---\n*as written*\n", "utf-8")
    build(config, now=NOW, racy_ns=0)
    edit(config, 1, "B1", "Brand new words")  # post 1 shares the odd tag feed with the page
    quick = build(config, now=NOW, racy_ns=0)
    assert quick.quick and quick.opened == 1
    feed = json.loads((config.output / "feed.json").read_text("utf-8"))
    (item,) = [i for i in feed["items"] if i["title"] == "Page"]
    assert "*as written*" in item["content_html"] and "<em>" not in item["content_html"]


def test_a_jekyll_site_config_edit_reuses_no_scanned_post(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("title: Site\n", "utf-8")
    (site / "_posts" / "2024-01-02-hello.md").write_text("---\ntitle: Hi\n---\nHi\n", "utf-8")
    (tmp_path / "config.yaml").write_text(
        "site: {title: Blog, url: 'https://blog.example/'}\njekyll: site\noutput: out\n"
        "state: state\n",
        "utf-8",
    )
    config = load_config(tmp_path / "config.yaml")
    assert build(config, now=NOW, racy_ns=0).opened == 1
    assert build(config, now=NOW, racy_ns=0).opened == 0
    (site / "_config.yml").write_text("title: Site\npermalink: /:title/\n", "utf-8")
    # the new permalink changes the post's URL id: accepted, to look at the cache alone
    again = build(load_config(tmp_path / "config.yaml"), now=NOW, racy_ns=0, accept_id_change=True)
    assert again.opened == 1
    feed = json.loads((config.output / "feed.json").read_text("utf-8"))
    assert [i["url"] for i in feed["items"]] == ["https://blog.example/hello/"]
