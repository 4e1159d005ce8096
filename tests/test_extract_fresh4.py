"""Regression tests from the fourth fresh set (tests/data/reports/fresh4/): sentences of
real published reports, or short paraphrases of them, that `movemap extract` got wrong on
first read."""

from __future__ import annotations

import pytest
from _helpers import leg_ends, pattern_folder

from geo._errors import InputError
from geo.extract import extract_text
from geo.extract.lexicon import load_lexicon


def cands(text, published="2024-06-01"):
    return extract_text(text, published=published)


def ends(text, published="2024-06-01"):
    return leg_ends(text, published)


# --- a country's other names (patterns/countries.csv) ---------------------------------


@pytest.mark.parametrize("text, origin", [
    ("Air observers recorded a flight from the U.S. to Lviv in April.", "country:US"),
    ("Air observers recorded a flight from the US to Lviv in April.", "country:US"),
    ("Air observers recorded a flight from the USA to Lviv in April.", "country:US"),
    ("A RAF plane flew military cargo from the UK to Lviv in April.", "country:GB"),
    ("A RAF plane flew military cargo from Britain to Lviv in April.", "country:GB"),
    ("Weapons from Burma reached Lviv in April.", "country:MM"),
])
def test_a_countrys_short_name_after_from_is_the_origin(text, origin):
    got = ends(text)
    assert len(got) == 1 and got[0][0] == origin and got[0][1].startswith("geonames:")


@pytest.mark.parametrize("text", [
    # a demonym before a noun, not the country as a place
    "US and Libyan officials said the S-400 components were flown from Syria to Libya.",
    "US-made vehicles were flown from Syria to Libya in May.",
])
def test_a_short_name_used_as_an_adjective_is_no_place(text):
    assert ends(text) == [("syria", "libya")]


def test_us_weapons_still_name_their_country():
    # "US weapons" keeps the demonym's reading: the weapons' country is the origin
    assert ends("US weapons arrived in Israel on 3 May.") == [("country:US", "country:IL")]


def test_coordinated_countries_with_a_short_name_are_each_an_origin():
    got = ends("Between April 19 and April 21, three heavy transport aircraft of the U.S. Air "
               "Force, Great Britain and Canada delivered military cargo to Ukraine.")
    assert ("country:GB", "country:UA") in got and ("country:CA", "country:UA") in got


def test_a_bad_country_code_in_countries_csv_is_reported(tmp_path):
    folder = pattern_folder(tmp_path / "patterns", {"countries.csv": "Narnia,XX,\n"})
    with pytest.raises(InputError) as err:
        load_lexicon(str(folder))
    text = str(err.value)
    assert "countries.csv" in text and "XX" in text and "two-letter code" in text


# --- names with hyphens, overflights, trips made to load cargo ------------------------


def test_a_hyphenated_airport_name_is_the_airport_not_a_town_in_it():
    # "Ben" is one of Bern's other spellings in GeoNames
    got = ends("The company operates three weekly flights between Baku and Ben-Gurion "
               "International Airport with Boeing 747 cargo freighters.")
    assert got == [("geonames:587084", "ourairports:LLBG")]


def test_a_country_flown_over_is_passed_not_the_origin():
    (c,) = cands("The Il-76 took off, flew over central Israel, continued north over Turkey "
                 "and then to the east, returning to its home field in Baku.")
    assert not c.frm.known
    assert [v.place.country for v in c.via] == ["IL", "TR"]


@pytest.mark.parametrize("text", [
    "Less than 8 hours later, the aircraft was headed back to Dover to pick up another "
    "shipment of ammunition.",
    "The plane flew to Dover to collect ammunition.",
])
def test_a_place_a_trip_is_made_to_load_cargo_at_is_an_origin(text):
    (c,) = cands(text)
    assert c.frm.place.name == "Dover" and not c.to.known


# --- ends told in another sentence (misses left after the fourth set's fixes) ----------

M01 = ("Between April 19 and April 21, three heavy transport aircraft of the U.S. Air Force, "
       "Great Britain and Canada delivered military cargo to Ukraine, reported Interfax-Ukraine."
       "\n\nA military transport aircraft C-130J Hercules arrived from Stuttgart, where the "
       "headquarters of the U.S. European Command is located. A RAF Bae 146-200 delivered "
       "military cargo from the UK. Another heavy cargo plane C-17 Globemaster III of the "
       "Canadian Air Force landed in Lviv after a transatlantic flight.")


def test_an_arrival_from_a_place_went_where_the_report_said_before():
    got = cands(M01, "2021-04-22")
    stuttgart = next(c for c in got if c.frm.name == "Stuttgart")
    assert stuttgart.to.ledger() == "Ukraine"
    assert "where the movement told before went" in " ".join(stuttgart.reasons)
    # the sentence it came from is part of the evidence, verbatim
    assert [e["text"][:20] for e in stuttgart.evidence] == ["Between April 19 and",
                                                             "A military transport"]
    assert all(M01[e["start"]:e["end"]] == e["text"] for e in stuttgart.evidence)


def test_another_plane_is_not_the_previous_sentence_s_flight():
    got = ends(M01, "2021-04-22")
    # "from the UK" is not completed by the next sentence's "Another ... landed in Lviv"
    assert ("country:GB", "geonames:702550") not in got
    assert ("country:GB", "country:UA") in got
    # that plane is "of the Canadian Air Force": Canada, the country of its force
    assert ("country:CA", "geonames:702550") in got


def test_an_arrival_never_goes_back_to_its_own_origin():
    got = ends("Weapons were flown from Ukraine to Poland in May. Another plane arrived "
               "from Poland on 3 May.", "2024-06-01")
    assert ("country:PL", "country:PL") not in got


def test_an_itinerary_told_over_three_sentences_is_one_leg():
    text = ("Analysts tracked multiple flights of the IL-76 plane, saying that it is used by the "
            "UAE and its starting points in the UAE. The flight stops midway in Nairobi, "
            "Kenya, and Entebbe, Uganda. The final destinations are in N'Djamena in Chad.")
    (c,) = cands(text, "2024-06-20")
    assert (c.frm.ledger(), c.to.place.id) == ("uae", "geonames:2427123")
    assert [v.place.id for v in c.via] == ["geonames:184745", "geonames:233508"]
    # all three sentences are its evidence, in the report's order, verbatim
    assert [e["text"][:12] for e in c.evidence] == ["Analysts tra", "The flight s",
                                                     "The final de"]
    assert all(text[e["start"]:e["end"]] == e["text"] for e in c.evidence)
