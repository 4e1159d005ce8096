"""'<town> airport' is the town's main airport (OurAirports municipality, scheduled service)."""

from __future__ import annotations

from geo.resolve import resolve
from geo.world import world_tables


def one(name: str, **kw: object):
    return resolve([name], suggest=False, **kw)[0]  # type: ignore[arg-type]


def test_the_world_table_knows_the_towns_airports_serve():
    w = world_tables()
    served = {w.places([rid])[rid].id for _k, rid in w.serving(["baku"])}
    # Heydar Aliyev (large, scheduled) serves Baku; Kala Air Base (no service) does not
    assert "ourairports:UBBB" in served
    assert "ourairports:UB18" not in served


def test_baku_airport_is_heydar_aliyev_not_kala_air_base():
    r = one("Baku airport")
    assert r.status == "ok" and r.id == "ourairports:UBBB"


def test_a_town_airport_named_in_no_airport_name():
    # "Diori Hamani International Airport" has no "Niamey" in its name
    r = one("Niamey airport")
    assert r.status == "ok" and r.id == "ourairports:DRRN"


def test_an_air_base_cue_keeps_the_military_field():
    r = one("Baku air base")  # military cue: the civil airports are not offered
    ids = [c.id for c in r.candidates]
    assert ids[0] == "ourairports:UB18" and "ourairports:UBBB" not in ids


def test_several_large_airports_stay_ambiguous():
    r = one("Moscow airport")
    assert r.status == "ambiguous"
    assert {"ourairports:UUEE", "ourairports:UUWW"} <= {c.id for c in r.candidates}
