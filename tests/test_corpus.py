"""The real kubevirt.io blog (132 posts) built through the CLI, read back by feedparser
and jing. Skipped where the shared folder is absent (a user's clone)."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest

from conftest import ROOT, check_feeds, cli, feed_files, need_corpus, write_config

KUBECON = "2022-06-28-KubeVirt-at-KubeCon-EU-2022.md"
KUBECON_URL = "https://kubevirt.io/2022/KubeVirt-at-KubeCon-EU-2022.html"


def _kubevirt_config(tmp: Path, **extra: object) -> Path:
    config = write_config(tmp, need_corpus(), **extra)
    text = config.read_text().replace("https://blog.example.org/", "https://kubevirt.io/")
    config.write_text(text)
    return config


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("kubevirt")
    config = _kubevirt_config(tmp)
    result = cli("build", "-c", config, "-v")
    assert result.returncode == 0, result.stderr
    return tmp / "out", result.stdout + result.stderr


def test_every_post_is_indexed_and_none_skipped(built: tuple[Path, str]) -> None:
    _, output = built
    assert "posts: 132 found, 132 indexed, 0 skipped" in output
    assert " error" not in output.replace("0 error(s)", "")


def test_one_feed_per_merged_tag_and_every_raw_tag_has_one(
    built: tuple[Path, str], tmp_path: Path
) -> None:
    out, _ = built
    atom = sorted((out / "tags").glob("*.atom.xml"))
    rss = sorted((out / "tags").glob("*.rss.xml"))
    assert len(atom) == 232 and len(rss) == 232
    # Every one of the 250 raw spellings reaches a feed that lists its posts.
    listing = cli("list", "--by", "tag", "-c", _kubevirt_config(tmp_path))
    assert listing.returncode == 0, listing.stderr
    spellings = set()
    slugs = set()
    for line in listing.stdout.splitlines():
        if not line.startswith(" ") and " spellings: " in line:
            slugs.add(line.split(" slug=")[1].split()[0])
            spellings.update(line.split(" spellings: ")[1].split(", "))
    assert len(spellings) == 250
    assert {p.name.removesuffix(".atom.xml") for p in atom} == slugs


def test_kubecon_post_links_and_position(built: tuple[Path, str]) -> None:
    out, _ = built
    site = feedparser.parse((out / "atom.xml").read_bytes())
    assert len(site.entries) == 20
    assert KUBECON_URL not in [e.link for e in site.entries]
    holders = []
    for path in feed_files(out):
        data = path.read_bytes()
        if KUBECON_URL.encode() not in data:  # (the URL needs no escaping in XML)
            continue
        doc = feedparser.parse(data)
        if any(e.link == KUBECON_URL for e in doc.entries):
            holders.append(path.relative_to(out).as_posix())
    assert holders, "the KubeCon EU 2022 post is in no feed"
    assert all(h.startswith(("tags/", "categories/")) for h in holders)
    assert "tags/kubecon.atom.xml" in holders and "tags/kubecon.rss.xml" in holders


def test_every_feed_is_valid_with_absolute_urls_and_no_liquid(built: tuple[Path, str]) -> None:
    out, _ = built
    parsed = check_feeds(feed_files(out))
    assert len(parsed) == 2 * (1 + 232 + 4)


def test_jekyll_feed_ids_match_the_real_plugin(tmp_path: Path) -> None:
    truth = json.loads((ROOT / "tests" / "data" / "jekyll-feed-kubevirt.json").read_text())
    for number, build in enumerate(truth["builds"]):
        folder = tmp_path / str(number)
        folder.mkdir()
        config = write_config(
            folder,
            need_corpus(),
            ids="jekyll-feed",
            limit=1000,
            publication_date="site",
            feeds={"tags": {"enabled": False}, "categories": {"enabled": False}},
        )
        text = config.read_text().replace("https://blog.example.org/", build["url"])
        text = text.replace("  timezone: UTC", f"  timezone: UTC\n  baseurl: '{build['baseurl']}'")
        config.write_text(text)
        result = cli("build", "-c", config)
        assert result.returncode == 0, result.stderr
        doc = feedparser.parse((folder / "out" / "atom.xml").read_bytes())
        got = [e.id for e in doc.entries]
        expected = [build["ids"][source] for source in build["order"]]
        assert got == expected, f"url={build['url']} baseurl={build['baseurl']}"


def test_check_over_the_corpus_reports_exactly_the_known_problems(tmp_path: Path) -> None:
    import collections

    config = _kubevirt_config(tmp_path)
    result = cli("check", "-c", config, "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    counts = collections.Counter((f["severity"], f["code"]) for f in report["findings"])
    assert counts[("warning", "unknown-key")] == 2
    assert counts[("warning", "date-mismatch")] == 13
    assert counts[("warning", "pub-date-month-only")] == 4
    assert counts[("warning", "tag-merged")] == 16
    assert report["summary"]["errors"] == 0
    typos = {f["file"] for f in report["findings"] if f["code"] == "unknown-key"}
    assert typos == {
        "2023-07-11-KubeVirt-v1-has-landed.md",
        "2023-11-07-Announcing-KubeVirt-v1-1.md",
    }
    years = [
        f
        for f in report["findings"]
        if f["code"] == "date-mismatch" and "say 2019" in f["message"] and "is 2020" in f["message"]
    ]
    assert len(years) == 2
    assert counts[("note", "title-derived")] == 53
