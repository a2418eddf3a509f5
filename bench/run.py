"""Benchmark feedwright against Hugo on generated blogs.

    python bench/run.py [--sizes 1000,10000] [--tags 200] [--runs 3]
                        [--profiles kubevirt,markdown] [--configs bench,default] [--out DIR]

For each size and corpus profile it generates a blog (bench/generate.py); for each config
it then times whole processes, as a user runs them, in this sequence: a cold build (new
process, no cache, empty output), a rebuild with no change, a rebuild after one post's
body changed, and two more rebuilds with no change; the whole sequence --runs times.
Every no-change rebuild must touch no output file. Peak memory is the largest sum of RSS
over the process and all its children, sampled every 20 ms. Hugo builds the same corpus
in the same run (the site in $FEEDWRIGHT_SHARED/bench/hugo, default ../shared/bench/hugo);
without hugo no ratio is printed. Results are printed (a table per profile, config and
size) and also written to DIR (default bench/results/: one JSON file per run, and a line
per profile, config and size in history.md) so runs can be compared over time.

The configs: ``bench`` is the job of every earlier run (a site feed and one per tag, Atom
and RSS, no categories or archives); ``default`` sets only site, posts, output and state,
so it is whatever feedwright's defaults are (JSON Feed, category feeds and yearly archives
on, as ``feedwright init`` leaves them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from generate import PROFILES, generate  # noqa: E402

SHARED = Path(os.environ.get("FEEDWRIGHT_SHARED", ROOT.parent / "shared"))
SITE = """site: {{title: Bench, url: "https://example.org/"}}
posts: {posts}
output: {out}
state: {state}
"""
CONFIGS = {
    # the job of every earlier run: history.md's lines without a profile are this one
    "bench": SITE
    + """limit: 20
content: full
formats: [atom, rss]
feeds: {{categories: {{enabled: false}}}}
archives: {{enabled: false}}
""",
    # nothing but where things are: feedwright's defaults decide the rest
    "default": SITE,
}
CONFIG = CONFIGS["bench"]
# The sequence, in order; "one_change" appends a sentence to the newest post first.
STEPS = ("cold", "noop", "one_change", "noop_after_change", "noop_again")
LABELS = {
    "cold": "cold",
    "noop": "no-op",
    "one_change": "edit",
    "noop_after_change": "no-op after edit",
    "noop_again": "no-op again",
}


def _field_kb(path: str, key: str) -> int:
    with open(path) as handle:
        for line in handle:
            if line.startswith(key):
                return int(line.split()[1])
    return 0


def _tree_memory_kb(pid: int) -> tuple[int, int]:
    """RSS and PSS summed over the process tree. RSS counts pages that forked workers
    share with their parent once per process; PSS splits each shared page between the
    processes that map it, so its sum is the memory the tree really holds."""
    rss = pss = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            rss += _field_kb(f"/proc/{current}/status", "VmRSS:")
            pss += _field_kb(f"/proc/{current}/smaps_rollup", "Pss:")
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except (OSError, ValueError):
            continue
    return rss, pss


@dataclass(frozen=True)
class Measured:
    """One process: wall time (s), peak RSS and PSS of its tree (KB), exit code, stderr."""

    seconds: float
    peak_kb: int
    peak_pss_kb: int
    code: int
    stderr: str


def measure(cmd: list[str], cwd: Path) -> Measured:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = peak_pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not done.is_set():
            rss, pss = _tree_memory_kb(proc.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    return Measured(wall, peak, peak_pss, proc.returncode, err.decode(errors="replace"))


def stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def config_text(name: str, work: Path) -> str:
    paths = {k: json.dumps(str(work / k)) for k in ("posts", "out", "state")}
    return CONFIGS[name].format(**paths)


def bench_feedwright(work: Path, runs: int, config_name: str = "bench") -> dict[str, object]:
    """The sequence cold, no-op, edit, no-op, no-op, --runs times, each step a new
    process; the medians and ranges of each step's time and peak memory."""
    config = work / f"{config_name}.yaml"
    out, state = work / "out", work / "state"
    config.write_text(config_text(config_name, work))
    cmd = [sys.executable, "-m", "feedwright", "build", "-q", "-c", str(config)]
    result: dict[str, dict[str, list[float]]] = {
        k: {"seconds": [], "peak_mb": [], "peak_pss_mb": []} for k in STEPS
    }
    newest = sorted((work / "posts").glob("*.md"))[-1]
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(state, ignore_errors=True)
        time.sleep(1.2)  # posts older than the racy-timestamp window, as in real use
        for step in STEPS:
            if step == "one_change":
                with newest.open("a") as handle:
                    handle.write("\nOne more sentence for the benchmark.\n")
            noop = step.startswith("noop")
            before = {p: p.stat().st_mtime_ns for p in out.rglob("*")} if noop else {}
            got = measure(cmd, ROOT)
            if got.code not in (0, 1):
                raise SystemExit(f"feedwright failed ({got.code}):\n{got.stderr[-2000:]}")
            if noop and {p: p.stat().st_mtime_ns for p in out.rglob("*")} != before:
                raise SystemExit(f"{LABELS[step]}: a rebuild with no change touched output files")
            result[step]["seconds"].append(got.seconds)
            result[step]["peak_mb"].append(got.peak_kb / 1024)
            result[step]["peak_pss_mb"].append(got.peak_pss_kb / 1024)
    out_files = sum(1 for p in out.rglob("*") if p.is_file())
    summary: dict[str, object] = {k: {m: stats(v) for m, v in d.items()} for k, d in result.items()}
    summary["output_files"] = out_files
    return summary


