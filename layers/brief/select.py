"""What a briefing shows: the as-of date (read like a ledger date), the legs and zones kept."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from geo import columns as col
from geo._errors import MovemapError

__all__ = ["filter_dataset", "parse_as_of"]


def parse_as_of(value: str | pd.Timestamp | None) -> pd.Timestamp | None:
    """Read an as-of date written like a ledger date; a month means its last day.

    Parameters
    ----------
    value
        ``"2020-06-30"``, ``"2020-06"``, ``"2020"``, a Timestamp, or None.

    Returns
    -------
    pandas.Timestamp or None
        The last day the value covers.

    Raises
    ------
    MovemapError
        If the value is not a date movemap reads.

    """
    if value is None or isinstance(value, pd.Timestamp):
        return value
    from geo.dates import parse_dates

    parsed = parse_dates([str(value)])
    end = parsed[col.DATE_END].iloc[0]
    if pd.isna(end):
        msg = f"--as-of: cannot read {value!r} as a date; write it like 2020-06-30 or 2020-06"
        raise MovemapError(msg)
    return pd.Timestamp(end)


def filter_dataset(
    dataset: Any, *, as_of: pd.Timestamp | None = None, zone: str | None = None
) -> Any:
    """Keep the legs a briefing is about.

    Parameters
    ----------
    dataset
        A :class:`geo.dataset.Dataset`.
    as_of
        Keep legs that could have started by this date
        (``DATE_START <= as_of``).
    zone
        Keep legs starting, ending or passing through this zone (zone id
        or exact label).

    Returns
    -------
    geo.dataset.Dataset
        A copy holding the kept legs, their segments and the places they
        touch. Zones are all kept, so every map of every pack gives a
        faction the same colour; maps pick the zones valid on their date.

    Raises
    ------
    MovemapError
        If ``zone`` names no zone (the message lists the ids).

    """
    legs, segments = dataset.legs, dataset.segments
    keep = pd.Series(True, index=legs.index)
    if as_of is not None:
        keep &= pd.to_datetime(legs[col.DATE_START]) <= as_of
    if zone is not None:
        zone_id = _zone_id(dataset.zones, zone)
        through = segments[segments[col.ZONE_ID] == zone_id]
        passing = pd.MultiIndex.from_arrays([through[col.TRANSFER_ID], through[col.LEG]])
        key = pd.MultiIndex.from_arrays([legs[col.TRANSFER_ID], legs[col.LEG]])
        touches = (legs[col.FROM_ZONE] == zone_id) | (legs[col.TO_ZONE] == zone_id)
        keep &= touches | pd.Series(key.isin(passing), index=legs.index)
    legs = legs[keep.to_numpy()]
    kept = pd.MultiIndex.from_arrays([legs[col.TRANSFER_ID], legs[col.LEG]])
    seg_key = pd.MultiIndex.from_arrays([segments[col.TRANSFER_ID], segments[col.LEG]])
    segments = segments[seg_key.isin(kept)]
    used = set(legs[col.FROM_ID].dropna()) | set(legs[col.TO_ID].dropna())
    places = dataset.places[dataset.places[col.PLACE_ID].isin(used)]
    return dataclasses.replace(dataset, legs=legs, segments=segments, places=places)


def _zone_id(zones: pd.DataFrame, zone: str) -> str:
    if (zones[col.ZONE_ID] == zone).any():
        return zone
    by_label = zones[zones[col.ZONE_LABEL] == zone]
    if len(by_label) == 1:
        return str(by_label[col.ZONE_ID].iloc[0])
    ids = ", ".join(sorted(map(str, zones[col.ZONE_ID])))
    msg = f"--zone: no zone {zone!r} in zones.geojson; use one of: {ids}"
    raise MovemapError(msg)
