"""Facts about whole legs: their days, their ends, ``CROSSES_FRONT`` and ``FROM_OUTSIDE``."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo import columns as C  # noqa: N812
from geo import settings
from geo._threadcache import SharedCache
from geo.countries import countries_at
from geo.zones._common import (
    _NAT,
    IntArray,
    ObjArray,
    _col,
    _days,
    _xy,
)

# --- legs -------------------------------------------------------------------------


def _leg_days(lines: pd.DataFrame) -> tuple[IntArray, IntArray]:
    s = _days(lines[C.DATE_START], open_end=False)
    e = _days(lines[C.DATE_END], open_end=False)
    bad = (s == _NAT) | (e == _NAT)
    s[bad] = _NAT
    e[bad] = _NAT
    return s, e


def _ends(lines: pd.DataFrame) -> tuple[npt.NDArray[np.float64], ...]:
    """(x0, y0, x1, y1): the ledger's coordinates, else the line's ends."""
    if all(col in lines for col in (C.FROM_LON, C.FROM_LAT, C.TO_LON, C.TO_LAT)):
        return (*_xy(lines, C.FROM_LON, C.FROM_LAT), *_xy(lines, C.TO_LON, C.TO_LAT))
    geoms = lines.geometry.values
    first = shapely.get_point(geoms, 0)
    last = shapely.get_point(geoms, -1)
    return shapely.get_x(first), shapely.get_y(first), shapely.get_x(last), shapely.get_y(last)


def _from_outside(x0: Any, y0: Any, x1: Any, y1: Any) -> pd.arrays.BooleanArray:
    n = len(x0)
    x = np.asarray(np.concatenate([x0, x1]), dtype=float)
    y = np.asarray(np.concatenate([y0, y1]), dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    iso = np.full(2 * n, "", dtype=object)
    if ok.any():
        # Legs run between a few places: look each place up once.
        # (x, y) as one complex number: a 1-d unique, ~10x faster than axis=0.
        uxy, inv = np.unique(x[ok] + 1j * y[ok], return_inverse=True)
        found = countries_at(shapely.points(uxy.real, uxy.imag)).to_numpy()
        iso[ok] = found[inv.ravel()]
    a, b = iso[:n], iso[n:]
    known = (a != "") & (b != "")
    flag = pd.array(a != b, dtype="boolean")
    flag[~known] = pd.NA
    return flag


_OPPOSING = frozenset("|".join(sorted(pair)) for pair in settings.OPPOSING_FACTIONS)


def _front_zones(zones: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Zones with a zone of an opposing faction in the same country."""
    return np.asarray(_opposing(zones).any(axis=1), dtype=bool)


def _opposing(zones: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """(zone, zone) matrix: zones of opposing factions in the same country (read-only).

    Depends on the zones' countries and factions only: computed once for
    each list of them (a few calls per ledger would each join the zones).
    """
    country, faction = _col(zones, C.ZONE_COUNTRY), _col(zones, C.FACTION)
    key = (tuple(country.tolist()), tuple(faction.tolist()))
    return _OPPOSING_CACHE.get(key, lambda: _opposing_pairs(country, faction))  # type: ignore[no-any-return]


#: Opposing-zone matrices by the zones' countries and factions (arrays only: shared by threads).
_OPPOSING_CACHE: SharedCache = SharedCache()


def _opposing_pairs(country: ObjArray, faction: ObjArray) -> npt.NDArray[np.bool_]:
    z = pd.DataFrame({"pos": np.arange(len(country)), "c": country, "f": faction})
    z = z[z["c"].notna() & z["f"].notna()]
    pairs = z.merge(z, on="c")
    pairs = pairs[pairs["f_x"] != pairs["f_y"]]
    lo = np.where(pairs["f_x"] < pairs["f_y"], pairs["f_x"], pairs["f_y"]).astype(str)
    hi = np.where(pairs["f_x"] < pairs["f_y"], pairs["f_y"], pairs["f_x"]).astype(str)
    hit = pd.Series(lo + "|" + hi).isin(_OPPOSING).to_numpy()
    out = np.zeros((len(country), len(country)), dtype=bool)
    out[pairs["pos_x"].to_numpy()[hit], pairs["pos_y"].to_numpy()[hit]] = True
    return out


def _crosses_front(
    rows: IntArray, z: IntArray, zones: pd.DataFrame, n: int
) -> npt.NDArray[np.bool_]:
    """Legs (of ``n``) that pass through two zones of opposing factions of one country.

    ``rows``, ``z``: each leg and a zone (position in ``zones``) it passes through.
    """
    out = np.zeros(n, dtype=bool)
    opp = _opposing(zones)
    if not len(rows) or not opp.any():
        return out
    nz = len(zones)
    if nz <= 64:
        # one bit per zone: the zones each leg meets, and those facing each zone
        bit = np.left_shift(np.uint64(1), np.arange(nz, dtype=np.uint64))
        facing = np.bitwise_or.reduce(np.where(opp, bit[None, :], np.uint64(0)), axis=1)
        met = np.zeros(n, dtype=np.uint64)
        np.bitwise_or.at(met, rows, bit[z])
        hit = (met[rows] & facing[z]) != 0
        out[rows[hit]] = True
        return out
    keys = np.unique(rows.astype(np.int64) * nz + z)
    # each (leg, zone) with every zone facing it: is that pair met too?
    za, zb = np.nonzero(opp)
    first = np.searchsorted(za, np.arange(nz))
    cnt = np.bincount(za, minlength=nz)
    kz = keys % nz
    rep = np.repeat(np.arange(len(keys)), cnt[kz])
    other = zb[np.repeat(first[kz] - (np.cumsum(cnt[kz]) - cnt[kz]), cnt[kz]) + np.arange(len(rep))]
    want = (keys[rep] // nz) * nz + other
    hit = np.isin(want, keys, assume_unique=False)
    out[keys[rep[hit]] // nz] = True
    return out
