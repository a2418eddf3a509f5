"""The id ledger: a build never gives a published post a new entry id (which feed readers
would show as a new post) unless told to, and ids published before can be imported."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
import yaml

from conftest import FIXED_NOW, check_feeds, cli, unavailable, write_config
from jekyll_oracle import JekyllError, jekyll_build

TAG = {"scheme": "tag", "authority": "example.org", "date": "2017-01-01"}
SCHEMES: dict[str, object] = {"url": "url", "tag": TAG, "jekyll-feed": "jekyll-feed"}
POSTS = {
    "2024-01-02-hello.md": "---\ntitle: Hello\n---\nHello there.\n",
    "2024-02-03-second.md": "---\ntitle: Second\ntags: [x]\n---\nThe second post.\n",
}


def blog(tmp_path: Path, ids: object, edit: str = "", **extra: object) -> Path:
    """A blog of two posts; before an http->https edit, its site.url is http."""
    posts = tmp_path / "posts"
    posts.mkdir(exist_ok=True)
    for name, text in POSTS.items():
        (posts / name).write_text(text, "utf-8")
    config = write_config(tmp_path, posts, ids=ids, **extra)
    if edit == "https":
        edit_config(config, site_url="http://blog.example.org/")
    return config


def edit_config(config: Path, **changes: object) -> None:
    data = yaml.safe_load(config.read_text("utf-8"))
    for key, value in changes.items():
        if key == "site_url":
            data["site"]["url"] = value
        else:
            data[key] = value
    config.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


def build(config: Path, *more: str) -> tuple[int, str]:
    done = cli("build", "-c", config, "--now", FIXED_NOW, *more)
    return done.returncode, done.stdout + done.stderr


def ids_by_title(out: Path) -> dict[str, str]:
    feed = feedparser.parse((out / "atom.xml").read_bytes())
    return {entry.title: entry.id for entry in feed.entries}


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def rename(config: Path) -> None:
    posts = config.parent / "posts"
    (posts / "2024-01-02-hello.md").rename(posts / "2024-01-02-hello-world.md")


# (scheme, edit): each edit as a user makes it, and whether it changes the scheme's ids
EDITS: dict[str, Callable[[Path], None]] = {
    "https": lambda c: edit_config(c, site_url="https://blog.example.org/"),
    "permalink": lambda c: edit_config(c, permalink="/:year/:month/:title/"),
    "scheme": lambda c: edit_config(c, ids="url" if "scheme: tag" in c.read_text() else TAG),
    "tag-date": lambda c: edit_config(c, ids={**TAG, "date": "2018-01-01"}),
    "rename": rename,
}
CHANGING = [
    (scheme, edit)
    for scheme, edits in {
        "url": ("https", "permalink", "scheme", "rename"),
        "tag": ("scheme", "tag-date", "rename"),
        "jekyll-feed": ("https", "permalink", "scheme", "rename"),
    }.items()
    for edit in edits
]


@pytest.mark.parametrize(("scheme", "edit"), CHANGING)
def test_an_edit_that_changes_published_ids_publishes_nothing(
    tmp_path: Path, scheme: str, edit: str
) -> None:
    config = blog(tmp_path, SCHEMES[scheme], edit)
    assert build(config)[0] == 0
    before, old_ids = snapshot(tmp_path / "out"), ids_by_title(tmp_path / "out")
    EDITS[edit](config)
    code, said = build(config)
    assert code == 1, said
    changed = [line for line in said.splitlines() if "entry id would change" in line]
    assert changed, said
    hello = old_ids["Hello"]
    line = next(x for x in changed if "hello" in x.split(":")[0])
    assert f": error: entry id would change from {hello} to " in line
    assert "readers would show this post again as new (fix: " in line
    assert "ids: ledger" in line and f"id: {hello}" in line and "--accept-id-change" in line
    assert f"{len(changed)} published post(s) would get a new entry id" in said
    assert snapshot(tmp_path / "out") == before  # the old feeds stay
    checked = cli("check", "-c", config, "--now", FIXED_NOW)
    assert checked.returncode == 1
    assert f"entry id would change from {hello} to " in checked.stdout
    assert "would get a new entry id" in checked.stdout


@pytest.mark.parametrize(("scheme", "edit"), [("tag", "https"), ("tag", "permalink")])
def test_an_edit_that_keeps_the_ids_builds(tmp_path: Path, scheme: str, edit: str) -> None:
    config = blog(tmp_path, SCHEMES[scheme], edit)
    assert build(config)[0] == 0
    old_ids = ids_by_title(tmp_path / "out")
    EDITS[edit](config)
    code, said = build(config)
    assert code == 0, said
    assert ids_by_title(tmp_path / "out") == old_ids


def fix_with_ledger(config: Path, scheme: str, edit: str) -> None:
    data = yaml.safe_load(config.read_text("utf-8"))
    now = data["ids"] if isinstance(data["ids"], dict) else {"scheme": data["ids"]}
    edit_config(config, ids={**now, "scheme": "ledger", "new": now["scheme"]})


def fix_in_front_matter(config: Path, scheme: str, edit: str, old: dict[str, str]) -> None:
    for path in (config.parent / "posts").glob("*.md"):
        text = path.read_text("utf-8")
        title = "Hello" if "title: Hello" in text else "Second"
        path.write_text(text.replace("---\n", f"---\nid: {old[title]}\n", 1), "utf-8")


@pytest.mark.parametrize(("scheme", "edit"), CHANGING)
@pytest.mark.parametrize("fix", ["ledger", "front-matter", "accept"])
def test_each_fix_builds(tmp_path: Path, scheme: str, edit: str, fix: str) -> None:
    config = blog(tmp_path, SCHEMES[scheme], edit)
    assert build(config)[0] == 0
    old_ids = ids_by_title(tmp_path / "out")
    EDITS[edit](config)
    more: tuple[str, ...] = ()
    if fix == "ledger":
        fix_with_ledger(config, scheme, edit)
    elif fix == "front-matter":
        fix_in_front_matter(config, scheme, edit, old_ids)
    else:
        more = ("--accept-id-change",)
    code, said = build(config, *more)
    assert code == 0, said
    check_feeds(sorted((tmp_path / "out").rglob("*.xml")))
    new_ids = ids_by_title(tmp_path / "out")
    if fix == "accept":
        assert new_ids["Hello"] != old_ids["Hello"]
        assert "get a new entry id (--accept-id-change)" in said
        assert build(config)[0] == 0  # once accepted, the new ids are the published ones
    else:
        assert new_ids == old_ids
    assert cli("check", "-c", config, "--now", FIXED_NOW).returncode == 0


def test_a_new_post_under_ids_ledger_gets_the_new_scheme_and_a_body_edit_keeps_pins(
    tmp_path: Path,
) -> None:
    config = blog(tmp_path, "url")
    assert build(config)[0] == 0
    old_ids = ids_by_title(tmp_path / "out")
    edit_config(config, ids={**TAG, "scheme": "ledger", "new": "tag"})
    posts = tmp_path / "posts"
    (posts / "2024-03-04-third.md").write_text("---\ntitle: Third\n---\nNew.\n", "utf-8")
    assert build(config)[0] == 0
    ids = ids_by_title(tmp_path / "out")
    assert ids["Third"] == "tag:example.org,2017-01-01:2024-03-04-third"
    assert {k: ids[k] for k in old_ids} == old_ids
    hello = posts / "2024-01-02-hello.md"
    hello.write_text(hello.read_text("utf-8") + "An edited body.\n", "utf-8")
    assert build(config)[0] == 0
    assert ids_by_title(tmp_path / "out") == ids
    guids = re.findall(
        r'<guid isPermaLink="(\w+)">([^<]*)', (tmp_path / "out" / "rss.xml").read_text()
    )
    # one kind of guid per feed: the tag id is no permalink, so none is
    assert sorted(guids) == sorted(("false", i) for i in ids.values())


def test_the_ledger_survives_full_builds_and_a_deleted_cache(tmp_path: Path) -> None:
    config = blog(tmp_path, "url")
    assert build(config)[0] == 0
    state = tmp_path / "state"
    assert (state / "ids.sqlite").is_file()
    assert build(config, "--full")[0] == 0
    (state / "cache.sqlite").unlink()
    for stale in state.glob("cache.sqlite-*"):
        stale.unlink()
    edit_config(config, permalink="/:title/")
    code, said = build(config, "--full")
    assert code == 1 and "entry id would change" in said
    (state / "cache.sqlite").write_bytes(b"not a database")
    code, said = build(config)
    assert code == 1 and "entry id would change" in said


def test_a_deleted_ledger_is_filled_again_by_the_next_build(tmp_path: Path) -> None:
    config = blog(tmp_path, "url")
    assert build(config)[0] == 0
    (tmp_path / "state" / "ids.sqlite").unlink()
    assert build(config)[0] == 0  # nothing changed, but the ledger is written again
    exported = json.loads(cli("ids", "export", "-c", config).stdout)
    assert sorted(r["relpath"] for r in exported) == sorted(POSTS)


def test_a_damaged_ledger_stops_the_build_and_is_kept(tmp_path: Path) -> None:
    config = blog(tmp_path, "url")
    assert build(config)[0] == 0
    before = snapshot(tmp_path / "out")
    ledger = tmp_path / "state" / "ids.sqlite"
    ledger.write_bytes(b"garbage" * 100)
    (tmp_path / "posts" / "2024-03-04-third.md").write_text("---\ntitle: T\n---\nT\n", "utf-8")
    code, said = build(config)
    assert code == 1 and "the id ledger is damaged" in said and "ids import" in said
    assert ledger.read_bytes() == b"garbage" * 100
    assert snapshot(tmp_path / "out") == before


def test_export_prints_every_published_id_as_json_and_csv(tmp_path: Path) -> None:
    config = blog(tmp_path, "url")
    assert build(config)[0] == 0
    edit_config(config, permalink="/:title/")
    assert build(config, "--accept-id-change")[0] == 0
    rows = json.loads(cli("ids", "export", "-c", config).stdout)
    hello = [r for r in rows if r["relpath"] == "2024-01-02-hello.md"]
    assert [r["id"] for r in hello] == [
        "https://blog.example.org/2024/hello.html",
        "https://blog.example.org/hello/",
    ]
    assert hello[0]["first_published"] == "2026-01-01T00:00:00+00:00"
    assert hello[1]["url"] == "https://blog.example.org/hello/"
    done = cli("ids", "export", "-c", config, "--format", "csv")
    table = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["id"] for r in table] == [r["id"] for r in rows]
    assert table[0].keys() >= {"id", "relpath", "url", "first_published", "last_published"}


def test_the_daemon_takes_no_accept_id_change() -> None:
    assert cli("run", "--accept-id-change").returncode == 2


def test_an_own_id_must_be_a_uri_and_a_number_is_ignored(tmp_path: Path) -> None:
    config = blog(tmp_path, "url")
    posts = tmp_path / "posts"
    (posts / "2024-01-02-hello.md").write_text("---\ntitle: Hello\nid: 123\n---\nHi\n", "utf-8")
    (posts / "2024-02-03-second.md").write_text("---\ntitle: Second\nid: mine\n---\nS\n", "utf-8")
    code, said = build(config)
    assert code == 0
    assert "2024-02-03-second.md:3: warning: id 'mine' is not an absolute URI" in said
    assert ids_by_title(tmp_path / "out") == {
        "Hello": "https://blog.example.org/2024/hello.html",
        "Second": "https://blog.example.org/2024/second.html",
    }


WORDPRESS_RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Old blog</title><link>http://blog.example.org</link>
<item><title>Hello</title><link>http://blog.example.org/2024/hello.html/</link>
<pubDate>Tue, 02 Jan 2024 10:00:00 +0000</pubDate>
<guid isPermaLink="false">https://blog.example.org/?p=123</guid></item>
<item><title>Second</title><link>https://blog.example.org/2024/second.html</link>
<guid isPermaLink="false">https://blog.example.org/?p=124</guid></item>
<item><title>Gone</title><link>https://blog.example.org/2019/gone/</link>
<guid isPermaLink="false">https://blog.example.org/?p=7</guid></item>
</channel></rss>
"""


