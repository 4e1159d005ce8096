"""Colours, filters, stubs and the base map (issue 13), without a browser."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
import shapely

from geo import columns as col
from geo import settings
from geo._errors import InputError
from geo.filters import LegFilter, filter_dataset
from layers import style


@pytest.fixture(scope="module")
def dataset():
    from geo.dataset import load_dataset

    return load_dataset()


# ------------------------------------------------------------------ colours


def _cam_distance(a: str, b: str, cvd: str | None) -> float:
    from colorspacious import cspace_convert, deltaE

    land = np.array([0xF4, 0xF2, 0xEE]) / 255

    def fill(h: str) -> np.ndarray:
        rgb = np.array([int(h[i : i + 2], 16) for i in (1, 3, 5)]) / 255
        return style.ZONE_FILL_OPACITY * rgb + (1 - style.ZONE_FILL_OPACITY) * land

    def sim(c: np.ndarray) -> np.ndarray:
        if cvd is None:
            return c
        space = {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}
        return np.clip(cspace_convert(c, space, "sRGB1"), 0, 1)

    fa = fill(a) if a != "land" else land
    fb = fill(b) if b != "land" else land
    return float(deltaE(sim(fa), sim(fb), input_space="sRGB1"))


CVD = [None, "deuteranomaly", "protanomaly", "tritanomaly"]


def test_every_documented_faction_has_its_own_colour() -> None:
    assert set(style.FACTION_COLOURS) == set(col.FACTIONS)
    assert len({c.upper() for c in style.FACTION_COLOURS.values()}) == len(col.FACTIONS)


@pytest.mark.parametrize("cvd", CVD)
def test_zone_fills_stand_out_from_land_and_opposing_factions_differ(cvd) -> None:
    pytest.importorskip("colorspacious")
    for faction, colour in style.FACTION_COLOURS.items():
        assert _cam_distance(colour, "land", cvd) >= 9, (faction, cvd)
    for pair in settings.OPPOSING_FACTIONS:
        a, b = sorted(pair)
        d = _cam_distance(style.FACTION_COLOURS[a], style.FACTION_COLOURS[b], cvd)
        assert d >= 7, (a, b, cvd, d)


def test_zone_colours_do_not_depend_on_which_factions_are_shown() -> None:
    every = style.faction_colours(col.FACTIONS)
    some = style.faction_colours(["GNU", "LNA"])
    assert some == {"GNU": every["GNU"], "LNA": every["LNA"]}
    extra = style.faction_colours(["LNA", "Somebody new"])
    assert extra["Somebody new"] not in style.FACTION_COLOURS.values()


def test_leg_colours_follow_actor_group_when_present() -> None:
    legs = pd.DataFrame(
        {col.ACTOR: ["A1", "A2", "B", "C"], col.ACTOR_GROUP: ["G", "G", "", None]}
    )
    assert style.colour_keys(legs).tolist() == ["G", "G", "B", "C"]
    colours = style.leg_colours(legs)
    assert list(colours) == ["G", "B", "C"]  # most legs first
    no_groups = legs.drop(columns=[col.ACTOR_GROUP])
    assert style.colour_keys(no_groups).tolist() == ["A1", "A2", "B", "C"]


def test_filtered_build_keeps_every_actor_colour(dataset, tmp_path) -> None:
    from layers.maps import build_context, render_map

    full = style.leg_colours(dataset.legs)
    sub = filter_dataset(dataset, LegFilter.of(actor=["Turkey"]))
    html = render_map(sub, context=build_context(sub, colours=full))
    meta = json.loads(re.search(r"movemap\.setup\([^,]+, (\{.*?\})\);\n", html).group(1))
    assert [a["name"] for a in meta["actors"]] == ["Turkey"]
    assert meta["actors"][0]["colour"] == full["Turkey"]
    assert full["Turkey"] != style.ACTOR_PALETTE[0]  # not re-ranked for the subset


# ------------------------------------------------------------------ filters


def test_filters_keep_exactly_the_matching_legs(dataset) -> None:
    legs = dataset.legs
    got = filter_dataset(
        dataset, LegFilter.of(category="air_defence", status=["reported"], since="2020")
    ).legs
    end = pd.to_datetime(legs[col.DATE_END])
    categories = legs[col.CATEGORY].str.split(col.CATEGORY_SEP)
    want = legs[
        categories.apply(lambda cats: "air_defence" in cats)
        & (legs[col.STATUS] == "reported")
        & (end >= pd.Timestamp("2020-01-01"))
    ]
    assert got[[col.TRANSFER_ID, col.LEG]].values.tolist() == (
        want[[col.TRANSFER_ID, col.LEG]].values.tolist()
    )
    assert 0 < len(got) < len(legs)
    until = filter_dataset(dataset, LegFilter.of(until="2019-12")).legs
    assert (pd.to_datetime(until[col.DATE_START]) <= pd.Timestamp("2019-12-31")).all()
    assert len(until) == (pd.to_datetime(legs[col.DATE_START]) <= "2019-12-31").sum()
    one = filter_dataset(dataset, LegFilter.of(transfer="pantsir-exfil,tr-tb2-gna-2019"))
    assert set(one.legs[col.TRANSFER_ID]) == {"pantsir-exfil", "tr-tb2-gna-2019"}
    seg = one.segments[col.TRANSFER_ID].unique()
    assert set(seg) <= {"pantsir-exfil", "tr-tb2-gna-2019"} and len(seg)


def test_bad_filters_are_all_reported_at_once(dataset) -> None:
    with pytest.raises(InputError) as err:
        filter_dataset(
            dataset,
            LegFilter.of(actor="Rusian military", status="confirmd", since="2020-13", until="x"),
        )
    text = str(err.value)
    assert "4 problem(s)" in text
    assert "did you mean 'Russian military'" in text
    assert "--since" in text and "--until" in text and "YYYY-MM-DD" in text
    with pytest.raises(InputError, match="no leg matches"):
        filter_dataset(dataset, LegFilter.of(actor="Turkey", category="naval"))
    with pytest.raises(InputError, match="swap"):
        filter_dataset(dataset, LegFilter.of(since="2021", until="2020"))


def test_cli_filters_change_titles_and_counts(tmp_path, capsys) -> None:
    from layers.cli import main

    out = tmp_path / "maps"
    code = main(["build", "--out", str(out), "--category", "air_defence", "--title", "Air defence"])
    assert code == 0
    html = (out / "index.html").read_text(encoding="utf-8")
    meta = json.loads(re.search(r"movemap\.setup\([^,]+, (\{.*?\})\);\n", html).group(1))
    assert meta["title"] == "Air defence"
    assert meta["selection"] == "equipment category: air_defence"
    # a leg counts under each of its categories: air defence first, then what else the
    # drawn legs carry, nothing from legs not drawn
    keys = [c["key"] for c in meta["categories"]]
    assert keys[0] == "air_defence" and set(keys) <= {"air_defence", "radar", "other"}
    assert main(["export", "--format", "geojson", "--out", str(tmp_path / "x.geojson"),
                 "--status", "nope"]) == 1
    assert "no leg has this status" in capsys.readouterr().err
    assert not (tmp_path / "x.geojson").exists()


def test_kml_legs_take_the_map_colours(dataset, tmp_path) -> None:
    from geo.export import to_kml

    colours = style.leg_colours(dataset.legs)
    text = to_kml(dataset, tmp_path / "a.kml", colours=colours).read_text(encoding="utf-8")
    turkey = colours["Turkey"].lstrip("#").lower()
    assert f"status-reported-{turkey}" in text
    kml = turkey[4:6] + turkey[2:4] + turkey[0:2]  # aabbggrr
    assert re.search(rf'id="status-reported-{turkey}">\s*<LineStyle>\s*<color>ff{kml}<', text)


# ------------------------------------------------------------------ stubs


def test_a_leg_with_one_locatable_end_is_drawn_as_a_stub(dataset) -> None:
    from layers.legs import STUB_KM, with_stubs

    before = dataset.legs.geometry
    missing = before.isna() | before.is_empty
    assert missing.sum() >= 2  # the bundled ledger has such legs
    legs = with_stubs(dataset.legs, dataset.places)
    drawn = legs[missing.to_numpy()]
    assert (drawn[col.LINE_METHOD] == "stub").all()
    assert drawn[col.UNCERTAIN].all()
    for _, row in drawn.iterrows():
        xy = shapely.get_coordinates(row.geometry)
        from_known = isinstance(row[col.FROM_ID], str)
        pid = row[col.FROM_ID] if from_known else row[col.TO_ID]
        place = dataset.places.loc[pid]
        known = xy[-1] if pid == row[col.TO_ID] else xy[0]
        assert np.allclose(known, [place[col.LON], place[col.LAT]])
        from pyproj import Geod

        km = Geod(ellps=settings.ELLPS).line_length(xy[:, 0], xy[:, 1]) / 1000
        assert abs(km - STUB_KM) < 1
    # Legs that had a line keep it.
    assert legs.geometry[~missing].equals(before[~missing])


# ------------------------------------------------------------------ base map


def test_basemap_covers_the_world_with_detail_in_the_theatre() -> None:
    from layers.basemap import countries_geojson

    gj = countries_geojson((10.0, 25.0, 40.0, 40.0))
    land = {f["properties"]["scale"]: shapely.geometry.shape(f["geometry"])
            for f in gj["features"] if f["properties"]["kind"] == "land"}
    assert set(land) == {"110m", "50m"}
    # Far from the theatre (Brazil, Australia, USA) there is land.
    for lon, lat in [(-55, -10), (135, -25), (-100, 40)]:
        assert land["110m"].contains(shapely.Point(lon, lat)), (lon, lat)
    # The detail covers the theatre (Tripoli, Latakia) and not the far world.
    for lon, lat in [(13.0, 32.5), (36.7, 34.7)]:  # near Tripoli, Homs
        assert land["50m"].contains(shapely.Point(lon, lat))
    assert not land["50m"].intersects(shapely.Point(-55, -10))
    b = land["110m"].bounds
    assert b[0] <= -179 and b[2] >= 179



@pytest.mark.parametrize("theatre", [None, (10.0, 25.0, 40.0, 40.0), (160.0, 55.0, 180.0, 70.0)])
def test_basemap_draws_no_border_along_the_antimeridian(theatre) -> None:
    # Natural Earth cuts Russia and Fiji at 180; that cut drawn as a border split
    # Chukotka with a straight line on every map panned across the antimeridian.
    from layers.basemap import countries_geojson

    gj = countries_geojson(theatre)
    borders = [shapely.geometry.shape(f["geometry"]) for f in gj["features"]
               if f["properties"]["kind"] == "border"]
    xy, part = shapely.get_coordinates(shapely.get_parts(borders), return_index=True)
    same = part[1:] == part[:-1]
    on_cut = same & (xy[1:, 0] == xy[:-1, 0]) & (np.abs(xy[:-1, 0]) == 180.0)
    assert not on_cut.any(), xy[:-1][on_cut][:3]
    # Real borders near 180 are still drawn (Chukotka's coast on both sides).
    near = (np.abs(xy[:, 0]) > 175) & (xy[:, 1] > 60)
    assert (xy[near, 0] > 0).any() and (xy[near, 0] < 0).any()
