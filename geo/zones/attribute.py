"""Which zone and faction held places and legs' ends as of their dates."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo import columns as C  # noqa: N812
from geo import settings
from geo.countries import countries_at
from geo.zones._alternatives import alternative_ends
from geo.zones._common import (
    _FOREVER,
    _NAT,
    CHANGED,
    IntArray,
    ObjArray,
    _col,
    _days,
    _objects,
    _xy,
    no_gc,
)
from geo.zones._distinct import broadcast_legs, leg_classes
from geo.zones._legs import (
    _crosses_front,
    _ends,
    _from_outside,
    _front_zones,
    _leg_days,
)
from geo.zones._parallel import start
from geo.zones._shared import crossings
from geo.zones.read import read_zones
from geo.zones.split import met_pairs

__all__ = ["attribute_legs", "places_faction", "zones_at"]


def zones_at(zones: gpd.GeoDataFrame, at: object) -> gpd.GeoDataFrame:
    """Zones valid on day ``at`` (inclusive bounds)."""
    day = pd.Timestamp(at).normalize()  # type: ignore[arg-type]
    ok = (zones[C.VALID_FROM] <= day) & (zones[C.VALID_TO].isna() | (zones[C.VALID_TO] >= day))
    return zones[ok]


# --- points -----------------------------------------------------------------------


def _locate(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    start: IntArray,
    stop: IntArray,
    zones: gpd.GeoDataFrame,
    country: ObjArray | None = None,
) -> pd.DataFrame:
    """Zone and faction of points over day intervals [start, stop].

    Returns a DataFrame (positional index) with ZONE_ID, FACTION,
    ZONE_COUNTRY, CONTESTED and CONTROL_NOTE ("" when nothing to say).
    Points with NaN coordinates or dates get faction None and a note.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    out = _outside_answers(n)
    no_xy = ~(np.isfinite(x) & np.isfinite(y))
    no_day = (start == _NAT) | (stop == _NAT)
    out[C.FACTION][no_xy] = None
    out[C.CONTROL_NOTE][no_xy] = "no coordinates (unknown stop)"
    out[C.FACTION][~no_xy & no_day] = None
    out[C.CONTROL_NOTE][~no_xy & no_day] = "no date"
    good = ~no_xy & ~no_day
    if not good.any() or len(zones) == 0:
        return _frame(out)
    # The same place on the same dates is looked up once.
    gx, gy, gs, ge = x[good], y[good], start[good], stop[good]
    codes, once = _factorize_rows(gx, gy, gs, ge)
    ux, uy, us, ue = gx[once], gy[once], gs[once], ge[once]
    ucountry: ObjArray | None = None
    if country is not None:
        first = pd.Series(np.asarray(country, dtype=object)[good]).groupby(codes).first()
        ucountry = first.reindex(range(len(once))).to_numpy(dtype=object)
    res = _locate_unique(ux, uy, us, ue, zones, ucountry)
    for col in res.columns:
        out[col][good] = res[col].to_numpy()[codes]
    return _frame(out)


def _factorize_rows(*cols: npt.NDArray[np.generic]) -> tuple[IntArray, IntArray]:
    """Codes of the distinct rows of ``cols`` (in order of first appearance), first rows.

    As ``pd.MultiIndex.from_arrays(cols).factorize()`` without building tuples:
    each column is factorized (hashing), and the codes are combined pairwise.
    """
    code = np.zeros(len(cols[0]), dtype=np.int64)
    n_code = 1
    for col in cols:
        ci, uniq = pd.factorize(col)
        code, combined = pd.factorize(code * len(uniq) + ci)
        n_code = len(combined)
    first = np.empty(n_code, dtype=np.int64)
    first[code[::-1]] = np.arange(len(code) - 1, -1, -1)
    return code.astype(np.int64), first


