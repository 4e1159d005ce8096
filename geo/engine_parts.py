"""One piece of legs for :mod:`geo.engine`: cut, computed, packed and rebuilt.

- :func:`_pieces` cuts legs only between transfers (:func:`_transfer_order`,
  :func:`_unsorted` put a piece's rows back in the legs' order);
- :func:`_partition` computes a piece's lines, zones and segments with the
  calling thread's own copy of the zones (:func:`_own_zones`: GEOS prepared
  geometries are not thread-safe) and one thread inside it;
- :class:`_Packed` carries a result as plain columns plus the lines'
  coordinate arrays (what a dask task or a forked child sends back), and
  :func:`_unpacked` rebuilds it with one vectorized shapely call.

Used by the dask engine and the forked processes of :mod:`geo.engine` alike.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import columns as col
from geo.distinct import distinct_objects

# --- one partition ----------------------------------------------------------------


def _one(
    legs: pd.DataFrame, zones: gpd.GeoDataFrame, outside_geometry: bool
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    from geo.forked import PRELOAD_ZONES_THREAD, join_threads
    from geo.routes import counted_lines, movement_lines
    from geo.zones import attribute_legs, split_by_zone

    lines = movement_lines(legs)  # sea routes, tracks, via points, alternatives
    # The zone kernels' head start (numba, geo.engine.preload_zones), loaded
    # while the lines were drawn: not set up twice.
    join_threads(name=PRELOAD_ZONES_THREAD)
    return (
        attribute_legs(lines, zones),
        # alternatives: segments follow the counted candidate
        split_by_zone(counted_lines(lines), zones, outside_geometry=outside_geometry),
    )


def _partition(
    piece: pd.DataFrame, zones: gpd.GeoDataFrame, outside_geometry: bool, *,
    receiver_has_piece: bool = False,
) -> tuple[_Packed, _Packed]:
    """One dask task: lines and zones of one piece, with this thread's own GEOS objects.

    ``receiver_has_piece``: the receiver holds ``piece`` (a forked child's
    parent does): the legs' columns that come back unchanged are left out
    and taken from its copy (:func:`_unpacked` with ``given``).
    """
    from geo.threads import limited

    with limited(1):  # a task per worker thread: threads inside it only compete
        legs, segments = _one(piece, _own_zones(zones), outside_geometry)
    return _Packed.of(legs, given=piece if receiver_has_piece else None), _Packed.of(segments)


@dataclass(frozen=True)
class _Packed:
    """A GeoDataFrame as plain columns and coordinate arrays: cheap to send from a worker.

    Lines (the results are LineStrings and MultiLineStrings) travel as one
    array of (x, y) and counts of coordinates per part and parts per line,
    rebuilt with one ``shapely.linestrings`` (and ``multilinestrings``)
    call: about half the CPU of WKB.  Any other geometry (missing, empty,
    with z, a part of fewer than two points) travels as WKB.  A geometry
    object several rows share (the legs of one route share their line,
    :mod:`geo.zones._distinct` their segments) travels once, and the rows
    rebuilt share it again (``which``).
    """

    plain: pd.DataFrame
    name: str
    position: int
    crs: Any
    kind: np.ndarray  # per row: 1 LineString, 5 MultiLineString, 0 WKB
    parts: np.ndarray  # per line row: its parts
    coords: np.ndarray  # per part: its coordinates
    xy: np.ndarray
    wkb: np.ndarray  # per WKB row
    which: np.ndarray  # per row: its geometry among the distinct ones packed
    #: Columns left out, to be taken from the receiver's copy of the input
    #: (``given``), and every column's name in order; empty when none.
    taken: tuple[str, ...] = ()
    order: tuple[str, ...] = ()

    @classmethod
    def of(cls, frame: gpd.GeoDataFrame, *, given: pd.DataFrame | None = None) -> _Packed:
        """Pack ``frame``; with ``given``, leave out its columns that equal ``given``'s.

        A column is left out only if ``given`` has it with the same dtype
        and the same values in the same rows (same index; numbers bit for
        bit, others by ``Series.equals``): the receiver, which holds
        ``given``, puts it back as it is.
        """
        name = frame.geometry.name
        taken: tuple[str, ...] = ()
        if given is not None and frame.index.equals(given.index):
            taken = tuple(
                c for c in frame.columns
                if c != name and c in given.columns and _same(frame[c], given[c])
            )
        # Packed in the order first met, each shared object once.
        geoms, which = distinct_objects(np.asarray(frame.geometry.array, dtype=object))
        kind = shapely.get_type_id(geoms).astype(np.int8)
        kind[(kind != 1) & (kind != 5)] = 0
        kind[shapely.is_empty(geoms) | shapely.has_z(geoms)] = 0
        # Only a MultiLineString is taken apart (get_parts copies every
        # part); a LineString's coordinates are read as they are.
        parts, owner = shapely.get_parts(geoms[kind == 5], return_index=True)
        in_parts = shapely.get_num_coordinates(parts)
        short = np.bincount(owner[in_parts < 2], minlength=int(np.count_nonzero(kind == 5))) > 0
        if short.any():  # to WKB: lines with a part of fewer than two points
            kind[np.flatnonzero(kind == 5)[short]] = 0
            in_parts = in_parts[~short[owner]]
            owner = np.unique(owner[~short[owner]], return_inverse=True)[1]
        lines = geoms[kind > 0]
        multi = kind[kind > 0] == 5
        per_line = np.ones(len(lines), dtype=np.int32)
        per_line[multi] = np.bincount(owner, minlength=int(np.count_nonzero(multi)))
        coords = np.empty(int(per_line.sum()), dtype=np.int32)
        coords[np.repeat(multi, per_line)] = in_parts
        coords[np.repeat(~multi, per_line)] = shapely.get_num_coordinates(lines[~multi])
        return cls(
            pd.DataFrame(frame.drop(columns=[name, *taken])),
            name,
            list(frame.columns).index(name),
            frame.crs,
            kind,
            per_line,
            coords,
            shapely.get_coordinates(lines),
            np.asarray(shapely.to_wkb(geoms[kind == 0]), dtype=object),
            which.astype(np.int64),
            taken,
            tuple(frame.columns) if taken else (),
        )


def _same(a: pd.Series, b: pd.Series) -> bool:
    """Tell whether two columns hold the same values with the same dtype (numbers: same bits)."""
    if a.dtype != b.dtype:
        return False
    if isinstance(a.dtype, np.dtype) and a.dtype.kind in "biufcmM":
        return a.to_numpy().tobytes() == b.to_numpy().tobytes()  # -0.0 is not 0.0
    return bool(a.equals(b))


def _unpacked(packs: list[_Packed], *, given: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """Return one GeoDataFrame of packed partitions, geometries rebuilt in one call.

    ``given``: the input the one pack's left-out columns are taken from
    (see :meth:`_Packed.of`).
    """
    first = packs[0]
    if first.taken:
        if given is None or len(packs) > 1:
            msg = "a pack without some of its columns needs the input they are taken from"
            raise ValueError(msg)
        both = pd.concat([given[list(first.taken)], first.plain], axis=1)
        order = [c for c in first.order if c != first.name]
        plain = both[order]
    elif len(packs) > 1:
        plain = pd.concat([p.plain for p in packs])
    else:
        plain = first.plain.copy(deep=False)
    kind, parts, coords, xy, wkb = (
        np.concatenate([getattr(p, f) for p in packs]) if len(packs) > 1 else getattr(first, f)
        for f in ("kind", "parts", "coords", "xy", "wkb")
    )
    # Each pack's rows point at its own distinct geometries: offset by the packs before.
    before = np.cumsum([0] + [len(p.kind) for p in packs[:-1]])
    which = np.concatenate([p.which + k for p, k in zip(packs, before, strict=True)])
    geoms = np.empty(len(kind), dtype=object)
    geoms[kind == 0] = shapely.from_wkb(wkb) if len(wkb) else []
    if len(parts):
        lines = shapely.linestrings(xy, indices=np.repeat(np.arange(len(coords)), coords))
        line_of = np.repeat(np.arange(len(parts)), parts)  # each part's line
        kinds = kind[kind > 0]
        single = kinds == 1
        out = np.empty(len(parts), dtype=object)
        out[single] = lines[single[line_of]]
        if not single.all():
            multi = ~single[line_of]
            out[~single] = shapely.multilinestrings(
                lines[multi], indices=np.unique(line_of[multi], return_inverse=True)[1]
            )
        geoms[kind > 0] = out
    geometry = gpd.GeoSeries(geoms[which], index=plain.index, crs=first.crs)
    plain.insert(first.position, first.name, geometry)
    # copy=False: plain is this call's own frame (geopandas would copy every column).
    return gpd.GeoDataFrame(plain, geometry=first.name, crs=first.crs, copy=False)


def _concat(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Return the frames one after another (the one frame when there is one)."""
    return frames[0] if len(frames) == 1 else pd.concat(frames)


