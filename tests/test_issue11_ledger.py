"""Issue 11: actor groups, categories, carrier ids, via, alternatives, sea routes, tracks.

Every test runs the real pipeline on a data folder: the bundled gazetteer,
sources and zones with a transfers.csv (and actors.csv, track files) of its own.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from _helpers import copy_inputs

from geo import columns as c
from geo import settings
from geo._errors import InputError
from geo.countries import land
from geo.dataset import load_dataset, validate_data
from geo.ledger import TRANSFERS_COLUMNS
from geo.routes import sea_route

HEADER = [*TRANSFERS_COLUMNS, c.VIA, c.CARRIER_ID, c.TRACK]
BASE = {
    "transfer_id": "t",
    "leg": 1,
    "date": "2024-12-13",
    "date_precision": "day",
    "equipment": "cargo",
    "category": "other",
    "quantity": "",
    "actor": "Russian military",
    "mode": "air",
    "carrier": "",
    "status": "reported",
    "source_ids": "wsj_2024_12_18",
    "note": "",
    "via": "",
    "carrier_id": "",
    "track": "",
}


def make_data(tmp_path: Path, rows: list[dict], *, actors: str | None = None) -> Path:
    copy_inputs(tmp_path, (settings.GAZETTEER_FILE, settings.SOURCES_FILE, settings.ZONES_FILE))
    with (tmp_path / settings.TRANSFERS_FILE).open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=HEADER)
        w.writeheader()
        for r in rows:
            w.writerow({**BASE, **r})
    if actors is not None:
        (tmp_path / settings.ACTORS_FILE).write_text(actors, encoding="utf-8")
    return tmp_path


def errors(folder: Path) -> list:
    return [p for p in validate_data(folder) if p.severity == "error"]


# --- actor groups ------------------------------------------------------------------


ACTORS = (
    "actor,group,aliases\n"
    "Russian military,Russia,Russian armed forces\n"
    "Russian Navy,Russia,\n"
    "Wagner Group (Russia),Russia,Wagner\n"
    "Turkey,Turkey,Turkish military\n"
)


def test_actor_groups_colour_one_state_once(tmp_path: Path) -> None:
    rows = [
        {"transfer_id": "a", "from": "khmeimim_ab", "to": "benina_airport"},
        {
            "transfer_id": "b",
            "from": "tartus_naval_base",
            "to": "tobruk_port",
            "actor": "Russian Navy",
        },
        {"transfer_id": "c", "from": "russia", "to": "sirte", "actor": "wagner"},
        {"transfer_id": "d", "from": "turkey", "to": "western_libya", "actor": "Turkey"},
    ]
    ds = load_dataset(make_data(tmp_path, rows, actors=ACTORS))
    groups = dict(zip(ds.legs[c.TRANSFER_ID], ds.legs[c.ACTOR_GROUP], strict=True))
    assert groups == {"a": "Russia", "b": "Russia", "c": "Russia", "d": "Turkey"}
    # the exact actor is kept
    assert set(ds.legs[c.ACTOR]) == {"Russian military", "Russian Navy", "wagner", "Turkey"}


def test_unknown_actor_reported_with_closest(tmp_path: Path) -> None:
    rows = [{"from": "khmeimim_ab", "to": "benina_airport", "actor": "Russian Navvy"}]
    probs = errors(make_data(tmp_path, rows, actors=ACTORS))
    (p,) = [p for p in probs if p.column == c.ACTOR]
    assert p.line == 2 and p.value == "Russian Navvy" and "Russian Navy" in p.hint
    assert "actors.csv" in p.message


def test_bad_actors_file_reported_with_ledger_problems(tmp_path: Path) -> None:
    bad = "actor,group,aliases\nRussian military,,\nRussian military,Russia,\n"
    rows = [{"from": "khmeimim_ab", "to": "nowhere_ab"}]
    probs = errors(make_data(tmp_path, rows, actors=bad))
    files = {Path(p.file).name for p in probs}
    assert files == {settings.ACTORS_FILE, settings.TRANSFERS_FILE}
    assert any(p.column == "group" and p.line == 2 for p in probs)
    assert any("already listed" in p.message and p.line == 3 for p in probs)


def test_without_actors_file_each_actor_is_its_group(tmp_path: Path) -> None:
    rows = [{"from": "khmeimim_ab", "to": "benina_airport", "actor": "Someone"}]
    ds = load_dataset(make_data(tmp_path, rows))
    assert ds.legs[c.ACTOR_GROUP].tolist() == ["Someone"]


def test_bundled_actor_groups_cover_every_actor() -> None:
    ds = load_dataset()
    russia = ds.legs[ds.legs[c.ACTOR].str.contains("Russia|Wagner")]
    assert set(russia[c.ACTOR_GROUP]) == {"Russia"}
    assert ds.legs[c.ACTOR_GROUP].nunique() <= 8


# --- categories ---------------------------------------------------------------------


def test_several_categories_each_checked(tmp_path: Path) -> None:
    rows = [
        {"transfer_id": "a", "from": "khmeimim_ab", "to": "benina_airport",
         "category": "artillery; armour"},
        {"transfer_id": "b", "from": "khmeimim_ab", "to": "benina_airport",
         "category": "artilery;armour"},
        {"transfer_id": "c", "from": "khmeimim_ab", "to": "benina_airport",
         "category": "armour;;uav"},
    ]
    probs = errors(make_data(tmp_path, rows))
    cat = sorted((p.line, p.value, p.message) for p in probs if p.column == c.CATEGORY)
    assert cat[0][:2] == (3, "artilery") and "unknown category" in cat[0][2]
    assert cat[1][0] == 4 and "empty category" in cat[1][2]
    assert len(cat) == 2
    ds = load_dataset(make_data(tmp_path, rows[:1]))
    assert ds.legs[c.CATEGORY_LIST].tolist() == [("artillery", "armour")]


# --- carrier ids ----------------------------------------------------------------------


def test_carrier_id_spelled_two_ways_is_warned(tmp_path: Path) -> None:
    rows = [
        {"transfer_id": "a", "from": "khmeimim_ab", "to": "khadim_ab", "carrier_id": "RA-82030"},
        {
            "transfer_id": "a",
            "leg": 2,
            "from": "khadim_ab",
            "to": "bamako",
            "carrier_id": "RA 82030",
        },
    ]
    probs = validate_data(make_data(tmp_path, rows))
    (w,) = [p for p in probs if p.column == c.CARRIER_ID]
    assert w.severity == "warning" and w.line == 3 and "'RA-82030'" in w.hint


# --- via points -------------------------------------------------------------------


def test_via_draws_through_places_without_uncertainty(tmp_path: Path) -> None:
    rows = [
        {"transfer_id": "v", "from": "khmeimim_ab", "to": "benina_airport", "via": "Crete"},
        {"transfer_id": "d", "from": "khmeimim_ab", "to": "benina_airport"},
    ]
    ds = load_dataset(make_data(tmp_path, rows))
    v = ds.legs.set_index(c.TRANSFER_ID)
    assert v.loc["v", c.VIA_IDS] == ("crete",)
    assert not v.loc["v", c.UNCERTAIN]
    xy = shapely.get_coordinates(v.loc["v", "geometry"])
    assert tuple(xy[0]) == (35.945, 35.41167) and tuple(xy[-1]) == (20.2695, 32.0968)
    # passes exactly through Crete's gazetteer point
    assert np.any(np.all(np.isclose(xy, [24.9167, 35.2167]), axis=1))
    assert v.loc["v", c.LENGTH_KM] > v.loc["d", c.LENGTH_KM] + 50


def test_unknown_via_reported(tmp_path: Path) -> None:
    rows = [{"from": "khmeimim_ab", "to": "benina_airport", "via": "Creta;?somewhere"}]
    probs = errors(make_data(tmp_path, rows))
    via = [p for p in probs if p.column == c.VIA]
    assert {p.message for p in via} == {"unknown via place", "via place is an unknown stop"}
    assert all(p.line == 2 for p in via)


# --- alternatives -------------------------------------------------------------------


def test_alternatives_kept_drawn_and_counted_once(tmp_path: Path) -> None:
    rows = [
        {
            "transfer_id": "x",
            "from": "Hmeimim",
            "to": "Benina | al-Khadim",
            "quantity": "67 flights",
        },
        {"transfer_id": "x", "leg": 2, "from": "al-Khadim | Benina", "to": "bamako"},
    ]
    ds = load_dataset(make_data(tmp_path, rows))
    legs = ds.legs.sort_values(c.LEG)
    first = legs.iloc[0]
    assert first[c.TO_ALTERNATIVES] == ("benina_airport", "khadim_ab")
    assert first.geometry.geom_type == "MultiLineString" and len(first.geometry.geoms) == 2
    assert first[c.UNCERTAIN]
    assert first[c.LENGTH_KM] == pytest.approx(min(first[c.CANDIDATE_KM]), abs=0.1)
    assert first[c.TRANSFER_KM] == pytest.approx(legs[c.LENGTH_KM].sum())


def test_unknown_alternative_reported(tmp_path: Path) -> None:
    rows = [{"from": "Hmeimim", "to": "Benina | al-Khadimm"}]
    (p,) = [p for p in errors(make_data(tmp_path, rows)) if p.column == c.TO]
    assert p.message == "unknown alternative" and p.value == "al-Khadimm" and "al-Khadim" in p.hint


# --- sea routes -------------------------------------------------------------------


def _interior_on_land(geom: shapely.Geometry) -> int:
    """Vertices and segments on land, but for the ports' own segments (ports sit on land)."""
    xy = shapely.get_coordinates(geom)
    segs = shapely.linestrings(np.stack([xy[1:-2], xy[2:-1]], axis=1))
    on_vertices = shapely.intersects(land(), shapely.points(xy[1:-1])).sum()
    return int(on_vertices + shapely.intersects(land(), segs).sum())