def _locate_unique(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    start: IntArray,
    stop: IntArray,
    zones: gpd.GeoDataFrame,
    country: ObjArray | None,
) -> pd.DataFrame:
    zf = _days(zones[C.VALID_FROM], open_end=False)
    zt = _days(zones[C.VALID_TO], open_end=True)
    p, z = _in_zones(x, y, zones)
    live = (zf[z] <= stop[p]) & (zt[z] >= start[p])
    p, z = p[live], z[live]
    # Most points lie in no zone, or in one zone valid all through their
    # interval: their answer is that zone (or none), with nothing to note.
    n_in = np.bincount(p, minlength=len(x))
    one = (n_in[p] == 1) & (zf[z] <= start[p]) & (zt[z] >= stop[p])
    out = _outside_answers(len(x))
    for col, values in (
        (C.ZONE_ID, zones[C.ZONE_ID].to_numpy()),
        (C.FACTION, zones[C.FACTION].to_numpy()),
        (C.ZONE_COUNTRY, zones[C.ZONE_COUNTRY].to_numpy()),
        (C.CONTESTED, zones[C.CONTESTED].to_numpy(bool)),
    ):
        out[col][p[one]] = values[z[one]]
    # The others: the winner at every change of their zones in the interval.
    rest = np.flatnonzero(n_in > 0)
    rest = rest[~np.isin(rest, p[one])]
    new = np.full(len(x), -1, dtype=np.int64)
    new[rest] = np.arange(len(rest))
    sel = new[p] >= 0
    got = _timeline(
        x[rest], y[rest], start[rest], stop[rest], new[p[sel]], z[sel], zones,
        None if country is None else country[rest],
    )  # fmt: skip
    for col in got:
        out[col][rest] = got[col]
    return _frame(out)


