"""Benchmark feedwright against Hugo on generated blogs.

    python bench/run.py [--sizes 1000,10000] [--tags 200] [--runs 3] [--out bench/results]

For each size: generate a blog with bench/generate.py in a temporary folder, then time
whole processes, as a user runs them, each --runs times:

- cold: `feedwright build` in a new process, output and state folders deleted first;
- no-op: the same build again with nothing changed (it must not touch any output file);
- one-change: after appending a sentence to the newest post (which is in the site feed).

Peak memory is the largest sum of RSS over the process and all its descendants, sampled
every 20 ms from /proc. When `hugo` is on PATH, Hugo builds the same posts in the same run
(the site in $FEEDWRIGHT_SHARED/bench/hugo, default ../shared/bench/hugo from the repo
root), cold each time, and ratios feedwright/Hugo are printed; otherwise no ratio is.
Results are printed, written to <out>/<UTC time>-<label>.json, and appended as table rows
to <out>/history.md so runs can be compared over time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

SCHEMA = 1
SAMPLE_SECONDS = 0.02
# feedwright re-reads a post changed within its 1 s "racy timestamp" window; real posts are
# older than that, so each cold build starts after the posts have aged past it (not timed).
RACY_WAIT = 1.1
HUGO_MISSING = "hugo not found (apt-get install hugo): no ratios"
MEASURES = ("cold", "noop", "one_change")
LABELS = {"cold": "cold", "noop": "no-op", "one_change": "one change"}
CONFIG = """\
site:
  title: Bench
  url: "https://example.org/"
posts: {posts}
output: {output}
state: {state}
limit: 20
content: full
formats: [atom, rss]
feeds:
  site: {{enabled: true}}
  tags: {{enabled: true}}
  categories: {{enabled: false}}