@pytest.mark.parametrize(
    ("a", "b", "strait"),
    [
        ("mersin", "tripoli", None),
        ("samsun", "tripoli", (29.07, 41.12)),
        ("tartus_naval_base", "tobruk_port", None),
    ],
)
def test_sea_legs_never_cross_land(tmp_path: Path, a: str, b: str, strait) -> None:
    rows = [{"transfer_id": "s", "from": a, "to": b, "mode": "sea"}]
    ds = load_dataset(make_data(tmp_path, rows))
    leg = ds.legs.iloc[0]
    assert leg[c.LINE_METHOD] == "sea_route"
    g = leg.geometry
    assert _interior_on_land(g) == 0
    # the geodesic would cross land for Mersin -> Tripoli (southern Turkey, Greece)
    xy = shapely.get_coordinates(g)
    places = ds.places
    assert tuple(xy[0]) == (places.loc[a, "lon"], places.loc[a, "lat"])
    assert tuple(xy[-1]) == (places.loc[b, "lon"], places.loc[b, "lat"])
    if strait is not None:  # through the Bosphorus
        assert shapely.distance(g, shapely.Point(strait)) < 0.1
    # length is the routed length, longer than the geodesic
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    assert leg[c.LENGTH_KM] == pytest.approx(geod.geometry_length(g) / 1000, rel=1e-9)
    direct = geod.inv(xy[0, 0], xy[0, 1], xy[-1, 0], xy[-1, 1])[2] / 1000
    assert leg[c.LENGTH_KM] > direct


