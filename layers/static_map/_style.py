"""Look of the static map: colours, fonts, dash patterns, polygon patches, literal text.

Shared by every part of :mod:`layers.static_map`; ``_RC`` keeps SVG output
deterministic (fixed hash salt, text as paths).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from pyproj import Geod

from geo import settings
from layers import style

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


#: Left-to-right mark: starts a line of our English prose so that report text
#: in Arabic or Hebrew at its start does not make the line right-to-left
#: (matplotlib lays text out with libraqm, which applies the bidi algorithm).
LRM = "\u200e"


def _plain(text: str, *, style: str = "normal", weight: str = "normal") -> str:
    """Text as matplotlib should show it, literally.

    ``$`` is escaped so report text is never read as mathtext, and
    characters the font face (``style``, ``weight``) lacks (Hangul in an
    outlet's domain, say) become ``?`` rather than empty boxes.
    """
    glyphs = _glyphs(style, weight)
    shown = "".join(c if ord(c) in glyphs or c in "\n\t" else "?" for c in str(text))
    return shown.replace("$", r"\$")


def _ltr_lines(text: str) -> str:
    """``text`` with each line started by :data:`LRM` (our prose reads left to right)."""
    return "\n".join(LRM + line for line in text.split("\n"))


def _face_for(text: str, style: str) -> str:
    """``style`` if its face has every character of ``text`` the upright face has, else normal.

    DejaVu Sans Oblique has no Arabic: an Arabic name in an italic label
    would otherwise lose every letter.
    """
    if style == "normal":
        return style
    upright, face = _glyphs("normal", "normal"), _glyphs(style, "normal")
    ok = all(ord(c) in face or ord(c) not in upright for c in str(text))
    return style if ok else "normal"


@functools.cache
def _glyphs(style: str = "normal", weight: str = "normal") -> frozenset[int]:
    from matplotlib import font_manager

    props = font_manager.FontProperties(family=_RC["font.family"], style=style, weight=weight)
    font = font_manager.get_font(font_manager.findfont(props))
    return frozenset(font.get_charmap())
