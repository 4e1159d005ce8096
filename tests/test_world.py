"""The offline world tables (geo.world) and name folding (geo.translit)."""

from __future__ import annotations

import pytest

from geo.geocode import normalize
from geo.translit import fold, skeleton, skeletons, slavic
from geo.world import KINDS, core_name, world_tables


@pytest.mark.parametrize("name", ["al-Watiya", "Ṭarābulus", "Hay’at Tahrir al-Sham", "U.A.E."])  # noqa: RUF001
def test_fold_is_the_gazetteer_key(name):
    assert fold(name) == normalize(name)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Qardabiya", "Ghardabiya"),
        ("Misurata", "Misrata"),
        ("al-Khadem", "Al Khadim"),
        ("Bnina", "Benina"),
        ("Baninah", "Benina"),
        ("Al-Baraq", "Al Abraq"),
        ("Zuwarah", "Zwara"),
        ("Tartous", "Tartus"),
    ],
)
def test_skeleton_folds_transliterations(a, b):
    assert skeleton(fold(a)) == skeleton(fold(b)) != ""


@pytest.mark.parametrize(("a", "b"), [("Brak", "Al-Baraq"), ("Khoms", "Homs"), ("Bn", "Bin")])
def test_skeleton_keeps_different_names_apart(a, b):
    assert skeleton(fold(a)) != skeleton(fold(b)) or skeleton(fold(a)) == ""


def test_ch_is_read_both_ways_and_slavic_endings_fold():
    assert skeleton(fold("Al Khadim")) in skeletons(fold("Al-Chadim"))
    assert slavic("chkalovskiy") == slavic("chkalovskii") == slavic("chkalovsky")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("port of tartus", ("tartus", "port", False)),
        ("khadim air base", ("khadim", "airfield", True)),
        ("aeroport de gao", ("gao", "airfield", False)),
        ("base navale de tartous", ("tartous", "port", True)),
        ("port said", ("port said", "", False)),  # "port" strips only as a suffix
        ("airport", ("airport", "", False)),  # nothing left: not stripped
    ],
)
def test_core_name(key, expected):
    assert core_name(key) == expected


def test_tables_hold_the_measured_records():
    w = world_tables()
    assert len(w) > 120_000
    hl59 = w.get("ourairports:HL59")
    assert hl59 is not None and hl59.kind == "airfield" and hl59.country == "LY"
    assert (hl59.lat, hl59.lon) == pytest.approx((31.9985, 21.1918), abs=1e-4)
    assert hl59.source == "OurAirports HL59" and hl59.precision == "site"
    assert w.get("ourairports:HL77").name == "Okba Ibn Nafa Air Base"
    assert w.get("ourairports:HL69").name == "Al Jufra Airport"
    assert "Zella" in w.get("ourairports:HLZA").name
    chk = {rid for key, rid, _ in w.by_keys(["chkalovsky"])}
    ids = {p.id for p in w.places(chk).values()}
    assert {"ourairports:UUMU", "ourairports:UA-0023"} <= ids
    assert "ourairports:RU-0028" in {
        p.id for p in w.places(r for _, r, _ in w.by_keys(["chkalovsk"])).values()
    }
    # Benina's OurAirports keyword "Benghazi" is an alias
    benghazi = {w.places([rid])[rid].id for _, rid, how in w.by_keys(["benghazi"]) if how == 1}
    assert "ourairports:HLLB" in benghazi
    assert {p.kind for p in w.places(range(0, 300)).values()} <= set(KINDS)


def test_bad_port_points_dropped_and_codes_unique():
    w = world_tables()
    zaw = w.get("unlocode:LYZAW")
    assert zaw is not None and zaw.name == "Zawia Terminal"
    assert w.get("unlocode:LYZAW-2") is None
    db = w._db
    assert (
        db.execute(
            "SELECT count(*) FROM (SELECT id FROM place GROUP BY id HAVING count(*) > 1)"
        ).fetchone()[0]
        == 0
    )


def test_geonames_credit_in_readmes():
    from geo.paths import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    data = (REPO_ROOT / "geo" / "data" / "world" / "README.md").read_text(encoding="utf-8")
    for text in (readme, data):
        assert "GeoNames" in text and "CC-BY 4.0" in text
        assert "OurAirports" in text and "public domain" in text
        assert "Apache-2.0" in text
