from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo import settings
from geo._errors import AmbiguousPlaceError, UnknownPlaceError
from geo.columns import LAT, LON, PLACE_ALIASES, PLACE_ID, PLACE_NAME, SHARED_ALIAS
from geo.gazetteer import REQUIRED_COLUMNS, read_gazetteer
from geo.geocode import (
    AMBIGUOUS,
    CANDIDATES,
    OK,
    PLACE_ID_COL,
    QUERY,
    STATUS,
    SUGGESTIONS,
    UNKNOWN,
    PlaceIndex,
    normalize,
)
from geo.paths import REPO_ROOT

BUNDLED = REPO_ROOT / settings.GAZETTEER_FILE


@pytest.fixture(scope="module")
def places() -> gpd.GeoDataFrame:
    return read_gazetteer(BUNDLED)


@pytest.fixture(scope="module")
def index(places) -> PlaceIndex:
    return PlaceIndex(places)


def one(index: PlaceIndex, name: object) -> pd.Series:
    return index.resolve([name]).iloc[0]


# --- normalize ----------------------------------------------------------------


@pytest.mark.parametrize(
    "variants",
    [
        ("al-Watiya", "Al Watiya", "Watiya", "AL-WATIYA", "al  Watiya", " watiya "),
        ("Ṭarābulus", "Tarabulus", "TARABULUS"),
        ("Tarabulus al-Gharb", "Tarabulus Gharb", "Tarabulus el Gharb"),
        ("Ramstein-Miesenbach", "Ramstein Miesenbach", "ramstein–miesenbach"),  # noqa: RUF001
        ("Hay'at Tahrir al-Sham", "Hay’at Tahrir ash-Sham", "Hayat Tahrir Sham"),  # noqa: RUF001
        ("az-Zawiya", "Az Zawiya", "Zawiya", "ez-Zawiya"),
        ("U.A.E.", "UAE", "uae"),
        ("Türkiye", "Turkiye", "TÜRKIYE"),
        ("Zuwara (town)", "Zuwara town", "zuwara, town"),
        ("Kırıkkale", "Kirikkale"),  # noqa: RUF001
        ("Tripoli, Libya", "Tripoli Libya", "tripoli_libya"),
    ],
)
def test_normalize_folds_spellings_together(variants):
    keys = normalize(list(variants))
    assert keys.nunique() == 1, dict(zip(variants, keys, strict=True))
    assert all(normalize(v) == keys.iloc[0] for v in variants)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("al-Watiya", "watiya"),
        ("Al", "al"),  # an article alone is the whole name: kept
        ("al-", "al"),
        ("Alwatiya", "alwatiya"),  # not an article: one word
        ("Salah ad-Din", "salah din"),
        ("Minsk", "minsk"),
        ("Мінск", "мінск"),  # non-Latin scripts are kept, just case-folded
        ("", ""),
        ("--", ""),
    ],
)
def test_normalize_examples(name, key):
    assert normalize(name) == key


def test_normalize_series_keeps_index_and_order():
    s = pd.Series(["al-Watiya", "Zwara", "al-Watiya"], index=[10, 5, 7])
    out = normalize(s)
    assert out.index.tolist() == [10, 5, 7]
    assert out.tolist() == ["watiya", "zwara", "watiya"]


# --- every bundled place and its spellings ------------------------------------


def _spellings(places: gpd.GeoDataFrame) -> list[tuple[str, str]]:
    out = []
    for pid, name, aliases, shared in zip(
        places[PLACE_ID],
        places[PLACE_NAME],
        places[PLACE_ALIASES],
        places[SHARED_ALIAS],
        strict=True,
    ):
        shared_keys = {normalize(s) for s in shared}
        for text in (name, *aliases):
            if normalize(text) not in shared_keys:
                out.append((text, pid))
    return out


