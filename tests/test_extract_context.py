"""Review is confirming, not typing: what a leg's sentence leaves open comes from the report.

A report says what moved, who moved it and when once, then tells the movements in
sentences that name only places. Candidates used to leave those cells blank and
`movemap add` refused each, so the analyst typed them. They are now filled from
the report's context (geo/extract/context.py), each with where it came from in the
``filled`` review column, and `add` still refuses what is truly missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_add_heldout import _data, _rows
from test_extract_fresh3 import _map_columns

from geo.extract import extract_text
from geo.extract.context import NOT_DESCRIBED, UNKNOWN_ACTOR
from layers.cli import main

ROOT = Path(__file__).resolve().parent.parent
M01 = ROOT / "tests" / "data" / "reports" / "fresh4" / "m01_uawire_lviv_cargo.txt"


def _by_to(text, published="2021-04-22"):
    return {c.to.ledger(): c for c in extract_text(text, published=published)}


def test_equipment_actor_and_date_come_from_an_earlier_sentence():
    got = _by_to("Between April 19 and April 21, aircraft of the Canadian Air Force delivered "
                 "ammunition to Poland. Another C-17 landed in Lviv after a transatlantic "
                 "flight from Canada.")
    lviv = next(c for to, c in got.items() if "Lviv" in to)
    assert (lviv.equipment, lviv.category) == ("ammunition and weapons", "munitions")
    assert lviv.actor == "Canadian military"
    assert (lviv.date, lviv.date_as_reported) == ("2021-04-19/2021-04-21",
                                                  "Between April 19 and April 21")
    # each filled value says which sentence it came from
    first = "sentence 1 ('Between April 19 and April 21, aircraft of the C …')"
    assert lviv.filled == (f"equipment, category: {first}; actor: {first}; date: {first}")
    # the first leg's own sentence said the rest; its actor, "of the Canadian Air Force"
    poland = got["Poland"]
    assert poland.filled == f"actor: {first}" and poland.equipment == "ammunition and weapons"


def test_a_demonym_before_a_force_names_the_actor_of_its_own_sentence():
    (c,) = extract_text("A plane of the Canadian Air Force flew from Canada to Lviv on 3 May.",
                        published="2021-05-10")
    assert c.actor == "Canadian military"
    assert "actor: sentence 1 (" in c.filled


def test_an_actor_of_another_country_than_the_origin_is_not_borrowed():
    # "the U.S. Air Force" is not who flew "from the UK"
    got = _by_to("The U.S. Air Force delivered ammunition to Poland on 19 April. A plane "
                 "delivered military cargo from the UK to Lviv.")
    lviv = next(c for to, c in got.items() if "Lviv" in to)
    assert lviv.frm.place.country == "GB"
    assert lviv.actor == UNKNOWN_ACTOR
    assert "actor: the report does not say who moved it" in lviv.filled


def test_nothing_in_the_report_is_said_so():
    (c,) = extract_text("A plane flew from Minsk to Benghazi.", published="2024-12-19")
    assert (c.equipment, c.category, c.actor) == (NOT_DESCRIBED, "other", UNKNOWN_ACTOR)
    assert c.date == "../2024-12-19" and c.date_as_reported == ""
    assert c.filled == ("equipment: the report does not say what moved; actor: the report "
                        "does not say who moved it; date: not in the report; by its "
                        "publication (2024-12-19)")


@pytest.mark.parametrize(("published", "date"), [("2024-06-12", "2024-06-12~"),
                                                 ("2024-06", "2024-06~")])
def test_recently_is_about_the_publication_date_at_its_precision(published, date):
    (c,) = extract_text("Russian cargo planes recently flew ammunition from Minsk to Benghazi.",
                        published=published)
    assert (c.date, c.date_as_reported) == (date, "recently")
    assert f"about the publication date {published}" in c.filled


def test_without_a_publication_date_an_undated_leg_is_refused_by_add(tmp_path, capsys):
    data = _data(tmp_path)
    report = tmp_path / "r.txt"
    report.write_text("A plane flew ammunition from Minsk to Benghazi.", encoding="utf-8")
    cands = tmp_path / "c.csv"
    assert main(["extract", str(report), "--source-id", "r1", "--out", str(cands),
                 "--data", str(data)]) == 0
    (row,) = _rows(cands)
    assert row["date"] == "" and "date" not in row["filled"]
    before = (data / "transfers.csv").read_bytes()
    capsys.readouterr()
    assert main(["add", str(cands), "--source", "r1", "--outlet", "o", "--title", "t",
                 "--published", "undated", "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert f"{cands}:2: column 'date': empty date" in err and "give the date" in err
    assert (data / "transfers.csv").read_bytes() == before


def test_the_filled_column_is_never_written_to_the_ledger(tmp_path, capsys):
    data = _data(tmp_path)
    cands = tmp_path / "c.csv"
    assert main(["extract", str(M01), "--published", "2021-04-22", "--source-id", "uawire",
                 "--out", str(cands), "--data", str(data)]) == 0
    assert any(r["filled"] for r in _rows(cands))
    capsys.readouterr()
    assert main(["add", str(cands), "--source", "uawire", "--outlet", "UAWire", "--title", "t",
                 "--published", "2021-04-22", "--data", str(data)]) == 0, \
        capsys.readouterr().err
    header = (data / "transfers.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "filled" not in header.split(",") and "evidence" not in header.split(",")


def test_a_fresh4_report_goes_to_the_map_with_no_typing(tmp_path, capsys):
    """extract -> accept every row as proposed -> add -> build: its legs are on the map."""
    data = _data(tmp_path)
    cands = tmp_path / "uawire.csv"
    # the report gives its month: the ledger keeps that precision
    assert main(["extract", str(M01), "--published", "2021-04", "--source-id",
                 "uawire_2021_04", "--out", str(cands), "--data", str(data)]) == 0
    rows = _rows(cands)
    for col in ("date", "equipment", "category", "actor"):
        assert all(r[col] for r in rows), col
    capsys.readouterr()
    assert main(["add", str(cands), "--source", "uawire_2021_04", "--outlet", "UAWire",
                 "--title", "Three military cargo planes", "--published", "2021-04",
                 "--data", str(data)]) == 0, capsys.readouterr().err
    lviv = {r["transfer_id"]: r["from"] for r in rows if r["to"].endswith("(geonames:702550)")}
    assert set(lviv.values()) >= {"United States"}
    out = tmp_path / "maps"
    ids = sorted(r["transfer_id"] for r in rows)
    assert main(["build", "--data", str(data), "--out", str(out),
                 "--transfer", ",".join(ids)]) == 0
    cols = _map_columns((out / "index.html").read_text(encoding="utf-8"))
    on_map = dict(zip(cols["transfer_id"][0], zip(cols["from_id"][0], cols["to_id"][0],
                                                  strict=True), strict=True))
    us = next(t for t, f in lviv.items() if f == "United States")
    assert on_map[us] == ("country:US", "geonames:702550")
    assert ("country:GB", "country:UA") in on_map.values()
    assert ("country:CA", "country:UA") in on_map.values()


# --- publication date as the report gives it (a day, a month, a year) ---------------


@pytest.mark.parametrize(("published", "yesterday", "april"), [
    ("2021-04-22", "2021-04-21", "2021-04-19"),
    ("2021-04", "2021-03-31/2021-04-29", "2021-04-19"),
    ("2021", "2020-12-31/2021-12-30", "2021-04-19"),
])
def test_a_month_or_a_year_of_publication_keeps_its_precision(published, yesterday, april):
    got = extract_text("A plane flew from Minsk to Benghazi yesterday. Another flew from Minsk "
                       "to Sirte on April 19.", published=published)
    assert [c.date for c in got] == [yesterday, april]


@pytest.mark.parametrize("bad", ["June 2024", "2024-13", "2024-02-30", "24-06", "2024/06"])
def test_a_publication_date_that_is_no_date_is_refused_with_the_forms_that_work(
        tmp_path, capsys, bad):
    report = tmp_path / "r.txt"
    report.write_text("A plane flew from Minsk to Benghazi.", encoding="utf-8")
    assert main(["extract", str(report), "--published", bad]) == 1
    err = capsys.readouterr().err
    assert repr(bad) in err and "2024-06-12, 2024-06 or 2024" in err
    assert "Traceback" not in err


def test_other_earlier_movements_borrow_no_earlier_date():
    # itamilradar, 27 June 2023: the dated flight, then "two other similar flights"
    text = ("An Il-76 took off on 22 June from Krasnodar and flew on to Mali. To date, two "
            "other similar flights between Syria and Mali have taken place.")
    got = extract_text(text, published="2023-06-27")
    syria = next(c for c in got if c.frm.ledger() == "syria")
    assert syria.date == "../2023-06-27"
    assert "'To date' tells movements other than those dated before" in syria.filled
    # without the cue the sentence still takes the nearest earlier date
    (_, near) = extract_text(text.replace("To date, two other similar", "Two"),
                             published="2023-06-27")
    assert near.date == "2023-06-22" and "date: sentence 1" in near.filled


@pytest.mark.parametrize(("sentence", "origin"), [
    # the report's own misspelling of Krasnodar: told as the origin, found in no table
    ("The aircraft took off on 22 June from Krasdonar, stopping over in Latakia and then "
     "continued on to Mali.", "?Krasdonar"),
    ("The Il-76 departed from Zmeyevka Field and flew to Mali on 3 May.", "?Zmeyevka Field"),
    # a source, a month: no movement from them
    ("Satellite images from Maxar showed two ships arriving at Tartus on 3 May.", None),
    ("Flights from March to May brought drones to Mali.", None),
])
def test_an_origin_no_table_knows_is_kept_as_written(sentence, origin):
    (c,) = extract_text(sentence, published="2023-06-27")
    if origin is None:
        assert "no gazetteer or world table" not in " ".join(c.reasons)
        assert not c.frm.ledger().startswith(("?Maxar", "?March"))
    else:
        assert c.frm.ledger() == origin
        assert f"origin: '{origin[1:]}', told after" in " ".join(c.reasons)
        assert "origin named, but in no gazetteer or world table" in c.reasons


def test_things_referred_back_to_leave_from_where_the_sentence_before_took_them():
    # Shephard, 5 September 2024: Abrams by rail to Port Hueneme, then by ship to Melbourne
    text = ("On 21 June, 27 Abrams on railcars were spotted moving to Port Hueneme, "
            "California. A cargo ship should have now delivered these vehicles to Melbourne.")
    got = extract_text(text, published="2024-09-05")
    melbourne = next(c for c in got if "Melbourne" in c.to.ledger())
    hueneme = next(c for c in got if "Hueneme" in c.to.ledger())
    assert melbourne.frm.ledger() == hueneme.to.ledger()
    assert "origin: where 'these vehicles' were taken in the sentence before" in \
        melbourne.reasons
    # the second leg of the same movement, with both sentences as evidence
    assert (melbourne.transfer, melbourne.leg) == (hueneme.transfer, hueneme.leg + 1)
    assert len(melbourne.evidence) == 2
    # a new paragraph is a new story: no origin borrowed across it
    (_, apart) = extract_text(text.replace(". A cargo", ".\n\nA cargo"), published="2024-09-05")
    assert not apart.frm.known


def test_a_metropolis_beats_a_small_namesake_of_the_report_s_country():
    # "Melbourne" after Port Hueneme, California was Melbourne, Florida (85k people)
    text = ("On 21 June, 27 Abrams on railcars were spotted moving to Port Hueneme, "
            "California. A cargo ship should have now delivered these vehicles to Melbourne.")
    melbourne = next(c for c in extract_text(text, published="2024-09-05")
                     if "Melbourne" in c.to.ledger())
    assert melbourne.to.place.country == "AU"
    # a namesake not that much smaller keeps the report's country
    from geo.extract.places import load_places

    places = load_places()
    assert places.resolve("Odessa", countries={"US": 1.0}).country == "US"  # 1.0M vs 114k
    assert places.resolve("Melbourne", countries={"US": 1.0}).country == "AU"
