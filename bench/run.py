"""Benchmark feedwright against Hugo on generated blogs.

    python bench/run.py [--sizes 1000,10000] [--tags 200] [--runs 3]

For each size it generates a blog (bench/generate.py), then times whole processes, as a
user runs them: a cold build (new process, no cache, empty output), a rebuild with no
change, and a rebuild after one post's body changed; each --runs times. Peak memory is
the largest sum of RSS over the process and all its children, sampled every 20 ms.
Hugo builds the same corpus in the same run (the site in $FEEDWRIGHT_SHARED/bench/hugo,
default ../shared/bench/hugo); without hugo no ratio is printed. Results are printed and
also written to bench/results/ (one JSON file per run, and a line per size in
history.md) so runs can be compared over time.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

SHARED = Path(os.environ.get("FEEDWRIGHT_SHARED", ROOT.parent / "shared"))
CONFIG = """site: {{title: Bench, url: "https://example.org/"}}
posts: {posts}
output: {out}
state: {state}
limit: 20
content: full
formats: [atom, rss]
feeds: {{categories: {{enabled: false}}}}
archives: {{enabled: false}}
"""


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


def measure(cmd: list[str], cwd: Path) -> tuple[float, int, int, int]:
    """Wall time (s), peak RSS and peak PSS of the process tree (KB), and the exit code."""
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
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.decode()[-2000:]}")
    return wall, peak, peak_pss, proc.returncode


def stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def bench_feedwright(work: Path, runs: int) -> dict[str, dict[str, dict[str, float]]]:
    config = work / "config.yaml"
    out, state = work / "out", work / "state"
    config.write_text(CONFIG.format(posts=work / "posts", out=out, state=state))
    cmd = [sys.executable, "-m", "feedwright", "build", "-q", "-c", str(config)]
    result: dict[str, dict[str, list[float]]] = {
        k: {"seconds": [], "peak_mb": [], "peak_pss_mb": []} for k in ("cold", "noop", "one_change")
    }
    newest = sorted((work / "posts").glob("*.md"))[-1]
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(state, ignore_errors=True)
        time.sleep(1.2)  # posts older than the racy-timestamp window, as in real use
        for kind in ("cold", "noop", "one_change"):
            if kind == "one_change":
                with newest.open("a") as handle:
                    handle.write("\nOne more sentence for the benchmark.\n")
            before = {p: p.stat().st_mtime_ns for p in out.rglob("*")} if kind == "noop" else {}
            wall, peak, pss, _ = measure(cmd, ROOT)
            if kind == "noop":
                after = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
                if after != before:
                    raise SystemExit("a rebuild with no change touched output files")
            result[kind]["seconds"].append(wall)
            result[kind]["peak_mb"].append(peak / 1024)
            result[kind]["peak_pss_mb"].append(pss / 1024)
    return {k: {m: stats(v) for m, v in d.items()} for k, d in result.items()}


def bench_hugo(work: Path, runs: int) -> dict[str, dict[str, float]] | str:
    hugo = shutil.which("hugo")
    site_src = SHARED / "bench" / "hugo"
    if hugo is None:
        return "hugo not found (apt-get install hugo): no ratios"
    if not site_src.is_dir():
        return f"Hugo site not found at {site_src} (set FEEDWRIGHT_SHARED): no ratios"
    site = work / "hugo"
    shutil.copytree(site_src, site)
    (site / "content").mkdir(exist_ok=True)
    shutil.copytree(work / "posts", site / "content" / "posts")
    seconds, peaks, psses = [], [], []
    measure([hugo, "--quiet"], site)  # warm the file cache, as feedwright's corpus is warm
    for _ in range(runs):
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / "resources", ignore_errors=True)
        wall, peak, pss, _ = measure([hugo, "--quiet"], site)
        seconds.append(wall)
        peaks.append(peak / 1024)
        psses.append(pss / 1024)
    return {"seconds": stats(seconds), "peak_mb": stats(peaks), "peak_pss_mb": stats(psses)}


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--tags", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%M%SZ")
    report: dict[str, object] = {
        "when": when,
        "machine": machine(),
        "tags": args.tags,
        "runs": args.runs,
        "sizes": {},
    }
    print(f"machine: {report['machine']}")
    # An installed package has its bytecode; a source checkout may not (for example under
    # PYTHONDONTWRITEBYTECODE), which would charge compilation to every run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="feedwright-bench-") as tmp:
            work = Path(tmp)
            generate(work, size, args.tags)
            fw = bench_feedwright(work, args.runs)
            hugo = bench_hugo(work, args.runs)
        entry: dict[str, object] = {"feedwright": fw, "hugo": hugo}
        line = [f"{size:>7} posts"]
        for kind in ("cold", "noop", "one_change"):
            s = fw[kind]["seconds"]
            line.append(f"{kind} {s['median']:.2f}s [{s['min']:.2f}-{s['max']:.2f}]")
        line.append(
            f"peak {fw['cold']['peak_mb']['median']:.0f} MB"
            f" (PSS {fw['cold']['peak_pss_mb']['median']:.0f} MB)"
        )
        if isinstance(hugo, dict):
            base = hugo["seconds"]["median"]
            ratios = {
                "cold": fw["cold"]["seconds"]["median"] / base,
                "noop": fw["noop"]["seconds"]["median"] / base,
                "one_change": fw["one_change"]["seconds"]["median"] / base,
                "peak_memory": fw["cold"]["peak_mb"]["median"] / hugo["peak_mb"]["median"],
                "peak_memory_pss": fw["cold"]["peak_pss_mb"]["median"]
                / hugo["peak_pss_mb"]["median"],
            }
            entry["ratios_vs_hugo_cold"] = ratios
            line.append(
                f"| hugo {base:.2f}s {hugo['peak_mb']['median']:.0f} MB | ratios: "
                + ", ".join(f"{k} {v:.2f}x" for k, v in ratios.items())
            )
        else:
            line.append(f"| {hugo}")
        print("  ".join(line), flush=True)
        rows.append((size, line))
        report["sizes"][str(size)] = entry  # type: ignore[index]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{when}.json").write_text(json.dumps(report, indent=2) + "\n")
    with (args.out / "history.md").open("a") as handle:
        commit = report["machine"]["feedwright_commit"]  # type: ignore[index]
        for _, line in rows:
            handle.write(f"| {when} | {commit} | {' '.join(line)} |\n")
    print(f"results: {args.out / (when + '.json')}")


if __name__ == "__main__":
    main()
