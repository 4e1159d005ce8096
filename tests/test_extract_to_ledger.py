"""What `movemap extract` resolves in a report's context reaches the ledger unchanged.

A report names "Baninah Airport", "Qardabiya Airbase" and "Al-Baraq Airport".
The extractor resolves them with the report's countries as context; before,
the candidates CSV kept the names as written and `movemap add` refused every
one as an unknown place (the ledger takes loose spellings only with the
user's word).  Now a world place the curated gazetteer holds is written as
the curated id, and any other world place as "Name (table:record)", which
the ledger reads as that exact place.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_add_heldout import _data, _rows, _write

from geo import columns as C  # noqa: N812
from geo.dataset import load_dataset
from geo.extract.places import Place, load_places
from geo.ledger_places import world_reference
from layers.cli import main

ROOT = Path(__file__).resolve().parent.parent
DRAH = ROOT / "tests" / "data" / "reports" / "dev" / "d04_libyaobserver_drah_flights.txt"
ABRAQ = "Al Abraq International Airport (ourairports:HLLQ)"


def _leg(tid: str, frm: str, to: str) -> dict:
    return {"transfer_id": tid, "leg": "1", "from": frm, "to": to, "date": "2020-05",
            "equipment": "ammunition", "category": "munitions", "actor": "Russian military",
            "mode": "air", "status": "reported", "source_ids": "lo_2020_05_24"}


def _add(data: Path, cands: Path) -> int:
    return main(["add", str(cands), "--source", "lo_2020_05_24", "--outlet", "The Libya Observer",
                 "--title", "Drah flights", "--published", "2020-05-24", "--data", str(data)])


def test_report_places_resolved_by_extract_are_accepted_by_add(tmp_path, capsys):
    data = _data(tmp_path)
    cands = tmp_path / "cands.csv"
    assert main(["extract", str(DRAH), "--published", "2020-05-24", "--out", str(cands),
                 "--data", str(data)]) == 0
    rows = _rows(cands)
    ends = {(r["from"], r["to"]) for r in rows}
    # curated twins of the world airfields the text named
    assert ("benina_airport", "ghardabiya_ab") in ends
    assert ("benina_airport", "jufra_ab") in ends
    assert ("syria", "benina_airport") in ends
    # a world airfield the gazetteer lacks: its name and id
    assert any(r["to"] == ABRAQ for r in rows)
    for r in rows:  # the analyst's review fills what the report leaves open
        r["date"] = r["date"] or "2020-05-22/2020-05-24"
        r["equipment"] = r["equipment"] or "military cargo"
        r["category"] = r["category"] or "other"
        r["actor"] = r["actor"] or "Russian military"
    _write(cands, rows)
    capsys.readouterr()
    assert _add(data, cands) == 0, capsys.readouterr().err
    ds = load_dataset(data)
    legs = ds.legs[ds.legs[C.TRANSFER_ID].astype(str).str.startswith("d04")]
    abraq = legs[legs[C.TO_ID] == "ourairports:HLLQ"]
    assert len(abraq) == 1
    # OurAirports HLLQ, Al Abraq (the annotation's point)
    assert abraq[C.TO_LAT].iloc[0] == pytest.approx(32.7887, abs=1e-3)
    assert abraq[C.TO_LON].iloc[0] == pytest.approx(21.9643, abs=1e-3)
    assert abraq[C.TO_NAME].iloc[0] == "Al Abraq International Airport"


@pytest.mark.parametrize("to", [ABRAQ, "ourairports:HLLQ", "  al abraq international airport "
                                "( ourairports:HLLQ ) "])
def test_ledger_takes_a_world_place_by_its_id(tmp_path, capsys, to):
    data = _data(tmp_path)
    cands = tmp_path / "c.csv"
    _write(cands, [_leg("t-1", "benina_airport", to)])
    assert _add(data, cands) == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    ("to", "hint"),
    [
        # the name says one place, the id another: the user decides, nothing is written
        ("Benina International Airport (ourairports:HLLQ)", ABRAQ),
        # no such record
        ("ourairports:HLZZZZ", "?description"),
    ],
)
def test_ledger_refuses_a_wrong_world_reference(tmp_path, capsys, to, hint):
    data = _data(tmp_path)
    before = (data / "transfers.csv").read_bytes()
    cands = tmp_path / "c.csv"
    _write(cands, [_leg("t-1", "benina_airport", to)])
    assert _add(data, cands) == 1
    err = capsys.readouterr().err
    assert "c.csv:2: column 'to': unknown place" in err and repr(to) in err and hint in err
    assert (data / "transfers.csv").read_bytes() == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ourairports:HLLQ", (None, "ourairports:HLLQ")),
        ("Astrakhan (geonames:580497)", ("Astrakhan", "geonames:580497")),
        ("country:LY", (None, "country:LY")),
        ("benina_airport", None),  # a gazetteer id: no colon
        ("Sirte: the port", None),  # a colon in a name is not an id
        ("Sirte (notatable:1)", None),  # not a world table
        (float("nan"), None),
    ],
)
def test_world_reference(text, expected):
    assert world_reference(text) == expected


def test_world_place_next_to_a_curated_one_is_the_curated_one():
    table = load_places(str(ROOT / "gazetteer.csv"), towns=False)
    hllb = Place("ourairports:HLLB", "Benina International Airport", "airbase", "LY",
                 32.0968, 20.2695, "site", curated=False)
    assert table.twin(hllb).id == "benina_airport"
    # 10 km away is another place
    far = Place("ourairports:XX", "Elsewhere", "airbase", "LY", 32.0968, 20.38, "site",
                curated=False)
    assert table.twin(far) is far
    # a town at an airbase's point is not the airbase
    town = Place("geonames:1", "Benina", "town", "LY", 32.0968, 20.2695, "city", curated=False)
    assert table.twin(town) is town


def test_via_place_by_its_world_id(tmp_path, capsys):
    data = _data(tmp_path)
    cands = tmp_path / "c.csv"
    _write(cands, [{**_leg("t-1", "syria", "benina_airport"), "via": ABRAQ}])
    assert _add(data, cands) == 0, capsys.readouterr().err
    ds = load_dataset(data)
    leg = ds.legs[ds.legs[C.TRANSFER_ID] == "t-1"].iloc[0]
    assert tuple(leg[C.VIA_IDS]) == ("ourairports:HLLQ",)
    assert tuple(leg[C.VIA_NAMES]) == ("Al Abraq International Airport",)
    (lon, lat), = leg[C.VIA_POINTS]
    assert (lat, lon) == pytest.approx((32.7887, 21.9643), abs=1e-3)


def test_unnamed_stop_in_a_world_town_by_its_id(tmp_path, capsys):
    from geo.extract import extract_text

    (c,) = extract_text("North Korean containers were delivered from Najin to a depot near "
                        "Tikhoretsk in May.", published="2024-06-01")
    to = c.to.ledger()
    assert to == "?a depot near Tikhoretsk @ Tikhoretsk (geonames:483029)"
    data = _data(tmp_path)
    cands = tmp_path / "c.csv"
    _write(cands, [{**_leg("t-1", c.frm.ledger(), to), "mode": "rail"}])
    assert _add(data, cands) == 0, capsys.readouterr().err
    leg = load_dataset(data).legs.set_index(C.TRANSFER_ID).loc["t-1"]
    assert leg[C.TO_ID] == "geonames:483029" and bool(leg[C.TO_UNKNOWN])
    assert leg[C.FROM_ID] == "geonames:2042645"  # Najin is GeoNames' Rajin


def test_via_place_whose_name_is_not_the_record_s_gets_its_name_as_hint(tmp_path, capsys):
    # as for a leg's end (test_ledger_refuses_a_wrong_world_reference): the user decides
    data = _data(tmp_path)
    before = (data / "transfers.csv").read_bytes()
    cands = tmp_path / "c.csv"
    wrong = "Benina International Airport (ourairports:HLLQ)"
    _write(cands, [{**_leg("t-1", "syria", "benina_airport"), "via": wrong}])
    assert _add(data, cands) == 1
    err = capsys.readouterr().err
    assert "c.csv:2: column 'via': unknown via place" in err and repr(wrong) in err
    assert f"did you mean {ABRAQ!r}?" in err
    assert (data / "transfers.csv").read_bytes() == before
