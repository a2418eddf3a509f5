"""What a build keeps between runs, behind one protocol: :class:`Store`. The SQLite store
(state/sqlite.py) keeps it in the state folder; :class:`MemoryStore` keeps it for one run
only (dry runs); :class:`WriteOnly` remembers without reusing (``--full``). A store only
stores and returns records: deciding what to reuse is the scan side's and reuse.py's job."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from feedwright.errors import FeedwrightError
from feedwright.state.codec import Outcome, PlanRecord
from feedwright.types import Diagnostic, Post, RenderValue, Severity

# A file changed within this window of our last look may have been edited again without
# its timestamps moving (file-system clocks are coarse): hash it instead of trusting stat.
# Read at call time (build(racy_ns=...) overrides it).
RACY_NS = 1_000_000_000


# ``recovered`` of a store that stands in for a cache that cannot be written
UNWRITABLE = "cannot be written"


class StoreError(FeedwrightError):
    """The store cannot be read or written (a corrupt file); the build starts afresh."""


@dataclass(frozen=True, slots=True)
class FileRecord:
    """One post file as last read: its stat signature, the sha256 of its bytes, when it
    was read (ns), and what scanning it gave."""

    signature: str
    sha256: str
    checked_ns: int
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class OutputPrint:
    """An output file's fingerprint as last written, and the file's signature then."""

    fingerprint: str
    signature: str


class Store(Protocol):
    """The operations the build needs of what it keeps between runs."""

    # why the store was started afresh ("new", "unreadable (...)", ...), or None
    recovered: str | None
    # what the store raises when its storage went bad mid-build
    failures: tuple[type[Exception], ...]

    def file(self, rel: str) -> FileRecord | None: ...
    def files(self) -> dict[str, FileRecord]: ...
    def stamps(self) -> dict[str, tuple[str, int]]:
        """Every file's stat signature and when it was last read (ns), without decoding
        what scanning it gave: what the reuse decision needs of every file."""
        ...

    def put_file(self, rel: str, record: FileRecord, good: Post | None) -> None:
        """Remember a file; ``good`` (with its body) is kept while the file is broken."""

    def prune_files(self, keep: Iterable[str]) -> None: ...
    def good(self, rel: str) -> Post | None: ...
    def render(self, key: str) -> RenderValue | None: ...
    def put_render(self, key: str, value: RenderValue) -> None: ...
    def prune_renders(self, keep: set[str]) -> None: ...
    def outputs(self) -> dict[str, OutputPrint]: ...
    def put_outputs(self, values: dict[str, OutputPrint], *, replace: bool) -> None: ...
    def plan(self) -> PlanRecord | None: ...
    def put_plan(self, record: PlanRecord | None) -> None: ...
    def commit_in_background(self) -> None:
        """Commit what is stored so far while the build goes on; until :meth:`wait`,
        nothing else may use the store. The plan record is dropped first: a build that
        dies before its final commit must not leave one that no published feed reflects."""

    def wait(self) -> None: ...
    def commit(self) -> None: ...
    def close(self) -> None: ...
    def restart(self, reason: str) -> Store:
        """Throw this store away (it went bad); an empty one, ``recovered`` = reason."""


class MemoryStore:
    """A store that lives as long as the build: nothing is reused, nothing is written."""

    failures: tuple[type[Exception], ...] = ()

    def __init__(self) -> None:
        self.recovered: str | None = None
        self._files: dict[str, FileRecord] = {}
        self._good: dict[str, Post] = {}
        self._renders: dict[str, RenderValue] = {}
        self._outputs: dict[str, OutputPrint] = {}
        self._plan: PlanRecord | None = None

    def file(self, rel: str) -> FileRecord | None:
        return self._files.get(rel)

    def files(self) -> dict[str, FileRecord]:
        return dict(self._files)

    def stamps(self) -> dict[str, tuple[str, int]]:
        return {rel: (r.signature, r.checked_ns) for rel, r in self._files.items()}

    def put_file(self, rel: str, record: FileRecord, good: Post | None) -> None:
        self._files[rel] = record
        if good is not None:
            self._good[rel] = good

    def prune_files(self, keep: Iterable[str]) -> None:
        kept = set(keep)
        for rel in [r for r in self._files if r not in kept]:
            del self._files[rel]
            self._good.pop(rel, None)

    def good(self, rel: str) -> Post | None:
        return self._good.get(rel)

    def render(self, key: str) -> RenderValue | None:
        return self._renders.get(key)

    def put_render(self, key: str, value: RenderValue) -> None:
        self._renders[key] = value

    def prune_renders(self, keep: set[str]) -> None:
        self._renders = {k: v for k, v in self._renders.items() if k in keep}

    def outputs(self) -> dict[str, OutputPrint]:
        return dict(self._outputs)

    def put_outputs(self, values: dict[str, OutputPrint], *, replace: bool) -> None:
        if replace:
            self._outputs.clear()
        self._outputs.update(values)

    def plan(self) -> PlanRecord | None:
        return self._plan

    def put_plan(self, record: PlanRecord | None) -> None:
        self._plan = record

    def commit_in_background(self) -> None:
        self._plan = None

    def wait(self) -> None:
        pass

    def commit(self) -> None:
        pass

    def close(self) -> None:
        pass

    def restart(self, reason: str) -> Store:
        fresh = MemoryStore()
        fresh.recovered = reason
        return fresh


class WriteOnly:
    """A store that is written as usual but reused for nothing (``build --full``); the
    last good version of a broken post is still kept."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.recovered = inner.recovered
        self.failures = inner.failures

    def file(self, rel: str) -> FileRecord | None:
        return None

    def files(self) -> dict[str, FileRecord]:
        return {}

    def stamps(self) -> dict[str, tuple[str, int]]:
        return {}

    def put_file(self, rel: str, record: FileRecord, good: Post | None) -> None:
        self.inner.put_file(rel, record, good)

    def prune_files(self, keep: Iterable[str]) -> None:
        self.inner.prune_files(keep)

    def good(self, rel: str) -> Post | None:
        return self.inner.good(rel)

    def render(self, key: str) -> RenderValue | None:
        return None

    def put_render(self, key: str, value: RenderValue) -> None:
        self.inner.put_render(key, value)

    def prune_renders(self, keep: set[str]) -> None:
        self.inner.prune_renders(keep)

    def outputs(self) -> dict[str, OutputPrint]:
        return {}

    def put_outputs(self, values: dict[str, OutputPrint], *, replace: bool) -> None:
        self.inner.put_outputs(values, replace=replace)

    def plan(self) -> PlanRecord | None:
        return None

    def put_plan(self, record: PlanRecord | None) -> None:
        self.inner.put_plan(record)

    def commit_in_background(self) -> None:
        self.inner.commit_in_background()

    def wait(self) -> None:
        self.inner.wait()

    def commit(self) -> None:
        self.inner.commit()

    def close(self) -> None:
        self.inner.close()

    def restart(self, reason: str) -> Store:
        return WriteOnly(self.inner.restart(reason))


def unwritable(problem: str) -> Store:
    """A store for one build whose cache cannot be written (``problem`` says why): the
    build runs without reuse and still publishes; :func:`cache_diagnostic` warns."""
    store = MemoryStore()
    store.recovered = f"{UNWRITABLE}: {problem}"
    return store


def cache_diagnostic(recovered: str | None) -> Diagnostic | None:
    """What the build reports about its cache: a warning when it cannot be written, a
    note when it was rebuilt, nothing when it was new or reused."""
    if recovered is None or recovered == "new":
        return None
    if recovered.startswith(UNWRITABLE):
        fix = (
            "stop the program that holds it open"
            if "locked" in recovered
            else "make that path a writable file (delete it: it is only a cache)"
        )
        return Diagnostic(
            Severity.WARNING,
            "cache-unwritable",
            f"cache {recovered}; built without it (the feeds are published, but every "
            "build reads and renders every post)",
            "",
            None,
            fix + ", or set state: to a writable folder",
        )
    return Diagnostic(Severity.NOTE, "cache-rebuilt", f"cache {recovered}; rebuilt it", "")
