"""What the static map draws: countries, faction zones as of a date, legs with arrows, places."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from geo import columns as col
from geo.antimeridian import drop_cut_edges
from layers import style
from layers.static_map._style import _BORDER, _GEOD, _LAND, _TEXT, _dash, _plain, _polygon_patch

__all__ = ["zones_at"]


def zones_at(zones: gpd.GeoDataFrame, when: pd.Timestamp | None) -> gpd.GeoDataFrame:
    """Return the zones valid on a date.

    Parameters
    ----------
    zones
        Zones with ``VALID_FROM``/``VALID_TO`` (ISO dates, null = open).
    when
        The date; ``None`` keeps every zone.

    Returns
    -------
    geopandas.GeoDataFrame
        The rows with ``VALID_FROM <= when <= VALID_TO``.

    """
    if when is None or len(zones) == 0:
        return zones
    start = pd.to_datetime(zones[col.VALID_FROM], errors="coerce")
    end = pd.to_datetime(zones[col.VALID_TO], errors="coerce")
    keep = (start.isna() | (start <= when)) & (end.isna() | (end >= when))
    return zones[keep.to_numpy()]


def _draw_countries(ax: Axes, view: Any) -> None:
    from geo.countries import load_countries

    world = load_countries().geometry.to_numpy()
    shapes, borders = [], []
    # A window past +-180 (continuous longitudes) shows a shifted copy.
    for shift in (-360.0, 0.0, 360.0):
        x0, y0, x1, y1 = view.buffer(1).bounds
        clipped = shapely.clip_by_rect(world, x0 - shift, y0, x1 - shift, y1)
        clipped = clipped[~shapely.is_empty(clipped)]
        shapes += list(shapely.transform(clipped, lambda xy, d=shift: xy + np.array([d, 0.0])))
        borders += [
            shapely.get_coordinates(line) + np.array([shift, 0.0])
            for line in shapely.get_parts(drop_cut_edges(shapely.boundary(clipped)))
        ]
    # Borders drawn apart from the land, less Natural Earth's cut along 180.
    ax.add_collection(
        _polygon_patch(shapes, facecolor=_LAND, edgecolor="none", linewidth=0, zorder=1)
    )
    ax.add_collection(
        LineCollection(borders, colors=_BORDER, linewidths=0.45, zorder=1.05)
    )


def _theatre_zones(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop zones that are a whole country (a state's own territory).

    Filling Russia or Germany with a faction colour would drown the
    theatre; the country outline already shows them. A zone counts as a
    whole country when it covers over 90% of its country's polygon.
    """
    if len(zones) == 0:
        return zones
    from geo.countries import load_countries

    countries = load_countries()
    area = countries.assign(_a=shapely.area(countries.geometry.to_numpy()))
    area = area.groupby("iso_a2")["_a"].sum()
    full = area.reindex(zones[col.ZONE_COUNTRY].astype(str)).to_numpy(float)
    share = shapely.area(zones.geometry.to_numpy()) / full
    return zones[~(share > 0.9)]


def _draw_zones(
    ax: Axes, zones: gpd.GeoDataFrame, view: Any, k: float, colours: dict[str, str]
) -> list[Any]:
    """Fill zones by faction; legend entries only for zones big enough to see."""
    if len(zones) == 0:
        return []
    handles = []
    any_contested = False
    # A zone under ~3 px across (a base's 1.5 km disc on a theatre map) is
    # drawn but not listed: a legend entry for an invisible patch confuses.
    min_deg = 3 * (view.bounds[2] - view.bounds[0]) / ax.get_window_extent().width
    for faction in sorted(set(zones[col.FACTION].astype(str))):
        colour = colours.get(faction, style.OTHER_COLOUR)
        mine = zones[zones[col.FACTION].astype(str) == faction]
        shapes = _in_view(mine.geometry.to_numpy(), view)
        if len(shapes) == 0:
            continue
        ax.add_collection(
            _polygon_patch(
                list(shapes),
                facecolor=mpl.colors.to_rgba(colour, 0.55),
                edgecolor=mpl.colors.to_rgba(colour, 1.0),
                linewidth=0.9 * k,
                zorder=2,
            )
        )
        contested = mine[
            mine.get(col.CONTESTED, pd.Series(False, index=mine.index)).fillna(False).astype(bool)
        ]
        hatched = _in_view(contested.geometry.to_numpy(), view) if len(contested) else []
        if len(hatched):
            any_contested = True
            ax.add_collection(
                _polygon_patch(
                    list(hatched),
                    facecolor="none",
                    edgecolor=mpl.colors.to_rgba("#555555", 0.5),
                    hatch="////",
                    linewidth=0,
                    zorder=2.1,
                )
            )
        b = shapely.bounds(shapes)
        if np.max(np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])) < min_deg:
            continue
        handles.append(
            Patch(
                facecolor=mpl.colors.to_rgba(colour, 0.55), edgecolor=colour, label=_plain(faction)
            )
        )
    # Only for a hatched zone this map shows, not one elsewhere on the date.
    if any_contested:
        handles.append(
            Patch(facecolor="white", edgecolor="#888888", hatch="////", label="contested")
        )
    return handles


