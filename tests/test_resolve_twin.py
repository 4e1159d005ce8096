"""One rule for "this world place is that curated place" (geo.resolve.score.curated_twin_id),
used by geo.resolve.resolve and by the extractor's place table."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.extract.places import Place, load_places
from geo.resolve import resolve
from geo.resolve.score import TWIN_KM, curated_twin_id

ROOT = Path(__file__).resolve().parent.parent
ROWS = [
    ("far_field", "airbase", "LY", 20.000, 32.000),
    ("near_field", "airport", "LY", 20.020, 32.000),
    ("a_port", "port", "LY", 20.019, 32.000),
    ("libya", "country", "LY", float("nan"), float("nan")),
]


def test_the_nearest_curated_place_of_the_kind_within_twin_km():
    # both fields lie within 3 km of the world airfield: the nearer one is its twin
    # (before, resolve took whichever gazetteer row came first)
    assert curated_twin_id("airfield", "LY", 20.018, 32.0, ROWS) == "near_field"
    assert curated_twin_id("port", "LY", 20.018, 32.0, ROWS) == "a_port"
    assert curated_twin_id("airfield", "LY", 20.2, 32.0, ROWS) is None  # ~19 km: no twin
    assert TWIN_KM == 3.0


def test_a_world_country_is_the_curated_row_of_its_country():
    assert curated_twin_id("country", "LY", float("nan"), float("nan"), ROWS) == "libya"
    assert curated_twin_id("country", "TN", 0.0, 0.0, ROWS) is None


def test_resolve_and_the_extractor_give_the_same_twin():
    from geo.gazview import read_view

    r = resolve(["HLLB"], index=read_view(ROOT / "gazetteer.csv"), suggest=False)[0]
    table = load_places()
    hllb = Place("ourairports:HLLB", "Benina International Airport", "airbase", "LY",
                 32.0968, 20.2695, "site", curated=False)
    assert r.id == table.twin(hllb).id == "benina_airport"


def test_the_extractor_uses_the_shared_rule(monkeypatch):
    import geo.resolve.score as score

    seen = []

    def spy(kind, country, lon, lat, rows):
        seen.append(kind)
        return "benina_airport"

    monkeypatch.setattr(score, "curated_twin_id", spy)
    table = load_places()
    far = Place("ourairports:XXXX", "Somewhere", "airbase", "LY", 25.0, 15.0, "site",
                curated=False)
    assert table.twin(far).id == "benina_airport"
    assert seen == ["airfield"]  # the extractor's "airbase" is resolve's "airfield"


@pytest.mark.parametrize("kind", ["city", "port"])
def test_a_world_town_or_port_far_from_curated_places_stays_itself(kind):
    table = load_places()
    p = Place("geonames:1", "Nowhere", kind, "LY", 10.0, 10.0, "city", curated=False)
    assert table.twin(p) is p