def test_import_from_a_wordpress_rss_keeps_its_guids(tmp_path: Path) -> None:
    config = blog(tmp_path, "url")
    feed = tmp_path / "wordpress.rss"
    feed.write_text(WORDPRESS_RSS, "utf-8")
    dry = cli("ids", "import", "-c", config, "--dry-run", feed)
    assert dry.returncode == 0 and "2 would be pinned" in dry.stdout
    assert not (tmp_path / "state" / "ids.sqlite").exists()
    done = cli("ids", "import", "-c", config, feed)
    assert done.returncode == 0, done.stderr
    assert "3 entries" in done.stdout and "2 pinned" in done.stdout
    assert "1 unmatched" in done.stdout and "?p=7" in done.stdout
    assert build(config)[0] == 0
    assert ids_by_title(tmp_path / "out") == {
        "Hello": "https://blog.example.org/?p=123",
        "Second": "https://blog.example.org/?p=124",
    }
    rss = (tmp_path / "out" / "rss.xml").read_text("utf-8")
    assert '<guid isPermaLink="false">https://blog.example.org/?p=123</guid>' in rss
    check_feeds(sorted((tmp_path / "out").rglob("*.xml")))
    rows = {r["id"]: r for r in json.loads(cli("ids", "export", "-c", config).stdout)}
    assert rows["https://blog.example.org/?p=123"]["first_published"] == "2024-01-02T10:00:00+00:00"
    assert rows["https://blog.example.org/?p=123"]["pinned"] is True


