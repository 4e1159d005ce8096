"""A cache that is a separate dict in every thread.

GEOS prepared geometries are not thread-safe: a cache that holds them (or
what is built from them) must not be shared by threads that may use it at
once, e.g. the threads of one dask worker (:mod:`geo.engine`).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator, MutableMapping
from typing import Any

__all__ = ["PerThreadCache"]


class PerThreadCache(MutableMapping):  # type: ignore[type-arg]
    """A dict per thread behind one mapping (``clear`` empties every thread's)."""

    class _Dict(dict):  # type: ignore[type-arg]
        """A dict that can be weakly referenced, equal only to itself (for a WeakSet)."""

        __eq__ = object.__eq__
        __hash__ = object.__hash__

    def __init__(self) -> None:
        self._local = threading.local()
        self._every: weakref.WeakSet[PerThreadCache._Dict] = weakref.WeakSet()
        self._lock = threading.Lock()

    def _mine(self) -> dict:  # type: ignore[type-arg]
        mine = getattr(self._local, "d", None)
        if mine is None:
            mine = self._local.d = self._Dict()
            with self._lock:
                self._every.add(mine)
        return mine

    def __getitem__(self, key: object) -> Any:
        return self._mine()[key]

    def __setitem__(self, key: object, value: object) -> None:
        self._mine()[key] = value

    def __delitem__(self, key: object) -> None:
        del self._mine()[key]

    def __iter__(self) -> Iterator[object]:
        return iter(self._mine())

    def __len__(self) -> int:
        return len(self._mine())

    def clear(self) -> None:
        with self._lock:
            every = list(self._every)
        for d in every:
            d.clear()
