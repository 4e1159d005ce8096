"""WebGL legs for big maps: when to use them and the script that draws them.

Above :data:`WEBGL_MIN_LEGS` legs a map draws its legs with WebGL
(``layers/static/movemap_webgl.js``) instead of one Leaflet polyline per
leg on a canvas: building 100k polylines takes seconds when the page
opens and every pan re-rasterises the dashed lines, while the WebGL layer
uploads every leg segment once (a quad of four vertices; not instanced
drawing, whose per-instance set-up dominates without a GPU) and redraws
a pan in one draw call, or not at all while the view stays inside the canvas
as last drawn (a quarter of the window beyond each edge).  What changes on
such a map: legs keep their actor-group colour,
their status's width and dash pattern (cut on the GPU) and the faded
opacity of uncertain legs; a click opens the same popup as on the canvas
path (the nearest shown leg within 5 px); filters and playback hide legs
by a per-segment flag; direction arrowheads and leg numbers are left to
the popups, and hovering shows no tooltip.

The script is movemap's own (no third-party code, nothing to vendor), is
inlined like the rest of the runtime, and only in pages that use it, so
smaller maps are unchanged byte for byte.
"""

from __future__ import annotations

from typing import Final

from folium.template import Template

from layers._element import MovemapElement

__all__ = [
    "WEBGL_MIN_LEGS",
    "WEBGL_MODES",
    "WebglScript",
    "use_webgl",
    "webgl_js",
]

#: Maps with more legs than this draw them with WebGL (``webgl="auto"``).
#: Measured (bench/bench_maps.py): the canvas path pans in about 0.1 s per
#: 10k legs, so 20k legs is where a pan starts to take longer than a frame
#: budget of ~200 ms on a 2-core machine.
WEBGL_MIN_LEGS: Final = 20_000

#: Values of ``movemap build --webgl``.
WEBGL_MODES: Final = ("auto", "on", "off")


def use_webgl(n_legs: int, *, mode: str = "auto") -> bool:
    """Tell whether a map of ``n_legs`` legs draws them with WebGL.

    Parameters
    ----------
    n_legs
        Legs on the map.
    mode
        ``"auto"`` (WebGL above :data:`WEBGL_MIN_LEGS`), ``"on"`` or ``"off"``.

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        If ``mode`` is not one of :data:`WEBGL_MODES`.

    """
    if mode not in WEBGL_MODES:
        msg = f"webgl mode {mode!r} is not one of {', '.join(WEBGL_MODES)}"
        raise ValueError(msg)
    if mode == "auto":
        return n_legs > WEBGL_MIN_LEGS
    return mode == "on"


def webgl_js() -> str:
    """Return the WebGL leg layer's JavaScript."""
    from layers.assets import asset_text

    return asset_text("movemap_webgl.js")


class WebglScript(MovemapElement):
    """Header element inlining ``movemap_webgl.js``."""

    _name = "WebglScript"
    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <script>{{ this.code }}</script>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        from layers.assets import _checked

        super().__init__()
        self.code = _checked(webgl_js())
