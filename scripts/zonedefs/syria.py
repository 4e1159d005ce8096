"""Syria's zones of control from the 2020 Idlib ceasefire to 2025, and the Russian-held bases."""

from __future__ import annotations

import shapely

from zonedefs.common import (
    GRID,
    SYRIA_END,
    SYRIA_START,
    Period,
    _day_before,
    clip,
    disc,
    land_of,
    poly,
)
from zonedefs.sources import AGENCY_REPOST, ENAB, RAUHAUSER, SALTSTRAT, SYRIA_PRE

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
