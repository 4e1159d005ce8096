"""Build zones.geojson (faction-controlled zones over time) from the reference.

Usage::

    python scripts/build_zones.py [--out zones.geojson]

Every boundary below is drawn by us between point anchors (lon, lat) named in
``shared/reference/zones_of_control.md`` (or, where marked "not in the
reference", well-known place coordinates), then clipped to land with the
bundled Natural Earth 1:50m country polygons plus a ~3 km coastal fringe
(``settings.ZONE_COAST_MARGIN_DEG``) so that ports digitized just offshore
at 1:50m fall inside.  Whole-country host-nation zones follow Natural Earth
and are not ``approximate``.  A zone's geometry is fixed; when control of
it changed we write one feature per period, so each feature has one
faction and a closed or open [valid_from, valid_to] interval (inclusive).

Output is deterministic: features sorted by zone id, coordinates on a
1e-5 degree grid (``settings.COORDINATE_PRECISION``), exterior rings
counter-clockwise (RFC 7946).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import Polygon, mapping

from geo import columns as c
from geo import settings
from geo._io import write_text
from geo.countries import country_shape, land

GRID = 10.0**-settings.COORDINATE_PRECISION
OUT = Path(__file__).resolve().parent.parent / settings.ZONES_FILE
GEOD = Geod(ellps=settings.ELLPS)

# --- sources (outlet, date, URL as given in the reference file) -------------
LIBYA_HERALD = (
    "Libya Herald, 2020-06-21, https://www.libyaherald.com/2020/06/21/"
    "egypt-readies-army-for-intervention-in-libya-declares-sirte-and-jufra-a-red-line/"
)
ACW = (
    "Arab Center Washington DC via me-policy.org, 2020-07-08, "
    "https://me-policy.org/2020/07/08/understanding-egypts-strategy-in-libya"
)
ALJAZEERA = (
    "Al Jazeera control maps of 7 June, 9 June and 27 July 2020, 2020-07-27, "
    "https://www.aljazeera.com/news/2020/07/27/libya-mapping-areas-of-military-control/"
)
REUTERS = "Reuters via National Post, 2020-06-18 (no URL in the reference)"
LIBYA_ANALYSIS = "libya-analysis.com, 2020-06 (no URL in the reference)"
ASHARQ = (
    "Asharq Al-Awsat (English), 'From Haftar to Dbeibah: The Map of Control and "
    "Influence in Libya', 2025, https://english.aawsat.com/node/5151154"
)
NYT = "The New York Times via tgstat/libyaalahrar, 2024-12 (no URL in the reference)"
LIBYA_2019 = (
    "reference zones_of_control.md 'Libya, 2019 - May 2020': dates widely reported, "
    "no outlet given (verify)"
)
GNU_DATE = "GNA succeeded by the GNU on 15 March 2021 (widely reported; not in the reference)"
RAUHAUSER = (
    "rauhauser.net summary of a Dec 2024 control map, 2024-12, "
    "https://rauhauser.net/p/ward-carroll-syrian-history-and-status"
)
AGENCY_REPOST = "agency text reposted at web3.cnouyi.college, 2025 (original outlet not identified)"
SALTSTRAT = "SaltStrat SITREP, 2025-01-18, https://www.saltstrat.com/sitreps/SITREP_2025-01-18_Pub"
ENAB = "Israeli Herald / Enab Baladi via pressbee, 2026-01 (no URL in the reference)"
SYRIA_PRE = (
    "reference zones_of_control.md 'Syria before 8 December 2024': lines frozen after "
    "the 6 March 2020 Idlib ceasefire (widely reported; no outlet given, verify)"
)
WSJ_BASES = (
    "The Wall Street Journal, 2024-12-18, as relayed by Euromaidan Press (2024-12): "
    "Russia negotiating to keep Tartus and Khmeimim"
)
NATURAL_EARTH = (
    "Natural Earth 1:50m admin-0 boundaries v4.1 (world-atlas 2.0.2), public domain, "
    "https://www.naturalearthdata.com/"
)
RAMSTEIN = (
    "The Times (2021-01), as relayed by Army Technology: Pantsir flown from Zuwara "
    "to Ramstein Air Base, Germany"
)

# --- dates ------------------------------------------------------------------
LIBYA_START = "2019-03-01"  # after the LNA's early-2019 Fezzan campaign
SYRIA_START = "2020-03-06"  # Idlib ceasefire; lines broadly frozen until Nov 2024
HOST_START = "2014-03-18"  # Natural Earth's de facto RU polygon includes Crimea
SYRIA_END = "2025-12-31"  # SDF area shrank in Jan 2026: later maps not drawn


@dataclass(frozen=True)
class Period:
    """One period of control of a zone geometry."""

    faction: str
    valid_from: str
    valid_to: str | None
    sources: tuple[str, ...]
    as_of: str
    note: str = ""
    contested: bool = False


def _day_before(iso: str) -> str:
    return str(np.datetime64(iso) - np.timedelta64(1, "D"))


def land_of(iso: str) -> shapely.Geometry:
    """Country polygon plus its coastal fringe (sea within the margin)."""
    shape = country_shape(iso)
    fringe = shapely.difference(
        shapely.buffer(shape, settings.ZONE_COAST_MARGIN_DEG, quad_segs=4), land()
    )
    world = shapely.box(-180.0, -90.0, 180.0, 90.0)  # the fringe must not cross +-180
    return shapely.intersection(shapely.union(shape, fringe), world, grid_size=GRID)


def poly(*lonlat: tuple[float, float]) -> Polygon:
    """Polygon from (lon, lat) anchors."""
    return Polygon(lonlat)


def disc(lon: float, lat: float, radius_km: float, n: int = 32) -> Polygon:
    """Geodesic circle of ``radius_km`` around (lon, lat)."""
    az = np.linspace(0.0, 360.0, n, endpoint=False)
    x, y, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, radius_km * 1000.0))
    return Polygon(zip(x, y, strict=True))


def clip(shape: shapely.Geometry, *minus: shapely.Geometry) -> shapely.Geometry:
    """``shape`` minus ``minus``, on the output grid."""
    for m in minus:
        shape = shapely.difference(shape, m, grid_size=GRID)
    return shape


# --- Libya --------------------------------------------------------------------
# Dividing line, north to south, drawn just west of the LNA-side anchors
# Sirte (16.589, 31.207), Ghardabiya AB (16.60, 31.06), Waddan (16.139, 29.161),
# al-Jufra AB (16.001, 29.198), Hun (15.948, 29.127), Sawknah (15.783, 29.069).
# South of ~29 N no source describes a line (reference: "undefined desert");
# we continue along 29 N to the Algerian border so that the Fezzan (Sabha,
# Brak, Ubari: LNA) lies east/south of it.
LIBYA_LINE = [(16.40, 34.5), (16.40, 31.25), (16.42, 31.0), (16.10, 30.0), (15.65, 29.1)]
LIBYA_LINE += [(15.65, 29.0), (8.0, 29.0)]
WEST_OF_LINE = poly((8.0, 34.5), *LIBYA_LINE)
# Sirte district: east of the line, west of Bin Jawwad (18.077, 30.804; LNA
# before Jan 2020), north of 30.6 N (Ghardabiya AB inside).
SIRTE_BOX = poly((16.0, 34.5), (17.6, 34.5), (17.6, 30.6), (16.0, 30.6))
# Enclaves (not in the reference as polygons):
WATIYA = disc(11.898, 32.473, 10.0)  # reference anchor, 10 km around the airfield
# Gharyan (13.020, 32.172; GeoNames, not in the reference).
GHARYAN = poly((12.85, 32.25), (13.15, 32.25), (13.20, 32.05), (12.85, 32.00))
# Tarhuna (13.633, 32.435; reference) and the southern Tripoli outskirts
# (old Tripoli International Airport ~13.15, 32.66; not in the reference),
# leaving Tripoli (13.19, 32.89) and Mitiga outside.
TARHUNA = poly(
    (13.05, 32.72),
    (13.35, 32.76),
    (13.55, 32.62),
    (13.85, 32.55),
    (13.90, 32.30),
    (13.45, 32.25),
    (13.15, 32.50),
)

LY_2020 = (LIBYA_2019, LIBYA_HERALD, ALJAZEERA, ACW, REUTERS, LIBYA_ANALYSIS)
LY_2025 = (ASHARQ, NYT, LIBYA_HERALD, ALJAZEERA, GNU_DATE)
GNU_FROM = "2021-03-15"


def periods(
    steps: list[tuple[str, str, str]], *, end: str | None = None, **kw: object
) -> list[Period]:
    """Periods from (faction, valid_from, note) steps; each ends the day before the next."""
    out = []
    for i, (faction, start, note) in enumerate(steps):
        stop = _day_before(steps[i + 1][1]) if i + 1 < len(steps) else end
        out.append(Period(faction, start, stop, note=note, **kw))  # type: ignore[arg-type]
    return out


def libya_periods(steps: list[tuple[str, str, str]]) -> list[Period]:
    """Libyan periods; from 15 Mar 2021 on, sources are the 2024-2025 descriptions."""
    out = []
    for p in periods(steps, sources=(), as_of=""):
        later = p.valid_from >= GNU_FROM
        out.append(
            Period(
                p.faction,
                p.valid_from,
                p.valid_to,
                LY_2025 if later else LY_2020,
                "2025" if later else "2020-07-27",
                p.note
                or (
                    "June 2020 line, still the east/west divide in Dec 2024 (NYT) and 2025 (Asharq)"
                    if later
                    else ""
                ),
            )
        )
    return out


def libya() -> list[tuple[str, str, shapely.Geometry, list[Period]]]:
    """Libyan zones: (area id, label, geometry, periods)."""
    ly = land_of("LY")
    west_all = shapely.intersection(ly, WEST_OF_LINE, grid_size=GRID)
    watiya = shapely.intersection(ly, WATIYA, grid_size=GRID)
    gharyan = shapely.intersection(ly, GHARYAN, grid_size=GRID)
    tarhuna = clip(shapely.intersection(ly, TARHUNA, grid_size=GRID), gharyan)
    west = clip(west_all, watiya, gharyan, tarhuna)
    sirte = clip(shapely.intersection(ly, SIRTE_BOX, grid_size=GRID), west_all)
    east = clip(ly, west_all, sirte)
    gnu = ("GNU", GNU_FROM, "")
    return [
        (
            "ly-west",
            "Western Libya (GNA, then GNU)",
            west,
            libya_periods([("GNA", LIBYA_START, ""), gnu]),
        ),
        (
            "ly-east",
            "Eastern and southern Libya (LNA)",
            east,
            libya_periods([("LNA", LIBYA_START, ""), ("LNA", GNU_FROM, "")]),
        ),
        (
            "ly-sirte",
            "Sirte district (GNA-aligned to 5 Jan 2020, then LNA)",
            sirte,
            libya_periods(
                [
                    ("GNA", LIBYA_START, "GNA-aligned since the 2016 campaign against IS"),
                    ("LNA", "2020-01-06", "LNA took Sirte on 6 Jan 2020"),
                    ("LNA", GNU_FROM, ""),
                ]
            ),
        ),
        (
            "ly-watiya",
            "al-Watiya air base (LNA to 17 May 2020, then GNA/GNU)",
            watiya,
            libya_periods(
                [
                    ("LNA", LIBYA_START, "LNA-held since 2014; 10 km disc around the airfield"),
                    ("GNA", "2020-05-18", "GNA took the base on 18 May 2020"),
                    gnu,
                ]
            ),
        ),
        (
            "ly-gharyan",
            "Gharyan (LNA 4 Apr - 25 Jun 2019)",
            gharyan,
            libya_periods(
                [
                    ("GNA", LIBYA_START, ""),
                    ("LNA", "2019-04-04", "taken at the start of the LNA Tripoli offensive"),
                    ("GNA", "2019-06-26", "GNA retook Gharyan in late June 2019 (26 Jun)"),
                    gnu,
                ]
            ),
        ),
        (
            "ly-tarhuna",
            "Tarhuna and southern Tripoli outskirts (LNA 4 Apr 2019 - 4 Jun 2020)",
            tarhuna,
            libya_periods(
                [
                    ("GNA", LIBYA_START, ""),
                    ("LNA", "2019-04-04", "LNA main forward base of the Tripoli offensive"),
                    ("GNA", "2020-06-05", "LNA withdrew from Tarhuna on 5 Jun 2020"),
                    gnu,
                ]
            ),
        ),
    ]


# --- Syria --------------------------------------------------------------------
# Euphrates, north to south (river course approximated by us), passing the
# reference anchors with SDF-held Raqqa (39.008, 35.953) north of it and
# government-held Deir ez-Zor (40.141, 35.336), Mayadin (40.452, 35.020)
# and Albu Kamal (40.92, 34.45; not in the reference) south-west of it.
EUPHRATES = [
    (38.04, 37.3),
    (38.04, 36.83),
    (38.22, 36.60),
    (38.18, 36.38),  # Tishreen Dam (not in the reference)
    (38.10, 36.15),
    (38.05, 35.98),
    (38.57, 35.87),  # Tabqa dam
    (39.01, 35.925),
    (39.65, 35.73),
    (40.17, 35.36),
    (40.47, 35.03),
    (40.95, 34.47),
    (41.3, 34.30),
]
EAST_OF_EUPHRATES = poly(*EUPHRATES, (43.0, 34.3), (43.0, 37.6), (38.04, 37.6))
# Tabqa (38.548, 35.838) and the strip south of Raqqa on the right bank: SDF.
TABQA = poly((38.35, 35.95), (38.35, 35.72), (39.40, 35.78), (39.40, 35.95))
# Manbij (37.955, 36.528) pocket west of the river: SDF until Dec 2024.
MANBIJ = poly(
    (37.72, 36.58),
    (38.04, 36.70),
    (38.04, 36.90),
    (38.25, 36.62),
    (38.22, 36.45),
    (38.05, 36.20),
    (37.80, 36.30),
)
# Turkish-held strip in the north-west: Afrin (36.870, 36.512) to
# Jarabulus (38.011, 36.818), south to al-Bab (37.52, 36.37; not in the
# reference); the Turkish border comes from the country polygon.
TURKISH_NW = poly(
    (36.45, 37.3),
    (38.04, 37.3),
    (38.04, 36.70),
    (37.95, 36.64),
    (37.72, 36.58),
    (37.55, 36.33),
    (37.35, 36.40),
    (37.15, 36.55),
    (36.95, 36.40),
    (36.70, 36.32),
    (36.55, 36.45),
)
# Turkish-held strip between Tall Abyad (38.954, 36.696) and Ras al-Ayn
# (40.071, 36.850), ~30 km deep.
TURKISH_NE = poly((38.85, 37.3), (40.25, 37.3), (40.25, 36.55), (38.85, 36.42))
# HTS-held Idlib (not in the reference: Idlib 36.63, 35.93; Jisr al-Shughur
# 36.32, 35.81 inside; Saraqib 36.80, 35.86 government-held since Feb 2020).
IDLIB = poly(
    (36.10, 36.55),
    (36.70, 36.55),
    (36.95, 36.20),
    (36.80, 36.05),
    (36.75, 35.85),
    (36.65, 35.65),
    (36.35, 35.65),
    (36.20, 35.80),
    (36.10, 35.92),
)
# Russian-held bases (points from Wikipedia infoboxes via the gazetteer).
KHMEIMIM = disc(35.945, 35.4117, 3.0)
TARTUS_BASE = disc(35.875, 34.915, 1.5)

SY_PRE = (SYRIA_PRE,)
SY_POST = (RAUHAUSER, AGENCY_REPOST, SALTSTRAT, ENAB)
POST = "2024-12-08"
STALE = "not drawn after 2025: the SDF area shrank in Jan 2026 (Enab Baladi)"


def syria() -> list[tuple[str, str, shapely.Geometry, list[Period]]]:
    """Syrian zones: (area id, label, geometry, periods)."""
    sy = land_of("SY")
    bases = shapely.intersection(
        sy, shapely.union(KHMEIMIM, TARTUS_BASE, grid_size=GRID), grid_size=GRID
    )
    khmeimim = shapely.intersection(sy, KHMEIMIM, grid_size=GRID)
    tartus = shapely.intersection(sy, TARTUS_BASE, grid_size=GRID)
    turk_nw = shapely.intersection(sy, TURKISH_NW, grid_size=GRID)
    turk_ne = shapely.intersection(sy, TURKISH_NE, grid_size=GRID)
    turkish = shapely.union(turk_nw, turk_ne, grid_size=GRID)
    sdf_core = clip(
        shapely.intersection(sy, shapely.union(EAST_OF_EUPHRATES, TABQA), grid_size=GRID),
        turkish,
    )
    manbij = clip(shapely.intersection(sy, MANBIJ, grid_size=GRID), turkish, sdf_core)
    idlib = clip(shapely.intersection(sy, IDLIB, grid_size=GRID), turkish)
    gov_pre = clip(sy, sdf_core, manbij, turkish, idlib, bases)
    gov_post = clip(sy, sdf_core, manbij, turkish, bases)
    pre_end = _day_before(POST)

    def one(
        faction: str, start: str, end: str | None, post: bool, note: str = "", contested=False
    ) -> Period:
        return Period(
            faction,
            start,
            end,
            SY_POST if post else SY_PRE,
            "2025-01-18" if post else "2024-11-26",
            note,
            contested,
        )

    base_pre = "Russian-operated since 2015 inside government-held territory"
    base_post = "Russian-held after Assad's fall; future under negotiation (WSJ, Dec 2024)"
    return [
        (
            "sy-gov-pre",
            "Syria: Assad government-held west",
            gov_pre,
            [one("Assad government", SYRIA_START, pre_end, False)],
        ),
        (
            "sy-gov-post",
            "Syria: transitional government (former rebels) west of the Euphrates",
            gov_post,
            [
                one(
                    "Syrian transitional government",
                    POST,
                    SYRIA_END,
                    True,
                    "Israeli buffer zone by the Golan and the Suwayda area not drawn "
                    "(no source gives them); " + STALE,
                )
            ],
        ),
        (
            "sy-idlib",
            "Syria: HTS-held Idlib",
            idlib,
            [one("HTS", SYRIA_START, pre_end, False)],
        ),
        (
            "sy-sdf",
            "Syria: SDF-held north-east",
            sdf_core,
            [
                one("SDF", SYRIA_START, pre_end, False),
                one("SDF", POST, SYRIA_END, True, STALE),
            ],
        ),
        (
            "sy-manbij",
            "Syria: Manbij pocket (SDF, then Turkish-backed SNA)",
            manbij,
            [
                one("SDF", SYRIA_START, "2024-12-08", False),
                one(
                    "Turkey/SNA",
                    "2024-12-09",
                    SYRIA_END,
                    True,
                    "SNA took Manbij ~9-10 Dec 2024 (widely reported, not in the reference); "
                    "SNA-SDF clashes at the Tishreen Dam (SaltStrat, 18 Jan 2025)",
                ),
            ],
        ),
        (
            "sy-turkish-nw",
            "Syria: Turkish-held strip Afrin - Azaz - al-Bab - Jarabulus",
            turk_nw,
            [
                one("Turkey/SNA", SYRIA_START, pre_end, False),
                one("Turkey/SNA", POST, SYRIA_END, True),
            ],
        ),
        (
            "sy-turkish-ne",
            "Syria: Turkish-held strip Tall Abyad - Ras al-Ayn",
            turk_ne,
            [
                one("Turkey/SNA", SYRIA_START, pre_end, False),
                one("Turkey/SNA", POST, SYRIA_END, True),
            ],
        ),
        (
            "sy-khmeimim",
            "Khmeimim Air Base (Russian-held)",
            khmeimim,
            [
                one("Russia", SYRIA_START, pre_end, False, base_pre + "; 3 km disc"),
                one("Russia", POST, SYRIA_END, True, base_post + "; 3 km disc", True),
            ],
        ),
        (
            "sy-tartus-base",
            "Tartus naval facility (Russian-held)",
            tartus,
            [
                one("Russia", SYRIA_START, pre_end, False, base_pre + "; 1.5 km disc"),
                one("Russia", POST, SYRIA_END, True, base_post + "; 1.5 km disc", True),
            ],
        ),
    ]


# --- host nations and other governments -----------------------------------------
HOSTS = [
    ("DE", "Germany", "Germany (NATO host nation; US Air Force at Ramstein)", (RAMSTEIN,)),
    ("RU", "Russia", "Russia", ()),
    ("BY", "Belarus", "Belarus", ()),
    ("AE", "UAE", "United Arab Emirates", ()),
    ("TR", "Turkey", "Turkey", ()),
    ("ML", "Mali", "Mali (government; its hold on the north is not drawn)", ()),
]


def hosts() -> list[tuple[str, str, shapely.Geometry, list[Period]]]:
    """Whole-country zones of governments named in the reporting."""
    return [
        (
            f"{iso.lower()}-country",
            label,
            land_of(iso),
            [Period(faction, HOST_START, None, (NATURAL_EARTH, *extra), "2018-05")],
        )
        for iso, faction, label, extra in HOSTS
    ]


# --- output -------------------------------------------------------------------
def features() -> list[dict[str, object]]:
    """Every zone feature, sorted by zone id."""
    out = []
    groups = [("LY", libya(), True), ("SY", syria(), True)]
    groups += [(iso, [h], False) for (iso, *_), h in zip(HOSTS, hosts(), strict=True)]
    for country, zones, approximate in groups:
        for area, label, geom, plist in zones:
            geom = shapely.orient_polygons(shapely.set_precision(geom, GRID))
            if shapely.is_empty(geom) or not shapely.is_valid(geom):
                raise SystemExit(f"{area}: empty or invalid geometry")
            for p in plist:
                props = {
                    c.ZONE_ID: f"{area}-{p.valid_from}",
                    c.FACTION: p.faction,
                    c.ZONE_LABEL: label + (f" - {p.note}" if p.note else ""),
                    c.ZONE_COUNTRY: country,
                    c.VALID_FROM: p.valid_from,
                    c.VALID_TO: p.valid_to,
                    c.ZONE_SOURCES: list(p.sources),
                    c.AS_OF: p.as_of,
                    c.APPROXIMATE: approximate,
                    c.CONTESTED: p.contested,
                }
                out.append({"type": "Feature", "properties": props, "geometry": geom})
    return sorted(out, key=lambda f: f["properties"][c.ZONE_ID])  # type: ignore[index]


def _rounded(geom: shapely.Geometry) -> dict[str, object]:
    prec = settings.COORDINATE_PRECISION
    return mapping(shapely.transform(geom, lambda xy: np.round(xy, prec)))


def write(feats: list[dict[str, object]], path: Path) -> None:
    """Write a deterministic GeoJSON FeatureCollection, one feature per line."""
    lines = []
    for f in feats:
        body = {**f, "geometry": _rounded(f["geometry"])}
        lines.append(json.dumps(body, separators=(",", ":"), ensure_ascii=False))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    write_text(path, text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    feats = features()
    write(feats, args.out)
    print(f"wrote {len(feats)} zone features to {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
