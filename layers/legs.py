"""The legs layer: every ledger leg as a styled geodesic line.

One canvas-rendered group per status (not one object per leg in the
HTML); colour by actor, dash by status, faded when an end is an unknown
stop or a coarse point, an arrowhead for direction (drawn by the page in
screen pixels, so it keeps its size at every zoom) and a number on each
leg of a multi-leg route.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from folium.template import Template
from geopandas import GeoDataFrame

from geo import columns as col
from layers._element import MovemapElement
from layers.payload import flat_parts

__all__ = [
    "LEG_TEXT_COLUMNS",
    "STUB_KM",
    "LegsLayer",
    "leg_zone_sets",
    "legs_payload",
    "with_stubs",
]

#: Text columns shipped to the page (popup and tooltip fields).
LEG_TEXT_COLUMNS: tuple[str, ...] = (
    col.TRANSFER_ID,
    col.FROM_ID,
    col.TO_ID,
    col.FROM_NAME,
    col.TO_NAME,
    col.DATE,
    col.DATE_PRECISION,
    col.EQUIPMENT,
    col.CATEGORY,
    col.QUANTITY,
    col.ACTOR,
    col.ACTOR_GROUP,
    col.MODE,
    col.CARRIER,
    col.CARRIER_ID,
    col.LINE_METHOD,
    col.STATUS,
    col.SOURCE_IDS,
    col.NOTE,
    col.FROM_FACTION,
    col.TO_FACTION,
    col.FROM_ZONE,
    col.TO_ZONE,
    col.CONTROL_NOTE,
)

#: Douglas-Peucker tolerance (degrees) for drawn legs: ~1 km, below a
#: pixel up to zoom 7; keeps 100k-leg files small.
LINE_TOLERANCE = 0.01
#: Decimal places of drawn coordinates (~10 m).
LINE_DIGITS = 4
#: Above this many numbered legs the numbers move to popups only: each
#: number is a DOM marker, and thousands of them make panning stutter.
MAX_LEG_NUMBERS = 2000
#: Where along a leg (fraction of its length) its number is drawn.
NUMBER_AT = 0.3


#: Length of the stub drawn for a leg with only one locatable end.
STUB_KM = 250.0
#: Bearing (degrees) the stub takes from the known end towards the unknown one.
STUB_BEARING = 0.0


def with_stubs(legs: GeoDataFrame, places: pd.DataFrame) -> GeoDataFrame:
    """Give a leg with one locatable end a short stub at that end.

    A leg whose other end is an unnamed stop with no locatable neighbour
    has no line (``geo.lines`` never invents a place).  So that every leg
    is visible, it is drawn as a :data:`STUB_KM` geodesic stub starting
    (or ending) at its known end, pointing :data:`STUB_BEARING`, with
    :data:`geo.columns.LINE_METHOD` ``"stub"`` and flagged uncertain; the
    popup says the other end was not reported.

    Parameters
    ----------
    legs
        Dataset legs.
    places
        Gazetteer points (indexed by place id, LAT/LON columns).

    Returns
    -------
    geopandas.GeoDataFrame
        ``legs`` (a copy when a stub was added).

    """
    import shapely
    from pyproj import Geod

    from geo import settings

    geoms = legs.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if not missing.any():
        return legs
    legs = legs.copy()
    if col.LINE_METHOD not in legs:
        legs[col.LINE_METHOD] = pd.Series("geodesic", index=legs.index, dtype=object).where(
            ~missing, None
        )
    geod = Geod(ellps=settings.ELLPS)
    for pos in np.flatnonzero(missing):
        row = legs.iloc[pos]
        ends = []
        for id_col in (col.FROM_ID, col.TO_ID):
            pid = row.get(id_col)
            if isinstance(pid, str) and pid in places.index:
                ends.append((float(places.at[pid, col.LON]), float(places.at[pid, col.LAT])))
            else:
                ends.append(None)
        if (ends[0] is None) == (ends[1] is None):
            continue  # no end, or both ends, located: nothing to stub
        known = ends[0] or ends[1]
        lon, lat, _ = geod.fwd(known[0], known[1], STUB_BEARING, STUB_KM * 1000.0)
        npts = geod.npts(known[0], known[1], lon, lat, 8)
        line = [known, *npts, (lon, lat)]
        if ends[0] is None:  # unknown origin: the stub arrives at the known end
            line = line[::-1]
        legs.iloc[pos, legs.columns.get_loc(legs.geometry.name)] = shapely.linestrings(line)
        legs.iloc[pos, legs.columns.get_loc(col.LINE_METHOD)] = "stub"
        legs.iloc[pos, legs.columns.get_loc(col.UNCERTAIN)] = True
    return legs


def leg_zone_sets(legs: pd.DataFrame, segments: pd.DataFrame, zones: pd.DataFrame) -> pd.Series:
    """Zones each leg starts in, ends in or passes through, as of its date.

    Parameters
    ----------
    legs
        Dataset legs (FROM_ZONE, TO_ZONE, DATE_START, DATE_END).
    segments
        Legs split at zone boundaries (TRANSFER_ID, LEG, ZONE_ID).
    zones
        Zones (ZONE_ID, VALID_FROM, VALID_TO).

    Returns
    -------
    pandas.Series
        Aligned with ``legs``: a sorted tuple of zone ids per leg;
        :data:`geo.columns.OUTSIDE_ZONES` stands for "not in a mapped zone".

    """
    known = set(zones[col.ZONE_ID].astype(str))
    n = len(legs)
    rows = [np.arange(n), np.arange(n)]
    values = [legs[col.FROM_ZONE].to_numpy(dtype=object), legs[col.TO_ZONE].to_numpy(dtype=object)]
    if len(segments) and col.ZONE_ID in segments:
        seg_pos, seg_row = _segment_rows(legs, segments)
        seg_zone = segments[col.ZONE_ID].to_numpy(dtype=object)[seg_pos]
        # A segment counts only if its zone was valid while the leg happened
        # (a segment in no zone, or in a zone the table lacks, counts: outside).
        start = pd.to_datetime(legs[col.DATE_START].to_numpy(), errors="coerce").to_numpy()
        end = pd.to_datetime(legs[col.DATE_END].to_numpy(), errors="coerce").to_numpy()
        start, end = start[seg_row], end[seg_row]
        valid_from = pd.to_datetime(zones[col.VALID_FROM].to_numpy(), errors="coerce").to_numpy()
        valid_to = pd.to_datetime(zones[col.VALID_TO].to_numpy(), errors="coerce").to_numpy()
        codes, ids = pd.factorize(seg_zone)  # None and NaN: -1, in no zone record
        listed = np.zeros(len(seg_zone), dtype=bool)
        keep = np.zeros(len(seg_zone), dtype=bool)
        for zone_id, vf, vt in zip(
            zones[col.ZONE_ID].astype(str).tolist(), valid_from, valid_to, strict=True
        ):
            same = np.isin(codes, np.flatnonzero(np.asarray(ids, dtype=object) == zone_id))
            listed |= same
            overlaps = (np.isnat(vf) | (vf <= end)) & (np.isnat(vt) | (vt >= start))
            keep |= same & overlaps
        keep |= ~listed
        rows.append(seg_row[keep])
        values.append(seg_zone[keep])
    # Each zone value as text ("outside" for a missing one or one of no mapped zone).
    codes, uniques = pd.factorize(np.concatenate(values))
    text = np.array(
        [*(str(v) if str(v) in known else col.OUTSIDE_ZONES for v in uniques), col.OUTSIDE_ZONES],
        dtype=object,
    )
    names = sorted(set(text.tolist()))
    rank = np.array([names.index(t) for t in text.tolist()], dtype=np.int64)
    # Distinct (row, zone) pairs, by row then zone name: flags over every
    # possible pair (a few per leg), not np.unique (numpy 2.4 hashes ints
    # there, ~80x slower than this for 400k pairs).
    present = np.zeros(n * len(names), dtype=bool)
    present[np.concatenate(rows) * len(names) + rank[codes]] = True
    pairs = np.flatnonzero(present)
    return pd.Series(
        _row_tuples(pairs // len(names), pairs % len(names), names, n),
        index=legs.index,
        dtype=object,
    )


def _segment_rows(legs: pd.DataFrame, segments: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (segment position, leg position) of equal transfer id and leg number.

    As an inner join of the two tables on both keys (a missing key matches
    a missing key), in no particular order.
    """
    def codes(column: str) -> np.ndarray:
        both = np.concatenate(
            [legs[column].to_numpy(dtype=object), segments[column].to_numpy(dtype=object)]
        )
        return pd.factorize(both, use_na_sentinel=False)[0].astype(np.int64)

    leg_no = codes(col.LEG)
    key = codes(col.TRANSFER_ID) * (int(leg_no.max(initial=0)) + 1) + leg_no
    leg_key, seg_key = key[: len(legs)], key[len(legs) :]
    index = pd.Index(leg_key)
    if index.is_unique:  # as the ledger makes them
        row = index.get_indexer(seg_key)
        found = np.flatnonzero(row >= 0)
        return found, row[found]
    pairs = pd.DataFrame({"k": seg_key, "s": np.arange(len(seg_key))}).merge(
        pd.DataFrame({"k": leg_key, "r": np.arange(len(leg_key))}), on="k"
    )
    return pairs["s"].to_numpy(), pairs["r"].to_numpy()


