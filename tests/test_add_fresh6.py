"""`movemap extract` -> `movemap add` on a fresh6 report, as an analyst does it: what
tripped the first run (no --published: every 'On September 23' left undated, and `add`
said only 'empty date')."""

from __future__ import annotations

import csv
from pathlib import Path

from _helpers import INPUT_FILES, copy_inputs

from geo import settings
from layers.cli import main

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "tests" / "data" / "reports" / "fresh6" / "q01_fipam_turkey_azerbaijan_a400m.txt"
SOURCE = ["--source", "fip_33795", "--outlet", "FIP.am", "--title", "Turkish flights",
          "--published", "2023-09-26"]


def _data(tmp_path: Path) -> Path:
    return copy_inputs(tmp_path / "data", (*INPUT_FILES, settings.ACTORS_FILE))


def test_undated_legs_are_named_at_extract_and_at_add(tmp_path, capsys):
    data = _data(tmp_path)
    cands = tmp_path / "cands.csv"
    before = (data / settings.TRANSFERS_FILE).read_bytes()
    assert main(["extract", str(REPORT), "--source-id", "fip_33795", "--out", str(cands),
                 "--data", str(data)]) == 0
    err = capsys.readouterr().err
    assert "leg(s) have no date (the report says 'On September 23', without its year)" in err
    assert "--published" in err
    assert main(["add", str(cands), *SOURCE, "--data", str(data)]) != 0
    err = capsys.readouterr().err
    # the fix names the report's own words for the row's date
    rows = list(csv.DictReader(cands.read_text(encoding="utf-8").splitlines()))
    n = next(i for i, r in enumerate(rows, 2) if r["date_as_reported"] == "On September 23")
    line = next(x for x in err.splitlines() if f"cands.csv:{n}:" in x)
    assert "the report says 'On September 23'" in line and "2023-09-23" in line
    assert (data / settings.TRANSFERS_FILE).read_bytes() == before  # nothing written


def test_with_published_the_report_goes_onto_the_ledger(tmp_path, capsys):
    data = _data(tmp_path)
    cands = tmp_path / "cands.csv"
    assert main(["extract", str(REPORT), "--source-id", "fip_33795", "--published",
                 "2023-09-26", "--out", str(cands), "--data", str(data)]) == 0
    assert "no date" not in capsys.readouterr().err
    assert main(["add", str(cands), *SOURCE, "--data", str(data)]) == 0
    with open(data / settings.TRANSFERS_FILE, encoding="utf-8", newline="") as fh:
        mine = [r for r in csv.DictReader(fh) if r["source_ids"] == "fip_33795"]
    assert {r["date"] for r in mine if r["transfer_id"] != "fip-33795-1"} == {
        "2023-09-23", "2023-09-24", "2023-09-25"}
    assert main(["validate", "--data", str(data)]) == 0
