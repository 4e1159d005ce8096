"""Base maps: embedded country outlines (offline) and a light tile layer.

The outlines come from :func:`geo.countries.load_countries` (Natural
Earth 1:50m), clipped to the map's region and simplified so a page stays
small; they are the default base so a page renders with no network.
The tile layer (Esri World Light Gray Canvas via xyzservices) is offered in the
layer control and fetches tiles only when chosen.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import shapely
import xyzservices.providers as xyz
from folium.template import Template

from geo.countries import load_countries
from layers._element import MovemapElement
from layers.escape import script_json
from layers.payload import geojson_geometry, unwrap_antimeridian

__all__ = [
    "OUTLINES_NAME",
    "TILES_NAME",
    "CountryOutlines",
    "TileBase",
    "countries_geojson",
    "tile_options",
]

#: Layer-control names of the two base maps.
OUTLINES_NAME = "Country outlines (offline)"
TILES_NAME = "Esri light grey tiles (needs network)"
#: Degrees added around the map's data bounds before clipping outlines.
CLIP_MARGIN_DEG = 40.0
#: Degrees around a zone map's zone where outlines are kept finer.
FOCUS_MARGIN_DEG = 4.0


@lru_cache(maxsize=16)
def countries_geojson(
    bounds: tuple[float, float, float, float],
    *,
    focus: tuple[float, float, float, float] | None = None,
    margin: float = CLIP_MARGIN_DEG,
) -> dict[str, Any]:
    """Country outlines around ``bounds``, simplified to stay small.

    Land is sent twice: as fills (no stroke) clipped to the region, and
    as border lines clipped to it, so the clip rectangle itself is never
    drawn as a border.  Around ``focus`` (a zone map's zone) outlines are
    kept finer than elsewhere.

    Parameters
    ----------
    bounds
        (min lon, min lat, max lon, max lat) of what the map shows.
    focus
        Bounds drawn in more detail (plus :data:`FOCUS_MARGIN_DEG`).
    margin
        Degrees added on every side of ``bounds`` before clipping.

    Returns
    -------
    dict
        GeoJSON FeatureCollection; each feature's ``kind`` property is
        ``"land"`` (fill) or ``"border"`` (line).  Cached per arguments
        (every map of one build shares a region): treat as read-only.

    """
    box = _box(bounds, margin)
    span = max(box.bounds[2] - box.bounds[0], box.bounds[3] - box.bounds[1])
    parts = [(box, max(0.02, span / 1000.0))]
    if focus is not None:
        fine = shapely.intersection(_box(focus, FOCUS_MARGIN_DEG), box)
        fspan = max(fine.bounds[2] - fine.bounds[0], fine.bounds[3] - fine.bounds[1], 0.1)
        parts = [(box.difference(fine), parts[0][1]), (fine, max(0.002, fspan / 600.0))]
    geoms = np.array([unwrap_antimeridian(g) for g in load_countries().geometry], dtype=object)
    features = []
    for area, tolerance in parts:
        hit = shapely.intersects(geoms, area)
        simple = shapely.simplify(geoms[hit], tolerance, preserve_topology=True)
        land = shapely.intersection(shapely.union_all(simple), area)
        border = shapely.intersection(shapely.union_all(shapely.boundary(simple)), area)
        for kind, geom in (("land", _only(land, 2)), ("border", _only(border, 1))):
            gj = geojson_geometry(geom, tolerance=0, ndigits=3)
            if gj is not None:
                features.append({"type": "Feature", "properties": {"kind": kind}, "geometry": gj})
    return {"type": "FeatureCollection", "features": features}


def _only(geom: shapely.Geometry, dim: int) -> shapely.Geometry | None:
    # Clipping can leave stray points or slivers: keep parts of one dimension.
    parts = shapely.get_parts(shapely.get_parts(geom))
    keep = parts[shapely.get_dimensions(parts) == dim]
    if not len(keep):
        return None
    return shapely.multipolygons(keep) if dim == 2 else shapely.multilinestrings(keep)


def _box(bounds: tuple[float, float, float, float], margin: float) -> shapely.Polygon:
    west, south, east, north = bounds
    return shapely.box(
        max(west - margin, -180.0),
        max(south - margin, -85.0),
        min(east + margin, 180.0),
        min(north + margin, 85.0),
    )


def tile_options() -> dict[str, Any]:
    """Return ``{"url", "options"}`` for the light tile base map."""
    # CartoDB Positron now needs an API key (xyzservices says so); Esri's
    # light grey canvas is as quiet under the legs and needs none.
    provider = xyz.Esri.WorldGrayCanvas
    return {
        "url": provider.build_url(),
        "options": {
            "attribution": provider.html_attribution,
            "maxZoom": int(provider.get("max_zoom", 16)),
        },
    }


class CountryOutlines(MovemapElement):
    """Offline base map of country outlines (the default base layer)."""

    _name = "CountryOutlines"
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        movemap.addCountries(
            {{ this._parent.get_name() }}, {{ this.json() }}, {{ this.name_json() }});
        {% endmacro %}
        """
    )

    def name_json(self) -> str:
        """Return the layer name as script-safe JSON."""
        return script_json(OUTLINES_NAME)


class TileBase(MovemapElement):
    """Light tile base map, added to the layer control but not shown first."""

    _name = "TileBase"
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        movemap.addTiles({{ this._parent.get_name() }}, {{ this.url_json() }},
            {{ this.options_json() }}, {{ this.name_json() }});
        {% endmacro %}
        """
    )

    def url_json(self) -> str:
        """Return the tile URL template as script-safe JSON."""
        return script_json(self.data["url"])

    def options_json(self) -> str:
        """Return the Leaflet tile options as script-safe JSON."""
        return script_json(self.data["options"])

    def name_json(self) -> str:
        """Return the layer name as script-safe JSON."""
        return script_json(TILES_NAME)
