"""Base maps: embedded country outlines (offline) and a light tile layer.

The outlines cover the whole world, so no pan or zoom shows blank land:
Natural Earth 1:110m everywhere, and 1:50m (simplified to ~1 km) inside
the *theatre*, the box around every leg, place and zone of the build plus
:data:`THEATRE_MARGIN_DEG`.  They are computed once per build (cached on
the theatre box) and every map of the build embeds the same text, so the
outlines are the default base and a page renders with no network.
The tile layer (Esri World Light Gray Canvas via xyzservices) is offered in the
layer control and fetches tiles only when chosen.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import shapely
import xyzservices.providers as xyz
from folium.template import Template

from geo.antimeridian import drop_cut_edges
from geo.countries import load_countries
from layers._element import MovemapElement
from layers.escape import script_json
from layers.payload import geojson_geometry

__all__ = [
    "OUTLINES_NAME",
    "THEATRE_MARGIN_DEG",
    "TILES_NAME",
    "CountryOutlines",
    "Credit",
    "TileBase",
    "countries_geojson",
    "countries_json",
    "tile_options",
]

#: Layer-control names of the two base maps.
OUTLINES_NAME = "Country outlines (offline)"
TILES_NAME = "Esri light grey tiles (needs network)"
#: Degrees added around the build's data bounds for the 1:50m detail.
THEATRE_MARGIN_DEG = 12.0
#: Douglas-Peucker tolerance (degrees) of the 1:50m detail (~1 km).
DETAIL_TOLERANCE = 0.01
#: Decimal places of the outlines (~100 m).
OUTLINE_DIGITS = 3


@lru_cache(maxsize=8)
def countries_geojson(
    theatre: tuple[float, float, float, float] | None,
    *,
    margin: float = THEATRE_MARGIN_DEG,
) -> dict[str, Any]:
    """World country outlines, finer around ``theatre``.

    Land is sent as fills (no stroke) and borders as lines, so the seam
    between the two scales is never drawn as a border, nor Natural Earth's
    cut of Russia and Fiji along 180 (:func:`geo.antimeridian.drop_cut_edges`).  The world is
    Natural Earth 1:110m; inside the theatre box 1:50m replaces it.

    Parameters
    ----------
    theatre
        (min lon, min lat, max lon, max lat) of everything the build
        draws; ``None`` for the world at 1:110m only.
    margin
        Degrees added on every side of ``theatre``.

    Returns
    -------
    dict
        GeoJSON FeatureCollection; each feature's ``kind`` property is
        ``"land"`` (fill) or ``"border"`` (line) and ``scale`` is
        ``"110m"`` or ``"50m"``.  Cached per arguments (every map of one
        build shares it): treat as read-only.

    """
    coarse = load_countries(scale="110m").geometry.to_numpy()
    parts: list[tuple[str, shapely.Geometry, shapely.Geometry]] = []
    if theatre is None:
        borders = drop_cut_edges(shapely.union_all(shapely.boundary(coarse)))
        parts.append(("110m", shapely.union_all(coarse), borders))
    else:
        box = _box(theatre, margin)
        fine = load_countries(scale="50m").geometry.to_numpy()
        fine = fine[shapely.intersects(fine, box)]
        fine = shapely.simplify(fine, DETAIL_TOLERANCE, preserve_topology=True)
        # Clip first, then union: only the theatre's vertices are merged.
        fine_land = shapely.union_all(shapely.intersection(fine, box))
        fine_border = shapely.intersection(
            drop_cut_edges(shapely.union_all(shapely.boundary(fine))), box
        )
        outside = shapely.difference(coarse, box)
        coarse_land = shapely.union_all(outside)
        coarse_border = shapely.difference(
            drop_cut_edges(shapely.union_all(shapely.boundary(coarse))), box
        )
        parts += [("110m", coarse_land, coarse_border), ("50m", fine_land, fine_border)]
    features = []
    for scale, land, border in parts:
        for kind, geom in (("land", _only(land, 2)), ("border", _only(border, 1))):
            gj = geojson_geometry(geom, tolerance=0, ndigits=OUTLINE_DIGITS)
            if gj is not None:
                features.append(
                    {
                        "type": "Feature",
                        "properties": {"kind": kind, "scale": scale},
                        "geometry": gj,
                    }
                )
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=8)
def countries_json(theatre: tuple[float, float, float, float] | None) -> str:
    """:func:`countries_geojson` as script-safe JSON, serialised once per build."""
    return script_json(countries_geojson(theatre))


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
        max(south - margin, -90.0),
        min(east + margin, 180.0),
        min(north + margin, 90.0),
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
    """Offline base map of country outlines (the default base layer).

    Parameters
    ----------
    data
        The theatre box handed to :func:`countries_json` (or ``None``).

    """

    _name = "CountryOutlines"
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        movemap.addCountries(
            {{ this._parent.get_name() }}, {{ this.json() }}, {{ this.name_json() }});
        {% endmacro %}
        """
    )

    def json(self) -> str:
        """Return the outlines as script-safe JSON (one serialisation per build)."""
        return countries_json(self.data)

    def name_json(self) -> str:
        """Return the layer name as script-safe JSON."""
        return script_json(OUTLINES_NAME)


class Credit(MovemapElement):
    """One more line in the map's attribution control (plain text)."""

    _name = "Credit"
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution(
            {{ this.json() }}.replace(/[&<>]/g, function (c) {
                return {'&': '&amp;', '<': '&lt;', '>': '&gt;'}[c]; }));
        {% endmacro %}
        """
    )


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
