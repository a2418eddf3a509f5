"""Publish output files safely: atomic replace, only when bytes changed, and removal of
only those stale files that feedwright itself wrote to this same output folder.

``folders`` opens every path below the output folder without following a symlink,
``manifest`` records what a build wrote (and so what a later one may remove),
``publisher`` stages and places the files, and ``lock`` keeps one writer per folder."""

from feedwright.publish.folders import (
    TMP_PREFIX,
    UnsafeOutputError,
    atomic_write,
    clean_temp_files,
)
from feedwright.publish.lock import output_lock
from feedwright.publish.manifest import (
    MANIFEST,
    MANIFEST_VERSION,
    OUTPUT_SUFFIXES,
    RULE_FILES,
    Manifest,
    plain_relpath,
    read_manifest,
    safe_relpath,
)
from feedwright.publish.publisher import WRITERS, Publisher, publish

__all__ = [
    "MANIFEST",
    "MANIFEST_VERSION",
    "OUTPUT_SUFFIXES",
    "RULE_FILES",
    "TMP_PREFIX",
    "WRITERS",
    "Manifest",
    "Publisher",
    "UnsafeOutputError",
    "atomic_write",
    "clean_temp_files",
    "output_lock",
    "plain_relpath",
    "publish",
    "read_manifest",
    "safe_relpath",
]