"""


# --- process-tree memory -------------------------------------------------------------------


def _read_rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0  # gone, or a zombie (no VmRSS line)


def _children_from_task_files(pid: int) -> list[int]:
    children: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", "rb") as handle:
                children.extend(int(c) for c in handle.read().split())
    except OSError:
        pass
    return children


def _parent_map() -> dict[int, list[int]]:
    """ppid -> pids, from every /proc/<pid>/stat (for kernels without task/*/children)."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1:
            tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


HAVE_PROC = Path("/proc/self/status").exists()
HAVE_CHILDREN_FILES = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists()


def tree_rss_kb(root: int) -> int:
    """Sum of VmRSS over `root` and all its descendants, in KiB."""
    if HAVE_CHILDREN_FILES:

        def children(pid: int) -> list[int]:
            return _children_from_task_files(pid)

    else:
        tree = _parent_map()

        def children(pid: int) -> list[int]:
            return tree.get(pid, [])

    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _read_rss_kb(pid)
        stack.extend(children(pid))
    return total


# --- one measured process ------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    peak_mb: float | None
    cpu_seconds: float
    returncode: int
    stderr: str


def measure(cmd: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    """Run `cmd` to completion: wall time, peak tree RSS, CPU time (with reaped children)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while True:
                peak = max(peak, tree_rss_kb(proc.pid))
                if done.wait(SAMPLE_SECONDS):
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        if HAVE_PROC:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        if HAVE_PROC:
            sampler.join()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return Sample(
        seconds=seconds,
        peak_mb=peak / 1024 if HAVE_PROC else None,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        returncode=proc.returncode,
        stderr=stderr,
    )


def summary(values: Sequence[float | None]) -> dict[str, Any] | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    return {
        "median": statistics.median(present),
        "min": min(present),
        "max": max(present),
        "values": [round(v, 4) for v in present],
    }


@dataclass
class Series:
    samples: list[Sample] = field(default_factory=list)

    def result(self) -> dict[str, Any]:
        return {
            "seconds": summary([s.seconds for s in self.samples]),
            "peak_mb": summary([s.peak_mb for s in self.samples]),
            "cpu_seconds": summary([s.cpu_seconds for s in self.samples]),
            "exit_codes": [s.returncode for s in self.samples],
        }


class Failures(list[dict[str, Any]]):
    def add(self, posts: int, what: str, detail: str) -> None:
        print(f"  FAILED ({posts} posts, {what}): {detail}", file=sys.stderr, flush=True)
        self.append({"posts": posts, "what": what, "detail": detail})


# --- feedwright ----------------------------------------------------------------------------


def output_mtimes(folder: Path) -> dict[str, int]:
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()
    }


def stderr_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def bench_feedwright(
    work: Path, newest: Path, posts: int, runs: int, failures: Failures
) -> dict[str, Any]:
    posts_dir, output, state = work / "posts", work / "output", work / "state"
    config = work / "feedwright.yaml"
    config.write_text(CONFIG.format(posts=posts_dir, output=output, state=state), "utf-8")
    cmd = [sys.executable, "-m", "feedwright", "build", "-q", "-c", str(config)]
    series = {m: Series() for m in MEASURES}
    messages: dict[str, int] = {}
    checks: dict[str, Any] = {"noop_touched_files": [], "one_change_in_site_feed": []}

    def run(measure_name: str, index: int) -> Sample | None:
        sample = measure(cmd, ROOT)
        for line in stderr_lines(sample.stderr):
            messages[line] = messages.get(line, 0) + 1
        if sample.returncode not in (0, 1):
            tail = "\n".join(stderr_lines(sample.stderr)[-15:])
            failures.add(
                posts,
                f"feedwright {LABELS[measure_name]} run {index + 1}",
                f"exit code {sample.returncode}\n{tail}",
            )
            return None
        series[measure_name].samples.append(sample)
        return sample

    for index in range(runs):
        shutil.rmtree(output, ignore_errors=True)
        shutil.rmtree(state, ignore_errors=True)
        time.sleep(RACY_WAIT)
        if run("cold", index) is None:
            break
        before = output_mtimes(output)
        if not before:
            failures.add(posts, "feedwright cold", "wrote no output file")
        if run("noop", index) is None:
            break
        after = output_mtimes(output)
        touched = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        checks["noop_touched_files"].append(len(touched))
        if touched:
            failures.add(
                posts,
                f"feedwright no-op run {index + 1}",
                f"{len(touched)} output files changed, e.g. {touched[:3]}",
            )
        marker = f"Benchmark edit {index + 1}: one more sentence for the feed readers."
        with newest.open("a", encoding="utf-8") as handle:
            handle.write(f"\n{marker}\n")
        if run("one_change", index) is None:
            break
        site_feeds = [output / "atom.xml", output / "rss.xml"]
        seen = all(f.exists() and marker in f.read_text("utf-8") for f in site_feeds)
        checks["one_change_in_site_feed"].append(seen)
        if not seen:
            failures.add(
                posts,
                f"feedwright one-change run {index + 1}",
                "the appended sentence is not in atom.xml and rss.xml",
            )
    files = output_mtimes(output)
    return {
        **{m: series[m].result() for m in MEASURES},
        "output_files": len(files),
        "feeds_atom": sum(1 for name in files if name.endswith("atom.xml")),
        "checks": checks,
        "stderr": {
            "distinct_lines": len(messages),
            "lines_per_run": sum(messages.values())
            / max(1, sum(len(s.samples) for s in series.values())),
            "first": list(messages)[:10],
        },
    }


# --- Hugo ----------------------------------------------------------------------------------


def hugo_site() -> Path:
    shared = os.environ.get("FEEDWRIGHT_SHARED")
    base = Path(shared) if shared else ROOT.parent / "shared"
    return base / "bench" / "hugo"


def bench_hugo(
    work: Path, hugo: str, site_src: Path, posts: int, runs: int, failures: Failures
) -> dict[str, Any] | None:
    site = work / "hugo"
    shutil.copytree(site_src, site)
    shutil.copytree(work / "posts", site / "content" / "posts")
    cmd = [hugo, "--quiet"]
    series = Series()
    warm = measure(cmd, site)  # the posts were just written, so their pages are cached: same
    if warm.returncode != 0:  # for Hugo, whose copy was written just now too
        failures.add(posts, "hugo warm-up", f"exit code {warm.returncode}\n{warm.stderr[-2000:]}")
        return None
    for index in range(runs):
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / "resources", ignore_errors=True)
        sample = measure(cmd, site)
        if sample.returncode != 0:
            failures.add(
                posts, f"hugo run {index + 1}", f"exit code {sample.returncode}\n{sample.stderr}"
            )
            return None
        series.samples.append(sample)
    public = site / "public"
    return {
        "cold": series.result(),
        "output_files": sum(1 for p in public.rglob("*.xml")),
        "feeds_atom": sum(1 for p in public.rglob("atom.xml")),
    }


# --- machine and corpus facts --------------------------------------------------------------


def command_output(cmd: Sequence[str], cwd: Path | None = None) -> str | None:
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def machine_facts(hugo: str | None) -> dict[str, Any]:
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_total = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_total = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    commit = command_output(["git", "rev-parse", "HEAD"], ROOT)
    dirty = command_output(
        ["git", "--no-optional-locks", "status", "--porcelain", "--", "src", "pyproject.toml"],
        ROOT,
    )
    version = command_output(
        [sys.executable, "-c", "import feedwright; print(feedwright.__version__)"]
    )
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": mem_total,
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "feedwright_version": version,
        "feedwright_commit": commit,
        "feedwright_uncommitted_changes": bool(dirty) if dirty is not None else None,
        "hugo": command_output([hugo, "version"]) if hugo else None,
        "memory_sampling": (
            "none (no /proc)"
            if not HAVE_PROC
            else "task children files"
            if HAVE_CHILDREN_FILES
            else "ppid scan of /proc"
        ),
    }


def corpus_facts(folder: Path, seconds: float) -> dict[str, Any]:
    digest = hashlib.sha256()
    sizes = []
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data + b"\0")
        sizes.append(len(data))
    return {
        "files": len(sizes),
        "bytes": sum(sizes),
        "median_file_bytes": statistics.median(sizes) if sizes else 0,
        "sha256": digest.hexdigest(),
        "generate_seconds": round(seconds, 3),
    }


# --- report --------------------------------------------------------------------------------


def med(result: dict[str, Any] | None, measure_name: str, metric: str) -> float | None:
    if not result:
        return None
    value = (result.get(measure_name) or {}).get(metric)
    return value["median"] if value else None


def ratios(fw: dict[str, Any], hugo: dict[str, Any] | None) -> dict[str, float | None] | None:
    if hugo is None:
        return None
    base, base_mb = med(hugo, "cold", "seconds"), med(hugo, "cold", "peak_mb")

    def div(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    return {
        "cold": div(med(fw, "cold", "seconds"), base),
        "noop": div(med(fw, "noop", "seconds"), base),
        "one_change": div(med(fw, "one_change", "seconds"), base),
        "peak_memory": div(med(fw, "cold", "peak_mb"), base_mb),
    }


def fmt(value: float | None, spec: str = ".2f", unit: str = "") -> str:
    return "n/a" if value is None else f"{value:{spec}}{unit}"


def span(result: dict[str, Any] | None, measure_name: str, metric: str, spec: str) -> list[str]:
    value = (result or {}).get(measure_name, {}).get(metric) if result else None
    if not value:
        return ["n/a", "n/a", "n/a"]
    return [fmt(value["median"], spec), fmt(value["min"], spec), fmt(value["max"], spec)]


def print_table(entry: dict[str, Any]) -> None:
    fw, hugo, rat = entry["feedwright"], entry["hugo"], entry["ratios"]
    header = ["posts", "run", "time s", "min", "max", "peak MB", "min", "max", "CPU s", "/ Hugo"]
    rows = []
    ratio_keys = {"cold": "cold", "noop": "noop", "one_change": "one_change"}
    for m in MEASURES:
        ratio = rat.get(ratio_keys[m]) if rat else None
        rows.append(
            [
                f"{entry['posts']:,}",
                f"feedwright {LABELS[m]}",
                *span(fw, m, "seconds", ".2f"),
                *span(fw, m, "peak_mb", ".0f"),
                fmt(med(fw, m, "cpu_seconds")),
                fmt(ratio, ".2f", "x") if rat else "-",
            ]
        )
    if hugo:
        rows.append(
            [
                f"{entry['posts']:,}",
                "hugo cold",
                *span(hugo, "cold", "seconds", ".2f"),
                *span(hugo, "cold", "peak_mb", ".0f"),
                fmt(med(hugo, "cold", "cpu_seconds")),
                "1.00x",
            ]
        )
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [
            str(c).ljust(w) if i < 2 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  " + "  ".join(cells))
    if rat:
        cold, noop, one, memory = (
            fmt(rat[k], ".2f", "x") for k in ("cold", "noop", "one_change", "peak_memory")
        )
        print(
            f"  feedwright/Hugo: cold {cold} | no-op {noop} | one change {one} (vs Hugo cold)"
            f" | peak memory {memory}"
        )
    else:
        print(f"  {entry['hugo_note']}")
    print(
        f"  output files: feedwright {fw['output_files']}"
        + (f", hugo {hugo['output_files']}" if hugo else "")
        + f"; feedwright stderr: {fw['stderr']['distinct_lines']} distinct lines"
    )
    for line in fw["stderr"]["first"][:5]:
        print(f"    {line[:160]}")


def curve(sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    points = []
    previous: dict[str, Any] | None = None
    for entry in sizes:
        fw, hugo = entry["feedwright"], entry["hugo"]
        point: dict[str, Any] = {
            "posts": entry["posts"],
            "feedwright_cold_s": med(fw, "cold", "seconds"),
            "feedwright_noop_s": med(fw, "noop", "seconds"),
            "feedwright_one_change_s": med(fw, "one_change", "seconds"),
            "feedwright_peak_mb": med(fw, "cold", "peak_mb"),
            "hugo_cold_s": med(hugo, "cold", "seconds"),
            "hugo_peak_mb": med(hugo, "cold", "peak_mb"),
        }
        if previous is not None:
            growth: dict[str, Any] = {"posts": point["posts"] / previous["posts"]}
            for key in point:
                if key != "posts" and point[key] and previous[key]:
                    growth[key] = point[key] / previous[key]
            point["growth_from_previous"] = growth
        points.append(point)
        previous = point
    return points


def print_curve(points: list[dict[str, Any]]) -> None:
    if len(points) < 2:
        return
    print("\nper-size curve (medians; growth vs the previous size in brackets)")
    keys = [
        ("feedwright_cold_s", "fw cold s"),
        ("feedwright_noop_s", "fw no-op s"),
        ("feedwright_one_change_s", "fw 1-change s"),
        ("feedwright_peak_mb", "fw MB"),
        ("hugo_cold_s", "hugo s"),
        ("hugo_peak_mb", "hugo MB"),
    ]
    header = ["posts", *(label for _, label in keys)]
    rows = []
    for point in points:
        growth = point.get("growth_from_previous", {})
        row = [f"{point['posts']:,}"]
        for key, _ in keys:
            cell = fmt(point[key], ".0f" if key.endswith("mb") else ".2f")
            if key in growth:
                cell += f" [{growth[key]:.1f}x]"
            row.append(cell)
        rows.append(row)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  " + "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))


HISTORY_HEADER = (
    "| when (UTC) | commit | posts | tags | runs | CPUs | Python | corpus | cold s | no-op s "
    "| one-change s | peak MB | Hugo cold s | Hugo MB | cold × | no-op × | one-change × "
    "| memory × |"
)
HISTORY_INTRO = """
Rows appended by `bench/run.py`: medians of `--runs` whole-process runs, [min–max] for
times. "corpus" is the first 8 hex digits of the generated blog's SHA-256: rows with the
same corpus and machine are directly comparable. × columns are feedwright / Hugo cold,
measured in the same run.

"""


def append_history(path: Path, report: dict[str, Any]) -> None:
    new_file = not path.exists()
    existing = "" if new_file else path.read_text("utf-8")
    headers = [line for line in existing.splitlines() if line.startswith("| when")]
    lines: list[str] = []
    if not headers or headers[-1] != HISTORY_HEADER:
        lines += [HISTORY_INTRO.rstrip("\n"), "", HISTORY_HEADER]
        lines.append("|" + "---|" * (HISTORY_HEADER.count("|") - 1))
    machine = report["machine"]
    commit = (machine["feedwright_commit"] or "unknown")[:10]
    if machine["feedwright_uncommitted_changes"]:
        commit += "+dirty"
    for entry in report["sizes"]:
        fw, hugo, rat = entry["feedwright"], entry["hugo"], entry["ratios"] or {}

        def timed(result: dict[str, Any] | None, m: str) -> str:
            value = (result or {}).get(m, {}).get("seconds") if result else None
            if not value:
                return "n/a"
            return f"{value['median']:.2f} [{value['min']:.2f}–{value['max']:.2f}]"

        cells = [
            report["when"],
            commit,
            str(entry["posts"]),
            str(report["settings"]["tags"]),
            str(report["settings"]["runs"]),
            str(machine["cpus"]),
            machine["python"],
            entry["corpus"]["sha256"][:8],
            timed(fw, "cold"),
            timed(fw, "noop"),
            timed(fw, "one_change"),
            fmt(med(fw, "cold", "peak_mb"), ".0f"),
            timed(hugo, "cold") if hugo else "—",
            fmt(med(hugo, "cold", "peak_mb"), ".0f") if hugo else "—",
            *(
                fmt(rat.get(k), ".2f") if rat else "—"
                for k in ("cold", "noop", "one_change", "peak_memory")
            ),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    with path.open("a", encoding="utf-8") as handle:
        if new_file:
            handle.write("# Benchmark history\n")
        elif not existing.endswith("\n"):
            handle.write("\n")
        handle.write("\n".join(lines) + "\n")


# --- main ----------------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError("sizes must be positive numbers")
    return sizes


def short(n: int) -> str:
    for unit, scale in (("m", 1_000_000), ("k", 1000)):
        if n % scale == 0:
            return f"{n // scale}{unit}"
    return str(n)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time feedwright (cold, no-op, one change) against Hugo on generated blogs."
    )
    parser.add_argument(
        "--sizes", type=parse_sizes, default=[1000, 10000], help="posts, e.g. 1000,10000"
    )
    parser.add_argument("--tags", type=int, default=200, help="distinct tags in each blog")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each measurement")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--label", help="results file label (default: sizes and runs)")
    parser.add_argument("--tmp", type=Path, help="where to create the temporary blogs")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if importlib.util.find_spec("feedwright") is None:
        print(
            f"feedwright is not importable by {sys.executable}: pip install -e .", file=sys.stderr
        )
        return 2

    now = dt.datetime.now(dt.UTC)
    when = now.strftime("%Y-%m-%dT%H%M%SZ")
    label = args.label or "-".join(short(s) for s in args.sizes) + f"-r{args.runs}"
    label = re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-") or "run"
    hugo = shutil.which("hugo")
    site_src = hugo_site()
    hugo_note = None
    if hugo is None:
        hugo_note = HUGO_MISSING
    elif not (site_src / "hugo.toml").is_file():
        hugo_note = (
            f"Hugo site not found at {site_src} (set FEEDWRIGHT_SHARED to the folder holding "
            "bench/hugo): no ratios"
        )
    machine = machine_facts(hugo)
    commit = (machine["feedwright_commit"] or "?")[:10]
    print(
        f"machine: {machine['cpus']} CPUs, {machine['cpu_model']}, Python {machine['python']}, "
        f"feedwright {machine['feedwright_version']} at {commit}"
        + (" (uncommitted changes)" if machine["feedwright_uncommitted_changes"] else "")
    )
    print(f"hugo: {machine['hugo'] or 'absent'}")
    if hugo_note:
        print(hugo_note)
    if not HAVE_PROC:
        print("no /proc: peak memory is not measured")

    # An installed package has its bytecode; a fresh checkout may not, which would charge
    # compilation to the first cold run only.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=False)

    failures = Failures()
    entries: list[dict[str, Any]] = []
    for posts in args.sizes:
        print(f"\n{posts:,} posts, {args.tags} tags: generating...", flush=True)
        with tempfile.TemporaryDirectory(prefix="feedwright-bench-", dir=args.tmp) as tmp:
            work = Path(tmp)
            started = time.perf_counter()
            names = generate(work / "posts", posts, args.tags, args.seed)
            corpus = corpus_facts(work / "posts", time.perf_counter() - started)
            newest = work / "posts" / f"{names[-1]}.md"
            hugo_result = None
            if hugo and not hugo_note:
                print("  hugo...", flush=True)
                hugo_result = bench_hugo(work, hugo, site_src, posts, args.runs, failures)
            print("  feedwright...", flush=True)
            fw = bench_feedwright(work, newest, posts, args.runs, failures)
        entry = {
            "posts": posts,
            "corpus": corpus,
            "feedwright": fw,
            "hugo": hugo_result,
            "hugo_note": hugo_note or (None if hugo_result else "hugo failed: no ratios"),
            "ratios": ratios(fw, hugo_result),
        }
        entries.append(entry)
        print_table(entry)

    points = curve(entries)
    print_curve(points)
    report = {
        "schema": SCHEMA,
        "when": when,
        "label": label,
        "machine": machine,
        "settings": {
            "sizes": args.sizes,
            "tags": args.tags,
            "runs": args.runs,
            "seed": args.seed,
            "limit": 20,
            "formats": ["atom", "rss"],
            "feeds": ["site", "tags"],
            "sample_interval_s": SAMPLE_SECONDS,
        },
        "sizes": entries,
        "curve": points,
        "failures": list(failures),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    result_file = args.out / f"{when}-{label}.json"
    result_file.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    append_history(args.out / "history.md", report)
    print(f"\nresults: {result_file}; history: {args.out / 'history.md'}")
    if failures:
        print(f"{len(failures)} failure(s), see above and in the results file", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
