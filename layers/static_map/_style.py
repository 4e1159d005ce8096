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


#: Characters that only shape an emoji (variation selectors, joiner, skin tones,
#: keycap): DejaVu Sans maps some of them to a box.
_EMOJI_MODIFIERS = frozenset(
    [0xFE0E, 0xFE0F, 0x200D, 0x20E3, *range(0x1F3FB, 0x1F400), *range(0xE0020, 0xE0080)]
)


def _plain(text: str, *, style: str = "normal", weight: str = "normal") -> str:
    """Text as matplotlib should show it, literally.

    ``$`` is escaped so report text is never read as mathtext. An emoji the
    font face (``style``, ``weight``) has is kept (✈, ⚠); one it lacks is
    written as its name in brackets (🚀 -> ``[rocket]``, 🇷🇺 -> ``[Russia]``)
    rather than an empty box (see :func:`emoji_named`). Other characters
    the face lacks (Hangul in an outlet's domain, say) become ``?``.
    """
    glyphs = _glyphs(style, weight)
    text = _name_emoji(str(text), glyphs)
    shown = "".join(c if ord(c) in glyphs or c in "\n\t" else "?" for c in text)
    return shown.replace("$", r"\$")


def _name_emoji(text: str, glyphs: frozenset[int]) -> str:
    import emoji

    def one(chars: str, data: dict[str, Any]) -> str:
        base = [c for c in chars if ord(c) not in _EMOJI_MODIFIERS]
        if base and all(ord(c) in glyphs for c in base) and len(base) == 1:
            return base[0]  # the font draws it (✈ without its emoji-style selector)
        return "[" + data["en"].strip(":").replace("_", " ") + "]"

    if text.isascii():
        return text
    return emoji.replace_emoji(text, replace=one)


def emoji_named(texts: Sequence[str]) -> list[tuple[str, str]]:
    """Each emoji in ``texts`` that the static map writes by name, with that name.

    Parameters
    ----------
    texts
        Text that reaches the static map (place and actor names, title...).

    Returns
    -------
    list of (str, str)
        ``(emoji, shown as)`` pairs, each once, in order of appearance:
        ``[("🚀", "[rocket]")]``.

    """
    import emoji

    glyphs = _glyphs("normal", "normal")
    out: dict[str, str] = {}
    for text in texts:
        if str(text).isascii():
            continue
        for hit in emoji.emoji_list(str(text)):
            shown = _name_emoji(hit["emoji"], glyphs)
            if shown.startswith("["):
                out.setdefault(hit["emoji"], shown)
    return list(out.items())


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
