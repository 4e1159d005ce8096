"""`movemap extract` -> review -> `movemap add` on a held-out report, as an analyst does it.

Built from what `add` refused on unseen reports: via places the world tables know
(Portugal, the Caspian Sea), a demonym written as a leg end ("Iranian"), actors the
extractor proposes that the bundled actors.csv did not hold.
"""

from __future__ import annotations

import csv
from pathlib import Path

from _helpers import INPUT_FILES, copy_inputs

from geo import settings
from layers.cli import main

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "data" / "reports" / "heldout"


def _data(tmp_path: Path) -> Path:
    return copy_inputs(tmp_path / "data", (*INPUT_FILES, settings.ACTORS_FILE))


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_caspian_report_goes_into_the_ledger_with_world_via_places(tmp_path, capsys):
    data = _data(tmp_path)
    cands = tmp_path / "cands.csv"
    rc = main(["extract", str(HELDOUT / "h06_pravda_caspian_drones.txt"), "--published",
               "2023-05-26", "--source-id", "cnn_2023_05_26", "--out", str(cands),
               "--data", str(data)])
    assert rc == 0
    rows = _rows(cands)
    # the demonym end of "Iranian cargo aircraft made 85 flights to Russia" is the country
    assert ("Iran", "russia") in {(r["from"], r["to"]) for r in rows}
    assert not any(r["from"] == "Iranian" for r in rows)
    for r in rows:  # the analyst's review: fill what the report leaves open
        r["date"] = r["date"] or "2022-09/2023-05"
        r["equipment"] = r["equipment"] or "unknown cargo"
        r["category"] = r["category"] or "other"
        r["actor"] = r["actor"] or "Iran"
    rows[0]["via"] = "Caspian Sea"
    rows[1]["via"] = "Portugal"  # any world country is a valid via place
    _write(cands, rows)
    capsys.readouterr()
    rc = main(["add", str(cands), "--source", "cnn_2023_05_26", "--outlet", "CNN",
               "--title", "Caspian route", "--published", "2023-05-26", "--data", str(data)])
    err = capsys.readouterr().err
    assert rc == 0, err
    added = [r for r in _rows(data / "transfers.csv") if r["source_ids"] == "cnn_2023_05_26"]
    assert len(added) == len(rows)
    assert {r["via"] for r in added} >= {"Caspian Sea", "Portugal"}
    assert main(["validate", "--data", str(data)]) == 0


def test_unknown_via_place_is_still_refused_with_nothing_written(tmp_path, capsys):
    data = _data(tmp_path)
    before = (data / "transfers.csv").read_bytes()
    cands = tmp_path / "cands.csv"
    _write(cands, [{"transfer_id": "t-1", "leg": "1", "from": "Iran", "to": "russia",
                    "date": "2023-05", "equipment": "drones", "category": "uav",
                    "actor": "Iran", "mode": "sea", "status": "reported",
                    "source_ids": "cnn_2023_05_26", "via": "Atlantis Strait Zzq"}])
    rc = main(["add", str(cands), "--source", "cnn_2023_05_26", "--outlet", "CNN",
               "--title", "t", "--published", "2023-05-26", "--data", str(data)])
    err = capsys.readouterr().err
    assert rc == 1 and "unknown via place" in err and "Atlantis Strait Zzq" in err
    assert (data / "transfers.csv").read_bytes() == before


def test_every_actor_the_extractor_proposes_is_in_the_bundled_actors():
    known = set()
    for r in _rows(ROOT / "actors.csv"):
        known.add(r["actor"].lower())
        known.update(a.strip().lower() for a in r["aliases"].split(";") if a.strip())
    proposed = {r["actor"] for r in _rows(ROOT / "geo" / "extract" / "patterns" / "actors.csv")}
    assert sorted(a for a in proposed if a.lower() not in known) == []
    for demonym in ("Russian", "Turkish", "Iranian", "Emirati", "Syrian"):
        assert f"{demonym} military".lower() in known
