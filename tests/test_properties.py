"""Property tests: arbitrary titles, tags and bodies always give well-formed feeds that
feedparser reads back with the same titles and tags."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import feedparser
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from feedwright.config import config_from_mapping
from feedwright.index.terms import merge_key
from feedwright.pipeline import build
from feedwright.scan import MOJIBAKE_HINT


# Printable text without XML-illegal characters (those are covered separately below).
# feedparser itself "repairs" text that looks like mojibake ("Â¡" reads back as "¡"), so
# generated titles and tags avoid that one pattern; the hostile tests cover mojibake.
def _not_mojibake(text: str) -> bool:
    return MOJIBAKE_HINT.search(text) is None


_text = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"
        ),
        min_size=1,
        max_size=40,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
    .filter(_not_mojibake)
)
_tag = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"),
            blacklist_characters=",\ufffe\uffff",
        ),
        min_size=1,
        max_size=15,
    )
    .filter(lambda t: merge_key(t) != "")
    .filter(_not_mojibake)
)
_body = st.text(max_size=300)


def _build(posts: list[tuple[str, list[str], str]]) -> tuple[Path, object]:
    root = Path(tempfile.mkdtemp(prefix="fw-prop-"))
    folder = root / "posts"
    folder.mkdir()
    for number, (title, tags, body) in enumerate(posts):
        front = yaml.safe_dump({"title": title, "tags": tags, "author": "A"}, allow_unicode=True)
        (folder / f"2024-01-{number + 1:02d}-post-{number}.md").write_text(
            f"---\n{front}---\n{body}\n", "utf-8", errors="surrogatepass"
        )
    config = config_from_mapping(
        {
            "site": {"title": "Prop", "url": "https://prop.example/"},
            "posts": str(folder),
            "output": str(root / "out"),
            "state": str(root / "state"),
            # random text can look like mojibake ("Â¡"); round-trip fidelity is tested here
            "repair": {"mojibake": False},
        }
    )
    report = build(config, now=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    return root, report


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_text, st.lists(_tag, max_size=4), _body), min_size=1, max_size=4))
def test_arbitrary_posts_round_trip_through_feedparser(
    posts: list[tuple[str, list[str], str]],
) -> None:
    root, _ = _build(posts)
    try:
        doc = feedparser.parse((root / "out" / "atom.xml").read_bytes())
        assert not doc.bozo, doc.get("bozo_exception")
        got = {e.link.rsplit("/", 1)[1]: e for e in doc.entries}
        assert len(got) == len(posts)
        for number, (title, tags, _) in enumerate(posts):
            entry = got[f"post-{number}.html"]
            assert entry.title == title
            # Each tag comes back under its merged label (same merge key, no tag lost).
            terms = [t.term for t in entry.get("tags", [])]
            assert sorted({merge_key(t) for t in tags}) == sorted({merge_key(t) for t in terms})
        for feed in (root / "out").rglob("*.xml"):
            etree.fromstring(feed.read_bytes())  # well-formed, or this raises
    finally:
        shutil.rmtree(root)


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=200))
def test_any_unicode_body_including_control_characters_gives_valid_xml(body: str) -> None:
    root, _ = _build([("Title", ["t"], body)])
    try:
        for feed in (root / "out").rglob("*.xml"):
            etree.fromstring(feed.read_bytes())
        assert len(feedparser.parse((root / "out" / "rss.xml").read_bytes()).entries) == 1
    finally:
        shutil.rmtree(root)


_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.dates(),
    st.datetimes(),
)
_value = st.recursive(
    _scalar,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_keys = st.sampled_from(
    [
        "title",
        "tags",
        "tag",
        "date",
        "pub-date",
        "pub-year",
        "author",
        "category",
        "categories",
        "description",
        "published",
        "updated",
        "permalink",
        "slug",
        "draft",
        "x",
    ]
)
_front = st.dictionaries(_keys, _value, max_size=8)


def _render_file(front: dict[str, object], body: str) -> bytes:
    try:
        text = yaml.safe_dump(front, allow_unicode=True)
    except yaml.YAMLError:
        text = ""
    return f"---\n{text}---\n{body}".encode("utf-8", "surrogatepass")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(st.binary(max_size=300), st.builds(_render_file, _front, st.text(max_size=200))),
        min_size=1,
        max_size=5,
    )
)
def test_any_bytes_never_crash_and_every_post_is_accounted_for(files: list[bytes]) -> None:
    root = Path(tempfile.mkdtemp(prefix="fw-bytes-"))
    try:
        posts = root / "posts"
        posts.mkdir()
        names = [f"2024-02-{n + 1:02d}-file-{n}.md" for n in range(len(files))]
        for name, data in zip(names, files, strict=True):
            (posts / name).write_bytes(data)
        config = config_from_mapping(
            {
                "site": {"title": "Bytes", "url": "https://bytes.example/"},
                "posts": str(posts),
                "output": str(root / "out"),
                "state": str(root / "state"),
                "limit": 100,
                "future": True,
            }
        )
        report = build(config, now=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        assert not [d for d in report.diagnostics if d.code == "internal"], report.diagnostics
        skipped = {s.relpath for s in report.skipped}
        if report.failed:
            assert skipped == set(names)
            return
        for feed in (root / "out").rglob("*.xml"):
            etree.fromstring(feed.read_bytes())
        doc = feedparser.parse((root / "out" / "atom.xml").read_bytes())
        assert not doc.bozo, doc.get("bozo_exception")
        indexed = {p.relpath for p in report.index.posts} if report.index else set()
        for name in names:
            assert name in indexed or name in skipped, f"{name} vanished without a reason"
        links = {e.link for e in doc.entries}
        for post in report.index.posts if report.index else ():
            assert post.url in links
    finally:
        shutil.rmtree(root)
