"""Places of the world tables that the ledger names are drawn as places, on every map.

Found in a user run (fresh8 s01: extract -> add -> build): Conakry (``unlocode:GNCKY``)
had no marker and no label, because its first leg end belonged to a leg that could
not be drawn (?Russian port -> Conakry) and carried no position; and a world place
was described as an "unknown stop" whose "marker is approximate".
"""

from __future__ import annotations

import csv
from pathlib import Path

from _helpers import copy_inputs

from geo.dataset import load_dataset
from layers.maps import build_context
from layers.places import places_payload

ROWS = [
    # an undrawable leg first: its end at Conakry has no position
    ["conakry-test", "1", "?Russian port (origin not reported)", "Conakry (unlocode:GNCKY)"],
    ["conakry-test", "2", "Conakry (unlocode:GNCKY)", "bamako"],
]


def _folder(tmp_path: Path) -> Path:
    data = copy_inputs(tmp_path / "data")
    with open(data / "transfers.csv", newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    with open(data / "transfers.csv", "a", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, fieldnames=header)
        for tid, leg, frm, to in ROWS:
            out.writerow({
                "transfer_id": tid, "leg": leg, "from": frm, "to": to, "date": "2025-01-15",
                "date_precision": "day", "equipment": "armoured vehicles",
                "category": "vehicles", "actor": "Russia", "mode": "sea" if leg == "1" else "road",
                "status": "reported", "source_ids": "armytech_pantsir",
            })  # fmt: skip
    return data


def test_a_world_place_after_an_undrawable_leg_is_drawn_with_its_source(tmp_path):
    ds = load_dataset(_folder(tmp_path))
    ctx = build_context(ds)
    keys = {r["key"]: i for i, r in enumerate(ctx.records)}
    items = {it["key"]: it for it in places_payload(ds.places, ctx.legs, keys, ends=ctx.ends)}
    conakry = items["unlocode:GNCKY"]
    assert (conakry["lat"], conakry["lon"]) == (9.5106, -13.7153)
    assert conakry["name"] == "Conakry" and conakry["kind"] == "port"
    assert conakry["country"] == "GN" and "GNCKY" in conakry["coord_source"]
    assert "approximate" not in conakry["note"] and conakry["id"] == "unlocode:GNCKY"
    assert list(conakry["legs"]) and len(list(conakry["ends"])) == 2


def test_world_places_are_exported_with_the_gazetteer_s(tmp_path):
    # `movemap export` listed the gazetteer only: legs to Conakry, no Conakry.
    import json

    from layers.cli import main

    data = _folder(tmp_path)
    assert main(["export", "--data", str(data), "--format", "geojson",
                 "--out", str(tmp_path / "out")]) == 0  # fmt: skip
    feats = json.loads((tmp_path / "out" / "places.geojson").read_text())["features"]
    (conakry,) = [f for f in feats if f["properties"]["id"] == "unlocode:GNCKY"]
    assert conakry["properties"]["kind"] == "port"
    assert conakry["properties"]["note"].startswith("from movemap's world tables")
    assert conakry["geometry"]["coordinates"] == [-13.71529, 9.51057]
    assert len(feats) == len([f for f in feats if f["properties"]["id"] != "unlocode:GNCKY"]) + 1