def test_geodesic_mersin_tripoli_does_cross_land(tmp_path: Path) -> None:
    # the control for the test above: the same leg by air is drawn over land
    rows = [{"transfer_id": "s", "from": "mersin", "to": "tripoli", "mode": "air"}]
    leg = load_dataset(make_data(tmp_path, rows)).legs.iloc[0]
    assert leg[c.LINE_METHOD] == "geodesic" and _interior_on_land(leg.geometry) > 10


def test_a_sea_leg_from_a_country_point_is_not_routed(tmp_path: Path) -> None:
    # A country's point is no port: routing Russia's point to Syria by sea lanes
    # would invent a voyage; the leg stays a geodesic and says why.
    rows = [{"transfer_id": "s", "from": "russia", "to": "tartus_naval_base", "mode": "sea"}]
    leg = load_dataset(make_data(tmp_path, rows)).legs.iloc[0]
    assert leg[c.LINE_METHOD] == "geodesic"
    assert leg[c.SEA_ROUTE_FALLBACK] == "an end is a country-level point, not a port: not routed"


def test_sea_route_cached_per_port_pair() -> None:
    a, b = (35.875, 34.915), (23.983, 32.078)
    assert sea_route(a, b) is sea_route(a, b)


def test_sea_leg_via_sea_region(tmp_path: Path) -> None:
    rows = [{"transfer_id": "s", "from": "tartus_naval_base", "to": "tobruk_port", "mode": "sea",
             "via": "Crete"}]
    leg = load_dataset(make_data(tmp_path, rows)).legs.iloc[0]
    assert leg[c.LINE_METHOD] == "sea_route" and _interior_on_land(leg.geometry) == 0
    assert shapely.distance(leg.geometry, shapely.Point(24.9167, 35.2167)) < 1.5