def test_every_id_resolves_to_itself(index, places):
    res = index.resolve(places[PLACE_ID])
    assert (res[STATUS] == OK).all()
    assert res[PLACE_ID_COL].tolist() == places[PLACE_ID].tolist()


def test_every_name_and_alias_resolves_in_any_case_and_with_article(index, places):
    pairs = _spellings(places)
    assert len(pairs) > 200
    texts = [t for t, _ in pairs]
    expected = [p for _, p in pairs]
    for variant in (
        texts,
        [t.upper() for t in texts],
        [t.lower() for t in texts],
        [f"al-{t}" for t in texts],
        [t.replace("-", " ") for t in texts],
    ):
        res = index.resolve(variant)
        bad = res[res[PLACE_ID_COL].to_numpy() != np.array(expected, dtype=object)]
        assert bad.empty, bad[[QUERY, PLACE_ID_COL, STATUS, CANDIDATES]].to_string()


@pytest.mark.parametrize(
    ("spelling", "pid"),
    [
        ("Khmeimim", "khmeimim_ab"),
        ("Hmeimim", "khmeimim_ab"),
        ("Humaymim", "khmeimim_ab"),
        ("Hmeymim", "khmeimim_ab"),
        ("Khmeimim Air Base", "khmeimim_ab"),
        ("Hmeimim air base", "khmeimim_ab"),
        ("OSLK", "khmeimim_ab"),
        ("Jableh", "jableh"),
        ("Jablah", "jableh"),
        ("Zuwara", "zuwara"),
        ("Zuwarah", "zuwara"),
        ("Zwara", "zuwara"),
        ("Zuwara airport", "zuwara_airport"),
        ("Zwara Airport", "zuwara_airport"),
        ("HLZW", "zuwara_airport"),
        ("Watiya", "watiya_ab"),
        ("al-Watiya", "watiya_ab"),
        ("Al Watiya", "watiya_ab"),
        ("Witya", "watiya_ab"),
        ("Witya airbase", "watiya_ab"),
        ("Watiya airbase", "watiya_ab"),
        ("Uqba ibn Nafi Air Base", "watiya_ab"),
        ("Tartus", "tartus"),
        ("Tartous", "tartus"),
        ("Tartus naval base", "tartus_naval_base"),
        ("Russian naval facility in Tartus", "tartus_naval_base"),
        ("Sirte", "sirte"),
        ("Surt", "sirte"),
        ("Sirt", "sirte"),
        ("Tobruk", "tobruk"),
        ("Tubruq", "tobruk"),
        ("Port of Tobruk", "tobruk_port"),
        ("Jufra", "jufra_ab"),
        ("Jufrah", "jufra_ab"),
        ("al-Jufra", "jufra_ab"),
        ("Jufrah airfield", "jufra_ab"),
        ("Ramstein airbase", "ramstein_ab"),
        ("Ramstein Air Base", "ramstein_ab"),
        ("ETAR", "ramstein_ab"),
        ("Ramstein-Miesenbach", "ramstein_miesenbach"),
        ("Tripoli, Libya", "tripoli"),
        ("tripoli", "tripoli"),  # the id, exactly as written
        ("Tripoli, Lebanon", "tripoli_lb"),
        ("Zawiya", "zawiya"),
        ("Az Zawiyah", "zawiya"),
        ("Latakia", "latakia"),
        ("Lattakia", "latakia"),
        ("Minsk", "minsk"),
        ("eastern Libya", "eastern_libya"),
        ("Eastern Libya", "eastern_libya"),
        ("Cyrenaica", "eastern_libya"),
        ("western Libya", "western_libya"),
        ("Tripolitania", "western_libya"),
        ("UAE", "uae"),
        ("United Arab Emirates", "uae"),
        ("Türkiye", "turkey"),
        ("Turkey", "turkey"),
        ("Russian Federation", "russia"),
    ],
)
def test_common_spellings(index, spelling, pid):
    r = one(index, spelling)
    assert (r[STATUS], r[PLACE_ID_COL]) == (OK, pid)


