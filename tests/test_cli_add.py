"""`movemap extract` then `movemap add`: reviewed rows into the ledger, all or nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from _helpers import copy_inputs

from layers.cli import main

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "tests" / "data" / "reports" / "bundled" / "001_ff7432eee38af073.txt"


@pytest.fixture
def data(tmp_path):
    return copy_inputs(tmp_path / "data")


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _extract(tmp_path, data, capsys, published=("--published", "2024-12-19")):
    out = tmp_path / "cands.csv"
    rc = main(["extract", str(REPORT), *published, "--source-id", "emp_test",
               "--out", str(out), "--data", str(data)])
    assert rc == 0
    capsys.readouterr()
    return out


def _rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_unreviewed_candidates_write_nothing(tmp_path, data, capsys):
    # without a publication date, legs the report dates only as "on 13 December" stay
    # undated (equipment, actor and the rest are filled from the report's context)
    cands = _extract(tmp_path, data, capsys, published=())
    assert any(not r["date"] for r in _rows(cands))
    before = _snapshot(data)
    rc = main(["add", str(cands), "--source", "emp_test", "--outlet", "Euromaidan Press",
               "--title", "t", "--published", "2024-12-19", "--data", str(data),
               "--drop-unsupported"])
    err = capsys.readouterr().err
    assert rc == 1
    # undated rows are reported against the candidates file and its line
    undated = [n for n, r in enumerate(_rows(cands), start=2) if not r["date"]]
    assert f"{cands}:{undated[0]}: column 'date': empty date" in err
    assert _snapshot(data) == before


def test_reviewed_rows_are_added_with_their_source(tmp_path, data, capsys):
    cands = _extract(tmp_path, data, capsys)
    rows = [r for r in _rows(cands) if r["from"] == "minsk"]
    assert rows, "the Minsk-Libya flight must be among the candidates"
    r = rows[0]
    r.update(actor="unknown operator (Rubistar flight)", via="", carrier_id="")
    assert r["date_as_reported"] == "on 13 December"
    reviewed = tmp_path / "reviewed.csv"
    with open(reviewed, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(r))
        w.writeheader()
        w.writerow(r)
    n_before = len(_rows(data / "transfers.csv"))
    rc = main(["add", str(reviewed), "--source", "emp_test", "--outlet", "Euromaidan Press",
               "--title", "Russia moves air defense systems", "--published", "2024-12-19",
               "--data", str(data)])
    out = capsys.readouterr()
    assert rc == 0, out.err
    ledger = _rows(data / "transfers.csv")
    assert len(ledger) == n_before + 1
    added = ledger[-1]
    assert (added["from"], added["to"], added["date"]) == ("minsk", "libya", "2024-12-13")
    # the ledger gained the optional date_as_reported column; old rows have it empty
    assert added["date_as_reported"] == "on 13 December"
    assert ledger[0]["date_as_reported"] == "" and ledger[0]["transfer_id"] == "pantsir-supply"
    assert added["source_ids"] == "emp_test" and "evidence" not in added
    assert _rows(data / "sources.csv")[-1]["source_id"] == "emp_test"
    assert main(["validate", "--data", str(data)]) == 0


def test_unknown_source_without_details_is_refused(tmp_path, data, capsys):
    cands = _extract(tmp_path, data, capsys)
    before = _snapshot(data)
    assert main(["add", str(cands), "--source", "nope", "--data", str(data)]) == 1
    assert "give --outlet, --title and --published" in capsys.readouterr().err
    assert _snapshot(data) == before


def test_formula_defusing_is_undone_on_add(tmp_path, data, capsys):
    cands = _extract(tmp_path, data, capsys)
    r = next(r for r in _rows(cands) if r["from"] == "minsk")
    r.update(actor="unknown", date_as_reported="", via="", carrier_id="",
             note="'-3 days before the WSJ story", source_ids="euromaidan_2024_12_19")
    reviewed = tmp_path / "reviewed.csv"
    with open(reviewed, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(r))
        w.writeheader()
        w.writerow(r)
    assert main(["add", str(reviewed), "--data", str(data)]) == 0
    assert _rows(data / "transfers.csv")[-1]["note"] == "-3 days before the WSJ story"


def test_extract_html_to_json_is_inert(tmp_path, capsys):
    import json

    page = tmp_path / "report.html"
    page.write_text("<html><body><script>document.write('<b>x</b>')</script>"
                    "<p>An Il-76 flew from Minsk to Benghazi on 13 December &lt;script&gt;.</p>"
                    "</body></html>", encoding="utf-8")
    assert main(["extract", str(page), "--published", "2024-12-19", "--json"]) == 0
    out = capsys.readouterr().out
    assert "<" not in out and "document.write" not in out
    (leg,) = json.loads(out)
    assert leg["from"]["id"] == "minsk" and leg["date"] == "2024-12-13"
    assert "<script>" in leg["evidence"][0]["text"]  # the text as written, escaped in JSON