# --- tracks -------------------------------------------------------------------------


GPX = """<?xml version="1.0"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<trk><name>RA-82030</name><trkseg>
<trkpt lat="35.41" lon="35.94"/><trkpt lat="34.5" lon="30.0"/><trkpt lat="33.0" lon="25.0"/>
<trkpt lat="32.0" lon="21.2"/>
</trkseg></trk></gpx>
"""


@pytest.mark.parametrize("kind", ["gpx", "csv", "geojson", "kml"])
def test_track_file_drawn_as_observed(tmp_path: Path, kind: str) -> None:
    pts = [(35.94, 35.41), (30.0, 34.5), (25.0, 33.0), (21.2, 32.0)]
    (tmp_path / "tracks").mkdir()
    path = tmp_path / "tracks" / f"t.{kind}"
    if kind == "gpx":
        path.write_text(GPX, encoding="utf-8")
    elif kind == "csv":
        rows = "".join(f"{i},{y},{x}\n" for i, (x, y) in enumerate(pts))
        path.write_text("time,lat,lon\n" + rows)
    elif kind == "geojson":
        line = {"type": "LineString", "coordinates": pts}
        feature = {"type": "Feature", "properties": {}, "geometry": line}
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    else:
        coords = " ".join(f"{x},{y}" for x, y in pts)
        path.write_text(
            '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark>'
            f"<LineString><coordinates>{coords}</coordinates></LineString></Placemark></Document></kml>"
        )
    rows = [{"from": "khmeimim_ab", "to": "khadim_ab", "track": f"tracks/t.{kind}"}]
    leg = load_dataset(make_data(tmp_path, rows)).legs.iloc[0]
    assert leg[c.LINE_METHOD] == "observed"
    assert np.allclose(shapely.get_coordinates(leg.geometry), pts)


def test_bad_tracks_reported(tmp_path: Path) -> None:
    (tmp_path / "one.csv").write_text("lat,lon\n35,35\n")
    (tmp_path / "far.csv").write_text("lat,lon\n10,10\n11,11\n")
    rows = [
        {"transfer_id": "a", "from": "khmeimim_ab", "to": "khadim_ab", "track": "missing.gpx"},
        {"transfer_id": "b", "from": "khmeimim_ab", "to": "khadim_ab", "track": "one.csv"},
        {"transfer_id": "c", "from": "khmeimim_ab", "to": "khadim_ab", "track": "t.txt"},
        {"transfer_id": "d", "from": "khmeimim_ab", "to": "khadim_ab", "track": "far.csv"},
    ]
    probs = [p for p in validate_data(make_data(tmp_path, rows)) if p.column == c.TRACK]
    got = {(p.line, p.severity, p.message.split(":")[0]) for p in probs}
    assert (2, "error", "track file not found") in got
    assert (3, "error", "track file unusable") in got
    assert (4, "error", "track file type not supported") in got
    assert {(5, "warning")} <= {(p.line, p.severity) for p in probs}
    with pytest.raises(InputError):
        load_dataset(tmp_path)


# --- end to end: CLI, exports, maps ----------------------------------------------------

