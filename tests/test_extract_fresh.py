"""Regression tests from the fresh reports (tests/data/reports/fresh/): each is a short
paraphrase of a real published sentence that `movemap extract` got wrong on first read."""

from __future__ import annotations

import pytest
from _helpers import leg_ends

from geo.extract import extract_text
from geo.reldate import resolve_date


def cands(text, published="2024-02-28"):
    return extract_text(text, published=published)


def ends(text, published="2024-02-28"):
    return leg_ends(text, published)


def test_ports_named_after_port_of_and_a_stop_before_then():
    # Washington Post/C4ADS relayed: cargo ships at Najin, then at two Russian ports
    got = ends("Russian cargo ships anchored at the North Korean port of Najin and then "
               "entered the ports of Vostochny and Dunai.")
    assert got == [("unlocode:KPNJN", "unlocode:RUVYP"), ("unlocode:KPNJN", "geonames:2024800")]


def test_a_place_before_then_without_a_later_destination_stays_a_destination():
    got = ends("A cargo ship anchored at the port of Najin for two days.")
    assert [b for _, b in got] == ["unlocode:KPNJN"]


def test_a_second_origin_after_a_finished_leg_starts_a_new_leg():
    text = ("North Korea sent freight wagons to Russia, and containers collected at Najin "
            "were delivered by sea to a depot near Tikhoretsk.")
    first, second = cands(text, "2023-10-14")
    assert (first.frm.place.id, first.to.place.id) == ("country:KP", "russia")
    # Najin is in no town list: found in the world tables after "collected at"
    assert (second.frm.name, second.frm.place.country) == ("Najin", "KP")
    assert second.to.place.id == "geonames:483029"  # Tikhoretsk: the depot placed by it
    assert second.to.unnamed == "a depot near Tikhoretsk"


@pytest.mark.parametrize("text, state", [
    ("Tehran is using the Caspian Sea route to supply Moscow with drones.", "country:IR"),
    ("Cairo reportedly delivered Bayraktar TB2 drones to Port Sudan.", "egypt"),
])
def test_a_capital_as_subject_stands_for_its_state(text, state):
    (c,) = cands(text)
    assert c.frm.place is not None and c.frm.place.id == state
    assert any("standing for" in r for r in c.reasons)


@pytest.mark.parametrize("text", [
    "Drones were flown to Africa in August.",  # "Africa" was also Mahdia's name
    "The convoy moved from August to September.",
])
def test_months_and_continents_are_not_towns(text):
    for c in cands(text):
        for stop in (c.frm, c.to):
            assert stop.place is None or stop.place.kind in ("country", "region"), stop


def test_a_capital_of_the_destination_country_is_not_its_origin():
    got = ends("Tripoli said that trucks delivered ammunition to Misrata.")
    assert got and got[0][0] != "libya" and "tripoli" not in got[0][0]


def test_a_place_in_an_earlier_clause_is_not_the_origin():
    # "Turkish personnel are stationed in Port Sudan, while the army is transferring
    # launch platforms to Omdurman": neither Port Sudan nor Turkey is the origin
    (c,) = cands("Over 20 Turkish personnel operating Turkish drones are stationed in Port Sudan, "
                 "while the Sudanese army is reportedly transferring drone launch platforms to "
                 "Omdurman.")
    assert not c.frm.known
    assert c.to.place is not None and c.to.place.country == "SD"


def test_a_visit_is_not_a_destination():
    got = ends("Following the army chief's visit to Turkey in late 2023, Cairo reportedly "
               "delivered Bayraktar TB2 drones to Port Sudan.")
    assert all(b != "turkey" for _, b in got)
    assert got[-1][0] == "egypt"


def test_equipment_referred_back_to_goes_where_an_earlier_sentence_saw_it():
    text = ("Videos showed a convoy of Russian tanks moving near Mali's capital, Bamako.\n"
            "Part of this equipment was transferred from Syria.\n"
            "The rest was shipped directly from Russia.")
    got = ends(text, "2025-01-21")
    assert got == [("syria", "bamako"), ("russia", "bamako")]
    c = cands(text, "2025-01-21")[0]
    assert [e["text"][:6] for e in c.evidence] == ["Videos", "Part o"]


