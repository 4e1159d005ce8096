"""movemap's data and geometry: gazetteer, ledger, geodesic lines, zones.

The flow is inputs -> :func:`load_dataset` -> maps and exports. Everything
here works in (lon, lat) and never imports folium; everything drawn lives
in :mod:`layers`.
"""

from geo._errors import (
    AmbiguousPlaceError,
    DataDirError,
    GazetteerError,
    InputError,
    LedgerError,
    MovemapError,
    PlaceLookupError,
    Problem,
    UnknownPlaceError,
    ZonesError,
)
from geo.countries import countries_at, load_countries
from geo.dataset import Dataset, load_dataset, validate_data
from geo.dates import parse_dates
from geo.export import export, to_csv, to_geojson, to_gpkg, to_kml
from geo.filters import LegFilter, filter_dataset, filter_legs
from geo.gazetteer import read_gazetteer
from geo.geocode import PlaceIndex, normalize
from geo.ledger import LedgerResult, read_ledger, read_sources
from geo.lines import arrowheads, geodesic_lines, leg_midpoints, split_antimeridian
from geo.paths import data_dir
from geo.zones import attribute_legs, places_faction, read_zones, split_by_zone, zones_at

__all__ = [
    "AmbiguousPlaceError",
    "DataDirError",
    "Dataset",
    "GazetteerError",
    "InputError",
    "LedgerError",
    "LedgerResult",
    "LegFilter",
    "MovemapError",
    "PlaceIndex",
    "PlaceLookupError",
    "Problem",
    "UnknownPlaceError",
    "ZonesError",
    "arrowheads",
    "attribute_legs",
    "countries_at",
    "data_dir",
    "export",
    "filter_dataset",
    "filter_legs",
    "geodesic_lines",
    "leg_midpoints",
    "load_countries",
    "load_dataset",
    "normalize",
    "parse_dates",
    "places_faction",
    "read_gazetteer",
    "read_ledger",
    "read_sources",
    "read_zones",
    "split_antimeridian",
    "split_by_zone",
    "to_csv",
    "to_geojson",
    "to_gpkg",
    "to_kml",
    "validate_data",
    "zones_at",
]
