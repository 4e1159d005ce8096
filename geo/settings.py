"""Typed settings in one place. Change them here, not at call sites."""

from __future__ import annotations

from typing import Final

#: File names of the inputs inside a data folder.
GAZETTEER_FILE: Final = "gazetteer.csv"
TRANSFERS_FILE: Final = "transfers.csv"
SOURCES_FILE: Final = "sources.csv"
ZONES_FILE: Final = "zones.geojson"
ACTORS_FILE: Final = "actors.csv"  # optional: actor groups (issue 11)

#: Ellipsoid for every distance, bearing and geodesic line.
ELLPS: Final = "WGS84"
#: Maximum spacing between vertices of a densified geodesic line, in km.
#: 25 km keeps the line within a pixel of the true geodesic at zoom <= 8.
VERTEX_SPACING_KM: Final = 25.0
#: Largest longitude step between consecutive vertices, in degrees: matters
#: only near the poles, where a short leg can sweep through many degrees.
VERTEX_MAX_DLON_DEG: Final = 1.0

#: Tolerance, in km, for a gazetteer point lying outside its country
#: polygon (coastal bases and ports sit on the 1:50m coastline's edge).
COUNTRY_TOLERANCE_KM: Final = 15.0

#: Number of "did you mean" suggestions for an unknown place name.
N_SUGGESTIONS: Final = 3

#: Decimal places of coordinates in exported GeoJSON (~1 m).
COORDINATE_PRECISION: Final = 5

#: Formats ``movemap export`` writes (:data:`geo.export.FORMATS`).
EXPORT_FORMATS: Final = ("geojson", "kml", "gpkg", "csv", "parquet")
#: Layers of a dataset, in the order they are written (:data:`geo.export.LAYERS`).
EXPORT_LAYERS: Final = ("legs", "places", "zones")

#: Decimal places of lengths (km) and bearings (degrees) in exports.
EXPORT_KM_DECIMALS: Final = 1

#: KML line colour and width of a leg by status (hex RGB, px). KML has no
#: dash patterns, so colour carries status there (static and web maps use
#: dashes, see layers/style.py). Okabe-Ito, colour-blind safe.
KML_STATUS_STYLE: Final = {
    "confirmed": ("#000000", 4),
    "reported": ("#D55E00", 3),
    "alleged": ("#CC79A7", 3),
    "assessed": ("#0072B2", 3),
    "planned": ("#7F7F7F", 2),
}

#: KML zone fill colours, assigned to factions in sorted order; the same
#: Paul Tol "light" scheme as layers/style.py ZONE_PALETTE.
KML_FACTION_PALETTE: Final = (
    "#77AADD",
    "#EE8866",
    "#44BB99",
    "#EEDD88",
    "#FFAABB",
    "#99DDFF",
    "#BBCC33",
    "#AAAA00",
    "#DDDDDD",
)

#: Static briefing map: size in pixels and resolution.
BRIEF_MAP_SIZE_PX: Final = (3300, 2100)
BRIEF_MAP_DPI: Final = 300

#: Widest span, in days (inclusive), of a date of each precision class.
#: A reported date's precision must be the narrowest class covering its
#: span; anything wider than a year is "coarser".
DATE_PRECISION_MAX_DAYS: Final = {"day": 1, "week": 7, "month": 31, "year": 366}

#: A leg shorter than this (km) is zero-length: same place at both ends.
ZERO_LENGTH_KM: Final = 0.001
#: Place precisions too coarse to draw a leg's end as if exact: such legs
#: are flagged UNCERTAIN (as are legs with an unknown stop).
UNCERTAIN_PRECISIONS: Final = ("region", "country")
#: Arrowheads on legs: side length (km), half opening angle (degrees), and
#: the largest fraction of a leg's length an arrow may take.
ARROW_SIZE_KM: Final = 50.0
ARROW_HALF_ANGLE_DEG: Final = 25.0
ARROW_MAX_FRACTION: Final = 0.25

#: Pairs of factions that face each other across a front line: a leg whose
#: path runs through zones of both (same country) is flagged CROSSES_FRONT.
OPPOSING_FACTIONS: Final = frozenset(
    frozenset(pair)
    for pair in (
        ("LNA", "GNA"),
        ("LNA", "GNU"),
        ("Assad government", "HTS"),
        ("Assad government", "SDF"),
        ("Assad government", "Turkey/SNA"),
        ("SDF", "Turkey/SNA"),
        ("SDF", "HTS"),
        ("Syrian transitional government", "SDF"),
    )
)
#: Zone overlap (km^2, equal-area) below which two same-country zones are
#: treated as sharing an edge rather than overlapping (coordinate rounding).
ZONE_OVERLAP_TOLERANCE_KM2: Final = 0.01
#: Zones are cut into grid tiles of this size (degrees) before joining legs,
#: so each line/polygon intersection touches a small polygon.
ZONE_TILE_DEG: Final = 1.0
#: Coastal fringe (degrees, ~3 km) added to land when clipping zones, so
#: ports and coastal bases digitized just offshore at 1:50m fall inside.
ZONE_COAST_MARGIN_DEG: Final = 0.027