# Every place the reports in ../shared/reporting name as an origin, stop or
# destination (or as a reference point), as worded there -> expected id.
REPORT_NAMES = [
    # 000 Army Technology, relaying The Times: Pantsir S-1 out of Libya
    ("Libya", "libya"),
    ("Germany", "germany"),
    ("Russia", "russia"),
    ("United Arab Emirates", "uae"),
    ("Zuwara airport", "zuwara_airport"),
    ("Ramstein airbase", "ramstein_ab"),
    ("Watiya airbase", "watiya_ab"),
    ("Zawiya", "zawiya"),
    ("Turkey", "turkey"),
    # 001 Euromaidan Press, relaying WSJ: Syria -> eastern Libya, Minsk -> Libya
    ("Syria", "syria"),
    ("eastern Libya", "eastern_libya"),
    ("Mali", "mali"),
    ("Minsk", "minsk"),
    ("Tartus", "tartus"),
    ("Latakia", "latakia"),
    ("airbase in Latakia", None),  # a description: the alias is 'Latakia airbase'
    ("Latakia airbase", "khmeimim_ab"),
    ("Tobruk", "tobruk"),
    ("Khmeimim", "khmeimim_ab"),
    ("Khmeimim base", "khmeimim_ab"),
    # 002 RBC-Ukraine style relay of WSJ
    ("Hmeimim", "khmeimim_ab"),
    ("Lebanon", "lebanon"),
    # 003 relay of WSJ
    ("Damascus", "damascus"),
    ("Eastern Libya", "eastern_libya"),
    ("Western Libya", "western_libya"),
    # 004 US AFRICOM statement as reported
    ("Sirte", "sirte"),
    ("Jufrah airfield", "jufra_ab"),
    ("Egypt", "egypt"),
]


@pytest.mark.parametrize(("name", "pid"), [p for p in REPORT_NAMES if p[1]])
def test_every_place_named_in_the_reports_resolves(index, name, pid):
    r = one(index, name)
    assert (r[STATUS], r[PLACE_ID_COL]) == (OK, pid)


def test_bare_tripoli_from_the_reports_is_ambiguous_not_guessed(index):
    # The reports say "the capital Tripoli" / "Tripoli-based": the context says
    # Libya, but the name alone does not; the ledger must write 'tripoli'.
    r = one(index, "Tripoli")
    assert r[STATUS] == AMBIGUOUS
    assert r[PLACE_ID_COL] is None
    assert r[CANDIDATES] == ("tripoli", "tripoli_lb")


# --- ambiguous and unknown -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "candidates"),
    [
        ("Tripoli", ("tripoli", "tripoli_lb")),
        ("TRIPOLI", ("tripoli", "tripoli_lb")),
        ("Tarabulus", ("tripoli", "tripoli_lb")),
        ("Ramstein", ("ramstein_ab", "ramstein_miesenbach")),
        ("Okba Ben Nafi", ("mitiga_airport", "watiya_ab")),
    ],
)
def test_shared_names_are_ambiguous(index, name, candidates):
    r = one(index, name)
    assert (r[STATUS], r[PLACE_ID_COL], r[CANDIDATES], r[SUGGESTIONS]) == (
        AMBIGUOUS,
        None,
        candidates,
        (),
    )


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("Kmeimim", "Khmeimim Air Base"),
        ("Hmeimin", "Khmeimim Air Base"),
        ("Zuwera", "Zuwara"),
        ("Tripolli", "Tripoli"),
        ("Tobrouk", "Tobruk"),
        ("Latakya", "Latakia"),
        ("Ramstien Air Base", "Ramstein Air Base"),
        ("Jufrra", "al-Jufra Air Base"),
    ],
)
def test_unknown_names_get_suggestions(index, name, suggestion):
    r = one(index, name)
    assert (r[STATUS], r[PLACE_ID_COL], r[CANDIDATES]) == (UNKNOWN, None, ())
    assert suggestion in r[SUGGESTIONS]
    assert len(r[SUGGESTIONS]) <= settings.N_SUGGESTIONS


