"""Place labels on the static map that overlap nothing (greedy, most important first)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.transforms import Bbox

from layers.static_map._style import _MUTED, _TEXT, _face_for, _plain

__all__ = ["label_positions"]


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
        face = _face_for(text, style)
        for dx, dy in _OFFSETS:
            ha = "left" if dx > 0 else "right" if dx < 0 else "center"
            va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
            far = math.hypot(dx, dy) > 10
            ann = ax.annotate(
                _plain(text, style=face),
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fontsize,
                fontstyle=face,
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


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return float(w * h) if w > 0 and h > 0 else 0.0
