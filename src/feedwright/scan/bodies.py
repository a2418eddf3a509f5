"""Post bodies for the render stage: scanned posts carry no body (the store holds it), so
those that must be rendered get theirs back from the store, or from the file."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from feedwright.config import Config
from feedwright.parallel import Team
from feedwright.scan import FileOutcome, Scanner
from feedwright.scan.sources import posts_root
from feedwright.state.store import Store
from feedwright.types import (
    Post,
)


def load_bodies(
    posts: dict[str, Post],
    rels: list[str],
    config: Config,
    now: dt.datetime,
    team: Team,
    store: Store,
) -> tuple[int, list[str]]:
    """Fill in the bodies of ``posts[rel]`` for each of ``rels`` (in place): from the
    store, which stored each body when it was scanned, else from the file when its body
    still has the hash the scan recorded (read by the ``team``). Returns how many
    post files were read, and the posts whose scanned body was not found (the file
    changed since): they are rendered as they are now, and their render is not cached."""
    todo = []
    for rel in rels:
        post = posts[rel]
        good = store.good(rel)
        if good is None or good.body_sha != post.body_sha:
            todo.append(rel)
        else:
            posts[rel] = dataclasses.replace(post, body=good.body)
    loader = Scanner(config, now)
    found = team.map(body_task, loader, [posts_root(config) / rel for rel in todo], chunk=32)
    changed: list[str] = []
    for rel, got in zip(todo, found, strict=True):
        post = posts[rel]
        if got is not None and got[1] == post.body_sha:
            posts[rel] = dataclasses.replace(post, body=got[0])
            continue
        changed.append(rel)
        fresh = loader.read(posts_root(config) / rel, rel).post
        if fresh is not None:
            posts[rel] = dataclasses.replace(post, body=fresh.body, body_sha=fresh.body_sha)
    return len(todo) + len(changed), changed


def body_task(scanner: Scanner, path: Path) -> tuple[str, str] | None:
    return scanner.body(path)


def read_task(scanner: Scanner, item: tuple[Path, str]) -> FileOutcome:
    return scanner.read(*item)
