"""Context resolution (geo.resolve): the traps real reports set."""

from __future__ import annotations

import pytest

from geo.gazetteer import read_gazetteer
from geo.geocode import PlaceIndex
from geo.resolve import Resolution, resolve, resolve_together, serving


@pytest.fixture(scope="module")
def index(seed_gazetteer) -> PlaceIndex:
    return PlaceIndex(read_gazetteer(seed_gazetteer))


def one(name: str, index: PlaceIndex | None = None, **kw: object) -> Resolution:
    return resolve([name], index=index, **kw)[0]  # type: ignore[arg-type]


def test_khoms_is_libyan_in_libya_and_ambiguous_alone(index):
    alone = one("Khoms", index)
    assert alone.status == "ambiguous"
    assert {c.country for c in alone.candidates} >= {"LY", "SY"}
    ly = one("Khoms", index, context=["LY"])
    assert ly.status == "ok" and ly.country == "LY" and "Khums" in ly.name
    assert one("Homs", index, context=["SY"]).country == "SY"


def test_al_jawf_libya_vs_saudi_arabia(index):
    assert one("al-Jawf", index).status == "ambiguous"
    ly = one("al-Jawf", index, country="LY")
    assert ly.status == "ok" and ly.country == "LY"
    sa = one("al-Jawf", index, country="SA")
    assert sa.status == "ok" and sa.country == "SA"
    # Kufra's airport in Libya
    kufra = one("Kufra airport", index, country="LY")
    assert kufra.id == "ourairports:HLKF"


def test_tripoli_libya_lebanon(index):
    alone = one("Tripoli", index)
    assert alone.status == "ambiguous"
    assert [c.id for c in alone.candidates] == ["tripoli", "tripoli_lb"]
    assert one("Tripoli", index, context=["LY"]).id == "tripoli"
    assert one("Tripoli", index, context=["LB"]).id == "tripoli_lb"
    # with Misrata beside it
    answers = resolve_together(["Misrata", "Tripoli"], index=index)
    assert [a.id for a in answers] == ["misrata", "tripoli"]


def test_genoa_italy_first_never_a_us_town(index):
    r = one("Genoa", index)
    assert r.candidates[0].country == "IT"
    assert r.status == "ambiguous" or r.country == "IT"
    assert one("Genoa", index, context=["IT"]).country == "IT"


def test_three_chkalovskys(index):
    r = one("Chkalovsky", index)
    assert r.status == "ambiguous"
    ids = [c.id for c in r.candidates]
    assert ids[0] == "ourairports:UUMU"  # near Moscow
    assert {"ourairports:RU-0028", "ourairports:UA-0023"} <= set(ids)  # Kaliningrad, Crimea
    # near Kaliningrad, the naval air base there comes first
    near = one("Chkalovsk", index, country="RU", near=[(20.5, 54.7)])
    assert near.candidates[0].id == "ourairports:RU-0028"
    far = one("Chkalovsk", index, country="RU", near=[(43.0, 56.5)])
    assert far.candidates[0].id == "geonames:567902"  # the town near Nizhny Novgorod


def test_jufra_is_hl69_not_zella(index):
    r = one("al-Jufra air base", index, country="LY")
    assert r.status == "ok" and r.id == "jufra_ab"
    # without the gazetteer row, the world table's HL69 (not HLZA, Zella 74)
    w = one("al-Jufra airbase", None, country="LY")
    assert w.status == "ok" and w.id == "ourairports:HL69"


def test_al_baraq_is_al_abraq_not_brak(index):
    r = one("Al-Baraq airport", index, country="LY")
    assert r.status == "ok" and r.id == "ourairports:HLLQ"
    assert one("Brak airport", index, country="LY").id == "ourairports:LY-BCQ"


@pytest.mark.parametrize("spelling", ["al-Khadim", "alKhadim", "al-Khadem", "Al Khadim air base"])
def test_al_khadim_is_hl59(index, spelling):
    r = one(spelling, index, context=["LY"])
    assert r.status == "ok" and r.id == "ourairports:HL59"
    assert r.source == "OurAirports HL59"
    assert (r.lat, r.lon) == pytest.approx((31.9985, 21.1918), abs=1e-3)


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("Bnina", "benina_airport"),
        ("Baninah", "benina_airport"),
        ("Beninah", "benina_airport"),
        ("Qardabiya", "ghardabiya_ab"),
        ("Misurata", "misrata"),
        ("Hmeimim", "khmeimim_ab"),
        ("Zuwarah airport", "zuwara_airport"),
    ],
)
def test_transliteration_variants(index, spelling, expected):
    r = one(spelling, index, context=["LY", "SY"])
    assert (r.status, r.id) == ("ok", expected)