REPORTS = [
    # An-124 RA-82030 Hmeimim -> al-Khadim -> Bamako -> Ouagadougou
    {"transfer_id": "an124", "leg": 1, "from": "Hmeimim", "to": "al-Khadim", "carrier": "An-124",
     "carrier_id": "RA-82030"},
    {"transfer_id": "an124", "leg": 2, "from": "al-Khadim", "to": "Bamako", "carrier": "An-124",
     "carrier_id": "RA-82030", "date": "2024-12-14"},
    {"transfer_id": "an124", "leg": 3, "from": "Bamako", "to": "Ouagadougou", "carrier": "An-124",
     "carrier_id": "RA-82030", "date": "2024-12-15"},
    # 67 flights to Benina or al-Khadim: one leg, two candidate ends
    {"transfer_id": "flights", "from": "Hmeimim", "to": "Benina | al-Khadim",
     "quantity": "67 flights", "category": "air_defence;munitions"},
    # landing ships sighted off Crete
    {"transfer_id": "ships", "from": "tartus_naval_base", "to": "tobruk_port", "mode": "sea",
     "via": "Crete", "actor": "Russian Navy", "category": "naval;armour"},
    {"transfer_id": "turks", "from": "turkey", "to": "western_libya", "actor": "Turkey"},
]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_data(tmp_path_factory.mktemp("reports"), REPORTS, actors=ACTORS)


def test_transfers_carrier_lists_the_airframe_in_order(reports: Path, capsys) -> None:
    from layers.cli import main

    assert main(["transfers", "--data", str(reports), "--carrier", "ra82030", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    legs = [(leg["from_id"], leg["to_id"]) for t in out for leg in t["legs"]]
    assert legs == [
        ("khmeimim_ab", "khadim_ab"),
        ("khadim_ab", "bamako"),
        ("bamako", "ouagadougou"),
    ]
    assert main(["transfers", "--data", str(reports), "--carrier", "RA-82031"]) == 1
    err = capsys.readouterr().err
    assert "'RA-82030'" in err


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "csv", "kml"])
def test_exports_carry_the_new_fields(reports: Path, tmp_path: Path, fmt: str) -> None:
    import geopandas as gpd

    from geo.export import export
    from layers.style import leg_colours

    ds = load_dataset(reports)
    out = tmp_path / f"legs.{fmt}"
    export(ds, fmt=fmt, out=out, layer="legs", colours=leg_colours(ds.legs))
    if fmt == "kml":
        text = out.read_text(encoding="utf-8")
        assert "Benina International Airport | al-Khadim Air Base" in text
        assert "sea_route" in text and "RA-82030" in text
        # Russian military and Russian Navy legs share one group style
        import re

        styles = set(re.findall(r"<styleUrl>#status-[a-z_]+-([0-9a-f]{6})<", text))
        assert len(styles) == 2  # Russia, Turkey
        return
    kw = {"layer": "legs"} if fmt == "gpkg" else {}
    if fmt == "csv":
        kw = {"GEOM_POSSIBLE_NAMES": "WKT", "KEEP_GEOM_COLUMNS": "NO"}
    got = gpd.read_file(out, **kw).set_index(c.TRANSFER_ID)
    assert got.loc["flights", c.TO_ALTERNATIVES] == "benina_airport | khadim_ab"
    assert got.loc["flights"].geometry.geom_type == "MultiLineString"
    assert len(got.loc["flights"].geometry.geoms) == 2
    assert got.loc["flights", c.CATEGORY] == "air_defence;munitions"
    assert got.loc["ships", c.VIA_NAMES] == "Crete"
    assert got.loc["ships", c.LINE_METHOD] == "sea_route"
    assert set(got.loc["an124", c.CARRIER_ID]) == {"RA-82030"}
    assert got.loc["ships", c.ACTOR_GROUP] == "Russia"
    assert c.TRACK_LINE not in got.columns and c.VIA_POINTS not in got.columns


def test_maps_colour_by_group_and_count_each_category(reports: Path) -> None:
    from layers.legs import leg_zone_sets, legs_payload
    from layers.maps import map_meta, ordered_zones, zone_records
    from layers.style import ACTOR_PALETTE, leg_colours

    ds = load_dataset(reports)
    colours = leg_colours(ds.legs)
    assert colours == {"Russia": ACTOR_PALETTE[0], "Turkey": ACTOR_PALETTE[1]}
    # a subset (one zone's legs) keeps the same colours
    assert leg_colours(ds.legs[ds.legs[c.ACTOR] == "Turkey"]) == {"Turkey": ACTOR_PALETTE[1]}
    zones = ordered_zones(ds.zones)
    recs = zone_records(zones, focus=None)
    meta = map_meta(ds, ds.legs, recs, zone=None, bounds=None, colours=colours, n_undrawn=0)
    cats = {x["key"]: x["n"] for x in meta["categories"]}
    assert cats["armour"] == 1 and cats["naval"] == 1 and cats["munitions"] == 1
    assert [a["name"] for a in meta["actors"]] == ["Russia", "Turkey"]
    data = legs_payload(ds.legs, leg_zone_sets(ds.legs, ds.segments, zones), {})
    to_names = [data["cols"][c.TO_NAME]["u"][k] for k in data["cols"][c.TO_NAME]["c"]]
    assert "one of: Benina International Airport | al-Khadim Air Base" in to_names