def _timeline(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    start: IntArray,
    stop: IntArray,
    p: IntArray,
    z: IntArray,
    zones: gpd.GeoDataFrame,
    country: ObjArray | None,
) -> dict[str, Any]:
    """Answers for points (x, y) over [start, stop] in the zones ``z`` of pairs (p, z)."""
    n = len(x)
    zf = _days(zones[C.VALID_FROM], open_end=False)
    zt = _days(zones[C.VALID_TO], open_end=True)
    zgeom = zones.geometry.values
    area = shapely.area(zgeom)
    # On-boundary test only where a point meets more than one zone.
    multi = np.bincount(p, minlength=n)[p] > 1
    edge = np.zeros(len(p), dtype=bool)
    if multi.any():
        pts = shapely.points(x[p[multi]], y[p[multi]])
        edge[multi] = shapely.intersects(shapely.boundary(zgeom[z[multi]]), pts)
    mismatch = np.zeros(len(p), dtype=bool)
    if country is not None:
        mismatch = zones[C.ZONE_COUNTRY].to_numpy()[z] != country[p]
    pairs = pd.DataFrame(
        {
            "p": p,
            "z": z,
            "zf": zf[z],
            "zt": zt[z],
            "edge": edge,
            "mismatch": mismatch,
            "area": area[z],
            "id": zones[C.ZONE_ID].to_numpy()[z],
        }
    )
    # Instants at which the winner is evaluated: the interval start and
    # every start/end of one of the point's zones inside the interval.
    t_from = pairs["zf"].to_numpy()
    t_after = np.minimum(pairs["zt"].to_numpy(), _FOREVER - 1) + 1
    cand = np.concatenate([start, t_from, t_after])
    owner_p = np.concatenate([np.arange(n), p, p])
    inside = (cand >= start[owner_p]) & (cand <= stop[owner_p])
    inst = pd.DataFrame({"p": owner_p[inside], "t": cand[inside]}).drop_duplicates()
    ev = inst.merge(pairs, on="p")
    ev = ev[(ev["zf"] <= ev["t"]) & (ev["zt"] >= ev["t"])]
    ev = ev.sort_values(["p", "t", "mismatch", "edge", "area", "id"], kind="stable")
    fac = zones[C.FACTION].to_numpy()
    contested = zones[C.CONTESTED].to_numpy(bool)
    ev["faction"] = fac[ev["z"].to_numpy()]
    win = ev.drop_duplicates(["p", "t"])
    # Notes for instants where more than one zone holds the point.
    others = ev[ev.duplicated(["p", "t"])]
    note = pd.Series("", index=win.index, dtype=object)
    if len(others):
        others = others.merge(win[["p", "t", "z", "faction"]], on=["p", "t"], suffixes=("", "_w"))
        shown = others[
            (others["faction"] != others["faction_w"])
            | contested[others["z"]]
            | contested[others["z_w"]]
        ]
        if len(shown):
            kind = np.where(
                contested[shown["z"].to_numpy()] | contested[shown["z_w"].to_numpy()],
                "contested; also ",
                "on boundary with ",
            )
            text = kind + shown["id"].astype(str) + " (" + shown["faction"].astype(str) + ")"
            agg = text.groupby([shown["p"], shown["t"]]).agg("; ".join)
            keyed = pd.MultiIndex.from_frame(win[["p", "t"]])
            note = pd.Series(agg.reindex(keyed).fillna("").to_numpy(), index=win.index)
    win = win.assign(note=note.to_numpy())
    timeline = inst.merge(win[["p", "t", "z", "faction", "note"]], on=["p", "t"], how="left")
    timeline["faction"] = timeline["faction"].fillna(C.OUTSIDE_ZONES)
    timeline = timeline.sort_values(["p", "t"], kind="stable")
    n_fac = timeline.groupby("p")["faction"].nunique()
    first = timeline.drop_duplicates("p").set_index("p")
    out = _outside_answers(n)
    has = first["z"].notna()
    rows = first.index.to_numpy()[has.to_numpy()]
    zz = first.loc[has, "z"].to_numpy().astype(np.int64)
    out[C.ZONE_ID][rows] = zones[C.ZONE_ID].to_numpy()[zz]
    out[C.FACTION][rows] = fac[zz]
    out[C.ZONE_COUNTRY][rows] = zones[C.ZONE_COUNTRY].to_numpy()[zz]
    out[C.CONTESTED][rows] = contested[zz]
    out[C.CONTROL_NOTE][rows] = first.loc[has, "note"].fillna("").to_numpy()
    changed = n_fac.index[n_fac.to_numpy() > 1].to_numpy()
    if len(changed):
        tl = timeline[timeline["p"].isin(changed)].copy()
        # Collapse consecutive instants with the same faction, then describe.
        tl = tl[tl["faction"] != tl.groupby("p")["faction"].shift()]
        nxt = tl.groupby("p")["t"].shift(-1)
        t_day = tl["t"].to_numpy().astype("datetime64[D]").astype(str)
        end_day = np.where(
            nxt.isna(),
            "",
            (nxt.fillna(0).to_numpy(np.int64) - 1).astype("datetime64[D]").astype(str),
        )
        first_row = ~tl["p"].duplicated().to_numpy()
        piece = np.where(
            first_row, tl["faction"] + " to " + end_day, tl["faction"] + " from " + t_day
        )
        text = pd.Series(piece, index=tl.index).groupby(tl["p"]).agg(", ".join)
        at = text.index.to_numpy(np.int64)
        out[C.CONTROL_NOTE][at] = (CHANGED + ": " + text).to_numpy()
        for col in (C.ZONE_ID, C.FACTION, C.ZONE_COUNTRY):
            out[col][at] = None
        out[C.CONTESTED][at] = False
    return out