@pytest.mark.parametrize(
    ("spelling", "country"),
    [("Lattaquié", "SY"), ("Libye", "LY"), ("Syrie", "SY"), ("Russie", "RU")],
)
def test_french_exonyms(index, spelling, country):
    r = one(spelling, index)
    assert r.status == "ok" and r.country == country


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("HL59", "ourairports:HL59"),  # ICAO-style ident
        ("HLLB", "benina_airport"),  # ICAO, the curated row wins
        ("BEN", "benina_airport"),  # IATA
        ("LYTIP", "unlocode:LYTIP"),  # UN/LOCODE
        ("UUMU", "ourairports:UUMU"),
    ],
)
def test_codes(index, code, expected):
    r = one(code, index)
    assert (r.status, r.id) == ("ok", expected)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("the Mediterranean", "region:mediterranean_sea"),
        ("Mediterranean Sea", "region:mediterranean_sea"),
        ("Crete", "region:crete"),
        ("la Crète", "region:crete"),
        ("Black Sea", "region:black_sea"),
    ],
)
def test_seas_and_islands_are_region_level(index, name, expected):
    r = one(name, index)
    assert (r.status, r.id, r.precision) == ("ok", expected, "region")


def test_kind_cues_choose_the_table(index):
    assert one("port of Tartus", index).id == "tartus_naval_base"
    assert one("Tartus", index).id == "tartus"
    assert one("Benghazi airport", index).id == "benina_airport"
    assert one("Benghazi", index).id == "benghazi"
    port = one("port of Benghazi", index)
    assert port.kind == "port" and port.country == "LY"
    assert one("aéroport de Gao", index, country="ML").id == "ourairports:GAGO"


def test_filters_are_hard(index):
    r = one("Tripoli", index, country="GR")
    assert r.status == "ok" and r.country == "GR"
    r = one("Benghazi", index, kind="port")
    assert r.kind == "port"
    with pytest.raises(ValueError, match="unknown kind"):
        one("Benghazi", index, kind="harbour")


def test_unknown_suggestions_are_nearby_kin_not_another_base(index):
    r = one("al-Khadimz air base", index, country="LY")
    assert r.status in ("ok", "unknown")
    r = one("Qqqzzz Xq", index, country="LY")
    assert r.status == "unknown"
    assert all(s.country == "LY" for s in r.suggestions)


def test_never_a_confident_answer_from_a_loose_match_without_context(index):
    # A consonant-skeleton match alone is not trusted outside its country.
    r = one("Al-Chadim", index)
    assert r.status != "ok" or r.id == "ourairports:HL59"
    r = one("Al-Chadim", index, context=["LY"])
    assert r.candidates[0].id == "ourairports:HL59"


def test_serving_relation(index):
    assert [c.id for c in serving("latakia", "airfield", index=index)] == ["khmeimim_ab"]
    assert [c.id for c in serving("tartus", "port", index=index)] == ["tartus_naval_base"]
    assert [c.id for c in serving("benghazi", "airfield", index=index)] == [
        "benina_airport",
        "ourairports:HL59",
    ]
    assert serving("tartus", "airfield", index=index) == []


def test_json_shape(index):
    ok = one("al-Khadim", index, context=["LY"]).to_dict()
    assert set(ok) == {
        "query",
        "status",
        "id",
        "name",
        "lat",
        "lon",
        "kind",
        "country",
        "precision",
        "source",
    }
    amb = one("Tripoli", index).to_dict()
    assert (
        amb["status"] == "ambiguous"
        and amb["candidates"][0]["score"] >= (amb["candidates"][1]["score"])
    )
    unk = one("Qqqzzz Xq", index).to_dict()
    assert unk == {"query": "Qqqzzz Xq", "status": "unknown", "suggestions": []}
    # a real place (Zzyzx, California) is suggested with where it is
    sugg = one("Zzyzxq", index).to_dict()["suggestions"]
    assert sugg[0]["country"] == "US" and {"lat", "lon", "score"} <= set(sugg[0])


def test_seed_places_stay_exact(index):
    # every gazetteer id, name and alias resolves as PlaceIndex does
    places = index.places
    names = [*places.index, *places["name"]]
    pi = index.resolve(names)
    mine = resolve(names, index=index)
    for (q, status, pid), r in zip(
        zip(pi["query"], pi["status"], pi["place_id"], strict=True), mine, strict=True
    ):
        if status == "ok":
            assert (r.status, r.id) == ("ok", pid), q
        else:
            assert r.status == "ambiguous", q


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # OurAirports "Bosaso / Bender Qassim International Airport": each side of the
        # slash is a name; before, only the closed "Old Bosaso Airport" answered "Bosaso"
        ("Bosaso Airport", "ourairports:HCMF"),
        ("Bender Qassim airport", "ourairports:HCMF"),
    ],
)
def test_each_side_of_a_slashed_airfield_name(index, name, expected):
    r = one(name, index)
    assert (r.status, r.id) == ("ok", expected)
