"""The optimised path (cache, snapshot, parallel workers) writes exactly the bytes of the
straightforward one (`build --full --jobs 1`), and the cache never serves stale content."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ROOT, cli, need_corpus, write_config


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# What a build remembers of earlier builds, not a cache: feeds that ended (tombstones, 410s)
# and the entry ids published. A full build with the same history writes the same bytes.
HISTORY = ("moves.json", "ids.sqlite")


def straightforward(
    config: Path, tmp: Path, name: str, history: Path | None = None
) -> dict[str, bytes]:
    out = tmp / f"{name}-out"
    state = tmp / f"{name}-state"
    if history is not None:
        state.mkdir()
        for file in HISTORY:
            if (history / file).exists():
                shutil.copy(history / file, state / file)
    result = cli(
        "build",
        "-c",
        config,
        "--full",
        "--jobs",
        "1",
        "--output",
        out,
        "--state",
        state,
        "--now",
        "2026-06-01T00:00:00Z",
    )
    assert result.returncode in (0, 1), result.stderr
    return tree(out)


def optimised(config: Path, *extra: str) -> dict[str, bytes]:
    result = cli("build", "-c", config, "--jobs", "2", "--now", "2026-06-01T00:00:00Z", *extra)
    assert result.returncode in (0, 1), result.stderr
    return tree(config.parent / "out")


def generated_blog(folder: Path, count: int = 300, seed: int = 7) -> Path:
    """A small deterministic blog with the shapes that matter: shared tags in mixed case,
    Liquid links between posts, relative links, code and tables."""
    rng = random.Random(seed)
    posts = folder / "posts"
    posts.mkdir(parents=True)
    names = []
    for n in range(count):
        day = f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d}"
        name = f"{day}-post-{n}"
        tags = sorted(
            {
                rng.choice(
                    [
                        "KubeVirt",
                        "kubevirt",
                        "live migration",
                        "live-migration",
                        "storage",
                        "C++",
                        "C#",
                        "v1.10",
                    ]
                )
                for _ in range(3)
            }
        )
        link = f"See {{% post_url {rng.choice(names)} %}}.\n\n" if names else ""
        body = (
            f"# Post {n}\n\n{link}![x](/assets/{n}.png) [rel](../other-{n}.html)\n\n"
            '```bash\necho {{ "{{" }}.status}}\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n'
        )
        (posts / f"{name}.md").write_text(
            f"---\ntitle: Post {n}\nauthor: A{n % 5}\ntags: {tags}\ncategory: c{n % 3}\n"
            f"pub-date: {['January', 'Feb', 'Sept'][n % 3]} {n % 28 + 1}\n---\n{body}"
        )
        names.append(name)
    return write_config(folder, posts, limit=15)


@pytest.fixture(params=["sample", "generated", "kubevirt"])
def blog(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    folder = tmp_path / "blog"
    if request.param == "sample":
        shutil.copytree(ROOT / "posts", folder / "posts")
        shutil.copytree(ROOT / "assets", folder / "assets")  # the podcast's media
        shutil.copytree(ROOT / "releases", folder / "releases")  # the releases collection
        shutil.copy(ROOT / "config.yaml", folder / "config.yaml")
        text = (folder / "config.yaml").read_text().replace("output: feeds", "output: out")
        (folder / "config.yaml").write_text(text)
        return folder / "config.yaml"
    if request.param == "generated":
        return generated_blog(folder)
    shutil.copytree(need_corpus(), folder / "posts")
    return write_config(folder, folder / "posts")


def test_optimised_output_equals_full_serial_output(
    blog: Path, tmp_path: Path, racy_window: Callable[[], None]
) -> None:
    expected = straightforward(blog, tmp_path, "reference")
    assert optimised(blog) == expected  # cold, parallel
    racy_window()  # past the racy-timestamp window, so the no-op path is taken
    assert optimised(blog) == expected  # from the cache / snapshot


def test_parallel_rendering_gives_the_same_bytes_as_serial(tmp_path: Path) -> None:
    config = generated_blog(tmp_path / "blog")
    serial = straightforward(config, tmp_path, "serial")
    result = cli("build", "-c", config, "--full", "--jobs", "2", "--now", "2026-06-01T00:00:00Z")
    assert result.returncode in (0, 1), result.stderr
    assert tree(tmp_path / "blog" / "out") == serial


def test_the_cache_never_serves_stale_content(tmp_path: Path) -> None:
    config = generated_blog(tmp_path / "blog", count=60)
    posts = tmp_path / "blog" / "posts"
    optimised(config)
    target = sorted(posts.glob("*.md"))[-1]

    history = tmp_path / "blog" / "state"

    def same_as_full(step: str, *extra: str) -> None:
        expected = optimised(config, *extra)
        assert expected == straightforward(config, tmp_path, step, history), step

    target.write_text(target.read_text().replace("# Post", "# Edited post"))
    same_as_full("edit body")
    target.write_text(target.read_text().replace("tags: [", "tags: ['brand-new', "))
    same_as_full("change tags")
    renamed = target.with_name(target.name.replace(".md", "-renamed.md"))
    target.rename(renamed)
    # (a new URL is a new entry id, which the ledger makes a build accept explicitly)
    same_as_full(
        "rename", "--accept-id-change"
    )  # also re-renders posts whose post_url pointed at it
    renamed.unlink()
    same_as_full("delete")
    config.write_text(config.read_text().replace("limit: 15", "limit: 5"))
    same_as_full("config change")


def test_body_edits_take_the_quick_path_and_equal_a_full_build(
    tmp_path: Path, racy_window: Callable[[], None]
) -> None:
    """Editing only post bodies (with Liquid links, relative links and a new warning)
    rebuilds through the quick path, with the bytes and diagnostics of a full build."""
    config = generated_blog(tmp_path / "blog", count=80)
    posts = tmp_path / "blog" / "posts"
    optimised(config)
    racy_window()  # posts older than the racy-timestamp window, as in real use ...
    optimised(config)  # ... and looked at since (a post made just before a build is re-read)
    targets = sorted(posts.glob("*.md"))
    edits = [
        (targets[-1], "\nAnother paragraph, [relative](../other.html).\n"),
        (targets[-2], "\nSee {% post_url " + targets[3].stem + " %} and {{ stray }}.\n"),
    ]
    for step, (target, extra) in enumerate(edits):
        target.write_text(target.read_text() + extra)
        racy_window()
        quick = cli("build", "-c", config, "-v", "--now", "2026-06-01T00:00:00Z")
        assert quick.returncode in (0, 1), quick.stderr
        assert "post files read: 1; only post bodies changed: quick rebuild" in quick.stdout
        full_state = tmp_path / f"full-{step}"
        full = cli(
            "build",
            "-c",
            config,
            "-v",
            "--full",
            "--jobs",
            "1",
            "--output",
            tmp_path / f"o{step}",
            "--state",
            full_state,
            "--now",
            "2026-06-01T00:00:00Z",
        )
        assert tree(tmp_path / "blog" / "out") == tree(tmp_path / f"o{step}"), step
        assert sorted(quick.stderr.splitlines()) == sorted(full.stderr.splitlines()), step
    # a metadata change is never quick
    targets[-1].write_text(targets[-1].read_text().replace("title: ", "title: Re-titled ", 1))
    racy_window()
    again = cli("build", "-c", config, "-v", "--now", "2026-06-01T00:00:00Z")
    assert "quick rebuild" not in again.stdout
    assert optimised(config) == straightforward(config, tmp_path, "retitled")


def test_config_changes_and_preview_builds_never_leave_stale_feeds(tmp_path: Path) -> None:
    """A stricter tag limit in the config, and a preview build into another folder that
    shares the state folder, are followed by feeds equal to a full build."""
    config = generated_blog(tmp_path / "blog", count=40)
    posts = tmp_path / "blog" / "posts"
    optimised(config)
    config.write_text(config.read_text() + "limits: {tags_per_post: 1}\n")
    history = tmp_path / "blog" / "state"
    assert optimised(config) == straightforward(config, tmp_path, "limits", history)
    target = sorted(posts.glob("*.md"))[-1]
    text = target.read_text()
    target.write_text(text.replace("# Post", "# Tsop", 1))  # same size
    preview = tmp_path / "preview"
    run = ("build", "-c", config, "--now", "2026-06-01T00:00:00Z", "--output", preview)
    assert cli(*run).returncode in (0, 1)
    assert optimised(config) == straightforward(config, tmp_path, "after-preview", history)
