"""Static briefing map (PNG for slides, SVG for print) drawn with matplotlib.

No network: the basemap is the bundled Natural Earth countries plus the
dataset's zones. Legs are coloured by actor and dashed by status, exactly
as on the web map (:mod:`layers.style`), with arrowheads along each leg.
The map is an equirectangular projection whose aspect is corrected at the
centre latitude, so shapes and the scale bar are true near the middle of a
theatre-sized map; the scale bar says the latitude it is measured at.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox
from pyproj import Geod

from geo import columns as col
from geo import settings
from geo._io import atomic_path
from layers import style
from layers.credits import drawn_coord_sources, geonames_credit

__all__ = [
    "draw_static_map",
    "label_positions",
    "nice_scale_km",
    "save_figure",
    "write_static_map",
    "zones_at",
]

_GEOD = Geod(ellps=settings.ELLPS)
#: Width, inches, that the font sizes below are tuned for.
_BASE_WIDTH_IN = 11.0
_SEA = "#dfe9f2"
_LAND = "#f4f3ee"
_BORDER = "#a9a9a2"
_TEXT = "#1a1a1a"
_MUTED = "#555555"
#: Deterministic SVG element ids and no timestamps.
_RC: dict[Any, Any] = {
    "svg.hashsalt": "movemap",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
}
#: Label offsets (points) tried in order: NE, SE, NW, SW, E, W, N, S, then further out.
_OFFSETS: tuple[tuple[float, float], ...] = (
    (5, 4),
    (5, -4),
    (-5, 4),
    (-5, -4),
    (7, 0),
    (-7, 0),
    (0, 7),
    (0, -7),
    (12, 10),
    (12, -10),
    (-12, 10),
    (-12, -10),
    (0, 16),
    (0, -16),
)


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


def nice_scale_km(span_km: float) -> float:
    """Pick a round scale-bar length (1, 2 or 5 x 10^n km) near a fifth of ``span_km``.

    Parameters
    ----------
    span_km
        Width of the map in km.

    Returns
    -------
    float
        The bar length in km.

    """
    target = max(span_km / 5.0, 1e-3)
    exp = 10 ** math.floor(math.log10(target))
    return float(max(m * exp for m in (1, 2, 5) if m * exp <= target))


def _dash(status: str, lw: float) -> Any:
    """Leaflet dashArray (pixels at the web weight) -> matplotlib dashes."""
    spec = style.STATUS_STYLE.get(status, {})
    dash = spec.get("dashArray")
    if not dash:
        return "solid"
    weight = float(spec.get("weight", 3.0))  # type: ignore[arg-type]
    # matplotlib scales dashes by linewidth; express the pattern in widths.
    return (0, tuple(float(v) / weight for v in str(dash).split()))


def _polygon_patch(geoms: Sequence[Any], **kw: Any) -> PatchCollection:
    patches = []
    for geom in geoms:
        for poly in getattr(geom, "geoms", [geom]):
            if poly.is_empty or poly.geom_type != "Polygon":
                continue
            rings = [poly.exterior, *poly.interiors]
            verts = np.concatenate([np.asarray(r.coords)[:, :2] for r in rings])
            codes = np.concatenate(
                [
                    [MplPath.MOVETO] + [MplPath.LINETO] * (len(r.coords) - 2) + [MplPath.CLOSEPOLY]
                    for r in rings
                ]
            )
            patches.append(PathPatch(MplPath(verts, codes)))
    return PatchCollection(patches, **kw)


def _focus_extent(focus: Any) -> tuple[float, float, float, float]:
    """Bounds (x0, x1, y0, y1) of a zone, padded by 15% (at least 0.5 degrees)."""
    b = shapely.bounds(focus)
    mx = max((b[2] - b[0]) * 0.15, 0.5)
    my = max((b[3] - b[1]) * 0.15, 0.5)
    return float(b[0] - mx), float(b[2] + mx), float(b[1] - my), float(b[3] + my)


def _extent(legs: gpd.GeoDataFrame, ends: pd.DataFrame) -> tuple[float, float, float, float]:
    """Bounds (x0, x1, y0, y1) of the theatre, padded.

    The theatre is every leg end located better than a whole country: a
    country-level point (the centroid of Russia, of Mali) would stretch the
    map across a continent to show one line's far end, so such lines run
    off the frame instead and are labelled where they leave it. With fewer
    than two such ends, every end and line counts. Country-level ends
    within a quarter of the theatre's size of it are kept (Libya on a map
    of Libya).
    """
    fine = ends[ends[col.PLACE_PRECISION] != "country"] if len(ends) else ends
    xs: list[float] = []
    ys: list[float] = []
    if len(fine) >= 2:
        # Country-level ends near the theatre (Libya on a Libya map) join it.
        bx0, bx1 = fine[col.LON].min(), fine[col.LON].max()
        by0, by1 = fine[col.LAT].min(), fine[col.LAT].max()
        mx, my = max(bx1 - bx0, 4.0) / 4, max(by1 - by0, 4.0) / 4
        near = ends[
            ends[col.LON].between(bx0 - mx, bx1 + mx) & ends[col.LAT].between(by0 - my, by1 + my)
        ]
        xs, ys = list(near[col.LON]), list(near[col.LAT])
    else:
        geoms = legs.geometry.dropna()
        geoms = geoms[~geoms.is_empty]
        if len(geoms):
            b = geoms.total_bounds
            xs += [b[0], b[2]]
            ys += [b[1], b[3]]
        if len(ends):
            lon = ends[col.LON].to_numpy(float)
            if xs:
                centre = (xs[0] + xs[1]) / 2
                lon = lon + 360.0 * np.round((centre - lon) / 360.0)
            xs += list(lon)
            ys += list(ends[col.LAT].to_numpy(float))
    if not xs:
        return (-20.0, 60.0, 0.0, 60.0)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    # Pad, and keep at least ~4 degrees so a single short leg has context.
    w, h = max(x1 - x0, 4.0) * 1.16, max(y1 - y0, 4.0) * 1.22
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (cx - w / 2, cx + w / 2, max(cy - h / 2, -85.0), min(cy + h / 2, 85.0))


def _off_map(legs: gpd.GeoDataFrame, view: Any) -> pd.DataFrame:
    """Where legs whose end lies outside ``view`` cross its edge.

    Returns one row per off-map place: PLACE_NAME as "to X" / "from X" /
    "X (off map)", and LON/LAT of the crossing nearest that end (of the
    first such leg, in ledger order).
    """
    rows: dict[str, list[Any]] = {}
    edge = view.exterior
    for geom, src, dst in zip(legs.geometry, legs[col.FROM_NAME], legs[col.TO_NAME], strict=True):
        if geom is None or geom.is_empty:
            continue
        for part in getattr(geom, "geoms", [geom]):
            coords = np.asarray(part.coords)[:, :2]
            for end, name, role in ((coords[0], src, "from"), (coords[-1], dst, "to")):
                if view.contains(shapely.Point(end)):
                    continue
                hits = shapely.get_coordinates(part.intersection(edge))
                if len(hits) == 0:
                    continue
                nearest = hits[np.argmin(np.hypot(*(hits - end).T))]
                entry = rows.setdefault(str(name), [set(), nearest])
                entry[0].add(role)
    names, lon, lat = [], [], []
    for name, (roles, point) in rows.items():
        names.append(f"{next(iter(roles))} {name}" if len(roles) == 1 else f"{name} (off map)")
        lon.append(point[0])
        lat.append(point[1])
    return pd.DataFrame({col.PLACE_NAME: names, col.LON: lon, col.LAT: lat})


def _unwrap(lon: np.ndarray) -> np.ndarray:
    """Shift longitudes by 360 so the widest empty gap falls at the seam.

    Points on both sides of the antimeridian (Fiji and Samoa) then sit next
    to each other instead of at opposite edges of the world.
    """
    if len(lon) < 2:
        return lon
    norm = np.mod(lon + 180.0, 360.0) - 180.0
    order = np.sort(norm)
    gaps = np.diff(np.r_[order, order[0] + 360.0])
    seam = order[(np.argmax(gaps) + 1) % len(order)]  # first longitude after the gap
    return np.where(norm < seam, norm + 360.0, norm)


def _shift_geoms(geoms: np.ndarray, centre: float) -> np.ndarray:
    """Move each geometry by a multiple of 360 degrees nearest ``centre``."""
    out = np.array(geoms, dtype=object)
    ok = ~shapely.is_missing(out) & ~shapely.is_empty(out)
    if not ok.any():
        return out
    cx = shapely.get_x(shapely.centroid(out[ok]))
    shift = 360.0 * np.round((centre - cx) / 360.0)
    moved = out[ok]
    for d in np.unique(shift[shift != 0]):
        sel = shift == d
        moved[sel] = shapely.transform(moved[sel], lambda xy, d=d: xy + np.array([d, 0.0]))
    out[ok] = moved
    return out


def _fit(
    bounds: tuple[float, float, float, float], box_w_in: float, box_h_in: float
) -> tuple[float, float, float, float]:
    """Grow ``bounds`` to the axes' shape with the equirectangular aspect.

    One degree of latitude is drawn 1/cos(lat0) times as long as one degree
    of longitude, lat0 the centre latitude: true shapes near the centre.
    """
    x0, x1, y0, y1 = bounds
    lat0 = math.radians((y0 + y1) / 2)
    dx, dy = x1 - x0, y1 - y0
    # inches per degree: x -> box_w/dx, y -> box_h/dy; want y = x / cos(lat0)
    want_dx = dy / math.cos(lat0) * box_w_in / box_h_in
    if want_dx > dx:
        cx = (x0 + x1) / 2
        return (cx - want_dx / 2, cx + want_dx / 2, y0, y1)
    want_dy = dx * math.cos(lat0) * box_h_in / box_w_in
    if want_dy > 170.0:  # taller than the world: centre on the equator
        want_dx = max(dx, 170.0 * box_w_in / box_h_in)
        cx = (x0 + x1) / 2
        want_dy = want_dx * box_h_in / box_w_in
        return (cx - want_dx / 2, cx + want_dx / 2, -want_dy / 2, want_dy / 2)
    cy = min(max((y0 + y1) / 2, -85.0 + want_dy / 2), 85.0 - want_dy / 2)
    return (x0, x1, cy - want_dy / 2, cy + want_dy / 2)


def _ends(legs: pd.DataFrame) -> pd.DataFrame:
    """One row per place a leg starts or ends at, with how many legs touch it."""
    parts = []
    for pid, name, lon, lat, prec in (
        (col.FROM_ID, col.FROM_NAME, col.FROM_LON, col.FROM_LAT, col.FROM_PRECISION),
        (col.TO_ID, col.TO_NAME, col.TO_LON, col.TO_LAT, col.TO_PRECISION),
    ):
        part = legs[[pid, name, lon, lat, prec]].copy()
        part.columns = [col.PLACE_ID, col.PLACE_NAME, col.LON, col.LAT, col.PLACE_PRECISION]
        parts.append(part)
    ends = pd.concat(parts, ignore_index=True)
    ends = ends[ends[col.LON].notna() & ends[col.LAT].notna()]
    key = ends[col.PLACE_ID].fillna(ends[col.PLACE_NAME]).astype(str)
    ends = ends.assign(_key=key)
    counts = ends.groupby("_key").size().rename("n_legs")
    ends = ends.drop_duplicates("_key").join(counts, on="_key")
    return ends.sort_values(["n_legs", col.PLACE_NAME], ascending=[False, True], kind="stable")


def label_positions(
    ax: Axes,
    points: np.ndarray,
    texts: Sequence[str],
    *,
    fontsize: float,
    avoid: Sequence[Bbox] = (),
    style: str = "normal",
    markers: bool = True,
) -> list[Any]:
    """Place one label per point, greedily, so that no two labels overlap.

    Points are taken in the given order (most important first). Each label
    tries the offsets in ``_OFFSETS`` and takes the first whose box clears
    every label already placed, every point marker, ``avoid`` and the axes
    edge; a label with no free slot takes the slot with least overlap, so
    no place loses its name.

    Parameters
    ----------
    ax
        Axes already sized (the figure has a canvas).
    points
        (n, 2) array of data coordinates.
    texts
        One label per point.
    fontsize
        Label size in points.
    avoid
        Display-space boxes labels must not cover (legend, scale bar).
        Slots more than 10 points from their point get a thin leader line.
    style
        Font style (``"italic"`` for off-map labels).
    markers
        Whether each point carries a marker that labels must not cover.

    Returns
    -------
    list of matplotlib.text.Annotation
        The labels, in input order.

    """
    from matplotlib import patheffects

    fig = ax.figure
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer)
    px_per_pt = fig.dpi / 72.0
    marker_r = 3.0 * px_per_pt
    disp = ax.transData.transform(points) if len(points) else np.empty((0, 2))
    taken: list[Bbox] = (
        [Bbox.from_extents(x - marker_r, y - marker_r, x + marker_r, y + marker_r) for x, y in disp]
        if markers
        else []
    )
    taken += list(avoid)
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    leader = {"arrowstyle": "-", "lw": 0.4, "color": _MUTED, "shrinkA": 1, "shrinkB": 3}
    out = []
    for (x, y), text in zip(points, texts, strict=True):
        best: tuple[float, Any] | None = None
        for dx, dy in _OFFSETS:
            ha = "left" if dx > 0 else "right" if dx < 0 else "center"
            va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
            far = math.hypot(dx, dy) > 10
            ann = ax.annotate(
                _plain(text),
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fontsize,
                fontstyle=style,
                color=_TEXT,
                path_effects=halo,
                zorder=8,
                annotation_clip=False,
                arrowprops=leader if far else None,
            )
            box = ann.get_window_extent(renderer).padded(1.5 * px_per_pt)
            overlap = sum(_overlap(box, t) for t in taken)
            outside = box.width * box.height - _overlap(box, frame)
            cost = overlap + 4 * outside
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, ann)
            else:
                ann.remove()
            if cost == 0:
                break
        assert best is not None
        taken.append(best[1].get_window_extent(renderer).padded(1.5 * px_per_pt))
        out.append(best[1])
    return out


def _label_boxes(ax: Axes) -> list[Bbox]:
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    return [t.get_window_extent(renderer) for t in ax.texts if t.get_zorder() == 8]


def _plain(text: str) -> str:
    """Text as matplotlib should show it, literally.

    ``$`` is escaped so report text is never read as mathtext, and
    characters the bundled font lacks (Hangul in an outlet's domain, say)
    become ``?`` rather than empty boxes.
    """
    glyphs = _glyphs()
    shown = "".join(c if ord(c) in glyphs or c in "\n\t" else "?" for c in str(text))
    return shown.replace("$", r"\$")


@functools.cache
def _glyphs() -> frozenset[int]:
    from matplotlib import font_manager

    font = font_manager.get_font(font_manager.findfont(_RC["font.family"]))
    return frozenset(font.get_charmap())


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return float(w * h) if w > 0 and h > 0 else 0.0


def draw_static_map(
    dataset: Any,
    *,
    title: str,
    as_of: pd.Timestamp | str | None = None,
    size_px: tuple[int, int] = settings.BRIEF_MAP_SIZE_PX,
    dpi: int = settings.BRIEF_MAP_DPI,
    subtitle: str | None = None,
    colours: dict[str, str] | None = None,
    focus: Any = None,
) -> Figure:
    """Draw the briefing map of a dataset.

    Parameters
    ----------
    dataset
        A :class:`geo.dataset.Dataset` (already filtered to what the
        briefing shows).
    title
        Headline at the top.
    as_of
        Date the picture is true at (shown, and used to choose the zones);
        ``None`` means the latest date any leg could have happened.
    size_px
        (width, height) of the PNG in pixels at ``dpi``.
    dpi
        Resolution for the PNG.
    subtitle
        Line under the title; by default the as-of date and counts.
    colours
        Leg colours (:func:`layers.style.leg_colours` of the *whole*
        dataset, so a subset keeps the interactive maps' colours);
        default: from ``dataset.legs``.
    focus
        A geometry (a zone) to frame the map on; legs leaving the frame
        are cut at its edge and labelled with where they go.

    Returns
    -------
    matplotlib.figure.Figure
        With an Agg canvas; save it with :func:`save_figure`.

    """
    from layers.legs import with_stubs

    # A leg with one unreported end is a short stub at its known end, as on the HTML maps.
    legs: gpd.GeoDataFrame = with_stubs(dataset.legs, dataset.places)
    when = pd.Timestamp(as_of) if as_of is not None else _latest(legs)
    zones = zones_at(dataset.zones, when)
    width_in, height_in = size_px[0] / dpi, size_px[1] / dpi
    k = width_in / _BASE_WIDTH_IN  # font scale
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(width_in, height_in), dpi=dpi, facecolor="white")
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.015, 0.085, 0.745, 0.80))
        panel = fig.add_axes((0.775, 0.085, 0.21, 0.80))
        panel.set_axis_off()

        ends = _ends(legs)
        ends[col.LON] = _unwrap(ends[col.LON].to_numpy(float))
        pos = ax.get_position()
        extent = _extent(legs, ends) if focus is None else _focus_extent(focus)
        x0, x1, y0, y1 = _fit(extent, pos.width * width_in, pos.height * height_in)
        # Lines onto the window's copy of the world.
        legs = legs.set_geometry(
            gpd.GeoSeries(
                _shift_geoms(legs.geometry.to_numpy(), (x0 + x1) / 2),
                index=legs.index,
                crs=legs.crs,
            )
        )
        ax.set_facecolor(_SEA)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.tick_params(left=False, bottom=False, labelleft=False, labelbottom=False)
        for spine in ax.spines.values():
            spine.set_edgecolor(_MUTED)
            spine.set_linewidth(0.6)
        fig.canvas.draw()
        view = shapely.box(x0, y0, x1, y1)

        _draw_countries(ax, view)
        zones = _theatre_zones(zones)
        # Colours from the whole dataset, as the interactive map picks them.
        factions = style.faction_colours(dataset.zones[col.FACTION].astype(str))
        zone_handles = _draw_zones(ax, zones, view, k, factions)
        if colours is None:
            colours = style.leg_colours(dataset.legs) if len(dataset.legs) else {}
        actor_handles = _draw_legs(ax, legs, (x0, x1, y0, y1), k, colours)
        inside = ends[
            ends[col.LON].between(x0, x1).to_numpy() & ends[col.LAT].between(y0, y1).to_numpy()
        ]
        _draw_places(ax, inside, k)
        scale_box = _scale_bar(ax, (x0, x1, y0, y1), k)
        north_box = _north_arrow(ax, k)

        # Labels last: they must dodge everything already drawn. Places on
        # the map first, then where lines to off-map places leave the frame.
        label_positions(
            ax,
            inside[[col.LON, col.LAT]].to_numpy(float),
            [str(n) for n in inside[col.PLACE_NAME]],
            fontsize=6.8 * k,
            avoid=[scale_box, north_box],
        )
        away = _off_map(legs, view)
        label_positions(
            ax,
            away[[col.LON, col.LAT]].to_numpy(float),
            list(away[col.PLACE_NAME]),
            fontsize=6.2 * k,
            avoid=[scale_box, north_box, *_label_boxes(ax)],
            style="italic",
            markers=False,
        )

        _legend(panel, legs, actor_handles, zone_handles, k)
        n_transfers = legs[col.TRANSFER_ID].nunique() if len(legs) else 0
        when_text = when.strftime("%d %B %Y").lstrip("0") if when is not None else "undated"
        fig.text(
            0.015,
            0.955,
            _plain(title),
            fontsize=15 * k,
            fontweight="bold",
            color=_TEXT,
            va="center",
        )
        fig.text(
            0.015,
            0.912,
            _plain(subtitle)
            if subtitle
            else f"As of {when_text} \u00b7 {n_transfers} transfers, {len(legs)} legs "
            "\u00b7 lines join origin and destination; they are not flight paths",
            fontsize=8.5 * k,
            color=_MUTED,
            va="center",
        )
        # Footer: source line and caveat, wrapped to the figure's width
        # (a DejaVu Sans character is at most ~0.6 em wide on average),
        # never cut at the edge.
        chars = max(40, int(width_in * 72 * 0.96 / (0.6 * 6.2 * k)))
        footer = "\n".join(
            textwrap.fill(_plain(text), chars)
            for text in (_source_line(dataset), _caveat(zones))
        )
        fig.text(
            0.015, 0.07, footer, fontsize=6.2 * k, color=_MUTED, va="top", linespacing=1.25
        )
    return fig


def _latest(legs: pd.DataFrame) -> pd.Timestamp | None:
    if col.DATE_END in legs and legs[col.DATE_END].notna().any():
        return pd.Timestamp(pd.to_datetime(legs[col.DATE_END]).max())
    return None


def _draw_countries(ax: Axes, view: Any) -> None:
    from geo.countries import load_countries

    world = load_countries().geometry.to_numpy()
    shapes = []
    # A window past +-180 (continuous longitudes) shows a shifted copy.
    for shift in (-360.0, 0.0, 360.0):
        x0, y0, x1, y1 = view.buffer(1).bounds
        clipped = shapely.clip_by_rect(world, x0 - shift, y0, x1 - shift, y1)
        clipped = clipped[~shapely.is_empty(clipped)]
        shapes += list(shapely.transform(clipped, lambda xy, d=shift: xy + np.array([d, 0.0])))
    ax.add_collection(
        _polygon_patch(shapes, facecolor=_LAND, edgecolor=_BORDER, linewidth=0.45, zorder=1)
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
    # A zone under ~3 px across (a base's 1.5 km disc on a theatre map) is
    # drawn but not listed: a legend entry for an invisible patch confuses.
    min_deg = 3 * (view.bounds[2] - view.bounds[0]) / ax.get_window_extent().width
    for faction in sorted(set(zones[col.FACTION].astype(str))):
        colour = colours.get(faction, style.OTHER_COLOUR)
        mine = zones[zones[col.FACTION].astype(str) == faction]
        shapes = shapely.clip_by_rect(mine.geometry.to_numpy(), *view.buffer(1).bounds)
        shapes = shapes[~shapely.is_empty(shapes)]
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
        if len(contested):
            ax.add_collection(
                _polygon_patch(
                    list(contested.geometry),
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
    if zones.get(col.CONTESTED, pd.Series(dtype=bool)).fillna(False).astype(bool).any():
        handles.append(
            Patch(facecolor="white", edgecolor="#888888", hatch="////", label="contested")
        )
    return handles


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


def _scale_bar(ax: Axes, bounds: tuple[float, float, float, float], k: float) -> Bbox:
    x0, x1, y0, y1 = bounds
    bx, by = x0 + 0.03 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    span_km = _GEOD.inv(x0, by, x1, by)[2] / 1000
    length = nice_scale_km(span_km)
    # Length of one degree along the bar's own parallel (ellipsoidal), so
    # the bar is exact at the latitude it is drawn at, and says so.
    phi = math.radians(by)
    radius = _GEOD.a / math.sqrt(1 - _GEOD.es * math.sin(phi) ** 2) * math.cos(phi)
    per_deg = radius * math.pi / 180 / 1000
    ex = bx + length / per_deg
    h = 0.008 * (y1 - y0)
    ax.add_patch(
        mpl.patches.Rectangle(
            (bx, by), ex - bx, h, facecolor=_TEXT, edgecolor=_TEXT, lw=0.5, zorder=9
        )
    )
    ax.add_patch(
        mpl.patches.Rectangle(
            (bx + (ex - bx) / 2, by),
            (ex - bx) / 2,
            h,
            facecolor="white",
            edgecolor=_TEXT,
            lw=0.5,
            zorder=9,
        )
    )
    hemi = "N" if by >= 0 else "S"
    t1 = ax.text(bx, by + 2.2 * h, "0", fontsize=6 * k, ha="center", va="bottom", zorder=9)
    t2 = ax.text(
        ex, by + 2.2 * h, f"{length:g} km", fontsize=6 * k, ha="center", va="bottom", zorder=9
    )
    t3 = ax.text(
        bx,
        by - 1.2 * h,
        f"scale true at {abs(by):.0f}\u00b0{hemi}",
        fontsize=5.2 * k,
        ha="left",
        va="top",
        color=_MUTED,
        zorder=9,
    )
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [t.get_window_extent(renderer) for t in (t1, t2, t3)]
    boxes.append(Bbox(ax.transData.transform([(bx, by), (ex, by + h)])))
    return Bbox.union(boxes).padded(2)


def _north_arrow(ax: Axes, k: float) -> Bbox:
    # Equirectangular: north is straight up everywhere on the map.
    ann = ax.annotate(
        "N",
        xy=(0.968, 0.965),
        xytext=(0.968, 0.86),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="top",
        fontsize=8 * k,
        fontweight="bold",
        color=_TEXT,
        zorder=9,
        arrowprops={
            "arrowstyle": f"-|>,head_length={0.9 * k:.2f},head_width={0.45 * k:.2f}",
            "lw": 1.6 * k,
            "color": _TEXT,
            "shrinkA": 1,
            "shrinkB": 0,
        },
    )
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    top = ax.transAxes.transform((0.968, 0.965))
    box = ann.get_window_extent(renderer)
    return Bbox.union([box, Bbox.from_extents(top[0] - 8, box.y0, top[0] + 8, top[1])]).padded(3)


def _legend(panel: Axes, legs: pd.DataFrame, actors: list[Any], zones: list[Any], k: float) -> None:
    present = [s for s in col.STATUSES if (legs[col.STATUS] == s).any()] if len(legs) else []
    lw = 1.6 * k
    status = [Line2D([], [], color=_TEXT, lw=lw, linestyle=_dash(s, lw), label=s) for s in present]
    places = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markersize=4.5 * k,
            markerfacecolor=_TEXT,
            markeredgecolor="white",
            label="site or city",
        ),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markersize=4.5 * k,
            markerfacecolor="white",
            markeredgecolor=_TEXT,
            label="region or country (approximate)",
        ),
    ]
    sections = [
        ("Evidence (line style)", status),
        ("Actor group (colour)", actors),
        ("Zones of control (approximate)", zones),
        ("Places", places),
    ]
    handles: list[Any] = []
    bold: list[int] = []
    for head, items in sections:
        if not items:
            continue
        bold.append(len(handles))
        handles.append(Line2D([], [], linestyle="none", label=head))
        handles += items
    leg = panel.legend(
        handles=handles,
        loc="upper left",
        frameon=False,
        fontsize=7 * k,
        handlelength=3.2,
        borderaxespad=0,
        labelspacing=0.55,
        handletextpad=0.6,
    )
    for i in bold:
        leg.get_texts()[i].set_fontweight("bold")
        leg.get_texts()[i].set_fontsize(7.4 * k)


def _source_line(dataset: Any) -> str:
    legs, sources = dataset.legs, dataset.sources
    used = sorted({s for ids in legs[col.SOURCE_IDS] for s in _ids(ids)}) if len(legs) else []
    outlets = (
        sources[sources[col.SOURCE_ID].isin(used)][col.SOURCE_OUTLET].dropna().astype(str)
        if len(sources)
        else pd.Series(dtype=str)
    )
    names = sorted(set(outlets))
    shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    credit = geonames_credit(drawn_coord_sources(dataset))
    return (
        f"Sources: open-source reporting, {len(used)} reports ({shown}); "
        "full list in sources.md. Basemap: Natural Earth 1:50m."
        + (f" {credit}." if credit else "")
    )


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [s for s in value.split(";") if s]
    if isinstance(value, (tuple, list)):
        return [str(s) for s in value]
    return []


def _caveat(zones: pd.DataFrame) -> str:
    as_of = ""
    if len(zones) and col.AS_OF in zones:
        stamps = pd.to_datetime(
            pd.Series([str(d) for d in zones[col.AS_OF].dropna()], dtype=object),
            errors="coerce",
            format="mixed",
        ).dropna()
        if len(stamps):
            # One sensible line: the latest description the boundaries draw on.
            as_of = f" (descriptions up to {stamps.max():%Y-%m-%d})"
    return (
        f"Zone boundaries are approximate{as_of}, drawn from public descriptions, "
        "not surveyed lines. "
        "Hollow markers are region- or country-level points."
    )


def save_figure(fig: Figure, path: str | Path, *, dpi: int | None = None) -> Path:
    """Save a figure atomically and reproducibly (PNG, SVG or PDF by suffix).

    Parameters
    ----------
    fig
        From :func:`draw_static_map`.
    path
        Output file; its suffix picks the format.
    dpi
        Resolution for raster output (default: the figure's).

    Returns
    -------
    pathlib.Path
        ``path``.

    """
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    meta: dict[str, Any] = (
        {"Software": None} if fmt == "png" else {"Date": None, "Creator": "movemap"}
    )
    if fmt == "pdf":
        meta = {"CreationDate": None, "ModDate": None, "Creator": "movemap", "Producer": "movemap"}
    with mpl.rc_context(_RC), atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi or fig.dpi, metadata=meta, facecolor="white")
    return path


def write_static_map(
    dataset: Any,
    out: str | Path,
    *,
    title: str,
    as_of: pd.Timestamp | str | None = None,
    size_px: tuple[int, int] = settings.BRIEF_MAP_SIZE_PX,
    dpi: int = settings.BRIEF_MAP_DPI,
    formats: Sequence[str] = ("png", "svg"),
) -> list[Path]:
    """Draw the briefing map once and save it in several formats.

    Parameters
    ----------
    dataset
        A :class:`geo.dataset.Dataset`.
    out
        Output path without suffix (``maps/brief/map`` gives ``map.png``...).
    title, as_of, size_px, dpi
        As for :func:`draw_static_map`.
    formats
        Suffixes to write.

    Returns
    -------
    list of pathlib.Path
        Files written, in ``formats`` order.

    """
    fig = draw_static_map(dataset, title=title, as_of=as_of, size_px=size_px, dpi=dpi)
    out = Path(out)
    return [save_figure(fig, out.with_name(f"{out.name}.{fmt}"), dpi=dpi) for fmt in formats]