@pytest.mark.parametrize(
    "name", ["qqqqzzzz", "", "   ", None, np.nan, "?base housing Turkish personnel"]
)
def test_unknown_without_close_match(index, name):
    r = one(index, name)
    assert r[STATUS] == UNKNOWN and r[PLACE_ID_COL] is None and r[CANDIDATES] == ()
    if name in (None, "", "   ") or (isinstance(name, float)):
        assert r[SUGGESTIONS] == ()


def test_resolve_keeps_order_length_and_index(index):
    s = pd.Series(["Zwara", "Tripoli", "nowhere", "Zwara", "tripoli"], index=list("abcde"))
    res = index.resolve(s)
    assert res.index.tolist() == list("abcde")
    assert res.columns.tolist() == [QUERY, PLACE_ID_COL, STATUS, CANDIDATES, SUGGESTIONS]
    assert res[QUERY].tolist() == s.tolist()
    assert res[STATUS].tolist() == [OK, AMBIGUOUS, UNKNOWN, OK, OK]
    assert res[PLACE_ID_COL].tolist() == ["zuwara", None, None, "zuwara", "tripoli"]


def test_resolve_empty(index):
    res = index.resolve([])
    assert len(res) == 0
    assert res.columns.tolist() == [QUERY, PLACE_ID_COL, STATUS, CANDIDATES, SUGGESTIONS]


def test_resolve_many_names_matches_one_by_one(index, places):
    rng = np.random.default_rng(1)
    pool = [t for t, _ in _spellings(places)] + ["Tripoli", "Kmeimim", "nowhere"]
    names = rng.choice(np.array(pool, dtype=object), size=50_000)
    res = index.resolve(names)
    singles = {n: one(index, n) for n in pool}
    for col in (PLACE_ID_COL, STATUS, CANDIDATES, SUGGESTIONS):
        assert res[col].tolist() == [singles[n][col] for n in names]


# --- lookup ------------------------------------------------------------------------


def test_lookup_returns_the_row(index):
    row = index.lookup("Hmeimim")
    assert row[PLACE_ID] == "khmeimim_ab"
    assert row[LAT] == pytest.approx(35.41167)
    assert row[LON] == pytest.approx(35.945)
    assert row.geometry.x == pytest.approx(row[LON])


def test_lookup_unknown_raises_with_suggestions(index):
    with pytest.raises(UnknownPlaceError) as exc:
        index.lookup("Kmeimim")
    assert exc.value.name == "Kmeimim"
    assert "Khmeimim Air Base" in exc.value.suggestions
    assert "did you mean 'Khmeimim Air Base'" in str(exc.value)


def test_lookup_ambiguous_raises_with_candidates(index):
    with pytest.raises(AmbiguousPlaceError) as exc:
        index.lookup("Tripoli")
    assert exc.value.candidates == ("tripoli", "tripoli_lb")


def test_index_reports_any_unmarked_clash_as_ambiguous(tmp_path: Path):
    # PlaceIndex never resolves silently, even for a frame read_gazetteer would reject.
    gdf = gpd.GeoDataFrame(
        {
            PLACE_ID: ["a", "b"],
            PLACE_NAME: ["Twin", "Twin"],
            PLACE_ALIASES: [(), ()],
        },
        geometry=gpd.points_from_xy([0, 1], [0, 1]),
        crs=4326,
    )
    gdf.index = gdf[PLACE_ID].to_numpy()
    r = PlaceIndex(gdf).resolve(["twin", "a"])
    assert r[STATUS].tolist() == [AMBIGUOUS, OK]
    assert r[CANDIDATES].iloc[0] == ("a", "b")
    assert set(REQUIRED_COLUMNS) >= {PLACE_ID, PLACE_NAME, PLACE_ALIASES}