def _in_view(geoms: np.ndarray, view: Any) -> np.ndarray:
    """Return the parts of ``geoms`` inside ``view``, from every copy of the world it shows.

    A zone across the antimeridian is first made continuous
    (:func:`layers.payload.unwrap_antimeridian`), then drawn from the copy
    (-360, 0 or +360 degrees) the window looks at: a Pacific map centred
    past 180 shows it whole, not cut at 180 or missing.
    """
    from layers.payload import unwrap_antimeridian

    whole = np.array([unwrap_antimeridian(g) for g in geoms], dtype=object)
    x0, y0, x1, y1 = view.buffer(1).bounds
    out = []
    for shift in (-360.0, 0.0, 360.0):
        clipped = shapely.clip_by_rect(whole, x0 - shift, y0, x1 - shift, y1)
        clipped = clipped[~shapely.is_empty(clipped)]
        if len(clipped):
            out += list(shapely.transform(clipped, lambda xy, d=shift: xy + np.array([d, 0.0])))
    return np.array(out, dtype=object)


def _draw_legs(
    ax: Axes,
    legs: gpd.GeoDataFrame,
    bounds: tuple[float, float, float, float],
    k: float,
    palette: dict[str, str],
) -> list[Any]:
    from geo.lines import arrowheads

    keys = style.colour_keys(legs) if len(legs) else pd.Series(dtype=object)
    # Only the colour keys drawn here, in the palette's order (legend).
    present = set(keys)
    colours = {name: c for name, c in palette.items() if name in present}
    colours.update({name: style.OTHER_COLOUR for name in sorted(present - set(colours))})
    legs = legs.assign(_colour_key=keys.to_numpy() if len(legs) else [])
    drawable = legs[legs.geometry.notna() & ~legs.geometry.is_empty]
    lw = 1.3 * k
    for status in col.STATUSES:
        mine = drawable[drawable[col.STATUS] == status]
        if len(mine) == 0:
            continue
        segs, cols = [], []
        for geom, actor, unsure in zip(
            mine.geometry, mine["_colour_key"], mine.get(col.UNCERTAIN, False), strict=False
        ):
            rgba = mpl.colors.to_rgba(colours.get(str(actor), style.OTHER_COLOUR))
            if bool(unsure):
                rgba = (*rgba[:3], 0.55)
            for part in getattr(geom, "geoms", [geom]):
                segs.append(np.asarray(part.coords)[:, :2])
                cols.append(rgba)
        ax.add_collection(
            LineCollection(
                segs,
                colors=cols,
                linewidths=lw * (1.15 if status == "confirmed" else 1.0),
                linestyles=[_dash(status, lw)],
                capstyle="round",
                zorder=5,
            )
        )
    if len(drawable):
        # Arrow size follows the map, not the ground: ~2.2% of the map width.
        x0, x1, y0, y1 = bounds
        span_km = _GEOD.inv(x0, (y0 + y1) / 2, x1, (y0 + y1) / 2)[2] / 1000
        arrows = arrowheads(drawable, position=0.55, size_km=0.022 * span_km)
        fc = [
            mpl.colors.to_rgba(colours.get(str(a), style.OTHER_COLOUR))
            for a in style.colour_keys(arrows)
        ]
        coll = _polygon_patch(
            list(arrows.geometry), facecolor=fc, edgecolor="white", linewidth=0.3 * k, zorder=6
        )
        ax.add_collection(coll)
    handles = [
        Line2D([], [], color=c, lw=2.2 * k, label=_plain(name))
        for name, c in colours.items()
        if c != style.OTHER_COLOUR
    ]
    others = [n for n, c in colours.items() if c == style.OTHER_COLOUR]
    if others:
        label = f"{len(others)} other actor groups" if len(others) > 1 else _plain(others[0])
        handles.append(Line2D([], [], color=style.OTHER_COLOUR, lw=2.2 * k, label=label))
    return handles


def _draw_places(ax: Axes, ends: pd.DataFrame, k: float) -> None:
    exact = ends[ends[col.PLACE_PRECISION].isin(["site", "city"])]
    coarse = ends[~ends.index.isin(exact.index)]
    ax.scatter(
        exact[col.LON],
        exact[col.LAT],
        s=(3.2 * k) ** 2,
        c=_TEXT,
        edgecolors="white",
        linewidths=0.6 * k,
        zorder=7,
    )
    ax.scatter(
        coarse[col.LON],
        coarse[col.LAT],
        s=(3.6 * k) ** 2,
        facecolors="white",
        edgecolors=_TEXT,
        linewidths=0.9 * k,
        zorder=7,
    )