# --- per-thread GEOS objects ------------------------------------------------------

def _own_zones(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return this thread's deep copy of ``zones`` (:func:`geo.zones._parallel.own_zones`)."""
    from geo.zones._parallel import own_zones

    return own_zones(zones)


# --- partitions -------------------------------------------------------------------


def _transfer_order(legs: pd.DataFrame) -> tuple[np.ndarray | None, np.ndarray]:
    """Rows grouped by transfer, and the positions where a transfer starts.

    Returns ``(order, starts)``: ``order`` (None when the legs already come
    transfer by transfer, as the ledger gives them) is a stable permutation
    putting each transfer's legs together in order of first appearance;
    ``starts`` are the positions, in that order, where a transfer begins.
    """
    n = len(legs)
    if col.TRANSFER_ID not in legs:
        return None, np.arange(n)
    codes, _ = pd.factorize(legs[col.TRANSFER_ID], use_na_sentinel=False)
    order = None
    if np.any(np.diff(codes) < 0):
        order = np.argsort(codes, kind="stable")
        codes = codes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    return order, starts


def _pieces(
    legs: pd.DataFrame, partitions: int, *, first_share: float = 1.0
) -> tuple[list[pd.DataFrame], np.ndarray | None]:
    """About ``partitions`` slices of the legs, each holding whole transfers.

    ``first_share``: the first slice's size relative to each other one.
    """
    order, starts = _transfer_order(legs)
    grouped = legs if order is None else legs.iloc[order]
    edges = np.r_[starts, len(legs)]  # a cut may fall only on these
    shares = np.r_[first_share, np.ones(partitions - 1)]
    want = np.cumsum(shares)[:-1] / shares.sum() * len(legs)
    bounds = np.unique(np.r_[0, edges[np.searchsorted(edges, want)], len(legs)])
    return [grouped.iloc[a:b] for a, b in itertools.pairwise(bounds)], order


def _unsorted(
    out_legs: gpd.GeoDataFrame, segments: gpd.GeoDataFrame, order: np.ndarray
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Put legs and segments computed in ``order`` back in the legs' order."""
    back = np.argsort(order, kind="stable")
    # Every leg has segments, the first with SEGMENT_ORDER 0: number them.
    leg_of = np.cumsum(segments[col.SEGMENT_ORDER].to_numpy() == 0) - 1
    if len(segments) and leg_of[-1] != len(order) - 1:
        msg = f"{leg_of[-1] + 1} legs have segments, expected {len(order)}: cannot reorder"
        raise RuntimeError(msg)
    by_leg = np.argsort(order[leg_of], kind="stable")
    return out_legs.iloc[back], segments.iloc[by_leg]