def _row_tuples(rows: np.ndarray, codes: np.ndarray, names: list[str], n: int) -> np.ndarray:
    """Each row's zone names as a tuple, from (row, name code) pairs sorted by both.

    Vectorized: the rows' zone-code sequences are padded into a matrix
    whose distinct rows (few: legs share zone combinations) become tuples
    once, instead of one Python tuple per group (3 s for 100k legs).
    """
    out = np.empty(n, dtype=object)
    empty = (col.OUTSIDE_ZONES,)
    out[:] = [empty] * n
    if not len(rows):
        return out
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    sizes = np.diff(np.r_[starts, len(rows)])
    pos = np.arange(len(rows)) - np.repeat(starts, sizes)
    matrix = np.full((len(starts), int(sizes.max())), -1, dtype=np.int64)
    matrix[np.repeat(np.arange(len(starts)), sizes), pos] = codes
    base = len(names) + 1
    if base ** matrix.shape[1] < 2**62:  # each row as one integer: a 1-d unique is faster
        key = ((matrix + 1) * base ** np.arange(matrix.shape[1], dtype=np.int64)).sum(axis=1)
        _, first, which = np.unique(key, return_index=True, return_inverse=True)
        combos = matrix[first]
    else:
        combos, which = np.unique(matrix, axis=0, return_inverse=True)
    tuples = np.empty(len(combos), dtype=object)
    tuples[:] = [tuple(names[c] for c in combo if c >= 0) for combo in combos]
    out[rows[starts]] = tuples[which.reshape(-1)]
    return out


