"""The stat-only no-op path. After each successful build, a snapshot records the config,
the stat signature of every post file, the bytes-on-disk signature of every output file
and the build's report. When all of that still holds (and no future post has come due),
the next build is answered from the snapshot without opening a single post."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feedwright import __version__
from feedwright.config import Config
from feedwright.publish import atomic_write
from feedwright.scan.sources import find_post_files, posts_root
from feedwright.types import Diagnostic, Severity, Skipped

SNAPSHOT_FILE = "snapshot.json"
RACY_NS = 1_000_000_000  # the same window as the cache's
# Diagnostics about one run, not about the posts: a later run that reuses the report
# must not repeat them.
ABOUT_THIS_RUN = frozenset({"cache-rebuilt"})


def config_digest(config: Config) -> str:
    text = json.dumps([__version__, config.model_dump(mode="json")], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def signature_of(st: os.stat_result) -> str:
    """A post file's stat signature: size, change times and inode."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


@dataclass(frozen=True, slots=True)
class Tree:
    """The posts folder as seen by one walk and one stat per file."""

    digest: str  # of names, sizes, times and inodes
    newest: int  # the newest change time in it (ns)
    # (relative path, full path, stat signature as the cache writes it, last change in ns)
    files: tuple[tuple[str, str, str, int], ...]
    skipped: tuple[Skipped, ...]  # what the walk passed over (symlinks out, FIFOs, ...)


def tree_digest(config: Config) -> Tree | None:
    """The posts folder's :class:`Tree`; None when it cannot be read."""
    root = posts_root(config)
    if not root.is_dir():
        return None
    found, skipped, _ = find_post_files(config)
    newest = 0
    files = []
    lines = []
    stat = os.stat
    for rel, full in found:
        try:
            st = stat(full)
        except OSError:
            return None
        mtime, ctime = st.st_mtime_ns, st.st_ctime_ns
        changed = max(mtime, ctime)
        signature = signature_of(st)
        files.append((rel, full, signature, changed))
        newest = max(newest, changed)
        lines.append(f"{rel}\t{signature}\n")
    lines.extend(f"skip\t{item.relpath}\t{item.reason}\n" for item in skipped)
    digest = hashlib.sha256("".join(lines).encode("utf-8", "surrogateescape")).hexdigest()
    return Tree(digest, newest, tuple(files), tuple(skipped))


def _signature(path: Path | str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def output_signatures(output: Path, names: Iterable[str]) -> dict[str, list[int]] | None:
    """Size and mtime of each named output file; None when one is missing."""
    out: dict[str, list[int]] = {}
    for name in names:
        signature = _signature(output / name)
        if signature is None:
            return None
        out[name] = signature
    return out


def store(
    config: Config,
    taken_ns: int,
    tree: Tree | None,
    outputs: list[str],
    next_future: dt.datetime | None,
    report: dict[str, Any],
    latest: dt.datetime | None = None,
    externals: dict[str, list[int] | None] | None = None,
) -> None:
    """``latest`` is the newest publication time among the published posts: a build asked
    for an earlier moment (``--now``) must not reuse a result that includes them."""
    path = config.state / SNAPSHOT_FILE
    signatures = output_signatures(config.output, outputs)
    if tree is None or signatures is None:
        path.unlink(missing_ok=True)
        return
    data = {
        "config": config_digest(config),
        "tree": tree.digest,
        "newest_ns": tree.newest,
        "taken_ns": taken_ns,
        "next_future": None if next_future is None else next_future.isoformat(),
        "latest": None if latest is None else latest.isoformat(),
        "outputs": signatures,
        "externals": externals or {},
        "report": report,
    }
    atomic_write(path, json.dumps(data).encode())


def external_signatures(names: Iterable[str]) -> dict[str, list[int] | None]:
    """Size and mtime now of each named file (None for one that is gone)."""
    return {name: _signature(name) for name in names}


def forget(config: Config) -> None:
    (config.state / SNAPSHOT_FILE).unlink(missing_ok=True)


def still_valid(config: Config, now: dt.datetime, tree: Tree | None) -> dict[str, Any] | None:
    """The previous build's report, when nothing it depends on (the config, the posts
    folder as ``tree`` saw it, the outputs, the clock) has changed."""
    try:
        data = json.loads((config.state / SNAPSHOT_FILE).read_text("utf-8"))
        if data["config"] != config_digest(config):
            return None
        if data["next_future"] is not None and now >= dt.datetime.fromisoformat(
            data["next_future"]
        ):
            return None
        if data["latest"] is not None and now < dt.datetime.fromisoformat(data["latest"]):
            return None
        if data["newest_ns"] + RACY_NS > data["taken_ns"]:
            return None  # a post changed just before the last look: do not trust stat
        if output_signatures(config.output, list(data["outputs"])) != data["outputs"]:
            return None
        if external_signatures(data["externals"]) != data["externals"]:
            return None
        if tree is None or tree.digest != data["tree"]:
            return None
        report = data["report"]
        if not isinstance(report, dict):
            return None
        return {
            **report,
            "outputs_list": sorted(data["outputs"]),
            "next_future": data["next_future"],
        }
    except (OSError, ValueError, KeyError, TypeError):
        return None


def now_ns() -> int:
    return time.time_ns()


def encode_report(
    files_seen: int,
    indexed: int,
    skipped: tuple[Skipped, ...],
    diagnostics: tuple[Diagnostic, ...],
    feeds: int,
) -> dict[str, Any]:
    return {
        "files_seen": files_seen,
        "indexed": indexed,
        "feeds": feeds,
        "skipped": [[s.relpath, s.reason, s.error] for s in skipped],
        "diagnostics": [
            [d.severity.value, d.code, d.message, d.path, d.line, d.hint]
            for d in diagnostics
            if d.code not in ABOUT_THIS_RUN
        ],
    }


def decode_report(
    data: dict[str, Any],
) -> tuple[int, int, tuple[Skipped, ...], tuple[Diagnostic, ...], int]:
    skipped = tuple(Skipped(r, why, bool(err)) for r, why, err in data["skipped"])
    diags = tuple(
        Diagnostic(Severity(v[0]), v[1], v[2], v[3], v[4], v[5]) for v in data["diagnostics"]
    )
    return int(data["files_seen"]), int(data["indexed"]), skipped, diags, int(data["feeds"])
