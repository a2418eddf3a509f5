"""The caches ``feedwright serve`` keeps in memory: a thread-safe LRU bounded by entry count
and total size, for files and pages, and one file of the state folder (the manifest, the
moves), read again only when a build replaces it."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """A thread-safe LRU bounded by entry count and total size."""

    def __init__(self, max_entries: int, max_bytes: int, size: Callable[[V], int]) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        size = self._size(value)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= self._size(old)
            self._items[key] = value
            self._bytes += size
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= self._size(dropped)

    def __len__(self) -> int:
        return len(self._items)


class StateFile(Generic[V]):
    """What ``read`` makes of one file of the state folder, cached while that file stays the
    same (same device, inode, mtime and size): a build replaces it, so a change is seen at
    once and an unchanged file is not read again."""

    def __init__(self, name: str, read: Callable[[Path], V]) -> None:
        self._name = name
        self._read = read
        self._lock = threading.Lock()
        self._cached: tuple[tuple[int, int, int, int], V] | None = None

    def get(self, state: Path) -> V | None:
        """The value for the file in ``state``; None when the file cannot be found."""
        try:
            info = os.stat(state / self._name)
        except OSError:
            return None
        key = (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)
        with self._lock:
            if self._cached is None or self._cached[0] != key:
                self._cached = (key, self._read(state))
            return self._cached[1]