def legs_payload(
    legs: GeoDataFrame,
    zone_sets: pd.Series,
    zone_keys: dict[str, int],
    *,
    colours: dict[str, str] | None = None,
    shared_geom: bool = False,
) -> dict[str, Any]:
    """Build the page data for the legs layer.

    Parameters
    ----------
    legs
        Dataset legs (one row per leg, geometry = geodesic LineString).
    zone_sets
        Output of :func:`leg_zone_sets` aligned with ``legs``.
    zone_keys
        Zone id -> position in the page's zone list (unused ids dropped).
    colours
        Colour key -> colour; defaults to :func:`layers.style.leg_colours`.
    shared_geom
        Dictionary-encode the lines (WebGL maps, :mod:`layers.webgl`):
        legs drawn along the same line (same ends and route) share one
        entry of ``geom_u``; ``geom_c`` gives each leg's entry (-1: none).

    Returns
    -------
    dict
        ``n``, ``cols`` (dictionary-encoded columns), ``geom`` (or
        ``geom_u`` and ``geom_c``), ``mid`` (where a multi-leg route's leg
        number sits), ``zones`` and ``actor_colour``.

    """
    from layers.legcols import encode_legs

    encoded = encode_legs(legs, zone_sets, zone_keys)
    return encoded.payload(legs, colours=colours, shared_geom=shared_geom)