def _in_zones(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], zones: gpd.GeoDataFrame
) -> tuple[IntArray, IntArray]:
    """(point, zone) pairs: the points (x, y) in or on each zone.

    One prepared point-in-polygon test per zone for the points in its box:
    no point geometry is built.
    """
    zgeom = np.asarray(zones.geometry.values, dtype=object)
    shapely.prepare(zgeom)
    box = shapely.bounds(zgeom) if len(zgeom) else np.zeros((0, 4))
    ps, zs = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for zi, (x0, y0, x1, y1) in enumerate(box):
        sel = np.flatnonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
        if len(sel):
            sel = sel[shapely.intersects_xy(zgeom[zi], x[sel], y[sel])]
            ps.append(sel)
            zs.append(np.full(len(sel), zi, dtype=np.int64))
    return np.concatenate(ps), np.concatenate(zs)


def _precision_notes(
    located: pd.DataFrame,
    precision: npt.ArrayLike,
    country: ObjArray,
    zones: gpd.GeoDataFrame,
    start: IntArray,
    stop: IntArray,
) -> pd.DataFrame:
    """Flag country/region-level points; drop the faction of divided countries."""
    precision = np.asarray(precision, dtype=object)
    out = located.copy()
    region = precision == "region"
    coarse = precision == "country"
    if region.any():
        out.loc[region, C.CONTROL_NOTE] = _join_note(
            "region-level point: faction of its representative point, not of a site",
            out.loc[region, C.CONTROL_NOTE],
        )
    if coarse.any():
        zf = _days(zones[C.VALID_FROM], open_end=False)
        zt = _days(zones[C.VALID_TO], open_end=True)
        cz = pd.DataFrame(
            {
                "country": zones[C.ZONE_COUNTRY].to_numpy(),
                "zf": zf,
                "zt": zt,
                "faction": zones[C.FACTION].to_numpy(),
            }
        )
        pts = pd.DataFrame(
            {
                "i": np.flatnonzero(coarse),
                "country": country[coarse],
                "s": start[coarse],
                "e": stop[coarse],
            }
        )
        m = pts.merge(cz, on="country")
        m = m[(m["zf"] <= m["e"]) & (m["zt"] >= m["s"])]
        facs = m.groupby("i")["faction"].agg(lambda s: ", ".join(sorted(set(s))))
        nfac = m.groupby("i")["faction"].nunique()
        divided = nfac.index[nfac.to_numpy() > 1].to_numpy()
        whole = np.setdiff1d(np.flatnonzero(coarse), divided)
        out.loc[whole, C.CONTROL_NOTE] = _join_note(
            "country-level point, not a site", out.loc[whole, C.CONTROL_NOTE]
        )
        if len(divided):
            out.loc[divided, C.CONTROL_NOTE] = _join_note(
                "country-level point in a country divided between "
                + facs.loc[divided].astype(str)
                + ": faction not attributable",
                out.loc[divided, C.CONTROL_NOTE],
            ).to_numpy()
            for col in (C.ZONE_ID, C.FACTION, C.ZONE_COUNTRY):
                out.loc[divided, col] = None
    return out


def _join_note(head: str | pd.Series, tail: pd.Series) -> pd.Series:
    tail = tail.fillna("").astype(str)
    head_s = head if isinstance(head, pd.Series) else pd.Series(head, index=tail.index)
    head_s = pd.Series(head_s.to_numpy(), index=tail.index, dtype=object)
    return pd.Series(
        np.where(tail.to_numpy() == "", head_s, head_s + "; " + tail), index=tail.index
    )