def bench_hugo(work: Path, runs: int) -> dict[str, dict[str, float]] | str:
    """Hugo's cold build of the same posts (copied into its content folder). Liquid is
    plain text to Hugo; a build that fails stops the run."""
    hugo = shutil.which("hugo")
    site_src = SHARED / "bench" / "hugo"
    if hugo is None:
        return "hugo not found (apt-get install hugo): no ratios"
    if not site_src.is_dir():
        return f"Hugo site not found at {site_src} (set FEEDWRIGHT_SHARED): no ratios"
    site = work / "hugo"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(site_src, site)
    (site / "content").mkdir(exist_ok=True)
    shutil.copytree(work / "posts", site / "content" / "posts")
    seconds, peaks, psses = [], [], []
    runs_done = [measure([hugo, "--quiet"], site)]  # warm the file cache, as for feedwright
    for _ in range(runs):
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / "resources", ignore_errors=True)
        got = measure([hugo, "--quiet"], site)
        runs_done.append(got)
        seconds.append(got.seconds)
        peaks.append(got.peak_kb / 1024)
        psses.append(got.peak_pss_kb / 1024)
    for got in runs_done:
        if got.code != 0:
            raise SystemExit(f"hugo failed ({got.code}):\n{got.stderr[-2000:]}")
    shutil.rmtree(site)
    return {"seconds": stats(seconds), "peak_mb": stats(peaks), "peak_pss_mb": stats(psses)}


def ratios(fw: dict[str, object], hugo: dict[str, dict[str, float]]) -> dict[str, float]:
    base = hugo["seconds"]["median"]
    out = {step: _median(fw, step, "seconds") / base for step in STEPS}
    out["peak_memory"] = _median(fw, "cold", "peak_mb") / hugo["peak_mb"]["median"]
    out["peak_memory_pss"] = _median(fw, "cold", "peak_pss_mb") / hugo["peak_pss_mb"]["median"]
    return out


def _median(fw: dict[str, object], step: str, metric: str) -> float:
    return float(fw[step][metric]["median"])  # type: ignore[index]


def history_line(size: int, profile: str, config: str, entry: dict[str, object]) -> str:
    """The figures of one (size, profile, config) on one line, as history.md keeps them;
    the bench job on the kubevirt profile reads as the lines of earlier runs did."""
    fw: dict[str, object] = entry["feedwright"]  # type: ignore[assignment]
    line = [f"{size:>7} posts"]
    if (profile, config) != ("kubevirt", "bench"):
        line.append(f"{profile}/{config}")
    for step in STEPS:
        s = fw[step]["seconds"]  # type: ignore[index]
        line.append(f"{step} {s['median']:.2f}s [{s['min']:.2f}-{s['max']:.2f}]")
    line.append(
        f"peak {_median(fw, 'cold', 'peak_mb'):.0f} MB"
        f" (PSS {_median(fw, 'cold', 'peak_pss_mb'):.0f} MB)"
    )
    hugo = entry["hugo"]
    if isinstance(hugo, dict):
        found: dict[str, float] = entry["ratios_vs_hugo_cold"]  # type: ignore[assignment]
        line.append(
            f"| hugo {hugo['seconds']['median']:.2f}s {hugo['peak_mb']['median']:.0f} MB | ratios: "
            + ", ".join(f"{k} {v:.2f}x" for k, v in found.items())
        )
    else:
        line.append(f"| {hugo}")
    return "  ".join(line)