def _leg_lines(
    geoms: np.ndarray, *, shared_geom: bool
) -> tuple[np.ndarray | None, list[Any] | None, list[Any]]:
    """Line codes, distinct lines' parts and each leg's parts (codes and parts: shared only)."""
    if not shared_geom:
        return None, None, flat_parts(geoms, tolerance=LINE_TOLERANCE, ndigits=LINE_DIGITS)
    codes, uniq = _line_codes(geoms)
    geom_u = flat_parts(uniq, tolerance=LINE_TOLERANCE, ndigits=LINE_DIGITS)
    return codes, geom_u, [None if c < 0 else geom_u[c] for c in codes]


def _line_codes(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of identical lines (-1 for none) and the distinct lines.

    Lines are grouped by a cheap key (vertex count, length, bounds, first
    vertex), then
    each is checked vertex for vertex against its group's first line; a key
    shared by different lines falls back to their WKB.
    """
    import shapely

    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    codes = np.full(len(geoms), -1, dtype=np.int64)
    ok = np.flatnonzero(~missing)
    if not len(ok):
        return codes, geoms[:0]
    g = geoms[ok]
    key = pd.DataFrame(shapely.bounds(g), columns=["x0", "y0", "x1", "y1"])
    key["n"] = shapely.get_num_coordinates(g)
    key["len"] = shapely.length(g)
    xy, owner = shapely.get_coordinates(g, return_index=True)
    start = xy[np.searchsorted(owner, np.arange(len(g)))]  # each line's first vertex
    key["sx"], key["sy"] = start[:, 0], start[:, 1]  # a line and its reverse differ
    group = key.groupby(list(key.columns), sort=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(g))).groupby(group).transform("first").to_numpy()
    if not shapely.equals_exact(g, g[first], tolerance=0).all():
        wkb = pd.Series(shapely.to_wkb(g), dtype=object)
        group = pd.factorize(wkb)[0]
        first = pd.Series(np.arange(len(g))).groupby(group).transform("first").to_numpy()
    # Number distinct lines in order of first appearance.
    order, inverse = np.unique(first, return_inverse=True)
    codes[ok] = inverse
    return codes, g[order]


def _tuple_text(legs: pd.DataFrame, name: str, sep: str) -> pd.Series:
    if name not in legs.columns:
        return pd.Series("", index=legs.index, dtype=object)
    # Each distinct tuple joined once (most legs share a few values).
    codes, uniques = pd.factorize(legs[name].to_numpy(dtype=object))
    text = np.array(
        ["", *(sep.join(str(x) for x in t) if isinstance(t, tuple) else "" for t in uniques)],
        dtype=object,
    )
    return pd.Series(text[codes + 1], index=legs.index, dtype=object)


def _issue11_texts(legs: pd.DataFrame) -> dict[str, pd.Series]:
    """Popup texts of via points, alternative ends and candidate lengths."""
    out = {"via_names": _tuple_text(legs, col.VIA_NAMES, " \u2192 ")}
    for name_col, alt_col in ((col.FROM_NAME, col.FROM_ALT_NAMES), (col.TO_NAME, col.TO_ALT_NAMES)):
        alts = _tuple_text(legs, alt_col, " | ")
        if name_col in legs.columns:
            out[name_col] = legs[name_col].where(alts == "", "one of: " + alts)
    km = _tuple_text(legs, col.CANDIDATE_KM, " / ")
    out["candidate_km"] = km.where(km == "", "candidates " + km + " km; the shortest is counted")
    return out


class LegsLayer(MovemapElement):
    """Leaflet layer drawing every leg (one canvas group per status)."""

    _name = "Legs"
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        movemap.addLegs({{ this._parent.get_name() }}, {{ this.json() }});
        {% endmacro %}
        """
    )
