"""Legs that put the same question to the zones, answered once.

A leg's zones and factions (:func:`geo.zones.attribute_legs`) and its
segments (:func:`geo.zones.split_by_zone`) depend on its line, the
coordinates, precision and alternatives of its ends, its length, and on
where its first and last days fall among the zones' dates: the code only
ever compares a leg's days with a zone's first or last day (or the day
after it), never prints them.  Legs that agree on all of that get the same
answers, so each class of such legs is answered once, by its first leg,
and the answers are copied to the others (the segments' geometries are
then the same objects).  A flight-tracking ledger repeats a few hundred
routes: the synthetic 100,000-leg ledger of the benchmarks has 1,870
classes.

The line counts as the same only when it is the same Python object
(:func:`geo.lines.geodesic_lines` gives the legs of one route one
LineString): equal lines drawn apart are answered apart.  Either way the
answers are those of answering every leg on its own (tests compare both).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import columns as C  # noqa: N812
from geo.distinct import addresses
from geo.zones._common import _FOREVER, _NAT, IntArray, _days
from geo.zones._legs import _leg_days
from geo.zones._shared import _geometry_array

__all__ = ["broadcast_legs", "broadcast_segments", "leg_classes"]

#: Columns besides the line and the days that a leg's answers depend on.
KEY_COLUMNS = (
    C.FROM_LON,
    C.FROM_LAT,
    C.TO_LON,
    C.TO_LAT,
    C.FROM_PRECISION,
    C.TO_PRECISION,
    C.FROM_ALT_POINTS,
    C.TO_ALT_POINTS,
    C.FROM_ALT_NAMES,
    C.TO_ALT_NAMES,
    C.LENGTH_KM,
)
#: Fewest legs grouped into classes (below, answering each costs less than grouping).
MIN_LEGS = 2_000
#: Most classes per leg for grouping to pay.
MAX_SHARE = 0.5


def day_classes(days: IntArray, zones: gpd.GeoDataFrame) -> IntArray:
    """Each day's class: days of one class compare alike with every zone date.

    The marks are each zone's first day, its last day (open end: far
    future), the day before the first and after the last, and the missing
    day; two days are in one class when they equal the same mark or lie
    strictly between the same two marks.
    """
    first = _days(zones[C.VALID_FROM], open_end=False)
    last = _days(zones[C.VALID_TO], open_end=True)
    first = first[first != _NAT]
    marks = np.unique(np.concatenate([first, first - 1, last, last + 1, [_NAT, _FOREVER]]))
    left = np.searchsorted(marks, days, side="left")
    right = np.searchsorted(marks, days, side="right")
    return 2 * left.astype(np.int64) + (right > left)


def leg_classes(
    lines: gpd.GeoDataFrame, zones: gpd.GeoDataFrame
) -> tuple[IntArray, IntArray] | None:
    """Return the classes of legs that get the same answers, when grouping them pays.

    Returns
    -------
    (first, cls) or None
        ``first``: position of each class's first leg, ascending; ``cls``:
        each leg's class (an index into ``first``).  None for fewer than
        :data:`MIN_LEGS` legs, legs without dates, a key column that cannot
        be compared, or more than :data:`MAX_SHARE` classes per leg.

    """
    n = len(lines)
    if n < MIN_LEGS or C.DATE_START not in lines or C.DATE_END not in lines:
        return None
    start, stop = _leg_days(lines)
    parts: list[object] = [
        addresses(_geometry_array(lines)).view(np.int64),
        day_classes(start, zones),
        day_classes(stop, zones),
    ]
    for name in KEY_COLUMNS:
        if name not in lines:
            continue
        values = lines[name]
        if values.dtype == np.float64:
            parts.append(values.to_numpy().view(np.int64))  # bit for bit
        else:
            parts.append(values)
    # One running class number, renumbered after each part (pandas numbers
    # values in order of first appearance, so classes follow their first leg).
    cls = np.zeros(n, dtype=np.int64)
    for part in parts:
        try:
            codes, uniques = pd.factorize(part)
        except TypeError:  # an unhashable value: no grouping
            return None
        cls = cls * (len(uniques) + 1) + (codes.astype(np.int64) + 1)  # -1 (missing) -> 0
        cls, uniques = pd.factorize(cls)
        if len(uniques) > MAX_SHARE * n:
            return None
    first = np.zeros(len(uniques), dtype=np.int64)
    first[cls[::-1]] = np.arange(n - 1, -1, -1)  # the last write is the first leg
    return first, cls.astype(np.int64)


def broadcast_legs(
    lines: gpd.GeoDataFrame, answered: gpd.GeoDataFrame, cls: IntArray, added: list[str]
) -> gpd.GeoDataFrame:
    """Return ``lines`` with the columns ``added`` of each class's answer (one row a class)."""
    out = lines.copy(deep=False)  # only whole columns are set below
    for name in added:
        column = answered[name]
        out[name] = pd.Series(column.array.take(cls), index=out.index, dtype=column.dtype)
    return out


def broadcast_segments(
    lines: gpd.GeoDataFrame, answered: gpd.GeoDataFrame, cls: IntArray
) -> gpd.GeoDataFrame:
    """Each leg's segments: its class's (``answered``), with the leg's own ids."""
    order = answered[C.SEGMENT_ORDER].to_numpy()
    starts = np.flatnonzero(order == 0)  # every leg has a row, its first numbered 0
    counts = np.diff(np.r_[starts, len(order)])
    per_leg = counts[cls]
    total = int(per_leg.sum())
    leg = np.repeat(np.arange(len(cls)), per_leg)
    before = np.cumsum(per_leg) - per_leg
    take = np.repeat(starts[cls] - before, per_leg) + np.arange(total)
    out = answered.take(take).reset_index(drop=True)
    for name in (C.TRANSFER_ID, C.LEG):
        if name in out and name in lines:
            out[name] = lines[name].array.take(leg)  # as _split_by_zone writes them
    return out
