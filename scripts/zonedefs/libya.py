"""Libya's zones of control since 2019: the June 2020 line, Sirte, and the enclaves, over time."""

from __future__ import annotations

import shapely

from zonedefs.common import GRID, LIBYA_START, Period, clip, disc, land_of, periods, poly
from zonedefs.sources import (
    ACW,
    ALJAZEERA,
    ASHARQ,
    GNU_DATE,
    LIBYA_2019,
    LIBYA_ANALYSIS,
    LIBYA_HERALD,
    NYT,
    REUTERS,
)

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