def test_an_import_that_matches_nothing_says_why(tmp_path: Path) -> None:
    config = blog(tmp_path, "url")
    feed = tmp_path / "other.rss"
    feed.write_text(WORDPRESS_RSS.replace("blog.example.org/20", "elsewhere.example/20"), "utf-8")
    done = cli("ids", "import", "-c", config, feed)
    assert done.returncode == 1 and "check site.url" in done.stderr


def test_import_from_a_real_jekyll_feed_keeps_its_ids(tmp_path: Path) -> None:
    if shutil.which("jekyll") is None:
        unavailable("jekyll is not installed (apt-get install jekyll ruby-jekyll-feed)")
    posts = tmp_path / "posts"
    posts.mkdir()
    for name, text in POSTS.items():
        (posts / name).write_text(text, "utf-8")
    settings = {"url": "https://blog.example.org", "title": "Test Blog"}
    try:
        site = jekyll_build(posts, tmp_path / "jekyll", settings=settings)
    except JekyllError as exc:
        unavailable(f"jekyll build failed: {exc}")
    config = write_config(tmp_path, posts, permalink="date")
    done = cli("ids", "import", "-c", config, site.root / "_site" / "feed.xml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 pinned" in done.stdout and "0 unmatched" in done.stdout
    assert build(config)[0] == 0
    assert ids_by_title(tmp_path / "out") == {p.title: p.id for p in site.posts}
    assert all(not p.id.endswith(".html") for p in site.posts)  # not the url scheme's ids
    check_feeds(sorted((tmp_path / "out").rglob("*.xml")))


# What Jekyll 4.3 + jekyll-feed 0.17 write as <id> and <link> for posts whose file names
# hold a lone '%', an escape of a letter, a trailing blank, or a letter in decomposed form
# (as macOS writes names), on a site whose url has a capital host and its default port
# (permalink /:year/:title:output_ext, no baseurl).
_NFD = "nai\u0308ve"
JEKYLL_FEED_IDS = {
    "2024-01-06-100%-done.md": (
        "https://blog.example.org/2024/100%25-done",
        "https://blog.example.org/2024/100-done.html",
    ),
    "2024-01-09-a%41b.md": (
        "https://blog.example.org/2024/aAb",
        "https://blog.example.org/2024/a-41b.html",
    ),
    "2024-01-17-trail .md": (
        "https://blog.example.org/2024/trail",
        "https://blog.example.org/2024/trail.html",
    ),
    f"2024-01-02-{_NFD}.md": (
        "https://blog.example.org/2024/na%C3%AFve",
        "https://blog.example.org/2024/na%C3%AFve.html",
    ),
}


def test_jekyll_feed_ids_and_links_are_normalized_as_jekyll_absolute_url_does(
    tmp_path: Path,
) -> None:
    """Jekyll's absolute_url runs Addressable's normalize: escapes are decoded and encoded
    again (a lone '%' as %25, %41 as A), names in NFC, blanks around dropped, the host in
    lower case without its default port. Without that, these posts' ids would differ from
    the ones jekyll-feed published, and readers would show them again."""
    posts = tmp_path / "posts"
    posts.mkdir()
    for i, name in enumerate(JEKYLL_FEED_IDS):
        (posts / name).write_text(f"---\ntitle: Post {i}\n---\nText.\n", "utf-8")
    site = {"title": "T", "url": "https://Blog.Example.ORG:443", "timezone": "UTC"}
    config = write_config(tmp_path, posts, ids="jekyll-feed", site=site)
    assert build(config)[0] == 0
    parsed = feedparser.parse((tmp_path / "out" / "atom.xml").read_bytes())
    got = {(e.id, e.link) for e in parsed.entries}
    assert got == set(JEKYLL_FEED_IDS.values())
