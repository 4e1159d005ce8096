"""Typed settings in one place. Change them here, not at call sites."""

from __future__ import annotations

from typing import Final

#: File names of the inputs inside a data folder.
GAZETTEER_FILE: Final = "gazetteer.csv"
TRANSFERS_FILE: Final = "transfers.csv"
SOURCES_FILE: Final = "sources.csv"
ZONES_FILE: Final = "zones.geojson"

#: Ellipsoid for every distance, bearing and geodesic line.
ELLPS: Final = "WGS84"
#: Maximum spacing between vertices of a densified geodesic line, in km.
#: 25 km keeps the line within a pixel of the true geodesic at zoom <= 8.
VERTEX_SPACING_KM: Final = 25.0

#: Tolerance, in km, for a gazetteer point lying outside its country
#: polygon (coastal bases and ports sit on the 1:50m coastline's edge).
COUNTRY_TOLERANCE_KM: Final = 15.0

#: Number of "did you mean" suggestions for an unknown place name.
N_SUGGESTIONS: Final = 3

#: Decimal places of coordinates in exported GeoJSON (~1 m).
COORDINATE_PRECISION: Final = 5
