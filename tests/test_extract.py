"""geo.extract: candidate legs from report text, the traps of real reporting."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from geo.extract import extract_text, html_to_text, to_json, to_rows, write_csv
from geo.extract.dates import find_dates

PUB = "2024-12-19"


def legs(text, published=PUB):
    return [(c.frm.ledger(), c.to.ledger()) for c in extract_text(text, published=published)]


def test_from_to_with_date_and_evidence_offsets():
    text = ("Flight data show more traffic. A Rubistar aircraft carried equipment and likely "
            "ammunition from Minsk to Libya on 13 December.")
    (c,) = extract_text(text, published=PUB)
    assert (c.frm.ledger(), c.to.ledger()) == ("minsk", "libya")
    assert c.date == "2024-12-13" and c.date_as_reported == "on 13 December"
    assert c.mode == "air" and "Rubistar aircraft" in c.carrier
    ev = c.evidence[0]
    assert text[ev["start"]:ev["end"]] == ev["text"]
    assert ev["text"].startswith("A Rubistar aircraft")


def test_declared_destination_is_not_a_stop():
    text = ("The Il-76 RA-78765 left Hmeimim with declared destination Gabes, but landed at "
            "Benina airport the same night.")
    cands = extract_text(text, published=PUB)
    assert [(c.frm.ledger(), c.to.ledger()) for c in cands] == [("khmeimim_ab", "benina_airport")]
    assert "Gabes" in cands[0].note and cands[0].carrier_id == "RA-78765"
    assert not any("Gab" in c.to.ledger() or "Gab" in c.frm.ledger() for c in cands)


def test_ship_named_like_a_vehicle_is_a_carrier():
    text = ("The cargo ship Amazon unloaded dozens of BMC Kirpi armoured vehicles in Tripoli "
            "after sailing from Samsun.")
    (c,) = extract_text(text, published=PUB)
    assert c.carrier_id == "Amazon" and c.mode == "sea"
    assert c.category == "armour" and "Amazon" not in c.equipment
    assert c.to.ledger() == "tripoli" and c.frm.name == "Samsun"


def test_city_that_means_its_base():
    (c,) = extract_text("Two Il-76 flights took the radars from Latakia to Benghazi.",
                        published=PUB)
    assert c.frm.ledger() == "khmeimim_ab"  # by air, Latakia is Khmeimim
    assert any("Latakia" in r and "Khmeimim" in r for r in c.reasons)
    (c,) = extract_text("Russia moved equipment to an airbase in Latakia.", published=PUB)
    assert c.to.ledger() == "khmeimim_ab"


def test_round_trip_and_back():
    cands = extract_text("An An-124 flew from Benghazi to Bamako and back on 3 March.",
                         published=PUB)
    ends = [(c.frm.ledger(), c.to.ledger()) for c in cands]
    # by air, Benghazi is its airport (bases.csv)
    assert ends == [("benina_airport", "bamako"), ("bamako", "benina_airport")]
    assert cands[1].leg == 2 and cands[1].transfer == cands[0].transfer


def test_chain_of_legs_with_relative_dates():
    text = ("On 10 December an Il-76 flew from Khmeimim to Benina airport. The following day it "
            "returned to Hmeimim; 24 hours later it flew to al-Jufra.")
    cands = extract_text(text, published=PUB)
    got = [(c.frm.ledger(), c.to.ledger(), c.date) for c in cands]
    assert got == [
        ("khmeimim_ab", "benina_airport", "2024-12-10"),
        ("benina_airport", "khmeimim_ab", "2024-12-11"),
        ("khmeimim_ab", "jufra_ab", "2024-12-12"),
    ]
    assert [c.leg for c in cands] == [1, 2, 3]
    assert len({c.transfer for c in cands}) == 1


def test_only_one_end_named_keeps_an_unnamed_stop():
    (c,) = extract_text("Russian forces delivered S-400 radars to Benghazi.", published=PUB)
    assert c.to.ledger() == "benghazi" and c.frm.ledger() == "?origin not reported"
    assert c.actor == "Russian military"
    (c,) = extract_text("Russian S-400 radars were delivered to Benghazi.", published=PUB)
    # the origin is the country of what moved, and says so
    assert c.frm.ledger() == "russia" and any("'Russian'" in r for r in c.reasons)
    (c,) = extract_text("The shipment was flown to Misrata.", published=PUB)
    assert c.to.ledger() == "misrata"
    assert c.frm.ledger() == "?origin not reported" and c.frm.place is None
    assert "origin not named in the report" in c.reasons


def test_country_level_and_unnamed_ends():
    (c,) = extract_text("Russian cargo planes delivered radars from Syria to bases in eastern "
                        "Libya.", published=PUB)
    assert c.frm.ledger() == "syria"
    assert c.to.ledger() == "?bases in eastern Libya @ eastern_libya"
    d = c.to.as_dict()
    assert d["unnamed"] and d["id"] == "eastern_libya" and d["country"] == "LY"


def test_hedging_gives_status():
    def status(t):
        return extract_text(t, published=PUB)[0].status

    assert status("Russia reportedly flew S-300 parts from Syria to Libya.") == "reported"
    assert status("It is assessed that Russia sent MiG-29 jets from Syria to Libya.") == "assessed"
    assert status("Moscow is considering sending warships from Tartus to Tobruk.") == "planned"
    assert status("Turkey allegedly shipped Kirpi vehicles from Turkey to Misrata.") == "alleged"


def test_speculation_is_not_a_movement():
    assert legs("It is unclear whether the S-400 will remain in Libya or be transported back "
                "to Russia.") == []


def test_french_de_a():
    (c,) = extract_text("Un Il-76 a été envoyé de Benghazi à Bamako.", published=PUB)
    assert (c.frm.ledger(), c.to.ledger()) == ("benina_airport", "bamako")


def test_dates_relative_to_publication():
    pub = __import__("datetime").date(2024, 12, 19)
    got = {d.text: d.edtf for d in find_dates("in May last year and on Friday and in 2019",
                                               published=pub)}
    assert got == {"in May last year": "2023-05", "on Friday": "2024-12-13", "in 2019": "2019"}


def test_hostile_text_stays_inert(tmp_path):
    html = ("<html><head><script>alert('x')</script><title>t</title></head><body>"
            "<p>An Il-76 flew from Minsk to Benghazi on 2 May.</p><template>{{7*7}} from Minsk"
            " to Tobruk</template><p>=HYPERLINK(\"http://x\") {{ evil }} was flown from Minsk "
            "to Sirte.</p></body></html>")
    text = html_to_text(html)
    assert "alert" not in text and "Tobruk" not in text
    cands = extract_text(text, published=PUB)
    assert [(c.frm.ledger(), c.to.ledger()) for c in cands] == [
        ("minsk", "benina_airport"), ("minsk", "ghardabiya_ab")]
    rows = to_rows(cands)
    rows[1]["note"] = '=cmd|" /C calc"!A0'
    out = write_csv(rows)
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert parsed[1]["note"].startswith("'=")
    assert parsed[1]["evidence"].startswith("'=HYPERLINK")
    assert "{{ evil }}" in parsed[1]["evidence"]  # kept verbatim, never evaluated
    blob = json.dumps(to_json(cands))
    assert "{{ evil }}" in blob


def test_every_candidate_has_verbatim_evidence():
    folder = Path(__file__).parent / "data" / "reports" / "bundled"
    for f in sorted(folder.glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        for c in extract_text(text):
            assert c.evidence
            for ev in c.evidence:
                assert text[ev["start"]:ev["end"]] == ev["text"]


def test_output_is_reproducible():
    text = (Path(__file__).parent / "data" / "reports" / "bundled" /
            "001_ff7432eee38af073.txt").read_text(encoding="utf-8")
    a = write_csv(to_rows(extract_text(text, published=PUB)))
    b = write_csv(to_rows(extract_text(text, published=PUB)))
    assert a == b


def test_bad_pattern_file_is_reported(tmp_path):
    from _helpers import pattern_folder

    from geo._errors import InputError
    from geo.extract.lexicon import load_lexicon

    folder = pattern_folder(tmp_path / "patterns", {
        "cues.csv": "status,rumoured,gossip,\nwhatever,x,,\n",
        "equipment.jsonl": '{"label": "x", "category": "boats", "patterns": ["x"]}\n',
    })
    with pytest.raises(InputError) as err:
        load_lexicon(str(folder))
    msg = str(err.value)
    assert "unknown status" in msg and "unknown cue kind" in msg and "unknown category" in msg
    assert "cues.csv:" in msg and "equipment.jsonl:" in msg


def test_via_and_counted_trips():
    (c,) = extract_text("The freighter sailed from Samsun to Tripoli via Izmir in May 2019.",
                        published=PUB)
    assert (c.frm.name, c.to.ledger(), [v.name for v in c.via]) == ("Samsun", "tripoli",
                                                                    ["Izmir"])
    assert c.date == "2019-05" and c.mode == "sea"
    cands = extract_text("A Russian cargo plane made two Libya-Mali trips within a week.",
                         published=PUB)
    assert [(x.frm.ledger(), x.to.ledger()) for x in cands] == [("libya", "mali")] * 2
    assert cands[0].transfer != cands[1].transfer


def test_unresolved_base_is_kept_as_written():
    cands = extract_text("Seven Il-76 arrived from the Chkalovsky airfield to Syria tonight.",
                         published=PUB)
    assert cands[0].frm.ledger() == "?Chkalovsky airfield" and cands[0].frm.place is None
    assert cands[0].to.ledger() == "syria"


def test_coordinated_destinations_share_the_origins_date():
    # Libya Observer (dev d04): "taking off from Baninah Airport ... over the past two
    # days and landing at Qardabiya Airbase in Sirte and Jufra Airbase": both legs dated
    got = extract_text(
        "Five cargo planes landed over the past two days, taking off from Benina airport "
        "and landing at Ghardabiya air base in Sirte and Jufra airbase.",
        published="2020-05-24",
    )
    ends = {(c.frm.ledger(), c.to.ledger()): c for c in got}
    a, b = ends[("benina_airport", "ghardabiya_ab")], ends[("benina_airport", "jufra_ab")]
    assert a.date == b.date == "2020-05-23/2020-05-24"
    assert b.date_as_reported == "over the past two days"
    assert any("shared with the previous destination" in r for r in b.reasons)


def test_a_semicolon_keeps_a_date_to_its_own_leg():
    got = extract_text(
        "On 3 May a plane flew from Benina airport to Ghardabiya air base; "
        "another flight from Benina airport reached Jufra airbase.",
        published="2020-05-24",
    )
    ends = {(c.frm.ledger(), c.to.ledger()): c for c in got}
    assert ends[("benina_airport", "ghardabiya_ab")].date == "2020-05-03"
    jufra = ends[("benina_airport", "jufra_ab")]
    # not the other clause's day: undated, so "by publication", and said so
    assert jufra.date == "../2020-05-24"
    assert "date: not in the report; by its publication (2020-05-24)" in jufra.filled


def test_a_registration_abbreviation_ends_no_sentence():
    # Itamilradar, 27 Dec 2024: "(reg. RA-82038)" split the sentence after "reg.", so the
    # date ("Last night") and the aircraft were cut off from the leg
    (c,) = extract_text(
        "Last night an Antonov An-124 of the Russian Air Force (reg. RA-82038) touched down "
        "at Al Khadim Air Base near Benghazi after departing from Latakia Air Base in Syria.",
        published="2024-12-27",
    )
    assert (c.frm.ledger(), c.to.ledger()) == ("khmeimim_ab", "khadim_ab")
    assert c.date == "2024-12-26/2024-12-27" and c.date_as_reported == "Last night"
    assert c.carrier_id == "RA-82038" and "An-124" in c.carrier
    assert len(c.evidence) == 1 and c.evidence[0]["text"].startswith("Last night")


def test_a_line_break_after_an_abbreviation_still_ends_the_sentence():
    from geo.extract.nlp import build_pipeline

    doc = build_pipeline()("They met the Lt.\nA plane flew from Minsk to Benghazi.")
    assert [s.text.strip() for s in doc.sents] == ["They met the Lt.",
                                                  "A plane flew from Minsk to Benghazi."]


@pytest.mark.parametrize(
    "text",
    [
        # Reuters, 14 Dec 2024 (paraphrased): the destination follows "for", far from the verb
        "On Saturday a Russian cargo plane departed from Russia's air base in the Syrian "
        "coastal city of Latakia for Libya.",
        "On Saturday a Russian cargo plane left Latakia for Libya.",
    ],
)
def test_for_after_a_departure_word_names_the_destination(text):
    (c,) = extract_text(text, published="2024-12-14")
    assert (c.frm.ledger(), c.to.ledger()) == ("khmeimim_ab", "libya")
    assert c.date == "2024-12-14"


def test_for_after_a_departure_word_names_no_place_when_none_follows():
    (c,) = extract_text("The ship left Tartus for repairs on Monday.", published="2024-12-14")
    assert c.to.ledger() == "?destination not reported"


def test_departures_that_were_expected_are_planned():
    (c,) = extract_text("More Russian departures from the Hmeimim air base were expected in "
                        "the coming days, an official said.", published="2024-12-14")
    assert c.frm.ledger() == "khmeimim_ab" and c.status == "planned"


def test_the_owner_of_a_ship_is_not_its_origin():
    # Libya Prospect, April 2016 (paraphrased): a Saudi-owned ship that came from the UAE
    (c,) = extract_text("A Saudi-owned ship docked at Tobruk port on Friday.",
                        published="2016-04-24")
    assert c.frm.ledger() == "?origin not reported" and c.to.ledger() == "tobruk_port"
    (c,) = extract_text("A Saudi ship docked at Tobruk port on Friday.", published="2016-04-24")
    assert c.frm.ledger() == "Saudi Arabia"  # a demonym alone still names the origin (weak)


@pytest.mark.parametrize(
    ("clause", "origin"),
    [("it had sailed from Tartus", "tartus_naval_base"),
     ("it was brought from the UAE", "uae")],
)
def test_an_origin_told_after_a_semicolon_completes_the_arrival(clause, origin):
    (c,) = extract_text(f"A cargo ship docked at Tobruk port on Monday; {clause}.",
                        published="2024-04-24")
    assert (c.frm.ledger(), c.to.ledger(), c.date) == (origin, "tobruk_port", "2024-04-22")
    assert any("told after a semicolon" in r for r in c.reasons)


def test_a_new_departure_after_a_semicolon_is_its_own_leg():
    got = extract_text("A cargo ship docked at Tobruk port on Monday; a second ship left "
                       "Tartus.", published="2024-04-24")
    assert [(c.frm.ledger(), c.to.ledger()) for c in got] == [
        ("?origin not reported", "tobruk_port"),
        ("tartus_naval_base", "?destination not reported"),
    ]


def test_world_tables_close_their_connection():
    """Dropped or closed world tables close their SQLite connection (no ResourceWarning)."""
    import gc
    import sqlite3

    from geo.world import WorldTables

    w = WorldTables()
    db = w._db
    assert len(w) > 0
    del w
    gc.collect()
    with pytest.raises(sqlite3.ProgrammingError):
        db.execute("SELECT 1")
    with WorldTables() as w:
        db = w._db
    with pytest.raises(sqlite3.ProgrammingError):
        db.execute("SELECT 1")
    w.close()  # twice is fine
