"""Synthetic input folders for map tests and benchmarks.

Writes gazetteer.csv, transfers.csv, sources.csv and zones.geojson that
pass movemap's own validation, with any number of legs, so maps can be
tested and timed through the real loading pipeline.  ``hostile=True``
puts markup, script, template-literal syntax, backticks and quotes into
every free-text field and into place names.  Nothing here is real
reporting.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from geo import columns as col
from geo import settings
from geo.ledger import SOURCES_COLUMNS, TRANSFERS_COLUMNS
from geo.paths import REPO_ROOT

if TYPE_CHECKING:
    from geo.dataset import Dataset

__all__ = ["HOSTILE", "HOSTILE_FLAG", "synthetic_dataset", "write_inputs"]

#: Window property a hostile payload would set if it ever ran.
HOSTILE_FLAG = "__movemap_pwned"
#: Text that must show literally and never execute.
HOSTILE = (
    f'<img src=x onerror="window.{HOSTILE_FLAG}=1"> <script>window.{HOSTILE_FLAG}=2</script>'
    f" ${{window.{HOSTILE_FLAG}=3}} `backtick` 'single' \"double\" </script> &amp; \\"
    " {{ 7*7 }} {% if true %}jinja{% endif %} {# comment #}"
)

# Sites used as stops (bundled gazetteer ids).
_STOPS = (
    "watiya_ab",
    "zuwara_airport",
    "mitiga_airport",
    "misrata",
    "sirte",
    "jufra_ab",
    "benina_airport",
    "tobruk_port",
    "khmeimim_ab",
    "tartus_naval_base",
    "latakia",
    "damascus",
    "ramstein_ab",
    "minsk",
    "turkey",
    "russia",
    "uae",
    "egypt",
)
_ACTORS = ("Russia", "Turkey", "UAE", "Wagner Group", "Egypt", "Belarus", "United States", "Syria")
_EQUIPMENT = (
    ("Pantsir S-1", "air_defence"),
    ("Bayraktar TB2", "uav"),
    ("MiG-29", "aircraft"),
    ("KORAL EW system", "radar"),
    ("BMP-2", "armour"),
    ("Toyota pickups", "vehicles"),
    ("T-122 Sakarya MRL", "artillery"),
    ("small-arms ammunition", "munitions"),
    ("Syrian fighters", "personnel"),
    ("landing ship cargo", "naval"),
)
_MODES = ("air", "sea", "road", "unknown")
# Stops a sea leg may use: ports and coastal towns, and country-level points
# (which the line builder does not route).  A leg drawn "sea" between other
# stops becomes "air": the ledger had Ramstein or Minsk shipping by sea,
# routed around Europe with ~950 vertices a line (175 MB canvas maps).
_SEA_STOPS = frozenset(
    {"tobruk_port", "tartus_naval_base", "latakia", "misrata", "sirte"}
    | {"turkey", "russia", "uae", "egypt"}
)
_ZONES: list[dict[str, Any]] = [
    {
        col.ZONE_ID: "ly_west_2020",
        col.FACTION: "GNA",
        col.ZONE_LABEL: "GNA-held western Libya",
        col.ZONE_COUNTRY: "LY",
        col.VALID_FROM: "2020-06-05",
        col.VALID_TO: None,
        "ring": [(9.4, 30.0), (16.3, 29.3), (16.4, 31.3), (15.2, 32.6), (11.5, 33.2), (9.4, 32.3)],
    },
    {
        col.ZONE_ID: "ly_east_2020",
        col.FACTION: "LNA",
        col.ZONE_LABEL: "LNA-held eastern Libya",
        col.ZONE_COUNTRY: "LY",
        col.VALID_FROM: "2020-06-05",
        col.VALID_TO: None,
        "ring": [(16.3, 29.3), (25.0, 29.3), (25.1, 32.0), (20.0, 33.0), (16.4, 31.3)],
    },
    {
        col.ZONE_ID: "sy_coast",
        col.FACTION: "Assad government",
        col.ZONE_LABEL: "Syrian coast (Russian bases)",
        col.ZONE_COUNTRY: "SY",
        col.VALID_FROM: "2015-09-30",
        col.VALID_TO: "2024-12-07",
        "ring": [(35.7, 34.6), (36.3, 34.6), (36.4, 35.9), (35.8, 36.0)],
    },
]


def _write_csv(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _mode(mode: str, from_: str, to: str) -> str:
    return "air" if mode == "sea" and not {from_, to} <= _SEA_STOPS else mode


def write_inputs(folder: str | Path, *, n_legs: int, seed: int = 0, hostile: bool = False) -> Path:
    """Write a synthetic input folder with about ``n_legs`` legs.

    Parameters
    ----------
    folder
        Folder to write into (created if missing).
    n_legs
        Number of legs (transfers of 1-3 legs are generated until there
        are exactly this many).
    seed
        Random seed; the same seed gives the same files.
    hostile
        Put :data:`HOSTILE` into every free-text field, source and zone
        label, and add a gazetteer place named with it.

    Returns
    -------
    pathlib.Path
        The folder.

    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    gaz_src = REPO_ROOT / settings.GAZETTEER_FILE
    shutil.copyfile(gaz_src, out / settings.GAZETTEER_FILE)
    stops = list(_STOPS)
    if hostile:
        with open(out / settings.GAZETTEER_FILE, "a", newline="", encoding="utf-8") as fh:
            csv.writer(fh, lineterminator="\n").writerow(
                [
                    "hostile_site",
                    HOSTILE.replace(";", ","),
                    "",
                    "military_base",
                    "LY",
                    "31.0",
                    "20.0",
                    "site",
                    HOSTILE,
                    HOSTILE,
                    "",
                ]
            )
        stops.append("hostile_site")
    tag = f" {HOSTILE}" if hostile else ""

    n_sources = max(5, min(200, n_legs // 20))
    sources = [
        [
            f"S{i:04d}",
            f"Outlet {i % 17}{tag}",
            f"Report {i} on deliveries{tag}",
            f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}",
            f"https://example.org/report/{i}?q=%3Cscript%3E&x=`1`",
            f"Agency {i % 5}{tag}" if i % 3 == 0 else "",
        ]
        for i in range(n_sources)
    ]
    rows: list[list[str]] = []
    t = 0
    while len(rows) < n_legs:
        t += 1
        k = min(int(rng.integers(1, 4)), n_legs - len(rows))
        path = rng.choice(len(stops), size=k + 1, replace=False)
        year = int(rng.integers(2019, 2025))
        month = int(rng.integers(1, 13))
        day = int(rng.integers(1, 27))
        equipment, category = _EQUIPMENT[int(rng.integers(len(_EQUIPMENT)))]
        actor = _ACTORS[min(int(rng.geometric(0.35)) - 1, len(_ACTORS) - 1)]
        status = col.STATUSES[int(rng.choice(len(col.STATUSES), p=[0.3, 0.35, 0.2, 0.1, 0.05]))]
        srcs = rng.choice(n_sources, size=int(rng.integers(1, 3)), replace=False)
        names = [stops[p] for p in path]
        if k >= 2 and rng.random() < 0.05:
            names[1] = "?transit airfield"  # bare unknown stop mid-route
        if rng.random() < 0.03:
            names[-1] = "?staging area @ eastern_libya"
        for leg in range(k):
            from_, to = names[leg], names[leg + 1]
            monthly = rng.random() < 0.3
            date = f"{year}-{month:02d}" if monthly else f"{year}-{month:02d}-{day + leg:02d}"
            rows.append(
                [
                    f"T{t:06d}",
                    str(leg + 1),
                    from_,
                    to,
                    date,
                    "month" if monthly else "day",
                    equipment + tag,
                    category,
                    str(int(rng.integers(1, 12))) + tag,
                    actor + tag,
                    _mode(_MODES[int(rng.integers(len(_MODES)))], from_, to),
                    (f"Il-76 RA-{int(rng.integers(10000, 99999))}" if rng.random() < 0.5 else "")
                    + tag,
                    status,
                    ";".join(f"S{int(s):04d}" for s in sorted(srcs)),
                    ("synthetic" + tag) if rng.random() < 0.5 or hostile else "",
                ]
            )
    used = sorted({s for r in rows for s in r[13].split(";")})
    sources = [s for s in sources if s[0] in used]
    _write_csv(out / settings.TRANSFERS_FILE, TRANSFERS_COLUMNS, rows)
    _write_csv(out / settings.SOURCES_FILE, SOURCES_COLUMNS, sources)
    features = []
    for z in _ZONES:
        props = {k: v for k, v in z.items() if k != "ring"}
        if hostile:
            props[col.ZONE_LABEL] = f"{props[col.ZONE_LABEL]}{tag}"
        props.update(
            {
                col.ZONE_SOURCES: f"synthetic zone for tests{tag}",
                col.AS_OF: "2024-12-31",
                col.APPROXIMATE: True,
                col.CONTESTED: False,
            }
        )
        ring = [list(p) for p in z["ring"]]
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
            }
        )
    (out / settings.ZONES_FILE).write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, indent=1), encoding="utf-8"
    )
    return out


def synthetic_dataset(
    folder: str | Path, *, n_legs: int, seed: int = 0, hostile: bool = False
) -> Dataset:
    """Write a synthetic input folder and load it with the real pipeline."""
    from geo.dataset import load_dataset

    return load_dataset(write_inputs(folder, n_legs=n_legs, seed=seed, hostile=hostile))
