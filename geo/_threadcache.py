"""Caches for threads: a dict per thread (GEOS objects), or one frozen copy for all (arrays).

GEOS prepared geometries are not thread-safe: a cache that holds them (or
what is built from them) must not be shared by threads that may use it at
once, e.g. the threads of one dask worker (:mod:`geo.engine`):
:class:`PerThreadCache`.  What holds no GEOS object (numpy arrays, WKB
bytes) is built once and shared read-only: :class:`SharedCache` freezes
the arrays it stores and refuses geometries.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any, TypeVar

import numpy as np

__all__ = ["PerThreadCache", "SharedCache"]

T = TypeVar("T")


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


def _frozen(value: T) -> T:
    """``value`` with every numpy array in it made read-only; TypeError if it holds a geometry.

    Looks into tuples, lists and dataclasses, and into object arrays (whose
    items must be bytes, str or numbers: e.g. WKB).
    """
    import shapely  # only when something is stored

    if isinstance(value, shapely.Geometry):
        msg = "a SharedCache holds no GEOS geometry (not thread-safe): store WKB instead"
        raise TypeError(msg)
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            for item in value.ravel():
                _frozen(item)
        value.flags.writeable = False
    elif isinstance(value, (tuple, list)):
        for item in value:
            _frozen(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _frozen(getattr(value, f.name))
    elif not isinstance(value, (bytes, str, int, float, bool, type(None))):
        msg = f"a SharedCache holds arrays, bytes and numbers only, not {type(value).__name__}"
        raise TypeError(msg)
    return value


class SharedCache:
    """One value per key for every thread, built once, its arrays read-only.

    For what is built from GEOS objects but holds none (numpy arrays, WKB):
    threads share it instead of each building its own.  :meth:`get` builds
    a missing value while holding the cache's lock (other threads wanting
    it wait instead of building it again); values are frozen
    (``flags.writeable = False`` on every array) and may hold no geometry.

    Parameters
    ----------
    keep
        Most values kept (the oldest go first).

    """

    def __init__(self, *, keep: int = 8) -> None:
        self._keep = keep
        self._values: dict[object, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: object, build: Callable[[], T]) -> T:
        """Return the value for ``key``, from ``build()`` (frozen) the first time."""
        with self._lock:
            if key not in self._values:
                value = _frozen(build())
                while len(self._values) >= self._keep:
                    self._values.pop(next(iter(self._values)))
                self._values[key] = value
            return self._values[key]  # type: ignore[no-any-return]

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._values

    def __getitem__(self, key: object) -> Any:
        with self._lock:
            return self._values[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def values(self) -> list[Any]:
        """Return the values stored (a list: the cache may change meanwhile)."""
        with self._lock:
            return list(self._values.values())

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
