"""The manifest in the state folder: the output folder's identity (device and inode) and
the inode of each file written. A manifest of another folder, or a file replaced since,
removes nothing."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from feedwright.publish.folders import atomic_write

MANIFEST = "manifest.json"
MANIFEST_VERSION = 2
# the suffixes output templates and pages may name; matched case-sensitively
OUTPUT_SUFFIXES = (".xml", ".atom", ".rss", ".json", ".html", ".opml", ".xsl", ".css")
# the redirect rules for static hosts (feedwright.moves), each at the output folder's top
NETLIFY_RULES = "_redirects"
NGINX_RULES = "feedwright-redirects.nginx.conf"
APACHE_RULES = ".htaccess"
RULE_FILES = frozenset({NETLIFY_RULES, NGINX_RULES, APACHE_RULES})


@dataclass(frozen=True, slots=True)
class Manifest:
    """What an earlier build wrote: the output folder's identity and, for each file, its
    inode and modification time (an inode number alone may be reused by a new file)."""

    folder: tuple[int, int] | None = None  # (device, inode) of the output folder
    files: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # -> (inode, mtime_ns)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.files)

    def wrote(self, folder: tuple[int, int], relpath: str, info: os.stat_result) -> bool:
        """Whether ``info`` is the very file recorded at ``relpath`` of ``folder``."""
        return (
            self.folder == folder
            and self.files.get(relpath) == (info.st_ino, info.st_mtime_ns)
            and info.st_dev == folder[0]
            and stat.S_ISREG(info.st_mode)
        )


def read_manifest(state: Path) -> Manifest:
    """The files an earlier build wrote. Entries that could point outside the output
    folder (absolute, '..', or not feed files) are ignored, and a manifest without the
    folder's identity (written by an older version) lists nothing: removal never leaves
    the folder and never removes a file feedwright did not write."""
    try:
        data = json.loads((state / MANIFEST).read_text("utf-8"))
        device, inode, files = data["device"], data["inode"], data["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return Manifest()
    if not (isinstance(device, int) and isinstance(inode, int) and isinstance(files, dict)):
        return Manifest()
    return Manifest(
        (device, inode),
        {
            rel: (entry[0], entry[1])
            for rel, entry in files.items()
            if isinstance(rel, str)
            and safe_relpath(rel)
            and isinstance(entry, list)
            and len(entry) == 2
            and all(isinstance(n, int) for n in entry)
        },
    )


def plain_relpath(name: str) -> bool:
    """A plain relative path: no '..', '.' or empty segment, no backslash or NUL."""
    return (
        bool(name)
        and not name.startswith("/")
        and "\\" not in name
        and "\0" not in name
        and all(p not in ("", ".", "..") for p in name.split("/"))
    )


def safe_relpath(name: str) -> bool:
    """A plain relative path of an output file (one of the suffixes feedwright writes, or
    one of the redirect rule files)."""
    return plain_relpath(name) and (name.endswith(OUTPUT_SUFFIXES) or name in RULE_FILES)


def write_manifest(
    state: Path, output: Path, folder: os.stat_result, files: Mapping[str, tuple[int, int]]
) -> None:
    """Record ``files`` (-> inode, mtime_ns) as written to ``output``, whose ``folder``
    identity is given by its stat."""
    manifest = {
        "version": MANIFEST_VERSION,
        "output": str(output),
        "device": folder.st_dev,
        "inode": folder.st_ino,
        "files": files,
    }
    atomic_write(state / MANIFEST, (json.dumps(manifest, indent=1) + "\n").encode())
