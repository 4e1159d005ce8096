"""Crossings found once per ledger and zone set, shared by attribute_legs and split_by_zone.

:func:`geo.zones.attribute_legs` needs the zones each leg passes through
(``CROSSES_FRONT``) and :func:`geo.zones.split_by_zone` needs where each leg
enters and leaves them: both come from :func:`geo.zones._crossings.meetings`,
the costliest step of either.  :func:`crossings` returns one
:class:`Crossings` for a frame of lines and a zone set, computing each batch
of legs on first use, and remembers it while a frame holding the very same
geometry objects is alive: calling attribute_legs and then split_by_zone on
one ledger finds the crossings once.  The split releases each batch once it
has used it (the memory goes back while the segments grow); a later call
finds that batch's crossings again.

A remembered answer is used only when the geometries are the same Python
objects (compared by address, which is sound while an array holding them
is alive and unchanged: checked on every use), the legs' first days are
equal and the zones have the same ids, dates and geometry.  Nothing is
remembered once no frame holds the geometries any more.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

from geo import columns as C  # noqa: N812
from geo.distinct import addresses as _addresses
from geo.threads import thread_count
from geo.zones._common import _CRS, _NAT, IntArray, ObjArray, ZoneFacts, _days, _zone_key
from geo.zones._crossings import Meetings, meetings
from geo.zones._legs import _leg_days

#: Most legs per batch: bounds the memory of the vertex arrays of one batch
#: (~0.3 GB of temporaries for 20,000 legs of a few thousand km).
BATCH_LEGS = 20_000
#: Fewest legs per batch when batches are made smaller to share legs evenly
#: between threads (four batches per thread; the answer does not depend on it).
MIN_BATCH_LEGS = 2_000
T = TypeVar("T")

#: Ledgers remembered at once.
_KEEP = 2


@dataclass(frozen=True)
class Batch:
    """One batch of legs: ledger ``rows``, their ``parts`` (owner: batch leg) and meetings."""

    rows: IntArray
    parts: ObjArray
    owner: IntArray
    meet: Meetings


class Crossings:
    """Where the usable legs of a frame meet a zone set, batch by batch (lazily).

    Attributes
    ----------
    geoms
        Every leg's geometry; those of a batch's legs with longitudes
        wrapped into [-180, 180] (RFC 7946) once the batch is computed
        (by the thread computing it; :meth:`wrap_all`: every batch's).
    s
        Each leg's first day (``_NAT`` when unknown).
    rows_ok
        Legs with a geometry and a date: the ones split.
    size
        Legs per batch: four batches per thread at least, from
        ``MIN_BATCH_LEGS`` to ``BATCH_LEGS`` legs.

    """

    def __init__(self, geoms: ObjArray, s: IntArray, zones: gpd.GeoDataFrame):
        self.geoms = geoms.copy()  # the legs' own array is left as it is
        self.s = s
        usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) & (s != _NAT)
        self.rows_ok = np.flatnonzero(usable)
        per_thread = -(-len(self.rows_ok) // (4 * thread_count()))
        self.size = max(1, min(BATCH_LEGS, max(MIN_BATCH_LEGS, per_thread)))
        self._zones = zones
        self._batches: dict[int, Batch] = {}
        self._lock = threading.Lock()
        self._computing: dict[int, threading.Lock] = {}
        self._wrapped: set[int] = set()
        self._memo: dict[str, tuple[tuple[npt.NDArray[np.generic], ...], object]] = {}
        self._facts: dict[int, tuple[gpd.GeoDataFrame, ZoneFacts]] = {}

    def facts(self, zones: gpd.GeoDataFrame) -> ZoneFacts:
        """Return the :class:`ZoneFacts` of ``zones`` (these zones or a thread's copy), once each.

        The zones cannot change during the call that uses this object: its
        batches read them from here instead of from the frame.
        """
        with self._lock:
            held = self._facts.get(id(zones))
            if held is not None and held[0] is zones:
                return held[1]
        facts = ZoneFacts.of(zones)
        with self._lock:
            self._facts[id(zones)] = (zones, facts)  # the frame kept: its id stays its own
        return facts

    def remember(
        self, name: str, args: tuple[npt.NDArray[np.generic], ...], compute: Callable[[], T]
    ) -> T:
        """``compute()``, or its answer from an earlier call with equal ``args``."""
        with self._lock:
            if name in self._memo:
                old, value = self._memo[name]
                if len(old) == len(args) and all(
                    np.array_equal(a, b, equal_nan=True) for a, b in zip(old, args, strict=True)
                ):
                    return value  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._memo[name] = (tuple(np.copy(a) for a in args), value)
        return value

    def starts(self) -> range:
        """Start of each batch in ``rows_ok``."""
        return range(0, len(self.rows_ok), self.size)

    def rows(self, start: int) -> IntArray:
        """Rows (of the frame) of the batch from ``start``."""
        return self.rows_ok[start : start + self.size]

    def batch(self, start: int, zones: gpd.GeoDataFrame | None = None) -> Batch:
        """Return the batch of ``rows_ok[start : start + self.size]`` (computed once).

        ``zones``: the zone set to compute it with, if not yet known (a
        thread's own copy of the zones of this object, :mod:`geo.zones._parallel`).
        Batches are computed side by side; one batch only once.
        """
        with self._lock:
            if start in self._batches:
                return self._batches[start]
            own = self._computing.setdefault(start, threading.Lock())
        with own:
            with self._lock:
                if start in self._batches:
                    return self._batches[start]
            got = self._compute(start, self._zones if zones is None else zones)
            with self._lock:
                self._batches[start] = got
                self._computing.pop(start, None)
            return got

    def release(self, start: int) -> None:
        """Forget the batch from ``start`` (the split has used it: its memory goes back)."""
        with self._lock:
            self._batches.pop(start, None)

    def wrap_all(self) -> None:
        """Wrap the longitudes of every batch's legs (see ``geoms``)."""
        for start in self.starts():
            self.wrap(start)

    def wrap(self, start: int) -> None:
        """Wrap the longitudes of the legs of batch ``start`` (once).

        Idempotent (wrapped legs are left as they are), so two threads
        wrapping one batch at once write equal geometries.
        """
        with self._lock:
            if start in self._wrapped:
                return
        rows = self.rows(start)
        self.geoms[rows] = _normalized(self.geoms[rows])
        with self._lock:
            self._wrapped.add(start)

    def _compute(self, start: int, zones: gpd.GeoDataFrame) -> Batch:
        self.wrap(start)
        rows = self.rows(start)
        zs = self.facts(zones)
        parts, owner = _parts(self.geoms[rows])
        met = meetings(parts, self.s[rows][owner], zones, zs.zf, zs.zt, key=zs.key)
        return Batch(rows, parts, owner, met)


def _parts(batch: ObjArray) -> tuple[ObjArray, IntArray]:
    """Parts of multi-part legs, in order; single lines as they are (no copies)."""
    multi = shapely.get_type_id(batch) != 1
    count = np.where(multi, shapely.get_num_geometries(batch), 1)
    owner = np.repeat(np.arange(len(batch)), count)
    first = np.cumsum(count) - count
    parts = np.empty(int(count.sum()), dtype=object)
    parts[first[~multi]] = batch[~multi]
    if multi.any():
        mp, mi = shapely.get_parts(batch[multi], return_index=True)
        rank = np.arange(len(mp)) - np.searchsorted(mi, mi)
        parts[first[multi][mi] + rank] = mp
    return parts, owner


def _normalized(geoms: ObjArray) -> ObjArray:
    """Return a copy of ``geoms`` with longitudes wrapped into [-180, 180] (RFC 7946)."""
    geoms = geoms.copy()
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    b = np.full((len(geoms), 4), np.nan)
    b[ok] = shapely.bounds(geoms[ok])
    wide = ok & ((b[:, 0] < -180) | (b[:, 2] > 180))
    if not wide.any():
        return geoms
    lines = wide & np.isin(shapely.get_type_id(geoms), [1, 5])  # (Multi)LineStrings
    if lines.any():  # as split_antimeridian, without building a frame for them
        from geo.antimeridian import _split_lines

        geoms[lines] = _split_lines(geoms[lines])
    other = wide & ~lines
    if other.any():
        from geo.lines import split_antimeridian

        sub = gpd.GeoDataFrame(geometry=gpd.GeoSeries(geoms[other], crs=_CRS))
        geoms[other] = split_antimeridian(sub).geometry.to_numpy()
    return geoms


# --- remembering -------------------------------------------------------------------


@dataclass(eq=False)
class _Entry:
    key: tuple[object, ...]
    ids: npt.NDArray[np.uintp]
    s: IntArray
    value: Crossings
    holders: list[weakref.ref[ObjArray]] = field(default_factory=list)


_ENTRIES: list[_Entry] = []
_LOCK = threading.RLock()  # re-entrant: a holder's death may call back while it is held


def _geometry_array(lines: gpd.GeoDataFrame) -> ObjArray:
    """Return the object array behind the frame's geometry column (not a copy)."""
    return np.asarray(lines.geometry.array, dtype=object)


def _hold(entry: _Entry, arr: ObjArray) -> None:
    """Remember ``entry`` while ``arr`` (holding its geometries) is alive."""
    if any(ref() is arr for ref in entry.holders):
        return

    def dropped(ref: weakref.ref[ObjArray]) -> None:
        with _LOCK:
            if ref in entry.holders:
                entry.holders.remove(ref)
            if not entry.holders and entry in _ENTRIES:
                _ENTRIES.remove(entry)

    entry.holders.append(weakref.ref(arr, dropped))


def _held(entry: _Entry) -> bool:
    """Whether a live array still holds exactly the entry's geometries."""
    for ref in list(entry.holders):
        arr = ref()
        if (
            arr is not None
            and len(arr) == len(entry.ids)
            and np.array_equal(_addresses(arr), entry.ids)
        ):
            return True
    return False


def crossings(
    lines: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, *, also: gpd.GeoDataFrame | None = None
) -> Crossings:
    """Return the :class:`Crossings` of ``lines`` with ``zones``, remembered (module docstring).

    ``also``: a frame holding the same geometries (a copy of ``lines``): the
    answer is remembered while it is alive too.
    """
    arr = _geometry_array(lines)
    s, _ = _leg_days(lines)
    key = (
        _zone_key(zones),
        tuple(_days(zones[C.VALID_FROM], open_end=False)),
        tuple(_days(zones[C.VALID_TO], open_end=True)),
    )
    ids = _addresses(arr)
    with _LOCK:
        for entry in _ENTRIES:
            if (
                entry.key == key
                and np.array_equal(entry.ids, ids)
                and np.array_equal(entry.s, s)
                and _held(entry)
            ):
                value = entry.value
                break
        else:
            value = Crossings(arr, s, zones)
            entry = _Entry(key, ids, s, value)
            _ENTRIES.append(entry)
            while len(_ENTRIES) > _KEEP:
                _ENTRIES.pop(0)
        _hold(entry, arr)
        if also is not None:
            _hold(entry, _geometry_array(also))
    return value


def forget() -> None:
    """Drop every remembered answer (tests)."""
    with _LOCK:
        _ENTRIES.clear()


__all__ = ["BATCH_LEGS", "MIN_BATCH_LEGS", "Batch", "Crossings", "crossings", "forget"]
