"""The static map's furniture: scale bar, north arrow, legend panel, source line and caveat."""

from __future__ import annotations

import math
from typing import Any

import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

from geo import columns as col
from geo.ledger_checks import source_id_list
from layers.credits import drawn_coord_sources, geonames_credit
from layers.static_map._style import _GEOD, _MUTED, _TEXT, _dash

__all__ = ["nice_scale_km"]


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
    _fit_legend(panel, leg)


def _fit_legend(panel: Axes, leg: Any) -> None:
    """Keep a legend inside its panel: wrap long entries, then shrink the text.

    A legend is never cut at the figure's edge (a long actor name, a narrow
    slide panel): entries are wrapped onto more lines, and only if that is
    not enough is the text made smaller (to no less than 60 %).
    """
    import textwrap

    renderer = panel.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    room = panel.get_window_extent(renderer)
    texts = leg.get_texts()
    words = [t.get_text().replace("\n", " ") for t in texts]
    sizes = [t.get_fontsize() for t in texts]

    def wrap(width: int, shrink: float) -> tuple[bool, bool]:
        for t, w, size in zip(texts, words, sizes, strict=True):
            t.set_fontsize(size * shrink)
            t.set_text(textwrap.fill(w, width, break_on_hyphens=False))
        box = leg.get_window_extent(renderer)
        return box.x1 <= room.x1 + 0.5, box.y0 >= room.y0 - 0.5

    longest = max(len(w) for w in words)
    for shrink in (1.0, 0.92, 0.85, 0.78, 0.72, 0.66, 0.6):
        for width in range(longest, 11, -1):
            wide_ok, tall_ok = wrap(width, shrink)
            if wide_ok:
                break
        if wide_ok and tall_ok:
            return


def _source_line(dataset: Any) -> str:
    legs, sources = dataset.legs, dataset.sources
    cited = legs[col.SOURCE_IDS] if len(legs) else ()
    used = sorted({s for ids in cited for s in source_id_list(ids)})
    outlets = (
        sources[sources[col.SOURCE_ID].isin(used)][col.SOURCE_OUTLET].dropna().astype(str)
        if len(sources)
        else pd.Series(dtype=str)
    )
    names = sorted(set(outlets))
    shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    credit = geonames_credit(drawn_coord_sources(dataset))
    return (
        f"Sources: open-source reporting, {len(used)} report{'' if len(used) == 1 else 's'} "
        f"({shown}); "
        "full list in sources.md. Basemap: Natural Earth 1:50m."
        + (f" {credit}." if credit else "")
    )


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