def test_without_a_back_reference_no_destination_is_borrowed():
    text = ("Videos showed a convoy of Russian tanks moving near Mali's capital, Bamako.\n"
            "Other tanks were transferred from Syria.")
    got = ends(text, "2025-01-21")
    assert got[-1] == ("syria", "?destination not reported")


@pytest.mark.parametrize("phrase, edtf", [
    ("from last August to this January", "2023-08/2024-01"),
    ("between last May and this January", "2023-05/2024-01"),
])
def test_month_range_with_last_and_this(phrase, edtf):
    assert resolve_date(phrase, published="2024-02-28").date == edtf


def test_extract_imports_no_pandas(tmp_path):
    import subprocess
    import sys

    report = tmp_path / "r.txt"
    report.write_text("A cargo plane flew from Minsk to Benghazi on 13 December.\n")
    code = ("import sys; from layers.cli import main; "
            f"main(['extract', {str(report)!r}, '--published', '2024-12-19']); "
            "print(sorted(m for m in ('pandas', 'geopandas', 'folium', 'shapely') "
            "if m in sys.modules))")
    env = {"MOVEMAP_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for _ in range(2):  # the first run may validate the gazetteer (geopandas) and cache that
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, check=True)
    assert "minsk" in out.stdout.lower() and "benghazi" in out.stdout.lower()
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_named_base_is_looked_up_as_an_airfield():
    # "to the Wadi Sayyidna base in Omdurman": OurAirports spells it Wadi Seidna Air Base
    (c,) = cands("The army is transferring drone launch platforms to the Wadi Sayyidna base in "
                 "Omdurman.")
    assert c.to.place is not None and c.to.place.id == "ourairports:SD-0001"


def test_the_nearest_demonym_names_where_things_came_from():
    # "US intercepts Iranian weapons shipment destined for Yemen rebels": Iranian, not US
    (c,) = cands("US intercepts Iranian weapons shipment destined for Yemen rebels", "2024-01-16")
    assert (c.frm.place.country, c.to.place.country) == ("IR", "YE")


def test_an_acronym_after_to_is_no_town():
    got = ends("A senior commander told MEE that cargo aircraft landed at Bosaso Airport.",
               "2025-11-01")
    assert all(a != "MEE" and "mee" not in str(a).lower() for a, _ in got)


def test_a_port_manager_is_not_an_unnamed_port():
    got = ends("According to the port manager, the containers are moved to Bosaso Airport.",
               "2025-11-01")
    assert all("manager" not in str(b) for _, b in got)


@pytest.mark.parametrize("text, country", [
    ("The UAE is moving military equipment from the United Arab Emirates to Sudan's Rapid "
     "Support Forces.", "SD"),
    ("A US Navy dhow seizure stopped weapons transported from Iran to the Houthis.", "YE"),
])
def test_a_named_party_receiving_is_a_destination_in_its_country(text, country):
    (c,) = cands(text, "2025-11-01")
    assert c.to.place is not None and c.to.place.country == country


def test_a_possessive_before_a_named_port_stays_a_qualifier():
    (c,) = cands("Sparta IV is believed to be heading to Russia's naval facility in Tartus, Syria.")
    assert c.to.place is not None and c.to.place.country == "SY"


def test_these_aircraft_continue_from_where_the_last_ones_landed():
    text = ("IL-76 cargo aircraft have routinely landed at Bosaso Airport.\n"
            "These aircraft depart shortly after, and the cargo is reloaded onto flights bound "
            "for Sudan.")
    got = cands(text, "2025-11-01")
    assert got[-1].to.place.country == "SD" and got[-1].frm.place is not None
    assert got[-1].frm.place.country == "SO"
