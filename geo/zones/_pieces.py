"""Pieces of legs: their geodesic km, their parts, merged per zone, overlaps resolved."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo.zones._common import _GEOD, IntArray, ObjArray


def _geodesic_km(parts: ObjArray) -> npt.NDArray[np.float64]:
    """Geodesic length (km) of each LineString, on arrays."""
    xy, idx = shapely.get_coordinates(parts, return_index=True)
    same = idx[1:] == idx[:-1]
    if not same.any():
        return np.zeros(len(parts))
    a, b = xy[:-1][same], xy[1:][same]
    _, _, dist = _GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    return np.bincount(idx[1:][same], weights=dist, minlength=len(parts)) / 1000.0


def _line_parts(geoms: ObjArray) -> tuple[ObjArray, IntArray]:
    parts, idx = shapely.get_parts(geoms, return_index=True)
    while (shapely.get_type_id(parts) == 7).any():
        parts, sub = shapely.get_parts(parts, return_index=True)
        idx = idx[sub]
    parts, sub = shapely.get_parts(parts, return_index=True)
    idx = idx[sub]
    keep = (shapely.get_type_id(parts) == 1) & (shapely.get_num_coordinates(parts) > 1)
    return parts[keep], idx[keep]


def _merge_parts(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (leg, zone): parts joined, km summed, first position."""
    if df.empty:
        return pd.DataFrame({"row": [], "z": [], "km": [], "geom": [], "pos": []})
    df = df.sort_values(["row", "z", "pos"], kind="stable")
    grp = df.groupby(["row", "z"], sort=False)
    code = grp.ngroup().to_numpy()
    agg = grp.agg(km=("km", "sum"), pos=("pos", "min")).reset_index()
    multi = shapely.multilinestrings(df["geom"].to_numpy(), indices=code)
    agg["geom"] = shapely.line_merge(multi)
    return agg


def _resolve_overlaps(
    seg: pd.DataFrame, total: npt.NDArray[np.float64], area: Any, ids: ObjArray
) -> pd.DataFrame:
    """Where zones overlap (contested), keep each stretch in the smallest zone only."""
    if seg.empty:
        return seg
    # Legs whose km inside zones may exceed their length: a plain sum tested
    # 1e-6 km below the bound (far beyond its rounding) picks them; pandas'
    # (compensated) sum of their rows then decides, as for every leg before.
    rows = seg["row"].to_numpy()
    ur, inv = np.unique(rows, return_inverse=True)
    rough = np.bincount(inv, weights=seg["km"].to_numpy(float))
    maybe = ur[rough > total[ur] * (1 + 1e-9)]
    if not len(maybe):
        return seg
    sums = seg[np.isin(rows, maybe)].groupby("row")["km"].sum()
    over = sums.index[(sums.to_numpy() > total[sums.index] * (1 + 1e-9) + 1e-6)].to_numpy()
    if not len(over):
        return seg
    # Each leg's stretches from the smallest zone (then by id) up: a stretch
    # keeps what the smaller zones before it did not cover.
    pos = np.flatnonzero(np.isin(rows, over))
    zi = seg["z"].to_numpy(np.int64)[pos]
    id_rank = np.argsort(np.argsort(ids, kind="stable"), kind="stable")
    pos = pos[np.lexsort((id_rank[zi], area[zi], rows[pos]))]  # stable, as sort_values
    prow = rows[pos]
    at = np.arange(len(pos))
    first = np.r_[True, prow[1:] != prow[:-1]]
    rank = at - np.maximum.accumulate(np.where(first, at, 0))
    covered = np.full(len(over), None, dtype=object)
    geoms = seg["geom"].to_numpy(dtype=object)[pos]
    slot = np.searchsorted(over, prow)
    for r in range(int(rank.max()) + 1):  # a few ranks, each vectorized
        at = rank == r
        cov = covered[slot[at]]
        orig = geoms[at]
        has = ~shapely.is_missing(cov)
        newg = orig.copy()
        newg[has] = shapely.difference(orig[has], shapely.buffer(cov[has], 1e-7))
        geoms[at] = newg
        merged = orig.copy()
        merged[has] = shapely.union(cov[has], orig[has])
        covered[slot[at]] = merged
    parts, idx = _line_parts(geoms)
    km = np.bincount(idx, weights=_geodesic_km(parts), minlength=len(pos))
    out = seg.copy()
    g = out["geom"].to_numpy(dtype=object).copy()
    g[pos] = geoms
    k = out["km"].to_numpy(float).copy()
    k[pos] = km
    out["geom"], out["km"] = g, k
    keep = np.ones(len(out), dtype=bool)
    keep[pos[~(km > 0)]] = False  # covered whole by smaller zones
    return out[keep]
