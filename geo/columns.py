"""Column names shared by every table movemap reads or writes.

One constant per column so that a rename is one edit and a typo is an
``AttributeError`` rather than a silent ``KeyError`` at run time.
Coordinates are always (lon, lat) in ``geo``; only ``layers`` flips them.
"""

from __future__ import annotations

# --- gazetteer.csv -------------------------------------------------------
PLACE_ID = "id"
PLACE_NAME = "name"
PLACE_ALIASES = "aliases"  # ";"-separated in the CSV, list[str] once loaded
PLACE_KIND = "kind"
PLACE_COUNTRY = "country"  # ISO 3166-1 alpha-2
LAT = "lat"
LON = "lon"
PLACE_PRECISION = "precision"  # how precise the point is, see PLACE_PRECISIONS
COORD_SOURCE = "coord_source"
PLACE_NOTE = "note"
SHARED_ALIAS = "shared_aliases"  # aliases deliberately claimed by >1 place

PLACE_KINDS = (
    "airbase",
    "airport",
    "naval_base",
    "port",
    "military_base",
    "city",
    "town",
    "region",
    "country",
)
PLACE_PRECISIONS = ("site", "city", "region", "country")

# --- sources.csv ---------------------------------------------------------
SOURCE_ID = "source_id"
SOURCE_OUTLET = "outlet"
SOURCE_TITLE = "title"
SOURCE_DATE = "published"  # ISO date or "undated"
SOURCE_URL = "url"
SOURCE_RELAYS = "relays"  # original reporting it relays, e.g. "The Times"

# --- transfers.csv (one row per leg) --------------------------------------
TRANSFER_ID = "transfer_id"
LEG = "leg"
FROM = "from"  # place as written in the ledger
TO = "to"
DATE = "date"  # as reported: 2020-05-18, 2020-05, 2024-12-01/2024-12-18
DATE_PRECISION = "date_precision"  # see DATE_PRECISIONS
EQUIPMENT = "equipment"
CATEGORY = "category"
QUANTITY = "quantity"
ACTOR = "actor"
MODE = "mode"
CARRIER = "carrier"
STATUS = "status"
SOURCE_IDS = "source_ids"  # ";"-separated in the CSV, tuple[str, ...] loaded
NOTE = "note"

DATE_PRECISIONS = ("day", "week", "month", "year", "coarser")
STATUSES = ("confirmed", "reported", "alleged", "assessed", "planned")
MODES = ("air", "sea", "road", "rail", "unknown")
CATEGORIES = (
    "air_defence",
    "radar",
    "aircraft",
    "uav",
    "armour",
    "vehicles",
    "artillery",
    "munitions",
    "personnel",
    "naval",
    "other",
)
# A stop whose place the reporting does not name: "?" optionally followed
# by a description, e.g. "?base housing Turkish personnel".
UNKNOWN_STOP_PREFIX = "?"

# --- derived leg columns (added by geo loaders) ---------------------------
SOURCE_LINE = "source_line"  # 1-based line number in the input file
FROM_ID = "from_id"
TO_ID = "to_id"
FROM_NAME = "from_name"
TO_NAME = "to_name"
FROM_LON = "from_lon"
FROM_LAT = "from_lat"
TO_LON = "to_lon"
TO_LAT = "to_lat"
FROM_PRECISION = "from_precision"
TO_PRECISION = "to_precision"
FROM_UNKNOWN = "from_unknown"  # True where the origin is an unknown stop
TO_UNKNOWN = "to_unknown"
DATE_START = "date_start"  # first day the date could be (Timestamp)
DATE_END = "date_end"  # last day the date could be (Timestamp, inclusive)

# --- geodesic lines -------------------------------------------------------
LENGTH_KM = "length_km"
BEARING = "bearing"  # initial azimuth, degrees clockwise from north
UNCERTAIN = "uncertain"  # an end is an unknown stop or coarse point
ZERO_LENGTH = "zero_length"
TRANSFER_KM = "transfer_km"
ESTIMATED = "estimated"  # an end is drawn at an estimated point (bare unknown stop)
FROM_EST_LON = "from_est_lon"  # where a bare unknown origin is drawn, else NaN
FROM_EST_LAT = "from_est_lat"
TO_EST_LON = "to_est_lon"
TO_EST_LAT = "to_est_lat"
ARROW_BEARING = "arrow_bearing"  # geodesic azimuth at an arrow tip / label point

# --- zones.geojson ---------------------------------------------------------
ZONE_ID = "zone_id"
FACTION = "faction"
ZONE_LABEL = "label"
ZONE_COUNTRY = "country"
VALID_FROM = "valid_from"
VALID_TO = "valid_to"
ZONE_SOURCES = "sources"
AS_OF = "as_of"
APPROXIMATE = "approximate"
CONTESTED = "contested"

# --- zone attribution of places and legs ----------------------------------
FROM_FACTION = "from_faction"
TO_FACTION = "to_faction"
FROM_ZONE = "from_zone"
TO_ZONE = "to_zone"
CONTROL_NOTE = "control_note"  # e.g. "changed during interval"
CROSSES_FRONT = "crosses_front_line"
FROM_OUTSIDE = "arrives_from_outside_theatre"
OUTSIDE_ZONES = "outside mapped zones"

GEOMETRY = "geometry"

# --- exports (geo/export/) -------------------------------------------------
FEATURE_ID = "feature_id"  # stable id: "<transfer_id>/<leg>", place id, zone id
LAYER = "layer"  # "legs" | "places" | "zones" in a combined export
ZONE_SEGMENTS = "zone_segments"  # "zone (faction) 123 km; ..." along a leg
WKT = "WKT"  # geometry as WKT in CSV exports (GDAL and QGIS detect this name)