def test_zone_attribution_of_alternatives_says_one_of(reports: Path) -> None:
    ds = load_dataset(reports)
    leg = ds.legs.set_index(c.TRANSFER_ID).loc["flights"]
    assert "to: one of: Benina International Airport (LNA" in leg[c.CONTROL_NOTE]
    assert "al-Khadim Air Base (LNA" in leg[c.CONTROL_NOTE]
    assert leg[c.TO_FACTION] == "LNA"  # both candidates agree
    # zone segments follow the counted candidate only: their km add up to the leg's
    seg = ds.segments[ds.segments[c.TRANSFER_ID] == "flights"]
    assert seg[c.SEGMENT_KM].sum() == pytest.approx(leg[c.LENGTH_KM], rel=1e-6)


def test_alternatives_in_different_factions_leave_faction_open(tmp_path: Path) -> None:
    rows = [{"from": "Hmeimim", "to": "Benina | Mitiga", "date": "2020-05-18"}]
    leg = load_dataset(make_data(tmp_path, rows)).legs.iloc[0]
    assert leg[c.TO_FACTION] is None
    assert "one of: Benina International Airport (LNA" in leg[c.CONTROL_NOTE]
    assert "Mitiga International Airport (GNA" in leg[c.CONTROL_NOTE]


def test_geodesic_paths_piecewise_and_across_the_antimeridian() -> None:
    from pyproj import Geod

    from geo.lines import geodesic_paths

    xy = np.array(
        [[35.9, 35.4], [24.9, 35.2], [20.27, 32.1], [170.0, 0.0], [-175.0, 5.0], [-170.0, 0.0]]
    )
    path = np.array([0, 0, 0, 1, 1, 1])
    lines, km = geodesic_paths(xy, path)
    geod = Geod(ellps="WGS84")
    for p, line in enumerate(lines):
        pts = xy[path == p]
        expected = sum(geod.inv(*pts[k], *pts[k + 1])[2] for k in range(len(pts) - 1)) / 1000
        assert km[p] == pytest.approx(expected, rel=1e-12)
        coords = shapely.get_coordinates(line)
        # every junction is a vertex, once; longitudes continuous (no 360-degree jump)
        for q in pts[1:-1]:
            unrolled = [q[0], q[0] + 360.0]
            assert sum(np.isclose(coords[:, 0], u).sum() for u in unrolled) == 1
        assert np.abs(np.diff(coords[:, 0])).max() < 5
        step = geod.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])[2]
        assert step.max() <= settings.VERTEX_SPACING_KM * 1000 + 1
    assert shapely.get_coordinates(lines[1])[-1, 0] == pytest.approx(190.0)


def test_parquet_ledger_takes_the_optional_columns(tmp_path: Path) -> None:
    import pandas as pd

    rows = [
        {"from": "Hmeimim", "to": "Benina | al-Khadim", "via": "Crete", "carrier_id": "RA-82030"}
    ]
    folder = make_data(tmp_path, rows)
    table = pd.read_csv(folder / settings.TRANSFERS_FILE, dtype=str, keep_default_na=False)
    (folder / settings.TRANSFERS_FILE).unlink()
    table.to_parquet(folder / "transfers.parquet")
    from geo.gazetteer import read_gazetteer
    from geo.geocode import PlaceIndex
    from geo.ledger import read_ledger

    index = PlaceIndex(read_gazetteer(folder / settings.GAZETTEER_FILE))
    legs = read_ledger(folder / "transfers.parquet", folder / settings.SOURCES_FILE, index).legs
    assert legs[c.VIA_IDS].tolist() == [("crete",)]
    assert legs[c.TO_ALTERNATIVES].tolist() == [("benina_airport", "khadim_ab")]
    assert legs[c.CARRIER_ID].tolist() == ["RA-82030"]
