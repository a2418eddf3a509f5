"""The least CPU time a cold build can take with Python-Markdown as its Markdown engine.

    python bench/floor.py CONFIG [--hugo SECONDS] [--cpus N]

Scans the blog that CONFIG names, then converts the posts with Python-Markdown alone, in
one process, twice: with the kramdown-faithful extensions feedwright renders with, and
with no extension at all (Python-Markdown's own minimum). It prints the CPU seconds for
the posts the feeds hold (what a cold build must render) and for every post (what the
default config's yearly archives hold). Divided by the CPUs, that is a floor on a cold
build's wall time that no change to the rest of feedwright can go below: Liquid, the HTML
pass, scanning, serializing and start-up all come on top. With ``--hugo`` (Hugo's cold
build time on the same posts) it prints the floor as a ratio to Hugo.

Liquid is not applied: the Markdown engine sees the posts' bodies as written, so the
floor is a little below the real work."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import markdown

from feedwright.config import load_config
from feedwright.feeds import plan_feeds
from feedwright.index import build_index
from feedwright.render import Linker
from feedwright.render.kramdown import to_html
from feedwright.scan import scan


def _cpu(bodies: list[str], convert: object) -> float:
    assert callable(convert)
    start = time.process_time()
    for body in bodies:
        convert(body)
    return time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("--hugo", type=float, help="Hugo's cold build time, in seconds")
    parser.add_argument("--cpus", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    config = load_config(args.config)
    posts = scan(config, dt.datetime.now(dt.UTC)).posts
    index = build_index(posts, config)
    held = {post.relpath: post for plan in plan_feeds(index, config) for post in plan.posts}
    kramdown = Linker.of(config, index.posts).without_lists().setup.kramdown
    plain = markdown.Markdown()

    def bare(body: str) -> str:
        plain.reset()
        return plain.convert(body)

    print(f"{len(index.posts)} posts, {len(held)} in the feeds, {args.cpus} CPUs")
    for label, bodies in (
        ("posts in the feeds", [p.body for p in held.values()]),
        ("every post", [p.body for p in index.posts]),
    ):
        faithful = _cpu(bodies, lambda body: to_html(body, kramdown))
        least = _cpu(bodies, bare)
        for engine, seconds in (("kramdown-faithful", faithful), ("no extensions", least)):
            floor = seconds / args.cpus
            ratio = f" = {floor / args.hugo:.2f}x Hugo" if args.hugo else ""
            print(
                f"{label:>18}, {engine:>17}: {seconds:6.2f} s CPU "
                f"({seconds / max(1, len(bodies)) * 1000:.2f} ms a post), "
                f"floor {floor:.2f} s on {args.cpus} CPUs{ratio}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
