"""Soak `feedwright run --watch --serve` under constant edits and measure its memory.

    python bench/soak.py [--minutes 10] [--posts 1000] [--tags 100] [--edit-every 1]

It generates a blog (bench/generate.py) in a temporary folder and starts the daemon with
its server on a free loopback port. While it runs, one thread edits a post every
--edit-every seconds (a sentence added, now and then a tag or a whole post; the blog
does not grow without end, so memory can level off), one client fetches the feeds over
and over with conditional GET (If-None-Match / If-Modified-Since), and the RSS of the
daemon's process tree is sampled every second. At the end it prints, per minute, the
memory (the tree's at the end of the minute and its largest sample, and the daemon
process's own), and how many builds, edits and fetches (200, 304, other) there were,
then whether the daemon's memory levelled off: its largest RSS in the last half of the
run against that in the first half.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402
from run import _field_kb, _tree_memory_kb  # noqa: E402

CONFIG = """site: {title: Soak, url: "https://example.org/"}
posts: posts
output: out
state: state
limit: 20
content: full
formats: [atom, rss, json]
schedule: {every: 1h}
"""


@dataclass
class Counts:
    edits: int = 0
    ok: int = 0
    not_modified: int = 0
    other: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)

    def snapshot(self) -> tuple[int, int, int, int]:
        with self.lock:
            return self.edits, self.ok, self.not_modified, self.other


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def feeds_of(output: Path) -> list[str]:
    return sorted(
        "/" + p.relative_to(output).as_posix()
        for p in output.rglob("*")
        if p.is_file() and p.suffix in (".xml", ".json")
    )


def edit_loop(posts: Path, every: float, stop: threading.Event, counts: Counts) -> None:
    """Edit as an author would, without the blog growing for ever: each edit rewrites one
    post from its original text with one added sentence (and now and then one of a few
    extra tags); now and then a post is added, and the oldest added one removed."""
    rng = random.Random(7)
    files = sorted(posts.glob("*.md"))
    originals = {path: path.read_text("utf-8") for path in files}
    added: list[Path] = []
    n = 0
    while not stop.wait(every):
        n += 1
        roll = rng.random()
        if roll < 0.05:  # a new post, dated ahead so it lands in the site feed
            path = posts / f"2030-01-{1 + n % 28:02d}-soak-{n}.md"
            path.write_text(f"---\ntitle: Soak {n}\ntags: [soak{n % 5}]\n---\nBody {n}.\n")
            added.append(path)
            if len(added) > 10:
                added.pop(0).unlink(missing_ok=True)
        else:
            path = rng.choice(files)
            text = originals[path]
            if roll < 0.2:
                text = text.replace("tags: [", f'tags: ["edit{n % 10}", ', 1)
            path.write_text(text + f"\nEdit number {n}.\n", "utf-8")
        counts.add("edits")


def fetch_loop(port: int, paths: list[str], stop: threading.Event, counts: Counts) -> None:
    seen: dict[str, tuple[str | None, str | None]] = {}
    i = 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while not stop.is_set():
        path = paths[i % len(paths)]
        i += 1
        etag, modified = seen.get(path, (None, None))
        headers = {"Accept-Encoding": "gzip"}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            counts.add("other")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            time.sleep(0.1)
            continue
        if response.status == 200:
            counts.add("ok")
            seen[path] = (response.getheader("ETag"), response.getheader("Last-Modified"))
        elif response.status == 304:
            counts.add("not_modified")
        else:
            counts.add("other")
        time.sleep(0.01)
    conn.close()


def builds_in(log: Path) -> int:
    count = 0
    with contextlib.suppress(OSError), log.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            with contextlib.suppress(ValueError):
                if json.loads(line).get("event") == "build":
                    count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--tags", type=int, default=100)
    parser.add_argument("--edit-every", type=float, default=1.0, help="seconds between edits")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="feedwright-soak-") as tmp:
        work = Path(tmp)
        generate(work, args.posts, args.tags)
        (work / "config.yaml").write_text(CONFIG, "utf-8")
        port = free_port()
        log = work / "daemon.log"
        cmd = [sys.executable, "-m", "feedwright", "run", "--watch", "--log-format", "json"]
        cmd += ["--serve", f"127.0.0.1:{port}", "-c", "config.yaml"]
        with log.open("wb") as log_file:
            proc = subprocess.Popen(cmd, cwd=work, stdout=subprocess.DEVNULL, stderr=log_file)
        try:
            deadline = time.monotonic() + 600
            while builds_in(log) < 1:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the daemon did not build:\n{log.read_text()[-2000:]}")
                time.sleep(0.5)
            paths = feeds_of(work / "out")
            print(
                f"{args.posts} posts, {len(paths)} feeds; edit every {args.edit_every}s, "
                f"{args.minutes} min",
                flush=True,
            )
            stop = threading.Event()
            counts = Counts()
            threads = [
                threading.Thread(
                    target=edit_loop, args=(work / "posts", args.edit_every, stop, counts)
                ),
                threading.Thread(target=fetch_loop, args=(port, paths, stop, counts)),
            ]
            for thread in threads:
                thread.start()
            rows = soak(proc.pid, args.minutes, log, counts)
            stop.set()
            for thread in threads:
                thread.join()
            alive = proc.poll() is None
        finally:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=60)
            if proc.poll() is None:
                proc.kill()
        report(rows, alive)


Row = tuple[int, int, int, int, int, int, int, int, int]


def soak(pid: int, minutes: float, log: Path, counts: Counts) -> list[Row]:
    """Sample the tree's RSS every second; one row per minute: minute, the tree's RSS at
    its end and the largest in it, the daemon process's own RSS at its end (MB: the tree
    adds the build's forked workers, which share most pages with it), then builds, edits,
    fetches 200, 304 and other (cumulative)."""
    rows: list[Row] = []
    start = time.monotonic()
    end = start + minutes * 60
    minute_peak = 0
    next_row = start + 60
    while True:
        now = time.monotonic()
        rss, _ = _tree_memory_kb(pid)
        minute_peak = max(minute_peak, rss)
        if now >= next_row or now >= end:
            edits, ok, nm, other = counts.snapshot()
            minute = round((now - start) / 60)
            own = _field_kb(f"/proc/{pid}/status", "VmRSS:") // 1024
            memory = (rss // 1024, minute_peak // 1024, own)
            rows.append((minute, *memory, builds_in(log), edits, ok, nm, other))
            m, now_mb, peak_mb, own, builds = rows[-1][:5]
            print(
                f"  minute {m}: {now_mb} MB (peak {peak_mb} MB, daemon {own} MB), {builds} builds",
                flush=True,
            )
            minute_peak = 0
            next_row += 60
            if now >= end:
                return rows
        time.sleep(1.0)


def report(rows: list[Row], alive: bool) -> None:
    print()
    print(
        "| minute | tree RSS MB | tree peak MB | daemon RSS MB "
        "| builds | edits | 200 | 304 | other |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(str(v) for v in row) + " |")
    half = len(rows) // 2
    if half:
        first = max(r[3] for r in rows[:half])
        last = max(r[3] for r in rows[half:])
        verdict = "levels off" if last <= first * 1.05 else "still growing"
        print(
            f"\ndaemon RSS: largest {first} MB in the first half, "
            f"{last} MB in the second: {verdict}"
        )
    if not alive:
        print("the daemon exited during the soak")


if __name__ == "__main__":
    main()