def places_faction(
    places: gpd.GeoDataFrame | pd.DataFrame,
    *,
    at: object,
    zones: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Faction and zone holding every place on one date.

    Parameters
    ----------
    places
        Gazetteer rows (:func:`geo.gazetteer.read_gazetteer`): ``LON``,
        ``LAT`` (or point geometry), optionally ``PLACE_ID``,
        ``PLACE_NAME``, ``PLACE_PRECISION``, ``PLACE_COUNTRY``.
    at
        The day (anything :class:`pandas.Timestamp` accepts).
    zones
        From :func:`read_zones`; default: the bundled ``zones.geojson``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``places``: ``PLACE_ID``, ``PLACE_NAME``,
        ``PLACE_PRECISION`` (when given), ``PLACE_ZONE``,
        ``PLACE_FACTION`` (``OUTSIDE_ZONES`` outside every zone, None when
        not attributable), ``ZONE_COUNTRY``, ``CONTESTED``,
        ``CONTROL_NOTE``.

    """
    if zones is None:
        from geo.paths import data_dir

        zones = read_zones(data_dir() / settings.ZONES_FILE)
    day = pd.Timestamp(at).normalize()  # type: ignore[arg-type]
    x, y = _xy(places, C.LON, C.LAT)
    d = np.full(len(places), _days([day], open_end=False)[0], dtype=np.int64)
    country = _col(places, C.PLACE_COUNTRY)
    located = _locate(x, y, d, d, zones, country=country)
    if C.PLACE_PRECISION in places:
        precision = places[C.PLACE_PRECISION].to_numpy(dtype=object)
        need = (precision == "country") & pd.isna(country)
        if need.any():  # no country column: the country under the point
            country = country.copy()
            country[need] = countries_at(shapely.points(x[need], y[need])).to_numpy()
        located = _precision_notes(located, precision, country, zones, d, d)
    out = pd.DataFrame(index=places.index)
    for col in (C.PLACE_ID, C.PLACE_NAME, C.PLACE_PRECISION):
        if col in places:
            out[col] = places[col].to_numpy()
    for col, src in ((C.PLACE_ZONE, C.ZONE_ID), (C.PLACE_FACTION, C.FACTION)):
        out[col] = pd.Series(_objects(located[src]).to_numpy(), index=out.index, dtype=object)
    out[C.ZONE_COUNTRY] = pd.Series(
        _objects(located[C.ZONE_COUNTRY]).to_numpy(), index=out.index, dtype=object
    )
    out[C.CONTESTED] = located[C.CONTESTED].to_numpy(bool)
    out[C.CONTROL_NOTE] = located[C.CONTROL_NOTE].to_numpy()
    return out


def attribute_legs(lines: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add each leg's origin and destination zone and faction as of its dates.

    Parameters
    ----------
    lines
        Output of :func:`geo.lines.geodesic_lines`: needs ``DATE_START``,
        ``DATE_END`` (inclusive day bounds) and ``FROM_LON/FROM_LAT/TO_LON/
        TO_LAT`` (else the line's end points); uses ``FROM_PRECISION``,
        ``TO_PRECISION`` when present.
    zones
        From :func:`read_zones`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``lines`` (same index and order) plus ``FROM_ZONE, TO_ZONE,
        FROM_FACTION, TO_FACTION`` (``OUTSIDE_ZONES`` outside every zone;
        None when control changed during the leg's dates, the end is an
        unknown stop, or a country-level point lies in a divided country),
        ``CONTROL_NOTE`` ("from: ...; to: ..."), ``CROSSES_FRONT`` (the
        path runs through zones of two opposing factions of one country,
        as of ``DATE_START``) and ``FROM_OUTSIDE`` (origin in another
        country than the destination; NA when an end has no country).

    """
    with no_gc():
        grouped = leg_classes(lines, zones)
        if grouped is None:
            return _attribute_legs(lines, zones)
        first, cls = grouped
        answered = _attribute_legs(lines.iloc[first], zones)
        added = [c for c in answered.columns if c in _ANSWERS or c not in lines.columns]
        return broadcast_legs(lines, answered, cls, added)


#: The columns :func:`_attribute_legs` writes.
_ANSWERS = (
    C.FROM_ZONE,
    C.TO_ZONE,
    C.FROM_FACTION,
    C.TO_FACTION,
    C.CONTROL_NOTE,
    C.CROSSES_FRONT,
    C.FROM_OUTSIDE,
)


def _attribute_legs(lines: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    n = len(lines)
    x0, y0, x1, y1 = _ends(lines)
    s, e = _leg_days(lines)
    out = lines.copy()
    cr = crossings(lines, zones, also=out)

    def ends(own: gpd.GeoDataFrame) -> pd.DataFrame:
        # the countries of the ends (FROM_OUTSIDE) too, remembered for split_by_zone
        cr.remember("from_outside", (x0, y0, x1, y1), lambda: _from_outside(x0, y0, x1, y1))
        xy = np.concatenate([x0, x1]), np.concatenate([y0, y1])
        return _locate(*xy, np.concatenate([s, s]), np.concatenate([e, e]), own)

    # The legs' ends are located on a worker thread while the others find
    # where the legs meet the zones (met_pairs below).
    located = start(ends, zones)
    # Only zones facing an opposing faction in the same country can make a
    # front; the others (host countries, bases) need not be joined here.
    # (The crossings found are remembered for split_by_zone on these lines.)
    met = met_pairs(lines, zones, np.flatnonzero(_front_zones(zones)), also=out)
    loc = located()
    precision = np.concatenate([_col(lines, C.FROM_PRECISION), _col(lines, C.TO_PRECISION)])
    coarse = np.isin(precision, ["country", "region"])
    if coarse.any():
        xs, ys = np.concatenate([x0, x1])[coarse], np.concatenate([y0, y1])[coarse]
        country = np.full(2 * n, None, dtype=object)
        country[coarse] = countries_at(shapely.points(xs, ys)).to_numpy()
        loc = _precision_notes(loc, precision, country, zones, np.tile(s, 2), np.tile(e, 2))
    for col, src, part in (
        (C.FROM_ZONE, C.ZONE_ID, slice(0, n)),
        (C.TO_ZONE, C.ZONE_ID, slice(n, 2 * n)),
        (C.FROM_FACTION, C.FACTION, slice(0, n)),
        (C.TO_FACTION, C.FACTION, slice(n, 2 * n)),
    ):
        out[col] = pd.Series(
            _objects(loc[src].to_numpy()[part]).to_numpy(), index=out.index, dtype=object
        )
    notes = loc[C.CONTROL_NOTE].to_numpy(dtype=object, na_value="")
    note_from, note_to = notes[:n], notes[n:]
    f = np.where(note_from == "", "", "from: " + note_from)
    t = np.where(note_to == "", "", "to: " + note_to)
    out[C.CONTROL_NOTE] = np.where((f != "") & (t != ""), f + "; " + t, f + t)
    # Ends written "A | B": "one of: ..." (issue 11).
    alternative_ends(out, s, e, lambda x, y, a, b: _locate(x, y, a, b, zones))
    out[C.CROSSES_FRONT] = _crosses_front(met["row"].to_numpy(), met["z"].to_numpy(), zones, n)
    out[C.FROM_OUTSIDE] = cr.remember(
        "from_outside", (x0, y0, x1, y1), lambda: _from_outside(x0, y0, x1, y1)
    ).copy()  # the remembered answer stays as it is
    return out


def _frame(cols: dict[str, Any]) -> pd.DataFrame:
    """Return the answer columns as a frame, each in its own dtype (object: no str inference)."""
    return pd.DataFrame({k: pd.Series(v, dtype=v.dtype, copy=False) for k, v in cols.items()})


def _outside_answers(n: int) -> dict[str, Any]:
    """``n`` points' answers before any zone is found (outside mapped zones), as columns."""
    return {
        C.ZONE_ID: np.full(n, None, dtype=object),
        C.FACTION: np.full(n, C.OUTSIDE_ZONES, dtype=object),
        C.ZONE_COUNTRY: np.full(n, None, dtype=object),
        C.CONTESTED: np.zeros(n, dtype=bool),
        C.CONTROL_NOTE: np.full(n, "", dtype=object),
    }
