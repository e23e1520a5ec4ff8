"""A small least-recently-used map for per-process caches.

Anything a request can name (a path, a workshop id) and that a process keeps
in memory must have a bound: a script asking for 40,000 random static paths
once grew a worker by 104 MB. Keys used again stay; the ones not used for the
longest go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

_MISSING = object()


class LRU(Generic[K, V]):
    """At most ``limit`` entries; thread-safe (gunicorn's threads share it)."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("an LRU holds at least one entry")
        self.limit = limit
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, default=None):
        with self._lock:
            value = self._data.get(key, _MISSING)
            if value is _MISSING:
                return default
            self._data.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.limit:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)
