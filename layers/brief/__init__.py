"""The briefing pack: every file a briefing needs, from one dataset.

:func:`write_brief` writes, into one folder,

``map.png``, ``map.svg``
    the static map (:mod:`layers.static_map`);
``map.html``
    the self-contained interactive map (:func:`layers.maps.render_map`);
``map.geojson``
    legs, places and zones on the map, RFC 7946 (:mod:`geo.export`);
``sources.csv``, ``sources.md``
    each transfer's legs and the reports behind them;
``embed.html``
    an iframe snippet that embeds ``map.html`` at any width;
``slide.pptx``
    one 16:9 slide with the map and a short transfer table.

Every file is written atomically and the same inputs give the same bytes
(the PPTX is re-zipped with fixed timestamps).

Modules: :mod:`~layers.brief.select` (as-of date, legs and zones kept),
:mod:`~layers.brief.sources` (sources table and Markdown, transfer summary),
:mod:`~layers.brief.embed` (the iframe snippet), :mod:`~layers.brief.slide`
(the PowerPoint slide); :func:`write_brief` here writes the pack.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from geo import columns as col
from geo import settings
from geo._errors import MovemapError
from geo._io import check_out_dir, write_text
from geo.dates import latest_date
from geo.export import csv_text, to_geojson
from layers.brief._defaults import DEFAULT_TITLE
from layers.brief.embed import embed_snippet
from layers.brief.select import _zone_id, filter_dataset, parse_as_of
from layers.brief.slide import (
    SLIDE_MAP_DPI,
    SLIDE_MAP_SCALE,
    SLIDE_MAP_SIZE_IN,
    write_slide,
)
from layers.brief.sources import sources_markdown, sources_table, transfer_summary
from layers.credits import drawn_coord_sources, geonames_credit
from layers.static_map import save_figure, zones_at

__all__ = [
    "DEFAULT_TITLE",
    "embed_snippet",
    "filter_dataset",
    "sources_markdown",
    "sources_table",
    "transfer_summary",
    "write_brief",
    "write_slide",
]



def write_brief(
    dataset: Any,
    out_dir: str | Path,
    *,
    title: str = DEFAULT_TITLE,
    as_of: str | pd.Timestamp | None = None,
    zone: str | None = None,
    size_px: tuple[int, int] = settings.BRIEF_MAP_SIZE_PX,
    raw_csv: bool = False,
    colours: dict[str, str] | None = None,
    selection: str | None = None,
) -> list[Path]:
    """Write the briefing pack for a dataset into ``out_dir``.

    Parameters
    ----------
    dataset
        A :class:`geo.dataset.Dataset`.
    out_dir
        Folder to write into (created if missing).
    title
        Headline of the map and slide.
    as_of
        Only legs that could have started by this date, and the zones
        valid on it (``"2020-06-30"``; ``"2020-06"`` means its last day).
    zone
        Only legs starting, ending or passing through this zone.
    size_px
        Pixel size of map.png (at ``settings.BRIEF_MAP_DPI``).
    raw_csv
        Write sources.csv with text exactly as read; by default text cells a
        spreadsheet would run as formulas are defused and the file starts
        with a UTF-8 byte order mark, for Excel (:func:`geo.export.csv_text`).
    colours
        Leg colours; pass :func:`layers.style.leg_colours` of the whole
        (unfiltered) dataset so the brief matches the HTML maps.  Default:
        from ``dataset``.
    selection
        What a leg filter kept, in words (said in the subtitles).

    Returns
    -------
    list of pathlib.Path
        Files written: map.png, map.svg, map.html, map.geojson, sources.csv,
        sources.md, embed.html, slide.pptx.

    Raises
    ------
    MovemapError
        On an unreadable ``as_of``, an unknown ``zone``, or when no leg is
        left to brief.

    """
    from layers.maps import render_map
    from layers.static_map import draw_static_map

    when = parse_as_of(as_of)
    picked = filter_dataset(dataset, as_of=when, zone=zone)
    if len(picked.legs) == 0:
        what = " and ".join(
            s
            for s in (
                f"started by {when:%Y-%m-%d}" if when is not None else "",
                f"in zone {zone!r}" if zone else "",
            )
            if s
        )
        msg = f"no legs {what}; nothing to brief"
        raise MovemapError(msg)
    out = check_out_dir(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    from layers.maps import build_context
    from layers.style import leg_colours

    if colours is None:
        colours = leg_colours(dataset.legs)
    focus = None
    if zone:
        zid = _zone_id(dataset.zones, zone)
        focus = dataset.zones.loc[dataset.zones[col.ZONE_ID] == zid, col.GEOMETRY].iloc[0]
    fig = draw_static_map(
        picked, title=title, as_of=when, size_px=size_px, colours=colours, focus=focus,
        subtitle=_figure_subtitle(picked, when, selection),
    )
    written.append(save_figure(fig, out / "map.png"))
    written.append(save_figure(fig, out / "map.svg"))
    slide_png = _png_bytes(
        draw_static_map(
            picked, title=title, as_of=when, colours=colours, focus=focus,
            size_px=(round(SLIDE_MAP_SIZE_IN[0] * SLIDE_MAP_DPI),
                     round(SLIDE_MAP_SIZE_IN[1] * SLIDE_MAP_DPI)),
            dpi=SLIDE_MAP_DPI, scale=SLIDE_MAP_SCALE, headline=False,
        )
    )
    context = build_context(picked, colours=colours)
    written.append(
        write_text(
            out / "map.html",
            render_map(
                picked, zone=zone and _zone_id(dataset.zones, zone), cdn=False, context=context,
                title=title, subset=selection,
            ),
        )
    )
    # The GeoJSON holds the zones the static map shows: those valid on its date.
    as_of = when if when is not None else latest_date(picked.legs)
    on_map = dataclasses.replace(picked, zones=zones_at(picked.zones, as_of))
    written.append(to_geojson(on_map, out / "map.geojson", layer="all"))

    table = sources_table(picked)
    written.append(write_text(out / "sources.csv", csv_text(table, raw=raw_csv)))
    written.append(write_text(out / "sources.md", sources_markdown(picked, title=title)))
    written.append(write_text(out / "embed.html", embed_snippet(title=title)))

    summary = transfer_summary(picked)
    subtitle = _counted(len(summary), "transfer") + ", " + _counted(len(picked.legs), "leg")
    if as_of is not None:
        subtitle = f"As of {as_of:%d %B %Y}".replace(" 0", " ") + " \u00b7 " + subtitle
    if zone:
        subtitle += f" \u00b7 zone {zone}"
    if selection:
        subtitle += f" \u00b7 {selection}"
    credit = geonames_credit(drawn_coord_sources(picked))  # CC BY 4.0
    written.append(
        write_slide(
            out / "slide.pptx",
            image=slide_png,
            title=title,
            subtitle=subtitle,
            table=summary,
            footer="Lines join origin and destination; they are not flight paths. "
            "Sources: open-source reporting, listed in sources.md. Basemap: Natural Earth. "
            + (f"{credit}. " if credit else "")
            + "Zone boundaries are approximate.",
            when=as_of,
        )
    )
    return written


def _png_bytes(fig: Any) -> bytes:
    """Return a figure as PNG bytes, reproducibly (no software stamp)."""
    import io

    import matplotlib as mpl

    from layers.static_map._style import _RC

    buf = io.BytesIO()
    with mpl.rc_context(_RC):
        fig.savefig(buf, format="png", dpi=fig.dpi, metadata={"Software": None}, facecolor="white")
    return buf.getvalue()


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _figure_subtitle(
    picked: Any, when: pd.Timestamp | None, selection: str | None
) -> str:
    """Return the map's line under the title: date, what is drawn, the caveat on lines."""
    shown = when if when is not None else latest_date(picked.legs)
    date = f"As of {shown:%d %B %Y}".replace(" 0", " ") if shown is not None else "Undated"
    n_transfers = picked.legs[col.TRANSFER_ID].nunique()
    parts = [date, _counted(n_transfers, "transfer") + ", " + _counted(len(picked.legs), "leg")]
    if selection:
        parts.append(selection)
    parts.append("lines join origin and destination; they are not flight paths")
    return " \u00b7 ".join(parts)
