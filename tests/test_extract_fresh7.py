"""Regression tests from the seventh fresh set (tests/data/reports/fresh7/): sentences of
real published reports, in our own words, that `movemap extract` got wrong on first
(blind) read: recall 6/9, precision 7/21."""

from __future__ import annotations

from _helpers import leg_ends

from geo.extract import extract_text


def ends(text, published="2023-06-01"):
    return leg_ends(text, published)


def test_a_flight_told_twice_in_one_sentence_is_one_leg():
    # "?origin -> Vnukovo" and "Tehran -> Moscow" were two proposals
    got = ends("The Il-76TD touched down at Vnukovo airport at 09:24 on a flight from "
               "Tehran to Moscow.")
    assert len(got) == 1
    frm, to = got[0]
    assert frm == "geonames:112931" and to == "ourairports:UUWW"  # Tehran, Vnukovo


def test_a_headline_leg_told_again_in_the_body_is_folded_with_its_evidence():
    # "Iran -> Moscow" (headline and lead) was proposed beside "Tehran -> Vnukovo"
    text = ("Iranian cargo plane that may have carried drones lands in Moscow\n\n"
            "An Iranian Il-76 freighter able to carry Shahed-136 drones came down in Moscow, "
            "the German newspaper Bild reported.\n\n"
            "According to Bild, the heavy Il-76 departed Tehran early on Thursday and touched "
            "down at the cargo terminal of Vnukovo airport in Moscow at about noon.")
    legs = extract_text(text, published="2022-11-05")
    assert len(legs) == 1
    assert legs[0].frm.place.id == "geonames:112931" and legs[0].to.place.id == "ourairports:UUWW"
    quoted = [e["text"] for e in legs[0].evidence]
    assert quoted[0] == "Iranian cargo plane that may have carried drones lands in Moscow"
    assert quoted[-1].startswith("According to Bild")  # in the report's order
    assert all(text[e["start"]:e["end"]] == e["text"] for e in legs[0].evidence)


def test_two_body_sentences_without_origin_stay_two_movements():
    got = ends("A first ship reached Libya in March. Another ship from Aqaba reached Libya "
               "in May.")
    assert ("?origin not reported", "libya") in got and len(got) == 2


def test_a_model_number_before_may_is_no_date():
    from geo.extract.dates import find_dates

    assert find_dates("Monitoring groups say the Il-76 may have brought cargo to Russia.",
                      published=None) == []
    assert [d.text for d in find_dates("It landed on 24 May.", published=None)] == ["on 24 May"]


def test_people_training_somewhere_moved_no_equipment_there():
    # "Russian personnel ... training on drones in Iran" gave Russia -> Iran
    got = ends("A US official said last week that Russian personnel had begun training on "
               "drones in Iran several weeks earlier.")
    assert got == []
    # foreign things seen in a place still are ("presence")
    assert ends("Turkish Bayraktar TB-2 drones in Libya were seen at Jufra.") == [
        ("turkey", "libya")]


def test_to_after_a_person_s_title_is_no_destination():
    # "an aide to President Zelensky said Iran had ..." made Iran a destination
    got = ends("An aide to President Zelensky said Iran had already supplied Moscow with "
               "46 drones.")
    assert got == [("country:IR", "geonames:524901")]


def test_a_hyphenated_pair_of_towns_before_route_is_a_leg():
    # "the Tehran-Moscow route": "Tehran" joined by a hyphen was read as part of one name
    for dash in ("-", "\u2013"):
        got = ends(f"Three freighters worked the Tehran{dash}Moscow route in recent months: "
                   "Boeing 747s of Qeshm Fars Air and an Il-76 of Pouya Air.")
        assert got == [("geonames:112931", "geonames:524901")], dash
    # a hyphenated name stays one name
    assert ends("The plane landed at Ben-Gurion airport from Baku.") == [
        ("geonames:587084", "ourairports:LLBG")]


def test_the_port_is_the_one_named_earlier_in_the_same_sentence():
    # "... port of Poti has confirmed that cargo shipped from France ... arrived at the
    # port": "the port" stayed unnamed
    got = ends("The operator of Georgia's Black Sea port of Poti has confirmed that a "
               "special cargo shipped from France for Armenia arrived at the port.")
    assert got == [("country:FR", "unlocode:GEPTI")]


def test_a_dated_lead_and_an_undated_headline_fold_into_the_body_s_finer_leg():
    # "Iran -> Moscow" (headline + the lead dated "today") stayed beside "Tehran -> Vnukovo"
    text = ("Iranian cargo plane arrives in Moscow again\n\n"
            "An Iranian Il-76 that can carry military cargo landed in Moscow today, "
            "flight-tracking data show.\n\n"
            "The Pouya Air Il-76TD touched down at Vnukovo airport at 09:24 on a flight from "
            "Tehran to Moscow.")
    legs = extract_text(text, published="2023-06-01")
    assert len(legs) == 1
    assert legs[0].frm.place.id == "geonames:112931" and legs[0].to.place.id == "ourairports:UUWW"
    assert legs[0].date == "2023-06-01"
    assert [e["text"][:20] for e in legs[0].evidence] == [
        "Iranian cargo plane ", "An Iranian Il-76 tha", "The Pouya Air Il-76T"]


def test_flown_from_a_country_to_be_based_in_another_is_a_leg_there():
    # "flown from China ... and will now be based in Pakistan" gave China -> ?destination
    got = ends("They were flown from China by Pakistani pilots who had trained there for "
               "three months, and will now be based in Pakistan.")
    assert got == [("country:CN", "country:PK")]


def test_the_actor_named_right_before_a_carrier_is_its_country():
    # "a Russian military cargo plane landing at Niamey airport": no origin ("Russian
    # military" is an actor, so no demonym stood before the carrier)
    got = ends("Footage showed a Russian military cargo plane landing at Niamey airport.")
    assert got == [("russia", "ourairports:DRRN")]


def test_made_in_a_country_is_the_country_of_the_things():
    got = ends("Reports said that French-made Bastion armoured vehicles reached the Georgian "
               "port of Poti on 12 November.")
    assert got == [("country:FR", "unlocode:GEPTI")]