def table(size: int, profile: str, config: str, entry: dict[str, object]) -> str:
    """One (profile, config, size) as a Markdown table: each step of the sequence."""
    fw: dict[str, object] = entry["feedwright"]  # type: ignore[assignment]
    hugo = entry["hugo"]
    found: dict[str, float] = entry.get("ratios_vs_hugo_cold", {})  # type: ignore[assignment]
    rows = [
        f"{size} posts, profile {profile}, config {config} ({fw['output_files']} output files)",
        "",
        "| step | seconds, median [min-max] | peak RSS sum (PSS) | ÷ Hugo cold |",
        "|---|---|---|---|",
    ]
    for step in STEPS:
        s = fw[step]["seconds"]  # type: ignore[index]
        ratio = f"{found[step]:.2f}×" if step in found else ""
        rows.append(
            f"| {LABELS[step]} | {s['median']:.2f} [{s['min']:.2f}-{s['max']:.2f}] "
            f"| {_median(fw, step, 'peak_mb'):.0f} MB ({_median(fw, step, 'peak_pss_mb'):.0f}) "
            f"| {ratio} |"
        )
    if isinstance(hugo, dict):
        h = hugo["seconds"]
        rows.append(
            f"| Hugo cold | {h['median']:.2f} [{h['min']:.2f}-{h['max']:.2f}] "
            f"| {hugo['peak_mb']['median']:.0f} MB ({hugo['peak_pss_mb']['median']:.0f}) | 1× |"
        )
    else:
        rows.append(f"| Hugo | {hugo} | | |")
    return "\n".join(rows) + "\n"


def machine() -> dict[str, str | int]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    hugo = shutil.which("hugo")
    version = (
        subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.strip()
        if hugo
        else "absent"
    )
    return {
        "cpus": os.cpu_count() or 0,
        "cpu": model,
        "python": platform.python_version(),
        "feedwright_commit": commit,
        "hugo": version,
    }


def names(text: str, known: tuple[str, ...] | list[str]) -> list[str]:
    chosen = [n.strip() for n in text.split(",") if n.strip()]
    wrong = [n for n in chosen if n not in known]
    if wrong or not chosen:
        raise SystemExit(
            f"unknown {', '.join(wrong) or 'empty list'}: choose from {', '.join(known)}"
        )
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="numbers of posts, comma-separated")
    parser.add_argument("--tags", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3, help="times the sequence runs")
    parser.add_argument(
        "--profiles", default=",".join(PROFILES), help=f"corpus profiles: {', '.join(PROFILES)}"
    )
    parser.add_argument(
        "--configs", default=",".join(CONFIGS), help=f"configs: {', '.join(CONFIGS)}"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    profiles = names(args.profiles, PROFILES)
    configs = names(args.configs, list(CONFIGS))
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%M%SZ")
    report: dict[str, object] = {
        "when": when,
        "machine": machine(),
        "tags": args.tags,
        "runs": args.runs,
        "steps": list(STEPS),
        "configs": {name: CONFIGS[name] for name in configs},
        "sizes": {},  # the bench config on the kubevirt profile, as in earlier runs
        "results": [],  # every (size, profile, config)
    }
    print(f"machine: {report['machine']}")
    # An installed package has its bytecode; a source checkout may not (for example under
    # PYTHONDONTWRITEBYTECODE), which would charge compilation to every run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    lines, tables = [], []
    for size in (int(s) for s in args.sizes.split(",")):
        for profile in profiles:
            with tempfile.TemporaryDirectory(prefix="feedwright-bench-") as tmp:
                work = Path(tmp)
                generate(work, size, args.tags, profile=profile)
                hugo = bench_hugo(work, args.runs)  # before any edit: the generated posts
                for config in configs:
                    fw = bench_feedwright(work, args.runs, config)
                    entry: dict[str, object] = {
                        "size": size,
                        "profile": profile,
                        "config": config,
                        "feedwright": fw,
                        "hugo": hugo,
                    }
                    if isinstance(hugo, dict):
                        entry["ratios_vs_hugo_cold"] = ratios(fw, hugo)
                    line = history_line(size, profile, config, entry)
                    print(line, flush=True)
                    lines.append(line)
                    tables.append(table(size, profile, config, entry))
                    report["results"].append(entry)  # type: ignore[attr-defined]
                    if (profile, config) == ("kubevirt", "bench"):
                        report["sizes"][str(size)] = entry  # type: ignore[index]
    print()
    print("\n".join(tables))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{when}.json").write_text(json.dumps(report, indent=2) + "\n")
    history = args.out / "history.md"
    if not history.exists():
        history.write_text(
            "# Benchmark history\n\nOne line per size and run of `bench/run.py` "
            "(time, commit, figures).\n\n| when | commit | figures |\n|---|---|---|\n"
        )
    with history.open("a") as handle:
        commit = report["machine"]["feedwright_commit"]  # type: ignore[index]
        for line in lines:
            handle.write(f"| {when} | {commit} | {line} |\n")
    print(f"results: {args.out / (when + '.json')}")


if __name__ == "__main__":
    main()
