"""Results of expensive reads, kept per committed state of the data they read.

A page that reads every enterprise's figures of a year (the cockpit, clusters, chains, tiers)
would otherwise resolve the same year again for every tile and every request. A reader names
the state it depends on with a stamp (ids, counts and timestamps that change whenever that
data changes); a result is reused only under the same stamp, and never by a session with
pending changes of its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")


def has_pending_changes(session: Session) -> bool:
    return bool(session.new or session.dirty or session.deleted)


class ReadCache(Generic[T]):
    """A small least-recently-used map from a stamped key to a result, safe across threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: Hashable | None, compute: Callable[[], T]) -> T:
        """The cached result for `key`, or `compute()` stored under it (no key: not cached)."""
        if key is None:
            return compute()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def peek(self, key: Hashable | None) -> T | None:
        """The cached result for `key`, or None; computes nothing."""
        if key is None:
            return None
        with self._lock:
            return self._items.get(key)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
