"""CPU cost per post of the scan stage, and of storing what it gives, in one process.

    python bench/scan_cost.py [--posts DIR] [--count 10000] [--tags 200] [--runs 3]

Without ``--posts`` it generates a blog (bench/generate.py, kubevirt profile) in a
temporary folder. Each run then times, as process CPU time (``time.process_time``, so
other work on the machine does not count):

- scan: :func:`feedwright.scan.scan` over every post, reading and parsing each file;
- store: what a cold ``build --jobs 1`` does with each parsed file besides parsing it:
  :class:`~feedwright.scan.cached.CachedSource` over a new SQLite store (stat, look-up,
  encoding the outcome and the post's last good version, inserting both), and the commit.
  The parse results are made beforehand (untimed) and handed over as the parse step.

It prints ms per post for each run and the medians; it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

from feedwright.config import load_config  # noqa: E402
from feedwright.scan import Scanner, scan  # noqa: E402
from feedwright.scan.cached import CachedSource, ParseItem, ParseResult, parse_one  # noqa: E402
from feedwright.scan.sources import find_post_files  # noqa: E402
from feedwright.state import reuse  # noqa: E402
from feedwright.state.sqlite import SqliteStore  # noqa: E402

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)  # after every generated post


def time_scan(config_path: Path) -> tuple[float, int]:
    config = load_config(config_path)
    start = time.process_time()
    result = scan(config, NOW)
    return time.process_time() - start, result.files_seen


def time_store(config_path: Path, state: Path) -> tuple[float, int]:
    config = load_config(config_path)
    scanner = Scanner(config, NOW)
    found, _, _ = find_post_files(config)
    items = [(Path(full), rel) for rel, full in found]
    parsed = [parse_one(scanner, ParseItem(path, rel, None)) for path, rel in items]

    def handed(_: Scanner, asked: list[ParseItem]) -> Iterable[ParseResult]:
        assert len(asked) == len(parsed)
        return parsed

    store = SqliteStore(state, reuse.config_fingerprint(config))
    try:
        source = CachedSource(store, handed, 0)
        start = time.process_time()
        source(scanner, items)
        store.commit()
        spent = time.process_time() - start
    finally:
        store.close()
    return spent, len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=Path, help="a posts folder (default: generate one)")
    parser.add_argument("--count", type=int, default=10000, help="posts to generate")
    parser.add_argument("--tags", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="feedwright-scan-cost-") as tmp:
        work = Path(tmp)
        posts = args.posts
        if posts is None:
            generate(work / "blog", args.count, args.tags)
            posts = work / "blog" / "posts"
        config_path = work / "config.yaml"
        config_path.write_text(
            'site: {title: Bench, url: "https://example.org/"}\n'
            f"posts: {json.dumps(str(posts.resolve()))}\n"
            f"output: {json.dumps(str(work / 'out'))}\n"
            f"state: {json.dumps(str(work / 'state'))}\n"
        )
        scans: list[float] = []
        stores: list[float] = []
        for run in range(args.runs):
            scan_s, n = time_scan(config_path)
            store_s, _ = time_store(config_path, work / f"state-{run}")
            scans.append(scan_s * 1000 / n)
            stores.append(store_s * 1000 / n)
            print(
                f"run {run + 1}: {n} posts  scan {scans[-1]:.3f} ms/post  "
                f"store {stores[-1]:.3f} ms/post"
            )
        print(
            f"median of {args.runs}: scan {statistics.median(scans):.3f} ms/post  "
            f"store {statistics.median(stores):.3f} ms/post"
        )


if __name__ == "__main__":
    main()
