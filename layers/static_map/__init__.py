"""Static briefing map (PNG for slides, SVG for print) drawn with matplotlib.

No network: the basemap is the bundled Natural Earth countries plus the
dataset's zones. Legs are coloured by actor and dashed by status, exactly
as on the web map (:mod:`layers.style`), with arrowheads along each leg.
The map is an equirectangular projection whose aspect is corrected at the
centre latitude, so shapes and the scale bar are true near the middle of a
theatre-sized map; the scale bar says the latitude it is measured at.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from geo import columns as col
from geo import settings
from geo._io import atomic_path
from geo.antimeridian import shift_near
from geo.dates import latest_date
from layers import style
from layers.static_map._style import (
    _BASE_WIDTH_IN,
    _MUTED,
    _RC,
    _SEA,
    _TEXT,
    _ltr_lines,
    _plain,
    emoji_named,
)
from layers.static_map.drawing import (
    _draw_countries,
    _draw_legs,
    _draw_places,
    _draw_zones,
    _theatre_zones,
    zones_at,
)
from layers.static_map.frame import (
    _ends,
    _extent,
    _fit,
    _focus_extent,
    _off_map,
    _unwrap,
)
from layers.static_map.furniture import (
    _caveat,
    _legend,
    _north_arrow,
    _scale_bar,
    _source_line,
    nice_scale_km,
)
from layers.static_map.labels import _label_boxes, label_positions

__all__ = [
    "draw_static_map",
    "emoji_named",
    "label_positions",
    "nice_scale_km",
    "save_figure",
    "write_static_map",
    "zones_at",
]


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
    scale: float | None = None,
    headline: bool = True,
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
    scale
        Size of text, lines and markers relative to the design for an
        11-inch-wide figure (labels 6.8 pt at 1); default: the figure's
        width over 11 inches, so a smaller figure is the same map shrunk.
        A figure shown small (a slide's picture) passes a larger scale so
        its labels stay legible at the size they are seen.
    headline
        Draw the title, subtitle and source footer on the figure; without
        them (a slide, which says them in its own text) the map and legend
        take the whole figure.

    Returns
    -------
    matplotlib.figure.Figure
        With an Agg canvas; save it with :func:`save_figure`.

    """
    from layers.legs import with_stubs

    # A leg with one unreported end is a short stub at its known end, as on the HTML maps.
    legs: gpd.GeoDataFrame = with_stubs(dataset.legs, dataset.places)
    when = pd.Timestamp(as_of) if as_of is not None else latest_date(legs)
    zones = zones_at(dataset.zones, when)
    width_in, height_in = size_px[0] / dpi, size_px[1] / dpi
    k = width_in / _BASE_WIDTH_IN if scale is None else float(scale)  # font scale
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(width_in, height_in), dpi=dpi, facecolor="white")
        FigureCanvasAgg(fig)
        if headline:
            ax = fig.add_axes((0.015, 0.085, 0.745, 0.80))
            panel = fig.add_axes((0.775, 0.085, 0.21, 0.80))
        else:
            ax = fig.add_axes((0.005, 0.005, 0.70, 0.99))
            panel = fig.add_axes((0.72, 0.005, 0.275, 0.99))
        panel.set_axis_off()

        ends = _ends(legs)
        ends[col.LON] = _unwrap(ends[col.LON].to_numpy(float))
        pos = ax.get_position()
        extent = _extent(legs, ends) if focus is None else _focus_extent(focus)
        x0, x1, y0, y1 = _fit(extent, pos.width * width_in, pos.height * height_in)
        # Places onto the window's copy of the world (a zone's frame past 180).
        lon = ends[col.LON].to_numpy(float)
        ends[col.LON] = lon + 360.0 * np.round(((x0 + x1) / 2 - lon) / 360.0)
        # Lines onto the window's copy of the world.
        legs = legs.set_geometry(
            gpd.GeoSeries(
                shift_near(legs.geometry.to_numpy(), (x0 + x1) / 2),
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
        if not headline:
            return fig
        n_transfers = legs[col.TRANSFER_ID].nunique() if len(legs) else 0
        when_text = when.strftime("%d %B %Y").lstrip("0") if when is not None else "undated"
        fig.text(
            0.015,
            0.955,
            _plain(title, weight="bold"),
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
            _ltr_lines(textwrap.fill(_plain(text), chars))
            for text in (_source_line(dataset), _caveat(zones))
        )
        fig.text(
            0.015, 0.07, footer, fontsize=6.2 * k, color=_MUTED, va="top", linespacing=1.25
        )
    return fig


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
