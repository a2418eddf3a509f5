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
from typing import NamedTuple

from feedwright import __version__
from feedwright.config import Config
from feedwright.publish import atomic_write
from feedwright.scan.sources import rules_key
from feedwright.state import codec
from feedwright.state.codec import FileStat, Summary
from feedwright.types import Skipped

SNAPSHOT_FILE = "snapshot.json"
# The post files' lines (name and stat signature) as the snapshot's walk saw them: the
# build after an edit finds the changed files by comparing lines, without reading the
# store's record of every file.
LISTING_FILE = "listing.txt"


@dataclass(frozen=True, slots=True)
class Hit:
    """The previous build's report, still true: what a no-op build answers."""

    summary: Summary
    outputs: tuple[str, ...]
    next_future: dt.datetime | None


def config_digest(config: Config) -> str:
    """The config, and Jekyll's post rules (in Jekyll mode the site's ``_config.yml``)."""
    parts = [__version__, config.model_dump(mode="json"), rules_key(config)]
    text = json.dumps(parts, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def signature_of(st: os.stat_result) -> str:
    """A post file's stat signature: size, change times and inode."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


class TreeFile(NamedTuple):
    """One post file as the walk saw it (a named tuple: a no-op build makes one for every
    post file, and a tuple is made in half the time of a frozen dataclass)."""

    rel: str
    path: str
    signature: str  # as signature_of gives it
    changed_ns: int  # its last change (the later of mtime and ctime)


@dataclass(frozen=True, slots=True)
class Tree:
    """The posts folder as seen by one walk and one stat per file. A no-op build needs
    only ``digest``: the files are kept as the walk gave them (parallel tuples, a line
    per file in ``listing``), and :attr:`files` is made only for a build that reads posts."""

    digest: str  # of names, sizes, times and inodes
    walk: str  # of names only: an edit keeps it (see feedwright.state.reuse)
    newest: int  # the newest change time in it (ns)
    listing: str  # each file's line (listing_of) and LF, in walk order
    found: tuple[tuple[str, str], ...]  # (relative path, full path) of each file
    signatures: tuple[str, ...]  # signature_of each file
    changed: tuple[int, ...]  # each file's last change (ns)
    skipped: tuple[Skipped, ...]  # what the walk passed over (symlinks out, FIFOs, ...)

    @property
    def files(self) -> tuple[TreeFile, ...]:
        return tuple(
            TreeFile(rel, path, signature, changed)
            for (rel, path), signature, changed in zip(
                self.found, self.signatures, self.changed, strict=True
            )
        )

    def file(self, i: int) -> TreeFile:
        rel, path = self.found[i]
        return TreeFile(rel, path, self.signatures[i], self.changed[i])

    def lines(self) -> list[str] | None:
        """Each file's line of :attr:`listing`, in order; None when a name holds LF."""
        lines = self.listing.split("\n")[:-1]
        return lines if len(lines) == len(self.found) else None

    def __len__(self) -> int:
        return len(self.found)


def listing_of(found: Iterable[tuple[str, str]], signatures: Iterable[str]) -> str:
    """Every file's line, ``name TAB signature``, and LF: ``Tree.digest`` hashes these,
    then the skipped files' lines (:func:`skip_lines`)."""
    return "".join([f"{rel}\t{sig}\n" for (rel, _), sig in zip(found, signatures, strict=True)])


def skip_lines(skipped: Iterable[Skipped]) -> list[str]:
    return [f"skip\t{item.relpath}\t{item.reason}\n" for item in skipped]


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _signature(path: Path | str) -> FileStat | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def output_signatures(output: Path, names: Iterable[str]) -> dict[str, FileStat] | None:
    """Size and mtime of each named output file; None when one is missing."""
    out: dict[str, FileStat] = {}
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
    summary: Summary,
    latest: dt.datetime | None = None,
    externals: dict[str, FileStat | None] | None = None,
) -> None:
    """``latest`` is the newest publication time among the published posts: a build asked
    for an earlier moment (``--now``) must not reuse a result that includes them."""
    path = config.state / SNAPSHOT_FILE
    signatures = output_signatures(config.output, outputs)
    if tree is None or signatures is None:
        forget(config)
        return
    atomic_write(config.state / LISTING_FILE, _utf8(tree.listing))
    data = {
        "config": config_digest(config),
        "tree": tree.digest,
        "newest_ns": tree.newest,
        "taken_ns": taken_ns,
        "next_future": None if next_future is None else next_future.isoformat(),
        "latest": None if latest is None else latest.isoformat(),
        "outputs": signatures,
        "externals": externals or {},
        "report": codec.summary_obj(summary),
    }
    atomic_write(path, json.dumps(data).encode())


def external_signatures(names: Iterable[str]) -> dict[str, FileStat | None]:
    """Size and mtime now of each named file (None for one that is gone)."""
    return {name: _signature(name) for name in names}


def forget(config: Config) -> None:
    (config.state / SNAPSHOT_FILE).unlink(missing_ok=True)
    (config.state / LISTING_FILE).unlink(missing_ok=True)


def last_look(config: Config, tree: Tree) -> tuple[list[str], int] | None:
    """The files' lines (:func:`listing_of`) as the last successful build's
    walk saw them, and when that walk began (ns); None when they are not known, or when
    its files were not the files ``tree`` has (by name, in the same order)."""
    try:
        data = json.loads((config.state / SNAPSHOT_FILE).read_text("utf-8"))
        raw = (config.state / LISTING_FILE).read_bytes()
        digest = hashlib.sha256(raw + _utf8("".join(skip_lines(tree.skipped)))).hexdigest()
        if digest != data["tree"]:
            return None
        taken = data["taken_ns"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    lines = raw.decode("utf-8", "surrogateescape").split("\n")[:-1]
    if not isinstance(taken, int) or len(lines) != len(tree):
        return None  # a name holding LF: compare the store's records instead
    return lines, taken


def still_valid(config: Config, now: dt.datetime, tree: Tree | None, racy_ns: int) -> Hit | None:
    """The previous build's report, when nothing it depends on (the config, the posts
    folder as ``tree`` saw it, the outputs, the clock) has changed. A post changed within
    ``racy_ns`` before the last look may have changed again unseen: no answer then."""
    try:
        data = json.loads((config.state / SNAPSHOT_FILE).read_text("utf-8"))
        if data["config"] != config_digest(config):
            return None
        next_future = codec.time_from(data["next_future"])
        if next_future is not None and now >= next_future:
            return None
        latest = codec.time_from(data["latest"])
        if latest is not None and now < latest:
            return None
        if data["newest_ns"] + racy_ns > data["taken_ns"]:
            return None  # a post changed just before the last look: do not trust stat
        if output_signatures(config.output, list(data["outputs"])) != data["outputs"]:
            return None
        if external_signatures(data["externals"]) != data["externals"]:
            return None
        if tree is None or tree.digest != data["tree"]:
            return None
        return Hit(codec.summary_from(data["report"]), tuple(sorted(data["outputs"])), next_future)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def now_ns() -> int:
    return time.time_ns()
