"""movemap's data and geometry: gazetteer, ledger, geodesic lines, zones.

The flow is inputs -> :func:`load_dataset` -> maps and exports. Everything
here works in (lon, lat) and never imports folium; everything drawn lives
in :mod:`layers`.
"""

import importlib as _importlib
import sys as _sys
import types as _types

# Public names load on first use (PEP 562), so `import geo.x` and the command
# line stay quick: `movemap --help` must not import geopandas.
_LAZY: dict[str, str] = {
    "AmbiguousPlaceError": "geo._errors",
    "DataDirError": "geo._errors",
    "Dataset": "geo.dataset",
    "DateMention": "geo.reldate",
    "GazetteerError": "geo._errors",
    "InputError": "geo._errors",
    "LedgerError": "geo._errors",
    "LedgerResult": "geo.ledger",
    "LegFilter": "geo.filters",
    "MovemapError": "geo._errors",
    "OutputError": "geo._errors",
    "PhraseRulesError": "geo._errors",
    "PlaceIndex": "geo.geocode",
    "PlaceLookupError": "geo._errors",
    "Problem": "geo._errors",
    "ResolvedDate": "geo.reldate",
    "UnknownPlaceError": "geo._errors",
    "ZonesError": "geo._errors",
    "arrowheads": "geo.lines",
    "attribute_legs": "geo.zones",
    "countries_at": "geo.countries",
    "data_dir": "geo.paths",
    "export": "geo.export",
    "filter_dataset": "geo.filters",
    "filter_legs": "geo.filters",
    "find_dates": "geo.reldate",
    "geodesic_lines": "geo.lines",
    "leg_midpoints": "geo.lines",
    "legs_to_geoparquet": "geo.pipeline",
    "load_countries": "geo.countries",
    "load_dataset": "geo.dataset",
    "movement_lines": "geo.routes",
    "normalize": "geo.geocode",
    "parse_dates": "geo.dates",
    "places_faction": "geo.zones",
    "read_actors": "geo.actors",
    "read_gazetteer": "geo.gazetteer",
    "read_ledger": "geo.ledger",
    "read_sources": "geo.ledger",
    "read_track": "geo.tracks",
    "read_zones": "geo.zones",
    "resolve_date": "geo.reldate",
    "sea_route": "geo.routes",
    "split_antimeridian": "geo.lines",
    "split_by_zone": "geo.zones",
    "to_csv": "geo.export",
    "to_geojson": "geo.export",
    "to_geoparquet": "geo.export",
    "to_gpkg": "geo.export",
    "to_kml": "geo.export",
    "validate_data": "geo.dataset",
    "zones_at": "geo.zones",
}

__all__ = [
    "AmbiguousPlaceError",
    "DataDirError",
    "Dataset",
    "DateMention",
    "GazetteerError",
    "InputError",
    "LedgerError",
    "LedgerResult",
    "LegFilter",
    "MovemapError",
    "OutputError",
    "PhraseRulesError",
    "PlaceIndex",
    "PlaceLookupError",
    "Problem",
    "ResolvedDate",
    "UnknownPlaceError",
    "ZonesError",
    "arrowheads",
    "attribute_legs",
    "countries_at",
    "data_dir",
    "export",
    "filter_dataset",
    "filter_legs",
    "find_dates",
    "geodesic_lines",
    "leg_midpoints",
    "legs_to_geoparquet",
    "load_countries",
    "load_dataset",
    "movement_lines",
    "normalize",
    "parse_dates",
    "places_faction",
    "read_actors",
    "read_gazetteer",
    "read_ledger",
    "read_sources",
    "read_track",
    "read_zones",
    "resolve_date",
    "sea_route",
    "split_antimeridian",
    "split_by_zone",
    "to_csv",
    "to_geojson",
    "to_geoparquet",
    "to_gpkg",
    "to_kml",
    "validate_data",
    "zones_at",
]


def __getattr__(name: str) -> object:
    """Import a public name's module on first use and cache the name here."""
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'geo' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _GeoModule(_types.ModuleType):
    """geo itself: a submodule named like a public name (geo.export) never hides it."""

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, _types.ModuleType) and _LAZY.get(name) == f"geo.{name}":
            return  # `import geo.export` must leave geo.export the function
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _GeoModule
