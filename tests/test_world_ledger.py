"""The ledger resolves names beyond the gazetteer through the world tables, in context."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.columns import FROM_ID, FROM_LAT, TO, TO_ID, TO_LAT, TO_LON
from geo.gazetteer import read_gazetteer
from geo.geocode import PlaceIndex
from geo.ledger import check_ledger
from geo.ledger_places import serves_warnings

HEADER = (
    "transfer_id,leg,from,to,date,date_precision,equipment,category,quantity,actor,mode,"
    "carrier,status,source_ids,note\n"
)
SOURCES = (
    "source_id,outlet,title,published,url,relays\n"
    "s1,Outlet,Title,2024-12-18,https://example.org/a,\n"
)


@pytest.fixture(scope="module")
def index(seed_gazetteer) -> PlaceIndex:
    return PlaceIndex(read_gazetteer(seed_gazetteer))


def check(tmp_path: Path, index: PlaceIndex, *legs: tuple[str, str, str, str, str]):
    lines = [
        f"{tid},{leg},{a},{b},2024-12-13,day,cargo,other,,Russia,{mode},,reported,s1,\n"
        for tid, leg, a, b, mode in legs
    ]
    t, s = tmp_path / "transfers.csv", tmp_path / "sources.csv"
    t.write_text(HEADER + "".join(lines), encoding="utf-8")
    s.write_text(SOURCES, encoding="utf-8")
    return check_ledger(t, s, index)


def test_world_places_resolve_with_the_transfer_as_context(tmp_path, index):
    res = check(
        tmp_path,
        index,
        ("T", "1", "Moscow", "al-Khadim", "air"),
        ("T", "2", "al-Khadim", "Bamako", "air"),
        ("U", "1", "Tripoli", "Misrata", "road"),
    )
    assert res.problems == [], res.problems
    legs = res.legs.set_index(["transfer_id", "leg"])
    assert legs.loc[("T", 1), TO_ID] == "ourairports:HL59"
    assert legs.loc[("T", 1), TO_LAT] == pytest.approx(31.9985, abs=1e-3)
    assert legs.loc[("T", 1), TO_LON] == pytest.approx(21.1918, abs=1e-3)
    assert legs.loc[("T", 2), FROM_ID] == "ourairports:HL59"  # the chain holds
    assert legs.loc[("T", 2), TO_ID].startswith("geonames:")
    assert legs.loc[("T", 1), FROM_LAT] == pytest.approx(55.75, abs=0.1)  # Moscow
    # Misrata (LY) in the same transfer makes Tripoli the Libyan one
    assert legs.loc[("U", 1), FROM_ID] == "tripoli"


def test_tripoli_alone_stays_ambiguous(tmp_path, index):
    res = check(tmp_path, index, ("V", "1", "Tripoli", "Moscow", "air"))
    msgs = [p for p in res.problems if p.column == "from"]
    assert msgs and msgs[0].message == "ambiguous place"
    assert "'tripoli'" in msgs[0].hint and "'tripoli_lb'" in msgs[0].hint


def test_a_loose_spelling_is_an_error_with_the_match_suggested(tmp_path, index):
    # the ledger is a record: a consonant-skeleton match is not written silently
    res = check(tmp_path, index, ("W", "1", "Moscow", "Ramstien Air Base", "air"))
    p = next(p for p in res.problems if p.column == "to")
    assert p.message == "unknown place" and "Ramstein Air Base" in p.hint


def test_air_leg_to_a_city_that_stands_for_a_base_warns(tmp_path, index):
    res = check(
        tmp_path,
        index,
        ("X", "1", "Latakia", "Benghazi", "air"),
        ("Y", "1", "Tartus", "Tobruk", "sea"),
        ("Z", "1", "Latakia", "Tartus", "road"),
    )
    assert res.problems == []
    warned = {(w.line, w.column): w for w in res.warnings if "reports often use" in w.message}
    assert set(warned) == {(2, "from"), (2, "to"), (3, "from")}
    assert "'khmeimim_ab'" in warned[(2, "from")].message
    assert "'benina_airport' or 'ourairports:HL59'" in warned[(2, "to")].message
    assert "'tartus_naval_base'" in warned[(3, "from")].message
    assert all(w.severity == "warning" for w in warned.values())


def test_serves_warnings_skip_land_legs_and_bases(index):
    import pandas as pd

    legs = pd.DataFrame(
        {
            "mode": ["road", "air", "air"],
            FROM_ID: ["latakia", "khmeimim_ab", "minsk"],
            TO_ID: ["tartus", "benina_airport", "minsk"],
            "source_line": [2, 3, 4],
            "from": ["Latakia", "Khmeimim", "Minsk"],
            TO: ["Tartus", "Benina", "Minsk"],
        }
    )
    assert serves_warnings(legs, "transfers.csv") == []
