"""Feed documents to bytes, one serializer per format, with a fingerprint of each file so
that a feed whose inputs did not change is not serialized again."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

from feedwright import __version__
from feedwright.config import Config, FeedFormat
from feedwright.feeds import FeedPlan, document, formats, tag_labels
from feedwright.parallel import Team
from feedwright.progress import Progress
from feedwright.types import (
    FeedDocument,
    Index,
    RenderedPost,
)


def fingerprint(doc: FeedDocument, fmt: FeedFormat) -> str:
    """Everything that goes into a feed's bytes (each entry's HTML by its hash)."""
    head = dataclasses.replace(doc, entries=())
    parts = [__version__, fmt.value, repr(head)]
    for e in doc.entries:
        html = e.content_html
        content = (
            "-"
            if html is None
            else hashlib.sha256(html.encode("utf-8", "surrogatepass")).hexdigest()
        )
        parts.append(repr(dataclasses.replace(e, content_html=content)))
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _to_bytes(doc: FeedDocument, fmt: FeedFormat) -> bytes:
    return formats.to_bytes(doc, fmt)  # the serializer's module loads on first use


def file_signature(path: Path) -> str:
    """Size and mtime of an output file: another writer (a preview build into another
    folder, an interrupted build, a person) changes at least one of them."""
    try:
        st = path.stat()
    except OSError:
        return ""
    return f"{st.st_size}:{st.st_mtime_ns}"


def with_signatures(output: Path, prints: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    return {rel: (fp, file_signature(output / rel)) for rel, (fp, _) in prints.items()}


def serialize_one(
    context: tuple[Config, dict[str, str], dict[str, str]],
    item: tuple[FeedPlan, FeedFormat, dict[str, RenderedPost], str | None],
) -> tuple[str, bytes | None]:
    """One feed file: its fingerprint, and its bytes unless the fingerprint is ``known``.
    The context is the config, the tag labels and the entry ids the ledger pins."""
    config, labels, pins = context
    plan, fmt, rendered, known = item
    doc = document(plan, fmt, rendered, labels, config, pins)
    fp = fingerprint(doc, fmt)
    return fp, None if fp == known else _to_bytes(doc, fmt)


def serialize_each(
    plans: list[FeedPlan],
    rendered: dict[str, RenderedPost],
    index: Index,
    config: Config,
    known: Callable[[str], tuple[str, str] | None] | None = None,
    progress: Progress | None = None,
    team: Team | None = None,
    pins: dict[str, str] | None = None,
) -> Iterator[tuple[str, tuple[str, str], bytes | None]]:
    """Serialize every feed (over the ``team``'s processes, if given), yielding each file
    as it is done: its path, its print (fingerprint, file signature) and its bytes. A
    feed whose fingerprint matches ``known``, and whose file is still the one written
    then (same size and mtime), is not serialized again (its bytes are None: unchanged;
    its print is the known one). A new print's signature is empty until it is written.
    ``pins``: the entry ids the ledger gives, by relpath."""
    items: list[tuple[FeedPlan, FeedFormat, dict[str, RenderedPost], str | None]] = []
    paths: list[str] = []
    previous: dict[str, tuple[str, str]] = {}
    light: dict[str, RenderedPost] = {}  # what a feed needs of a post: no body to send

    def entry(rel: str) -> RenderedPost:
        found = light.get(rel)
        if found is None:
            found = rendered[rel]
            if found.post.body:
                found = RenderedPost(found.post.without_body(), found.html, found.excerpt)
            light[rel] = found
        return found

    for plan in plans:
        entries = {p.relpath: entry(p.relpath) for p in plan.posts}
        for fmt, relpath in plan.paths.items():
            last = known(relpath) if known is not None else None
            fp = None
            if last is not None and file_signature(config.output / relpath) == last[1]:
                previous[relpath] = last
                fp = last[0]
            paths.append(relpath)
            items.append((plan, fmt, entries, fp))

    def written(done: int, total: int) -> None:
        if progress is not None:
            progress.update("feeds written", done, total)

    context = (config, tag_labels(index), pins or {})
    results = (team or Team(1)).map(serialize_one, context, items, chunk=2, progress=written)
    for relpath, (fp, data) in zip(paths, results, strict=True):
        yield relpath, previous[relpath] if data is None else (fp, ""), data


def serialize(
    plans: list[FeedPlan],
    rendered: dict[str, RenderedPost],
    index: Index,
    config: Config,
    team: Team | None = None,
    pins: dict[str, str] | None = None,
) -> dict[str, bytes | None]:
    """Every feed file's bytes, in memory (for ``check``)."""
    each = serialize_each(plans, rendered, index, config, team=team, pins=pins)
    return {rel: data for rel, _, data in each}