# --- reported dates (geo/dates.py) -----------------------------------------
IMPLIED_PRECISION = "implied_precision"  # DATE_PRECISIONS class of the date's span
DATE_PROBLEM = "date_problem"  # why a date could not be read, else None

# --- zones of control (geo/zones/) ------------------------------------------
SEGMENT_KM = "km"  # geodesic km of one leg inside one zone
SEGMENT_ORDER = "segment"  # 0-based order of a segment along its leg
PLACE_ZONE = "zone"  # zone a place lies in on a date (places_faction)
PLACE_FACTION = "faction"
#: Factions a zone may name (zones.geojson property FACTION). Documented in
#: geo/zones/; settings.OPPOSING_FACTIONS says which pairs face each other.
FACTIONS = (
    "LNA",  # Libyan National Army (Khalifa Haftar) and the eastern authorities
    "GNA",  # Government of National Accord, Tripoli (to 14 March 2021)
    "GNU",  # Government of National Unity, Tripoli (from 15 March 2021)
    "Assad government",  # Syrian Arab Republic government, to 7 December 2024
    "Syrian transitional government",  # HTS-led authorities, from 8 December 2024
    "HTS",  # Hayat Tahrir al-Sham (Idlib), to 7 December 2024
    "SDF",  # Syrian Democratic Forces (Kurdish-led), north-east Syria
    "Turkey/SNA",  # Turkish forces and the Turkish-backed Syrian National Army in Syria
    "Russia",  # Russian state, incl. Russian-held bases abroad
    "Belarus",
    "UAE",
    "Turkey",
    "Mali",  # Malian (transitional) government
    "Germany",  # Germany as NATO host nation (e.g. Ramstein Air Base)
)

# --- geocoding (geo/geocode.py: PlaceIndex.resolve output) -------------------
RESOLVE_QUERY = "query"  # the name as given
RESOLVE_PLACE_ID = "place_id"  # gazetteer id, or None unless status is "ok"
RESOLVE_STATUS = "status"  # see RESOLVE_STATUSES
RESOLVE_CANDIDATES = "candidates"  # tuple of place ids, for "ambiguous"
RESOLVE_SUGGESTIONS = "suggestions"  # tuple of place names, for "unknown"
RESOLVE_NOTE = "note"  # why a name stays unknown when a place of that name exists ("" if none)
RESOLVE_STATUSES = ("ok", "unknown", "ambiguous")

# --- ledger columns added for reporting as it is written (issue 11) ---------
# Optional in transfers.csv; readers fill them with "" when absent.
DATE_AS_REPORTED = "date_as_reported"  # the report's own words for the date
VIA = "via"  # ";"-separated places passed or sighted, in order (not legs)
CARRIER_ID = "carrier_id"  # registration, callsign, ship name or IMO number
TRACK = "track"  # path of a GPX/KML/GeoJSON/CSV track file for the leg
ALTERNATIVE_SEP = "|"  # "A | B" in from/to: one of these, not known which
CATEGORY_SEP = ";"  # category may list several: "artillery;armour"
# Derived leg columns
ACTOR_GROUP = "actor_group"  # colour group of the actor (actors.csv), else the actor
DATE_APPROXIMATE = "date_approximate"  # EDTF "~" on the date
DATE_UNCERTAIN = "date_uncertain"  # EDTF "?" on the date
DATE_OPEN_START = "date_open_start"  # "../2020-05": start not known
DATE_OPEN_END = "date_open_end"  # "2020-10-23/..": end not known (ongoing)
LINE_METHOD = "line_method"  # "geodesic" | "sea_route" | "observed" | "stub"
LINE_METHODS = ("geodesic", "sea_route", "observed", "stub")

# --- actors.csv (actor groups, issue 11) -------------------------------------
ACTOR_NAME = "actor"
ACTOR_GROUP_NAME = "group"
ACTOR_ALIASES = "aliases"

# --- candidate legs (movemap extract, issue 12) -------------------------------
# Review columns after the transfers.csv columns in a candidates CSV;
# `movemap add` never writes them to the ledger.
EVIDENCE = "evidence"  # the supporting sentence(s), verbatim
CONFIDENCE = "confidence"  # 0..1, with reasons in the JSON output
# --- candidate legs: values filled from the report's context (ext7) -----------
FILLED = "filled"  # which cells were filled from other sentences, and from which
# --- derived ledger columns (issue 11, ledger branch) -------------------------
CATEGORY_LIST = "categories"  # tuple of the leg's categories (category split on CATEGORY_SEP)
VIA_IDS = "via_ids"  # tuple of gazetteer ids of the via places, in order
VIA_NAMES = "via_names"  # tuple of their display names
VIA_POINTS = "via_points"  # tuple of (lon, lat) of the via places
FROM_ALTERNATIVES = "from_alternatives"  # tuple of candidate place ids for "A | B", else ()
TO_ALTERNATIVES = "to_alternatives"
FROM_ALT_NAMES = "from_alt_names"  # tuple of candidate display names, else ()
TO_ALT_NAMES = "to_alt_names"
FROM_ALT_POINTS = "from_alt_points"  # tuple of (lon, lat) per candidate, else ()
TO_ALT_POINTS = "to_alt_points"
CANDIDATE_KM = "candidate_km"  # tuple of km per candidate line when from/to has alternatives
TRACK_FILE = "track_file"  # resolved absolute path of the track file, else ""
SEA_ROUTE_FALLBACK = "sea_route_fallback"  # why a sea leg is drawn as a geodesic, else ""
TRACK_LINE = "track_line"  # the observed track as a LineString (lon, lat), else None
ACTOR_GROUP_RANK = "actor_group_rank"  # 0 = the group with most legs in the ledger (colours)
