import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geo import columns as C  # noqa: N812
from geo import settings
from geo._errors import ZonesError
from geo.zones import (
    CHANGED,
    attribute_legs,
    places_faction,
    read_zones,
    split_by_zone,
    zones_at,
)

REPO = Path(__file__).resolve().parent.parent
ZONES = REPO / settings.ZONES_FILE
GEOD = Geod(ellps=settings.ELLPS)

# (lon, lat): reference anchors and gazetteer points
P = {
    "watiya": (11.9, 32.4722),
    "zawiya": (12.7278, 32.7522),
    "zuwara_airport": (12.0155, 32.9523),
    "tripoli": (13.1914, 32.8872),
    "misrata": (15.093, 32.375),
    "sirte": (16.589, 31.207),
    "jufra": (16.001, 29.198),
    "benghazi": (20.067, 32.117),
    "gharyan": (13.0203, 32.1722),
    "tarhuna": (13.633, 32.435),
    "sabha": (14.428, 27.038),
    "khmeimim": (35.945, 35.4117),
    "tartus_base": (35.875, 34.915),
    "latakia": (35.791, 35.531),
    "idlib": (36.633, 35.930),
    "raqqa": (39.008, 35.953),
    "manbij": (37.955, 36.528),
    "afrin": (36.870, 36.512),
    # Ras al-Ayn itself (40.071, 36.850) falls just inside Turkey at 1:50m
    "south_of_ras_al_ayn": (40.07, 36.75),
    "ramstein": (7.60033, 49.4368),
    "minsk": (27.567, 53.9),
    "moscow": (37.617, 55.756),
    "bamako": (-8.0029, 12.6392),
    "abu_dhabi": (54.3773, 24.4539),
    "ankara": (32.854, 39.92),
    "cairo": (31.236, 30.044),
}


@pytest.fixture(scope="module")
def zones() -> gpd.GeoDataFrame:
    return read_zones(ZONES)


def places(*names: str, precision: str = "site") -> pd.DataFrame:
    return pd.DataFrame(
        {
            C.PLACE_ID: list(names),
            C.LON: [P[n][0] for n in names],
            C.LAT: [P[n][1] for n in names],
            C.PLACE_PRECISION: precision,
        }
    )


def legs(rows: list[tuple[str, str, str, str]], **extra: object) -> gpd.GeoDataFrame:
    """Lines between named places: (from, to, date_start, date_end)."""
    from_xy = np.array([P[a] for a, _, _, _ in rows])
    to_xy = np.array([P[b] for _, b, _, _ in rows])
    n = len(rows)
    geoms = [
        shapely.LineString(np.column_stack(_geodesic(a, b)))
        for a, b in zip(from_xy, to_xy, strict=True)
    ]
    df = pd.DataFrame(
        {
            C.TRANSFER_ID: [f"T{i}" for i in range(n)],
            C.LEG: 1,
            C.FROM_LON: from_xy[:, 0],
            C.FROM_LAT: from_xy[:, 1],
            C.TO_LON: to_xy[:, 0],
            C.TO_LAT: to_xy[:, 1],
            C.FROM_PRECISION: "site",
            C.TO_PRECISION: "site",
            C.DATE_START: pd.to_datetime([r[2] for r in rows]),
            C.DATE_END: pd.to_datetime([r[3] for r in rows]),
            **extra,
        }
    )
    return gpd.GeoDataFrame(df, geometry=geoms, crs="EPSG:4326")


def _geodesic(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pts = GEOD.npts(a[0], a[1], b[0], b[1], 40)
    xy = np.array([tuple(a), *pts, tuple(b)])
    return xy[:, 0], xy[:, 1]


# --- the bundled file -----------------------------------------------------------------


def test_bundled_zones_are_valid_and_described(zones):
    assert len(zones) >= 30
    assert not zones.attrs["warnings"]
    assert zones.geometry.is_valid.all()
    assert set(zones[C.FACTION]) <= set(C.FACTIONS)
    assert zones[C.ZONE_SOURCES].map(len).min() >= 1
    drawn = zones[zones[C.ZONE_COUNTRY].isin(["LY", "SY"])]
    assert drawn[C.APPROXIMATE].all()
    polys = shapely.get_parts(zones.geometry.values)
    assert shapely.is_ccw(shapely.get_exterior_ring(polys)).all()  # RFC 7946


def test_bundled_zones_pass_geojson_validator():
    gv = pytest.importorskip("geojson_validator")
    doc = json.loads(ZONES.read_text(encoding="utf-8"))
    assert gv.validate_structure(doc, check_crs=False) == {}
    assert gv.validate_geometries(doc)["invalid"] == {}


def test_bundled_zones_rebuild_byte_identical(tmp_path):
    out = tmp_path / "zones.geojson"
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_zones.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == ZONES.read_bytes()


@pytest.mark.parametrize(
    ("place", "day", "faction"),
    [
        # al-Watiya: LNA until 17 May 2020, GNA from 18 May 2020
        ("watiya", "2020-05-17", "LNA"),
        ("watiya", "2020-05-18", "GNA"),
        ("watiya", "2020-05-19", "GNA"),
        ("watiya", "2022-01-01", "GNU"),
        # Sirte: GNA-aligned until 5 Jan 2020, LNA from 6 Jan 2020
        ("sirte", "2020-01-05", "GNA"),
        ("sirte", "2020-01-07", "LNA"),
        ("sirte", "2025-06-01", "LNA"),
        # Tripoli offensive: Gharyan and Tarhuna
        ("gharyan", "2019-04-03", "GNA"),
        ("gharyan", "2019-04-05", "LNA"),
        ("gharyan", "2019-06-27", "GNA"),
        ("tarhuna", "2020-06-04", "LNA"),
        ("tarhuna", "2020-06-06", "GNA"),
        ("tripoli", "2019-05-01", "GNA"),
        # the Sirte - al-Jufra line from June 2020 and the 2024-25 split
        ("misrata", "2020-07-01", "GNA"),
        ("jufra", "2020-07-01", "LNA"),
        ("sabha", "2020-07-01", "LNA"),
        ("tripoli", "2024-12-15", "GNU"),
        ("benghazi", "2024-12-15", "LNA"),
        # Syria before / after 8 December 2024
        ("khmeimim", "2024-12-07", "Russia"),
        ("khmeimim", "2024-12-09", "Russia"),
        ("tartus_base", "2024-12-07", "Russia"),
        ("tartus_base", "2024-12-09", "Russia"),
        ("latakia", "2024-12-07", "Assad government"),
        ("latakia", "2024-12-08", "Syrian transitional government"),
        ("idlib", "2023-06-01", "HTS"),
        ("idlib", "2024-12-09", "Syrian transitional government"),
        ("raqqa", "2023-06-01", "SDF"),
        ("raqqa", "2025-01-18", "SDF"),
        ("manbij", "2024-12-08", "SDF"),
        ("manbij", "2024-12-10", "Turkey/SNA"),
        ("afrin", "2023-06-01", "Turkey/SNA"),
        ("south_of_ras_al_ayn", "2023-06-01", "Turkey/SNA"),
        # host nations and other governments
        ("ramstein", "2021-01-15", "Germany"),
        ("minsk", "2024-12-13", "Belarus"),
        ("moscow", "2024-12-13", "Russia"),
        ("bamako", "2024-12-13", "Mali"),
        ("abu_dhabi", "2020-01-01", "UAE"),
        ("ankara", "2020-01-01", "Turkey"),
        # outside mapped zones: other country, before coverage, after 2025 in Syria
        ("cairo", "2020-01-01", C.OUTSIDE_ZONES),
        ("tripoli", "2019-01-01", C.OUTSIDE_ZONES),
        ("latakia", "2026-02-01", C.OUTSIDE_ZONES),
    ],
)
def test_places_faction_on_dates(zones, place, day, faction):
    res = places_faction(places(place), at=day, zones=zones)
    assert res[C.PLACE_FACTION].tolist() == [faction]
    if faction == C.OUTSIDE_ZONES:
        assert res[C.PLACE_ZONE].isna().all()
    else:
        zone = zones.set_index(C.ZONE_ID).loc[res[C.PLACE_ZONE].item()]
        assert zone[C.VALID_FROM] <= pd.Timestamp(day)
        assert pd.isna(zone[C.VALID_TO]) or zone[C.VALID_TO] >= pd.Timestamp(day)


def test_russian_bases_contested_only_after_assad(zones):
    before = places_faction(places("khmeimim", "tartus_base"), at="2024-12-07", zones=zones)
    after = places_faction(places("khmeimim", "tartus_base"), at="2024-12-09", zones=zones)
    assert not before[C.CONTESTED].any()
    assert after[C.CONTESTED].all()


def test_places_faction_keeps_index_and_default_zones():
    pl = places("watiya", "cairo").set_index(pd.Index(["a", "b"]))
    res = places_faction(pl, at="2020-05-19")  # bundled zones.geojson
    assert list(res.index) == ["a", "b"]
    assert res[C.PLACE_FACTION].tolist() == ["GNA", C.OUTSIDE_ZONES]


@pytest.mark.parametrize(
    ("place", "precision", "day", "faction", "note"),
    [
        ("sabha", "country", "2020-07-01", None, "divided between GNA, LNA"),
        ("moscow", "country", "2020-07-01", "Russia", "country-level point"),
        ("benghazi", "region", "2020-07-01", "LNA", "region-level point"),
    ],
)
def test_coarse_points_not_attributed_as_exact(zones, place, precision, day, faction, note):
    res = places_faction(places(place, precision=precision), at=day, zones=zones)
    assert res[C.PLACE_FACTION].tolist() == [faction]
    assert note in res[C.CONTROL_NOTE].item()


# --- boundaries ---------------------------------------------------------------------------


def _shared_vertex(zones, a: str, b: str) -> tuple[float, float]:
    ga = zones.set_index(C.ZONE_ID).geometry[a]
    gb = zones.set_index(C.ZONE_ID).geometry[b]
    shared = shapely.get_coordinates(shapely.intersection(ga.boundary, gb.boundary))
    both = set(map(tuple, shapely.get_coordinates(ga))) & set(
        map(tuple, shapely.get_coordinates(gb))
    )
    vertex = next(tuple(xy) for xy in shared if tuple(xy) in both)
    return vertex


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_point_exactly_on_boundary_is_deterministic(zones, seed):
    x, y = _shared_vertex(zones, "ly-west-2019-03-01", "ly-sirte-2019-03-01")
    pt = pd.DataFrame({C.LON: [x], C.LAT: [y]})
    # the same answer whatever the order of the zones
    shuffled = zones.sample(frac=1.0, random_state=seed)
    same = places_faction(pt, at="2019-12-01", zones=shuffled)
    assert same[C.PLACE_FACTION].item() == "GNA"  # both sides GNA-held: no note
    assert same[C.CONTROL_NOTE].item() == ""
    split = places_faction(pt, at="2020-03-01", zones=shuffled)
    # both zones touch the point; the smaller (Sirte) wins, the note names the other
    assert split[C.PLACE_ZONE].item() == "ly-sirte-2020-01-06"
    assert split[C.PLACE_FACTION].item() == "LNA"
    assert split[C.CONTROL_NOTE].item() == "on boundary with ly-west-2019-03-01 (GNA)"


# --- legs ---------------------------------------------------------------------------------


def test_attribute_legs_dates_and_changes(zones):
    lines = legs(
        [
            ("watiya", "zawiya", "2020-05-17", "2020-05-17"),
            ("watiya", "zawiya", "2020-05-19", "2020-05-19"),
            ("watiya", "zawiya", "2020-05-01", "2020-05-31"),  # spans 18 May
            ("sirte", "benghazi", "2020-01-05", "2020-01-05"),
            ("sirte", "benghazi", "2020-01-07", "2020-01-07"),
            ("tripoli", "sirte", "2020-01-01", "2020-01-31"),  # destination changes
            ("khmeimim", "benghazi", "2024-12-01", "2024-12-20"),  # Russia throughout
            ("latakia", "benghazi", "2024-12-01", "2024-12-20"),  # Assad -> transitional
        ]
    )
    out = attribute_legs(lines, zones)
    assert list(out.index) == list(lines.index)
    assert out[C.FROM_FACTION].tolist() == [
        "LNA",
        "GNA",
        None,
        "GNA",
        "LNA",
        "GNA",
        "Russia",
        None,
    ]
    assert out[C.TO_FACTION].tolist() == ["GNA", "GNA", "GNA", "LNA", "LNA", None, "LNA", "LNA"]
    notes = out[C.CONTROL_NOTE].tolist()
    assert notes[2] == f"from: {CHANGED}: LNA to 2020-05-17, GNA from 2020-05-18"
    assert notes[5] == f"to: {CHANGED}: GNA to 2020-01-05, LNA from 2020-01-06"
    assert notes[7].startswith(f"from: {CHANGED}: Assad government to 2024-12-07")
    assert notes[0] == notes[1] == ""
    assert out[C.FROM_ZONE].tolist()[:2] == ["ly-watiya-2019-03-01", "ly-watiya-2020-05-18"]


def test_attribute_legs_flags(zones):
    lines = legs(
        [
            ("misrata", "jufra", "2020-07-01", "2020-07-01"),  # GNA -> LNA overland
            ("watiya", "zawiya", "2020-05-19", "2020-05-19"),  # GNA -> GNA
            ("zuwara_airport", "ramstein", "2021-01-10", "2021-01-10"),
            ("minsk", "benghazi", "2024-12-13", "2024-12-13"),
            ("tripoli", "misrata", "2024-12-13", "2024-12-13"),
        ]
    )
    out = attribute_legs(lines, zones)
    assert out[C.CROSSES_FRONT].tolist() == [True, False, False, False, False]
    assert out[C.FROM_OUTSIDE].tolist() == [False, False, True, True, False]


def test_unknown_stop_and_missing_date(zones):
    lines = legs([("tripoli", "misrata", "2020-07-01", "2020-07-01")] * 2)
    lines.loc[0, [C.FROM_LON, C.FROM_LAT]] = np.nan
    lines.loc[1, [C.DATE_START, C.DATE_END]] = pd.NaT
    out = attribute_legs(lines, zones)
    assert out[C.FROM_FACTION].tolist() == [None, None]
    assert out[C.CONTROL_NOTE].tolist()[0] == "from: no coordinates (unknown stop)"
    assert out[C.CONTROL_NOTE].tolist()[1] == "from: no date; to: no date"
    assert pd.isna(out[C.FROM_OUTSIDE].iloc[0])


def test_split_leg_across_front(zones):
    lines = legs([("misrata", "jufra", "2020-07-01", "2020-07-01")])
    seg = split_by_zone(lines, zones)
    assert seg[C.ZONE_ID].tolist() == ["ly-west-2019-03-01", "ly-east-2019-03-01"]
    assert seg[C.SEGMENT_ORDER].tolist() == [0, 1]
    assert seg[C.CROSSES_FRONT].all()
    line = lines.geometry.iloc[0]
    total = GEOD.geometry_length(line) / 1000
    assert seg[C.SEGMENT_KM].sum() == pytest.approx(total, rel=1e-9)
    # the km in the west zone ends where the line meets the east zone
    west = zones.set_index(C.ZONE_ID).geometry["ly-west-2019-03-01"]
    inside = shapely.intersection(line, west)
    assert seg[C.SEGMENT_KM].iloc[0] == pytest.approx(GEOD.geometry_length(inside) / 1000, rel=1e-6)


def test_split_leg_with_sea_and_countries(zones):
    lines = legs([("zuwara_airport", "ramstein", "2021-01-10", "2021-01-10")])
    seg = split_by_zone(lines, zones)
    assert seg[C.FACTION].tolist() == ["GNA", C.OUTSIDE_ZONES, "Germany"]
    assert seg[C.ZONE_ID].iloc[1] is None
    assert seg[C.FROM_OUTSIDE].all()
    total = GEOD.geometry_length(lines.geometry.iloc[0]) / 1000
    assert seg[C.SEGMENT_KM].sum() == pytest.approx(total, rel=1e-9)
    # order follows the line
    starts = shapely.line_locate_point(
        lines.geometry.iloc[0], shapely.get_point(shapely.get_geometry(seg.geometry.values, 0), 0)
    )
    assert np.all(np.diff(starts) > 0)


def test_split_keeps_every_leg(zones):
    lines = legs([("tripoli", "misrata", "2020-07-01", "2020-07-01")] * 3)
    lines.loc[1, "geometry"] = None
    lines.loc[2, [C.DATE_START, C.DATE_END]] = pd.NaT
    seg = split_by_zone(lines, zones)
    assert sorted(set(seg[C.TRANSFER_ID])) == ["T0", "T1", "T2"]
    bad = seg[seg[C.TRANSFER_ID] != "T0"]
    assert bad[C.SEGMENT_KM].isna().all()
    assert bad[C.CONTROL_NOTE].tolist() == ["no geometry", "no date"]


def test_split_interval_spanning_change_is_flagged(zones):
    lines = legs([("watiya", "zawiya", "2020-05-01", "2020-05-31")])
    seg = split_by_zone(lines, zones)
    assert seg[C.ZONE_ID].iloc[0] == "ly-watiya-2019-03-01"  # as of date_start
    assert seg[C.CONTROL_NOTE].str.startswith(CHANGED).all()


# --- contested overlaps (synthetic zones) ----------------------------------------------


def _zone(zid, faction, geom, *, contested=False, start="2020-01-01", end=None, country="SY"):
    return {
        C.ZONE_ID: zid,
        C.FACTION: faction,
        C.ZONE_LABEL: zid,
        C.ZONE_COUNTRY: country,
        C.VALID_FROM: pd.Timestamp(start),
        C.VALID_TO: pd.Timestamp(end) if end else pd.NaT,
        C.ZONE_SOURCES: ("test",),
        C.AS_OF: "2020",
        C.APPROXIMATE: True,
        C.CONTESTED: contested,
        "geometry": geom,
    }


@pytest.fixture
def overlapping() -> gpd.GeoDataFrame:
    rows = [
        _zone("big", "Syrian transitional government", shapely.box(36.0, 34.0, 38.0, 36.0)),
        _zone("base", "Russia", shapely.box(36.9, 34.9, 37.1, 35.1), contested=True),
    ]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def test_contested_overlap_point_takes_smaller_zone(overlapping):
    pt = pd.DataFrame({C.LON: [37.0, 36.5], C.LAT: [35.0, 35.0]})
    res = places_faction(pt, at="2021-01-01", zones=overlapping)
    assert res[C.PLACE_FACTION].tolist() == ["Russia", "Syrian transitional government"]
    assert res[C.CONTROL_NOTE].tolist() == [
        "contested; also big (Syrian transitional government)",
        "",
    ]


def test_contested_overlap_not_double_counted(overlapping):
    line = shapely.LineString([(36.5, 35.0), (37.5, 35.0)])
    lines = gpd.GeoDataFrame(
        {
            C.TRANSFER_ID: ["X"],
            C.LEG: [1],
            C.DATE_START: [pd.Timestamp("2021-01-01")],
            C.DATE_END: [pd.Timestamp("2021-01-01")],
        },
        geometry=[line],
        crs="EPSG:4326",
    )
    seg = split_by_zone(lines, overlapping)
    assert seg[C.ZONE_ID].tolist() == ["big", "base"]
    total = GEOD.geometry_length(line) / 1000
    # a 100 km two-vertex line: the cut points add vertices along the parallel
    assert seg[C.SEGMENT_KM].sum() == pytest.approx(total, rel=1e-5)
    base_km = GEOD.line_length([36.9, 37.1], [35.0, 35.0]) / 1000
    assert seg.loc[seg[C.ZONE_ID] == "base", C.SEGMENT_KM].item() == pytest.approx(
        base_km, rel=1e-6
    )


def test_vectorized_matches_naive_lookup(zones):
    rng = np.random.default_rng(7)
    n = 400
    pts = pd.DataFrame({C.LON: rng.uniform(9.0, 42.0, n), C.LAT: rng.uniform(20.0, 37.5, n)})
    for day in ["2019-05-01", "2020-01-05", "2020-07-01", "2024-12-09"]:
        got = places_faction(pts, at=day, zones=zones)[C.PLACE_FACTION].tolist()
        live = zones_at(zones, day)
        want = []
        for x, y in zip(pts[C.LON], pts[C.LAT], strict=True):
            hits = live[live.intersects(shapely.Point(x, y))]
            hits = hits.assign(a=shapely.area(hits.geometry.values)).sort_values(["a", C.ZONE_ID])
            want.append(hits[C.FACTION].iloc[0] if len(hits) else C.OUTSIDE_ZONES)
        assert got == want, day


# --- validation ---------------------------------------------------------------------------


def _feature(**props: object) -> dict[str, object]:
    base = {
        C.ZONE_ID: "z0",
        C.FACTION: "LNA",
        C.ZONE_LABEL: "label",
        C.ZONE_COUNTRY: "LY",
        C.VALID_FROM: "2020-01-01",
        C.VALID_TO: None,
        C.ZONE_SOURCES: ["Outlet, 2020-01-01, https://example.org"],
        C.AS_OF: "2020-01",
        C.APPROXIMATE: True,
        C.CONTESTED: False,
    }
    geom = props.pop("geometry", shapely.geometry.mapping(shapely.box(15.0, 30.0, 16.0, 31.0)))
    base.update(props)
    return {"type": "Feature", "properties": base, "geometry": geom}


def _write(tmp_path: Path, features: list[object]) -> Path:
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, default=list))
    return path


BOWTIE = {"type": "Polygon", "coordinates": [[[20, 30], [21, 31], [21, 30], [20, 31], [20, 30]]]}


def test_bad_zones_file_reports_every_problem(tmp_path):
    features = [
        _feature(),  # 0: fine
        _feature(**{C.ZONE_ID: "z1", C.FACTION: "LNAA"}),  # 1: unknown faction
        _feature(**{C.ZONE_ID: "z2", C.VALID_FROM: "2020-13-01", C.ZONE_COUNTRY: "SY"}),  # 2
        _feature(**{C.ZONE_ID: "z3", C.VALID_FROM: "2021-01-01", C.VALID_TO: "2020-01-01"}),  # 3
        _feature(**{C.ZONE_ID: "z4", C.APPROXIMATE: "yes", C.ZONE_COUNTRY: "DE"}),  # 4
        _feature(**{C.ZONE_ID: "z5", "geometry": {"type": "Point", "coordinates": [1, 2]}}),  # 5
        _feature(**{C.ZONE_ID: "z6", "geometry": BOWTIE}),  # 6: repaired, warning only
        _feature(**{C.ZONE_ID: "z7", C.VALID_FROM: "2019-06-01"}),  # 7: overlaps z0
        _feature(),  # 8: duplicate id z0 (and overlaps)
        _feature(**{C.ZONE_ID: "z9", C.ZONE_COUNTRY: "XX"}),  # 9: unknown country
        _feature(  # 10: out of range
            **{
                C.ZONE_ID: "z10",
                "geometry": shapely.geometry.mapping(shapely.box(200.0, 30.0, 201.0, 31.0)),
            }
        ),
        {"type": "Point"},  # 11: not a feature
    ]
    del features[4]["properties"][C.ZONE_SOURCES]
    path = _write(tmp_path, features)
    with pytest.raises(ZonesError) as err:
        read_zones(path)
    got = {(p.feature, p.column, p.severity) for p in err.value.problems}
    expected = {
        (1, C.FACTION, "error"),
        (2, C.VALID_FROM, "error"),
        (3, C.VALID_TO, "error"),
        (4, C.APPROXIMATE, "error"),
        (4, C.ZONE_SOURCES, "error"),
        (5, "geometry", "error"),
        (6, "geometry", "warning"),
        (7, "geometry", "error"),
        (8, C.ZONE_ID, "error"),
        (9, C.ZONE_COUNTRY, "error"),
        (10, "geometry", "error"),
        (11, "type", "error"),
    }
    assert expected <= got
    assert not any(line == 0 for line, _, _ in got)
    text = str(err.value)
    assert str(path) in text
    assert "did you mean 'LNA'?" in text
    assert "'2020-13-01'" in text


def test_warning_only_file_loads_with_warnings(tmp_path):
    path = _write(tmp_path, [_feature(), _feature(**{C.ZONE_ID: "z6", "geometry": BOWTIE})])
    gdf = read_zones(path)
    assert len(gdf) == 2
    assert gdf.geometry.is_valid.all()
    assert [(p.feature, p.severity) for p in gdf.attrs["warnings"]] == [(1, "warning")]


def test_contested_or_disjoint_in_time_may_overlap(tmp_path):
    path = _write(
        tmp_path,
        [
            _feature(**{C.VALID_TO: "2020-12-31"}),
            _feature(**{C.ZONE_ID: "later", C.VALID_FROM: "2021-01-01"}),
            _feature(**{C.ZONE_ID: "c", C.CONTESTED: True, C.FACTION: "GNA"}),
            _feature(**{C.ZONE_ID: "other", C.ZONE_COUNTRY: "EG"}),  # other country
        ],
    )
    assert len(read_zones(path)) == 4


@pytest.mark.parametrize(
    ("text", "column"),
    [("{not json", None), ('{"type": "Feature"}', "type"), ("[]", "type")],
)
def test_unreadable_files(tmp_path, text, column):
    path = tmp_path / "zones.geojson"
    path.write_text(text)
    with pytest.raises(ZonesError) as err:
        read_zones(path)
    assert [p.column for p in err.value.problems] == [column]


# --- split at scale: vectorized pieces against a per-leg reference ---------------------


def legs_between(a, b, start, end, *, prefix: str, width: int = 0) -> gpd.GeoDataFrame:
    """geodesic_lines of one-leg transfers from (lon, lat) rows ``a`` to ``b``, dated start-end.

    Transfer ids are ``prefix`` and the row number, zero-padded to ``width`` digits.
    """
    from geo.lines import geodesic_lines

    n = len(a)
    df = pd.DataFrame(
        {
            C.TRANSFER_ID: [f"{prefix}{i:0{width}d}" if width else f"{prefix}{i}"
                            for i in range(n)],
            C.LEG: 1,
            C.FROM_LON: a[:, 0],
            C.FROM_LAT: a[:, 1],
            C.TO_LON: b[:, 0],
            C.TO_LAT: b[:, 1],
            C.FROM_PRECISION: "site",
            C.TO_PRECISION: "site",
            C.FROM_UNKNOWN: False,
            C.TO_UNKNOWN: False,
            C.DATE_START: start,
            C.DATE_END: end,
        }
    )
    return geodesic_lines(df)


def _random_legs(n: int, seed: int) -> gpd.GeoDataFrame:
    """Geodesic legs between random points around the zones (Libya to Russia)."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(-10.0, 60.0, (n, 2))
    lat = rng.uniform(10.0, 60.0, (n, 2))
    start = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 7 * 365, n), unit="D")
    return legs_between(np.c_[lon[:, 0], lat[:, 0]], np.c_[lon[:, 1], lat[:, 1]], start, start,
                        prefix="R", width=3)


def test_split_matches_per_leg_intersection(zones):
    lines = _random_legs(80, seed=11)
    seg = split_by_zone(lines, zones)
    assert sorted(set(seg[C.TRANSFER_ID])) == sorted(lines[C.TRANSFER_ID])
    for tid, line, day in zip(
        lines[C.TRANSFER_ID], lines.geometry, lines[C.DATE_START], strict=True
    ):
        mine = seg[seg[C.TRANSFER_ID] == tid]
        live = zones_at(zones, day)
        want = {
            zid: GEOD.geometry_length(shapely.intersection(line, geom)) / 1000
            for zid, geom in zip(live[C.ZONE_ID], live.geometry, strict=True)
            if shapely.intersects(line, geom)
        }
        want = {zid: km for zid, km in want.items() if km > 0}
        got = mine[mine[C.ZONE_ID].notna()].set_index(C.ZONE_ID)[C.SEGMENT_KM].to_dict()
        assert got.keys() == want.keys(), tid
        for zid, km in want.items():
            assert got[zid] == pytest.approx(km, rel=1e-6, abs=1e-6), (tid, zid)
        total = GEOD.geometry_length(line) / 1000
        assert mine[C.SEGMENT_KM].sum() == pytest.approx(total, rel=1e-9), tid
        # inside and outside pieces together cover the line once (planar length)
        assert shapely.length(mine.geometry.values).sum() == pytest.approx(line.length, rel=1e-6), (
            tid
        )
        assert (np.diff(mine[C.SEGMENT_ORDER]) == 1).all()


def test_split_without_outside_geometry(zones):
    lines = _random_legs(40, seed=3)
    full = split_by_zone(lines, zones)
    lean = split_by_zone(lines, zones, outside_geometry=False)
    cols = [c for c in full.columns if c != "geometry"]
    pd.testing.assert_frame_equal(full[cols], lean[cols])
    outside = full[C.ZONE_ID].isna().to_numpy()
    assert outside.any() and (~outside).any()
    assert lean.geometry.isna().to_numpy()[outside].all()
    assert shapely.equals(full.geometry.values[~outside], lean.geometry.values[~outside]).all()


def test_bundled_zones_have_no_antimeridian_bands(zones):
    parts, owner = shapely.get_parts(zones.geometry.values, return_index=True)
    b = shapely.bounds(parts)
    wide = np.flatnonzero(b[:, 2] - b[:, 0] > 90.0)
    # Only mainland Russia is that wide (Baltic to the antimeridian).
    assert set(zones[C.ZONE_ID].to_numpy()[owner[wide]]) == {"ru-country-2014-03-18"}
    assert b[wide, 0].min() > 20.0
    assert b[:, 0].min() >= -180.0 and b[:, 2].max() <= 180.0


@pytest.mark.parametrize(
    ("lon", "lat", "faction"),
    [
        (177.0, 65.0, "Russia"),  # Chukotka, both sides of the antimeridian
        (-175.0, 66.0, "Russia"),
        (100.0, 68.0, "Russia"),
        (0.0, 67.0, C.OUTSIDE_ZONES),  # Norwegian Sea
        (-170.0, 67.0, C.OUTSIDE_ZONES),  # Chukchi Sea
    ],
)
def test_russia_zone_around_the_antimeridian(zones, lon, lat, faction):
    pt = pd.DataFrame({C.LON: [lon], C.LAT: [lat]})
    res = places_faction(pt, at="2021-01-01", zones=zones)
    assert res[C.PLACE_FACTION].tolist() == [faction]


# --- the segment-array path against the GEOS path (issue 15) -----------------------


def _geos_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send every leg through the GEOS path (chunks x zone tiles)."""
    import geo.zones.split as split
    from geo.zones import _fast, _shared

    _shared.forget()
    monkeypatch.setattr(split, "segments_batch", _fast.geos_batch)
    monkeypatch.setattr(split, "met_batch", _fast.geos_met_batch)


def _global_legs(n: int, seed: int) -> gpd.GeoDataFrame:
    """Legs like bench_lines': mostly Europe/Africa/Middle East, some anywhere (antimeridian)."""
    rng = np.random.default_rng(seed)
    glob = rng.random((n, 2)) < 0.25
    lon = np.where(glob, rng.uniform(-180, 180, (n, 2)), rng.uniform(-10, 60, (n, 2)))
    lat = np.where(glob, rng.uniform(-60, 75, (n, 2)), rng.uniform(10, 60, (n, 2)))
    start = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 7 * 365, n), unit="D")
    span = rng.choice([0, 30], n)
    return legs_between(np.c_[lon[:, 0], lat[:, 0]], np.c_[lon[:, 1], lat[:, 1]], start,
                        start + pd.to_timedelta(span, unit="D"), prefix="G", width=4)


def _assert_same_split(fast: gpd.GeoDataFrame, slow: gpd.GeoDataFrame) -> None:
    cols = [c for c in slow.columns if c not in ("geometry", C.SEGMENT_KM)]
    pd.testing.assert_frame_equal(fast[cols], slow[cols])
    np.testing.assert_allclose(fast[C.SEGMENT_KM], slow[C.SEGMENT_KM], rtol=1e-5, atol=1e-6)
    g0, g1 = fast.geometry.values, slow.geometry.values
    assert (shapely.is_missing(g0) == shapely.is_missing(g1)).all()
    both = ~shapely.is_missing(g0)
    assert shapely.hausdorff_distance(g0[both], g1[both]).max() < 1e-6


def test_segment_array_path_matches_geos_path(zones, monkeypatch):
    lines = _global_legs(400, seed=5)
    wide = shapely.bounds(lines.geometry.values)
    assert ((wide[:, 0] < -180) | (wide[:, 2] > 180)).any()  # antimeridian legs are in
    fast = split_by_zone(lines, zones)
    fast_attr = attribute_legs(lines, zones)
    _geos_only(monkeypatch)
    slow = split_by_zone(lines, zones)
    slow_attr = attribute_legs(lines, zones)
    _assert_same_split(fast, slow)
    pd.testing.assert_frame_equal(fast_attr, slow_attr)
    assert fast[C.ZONE_ID].nunique() > 10 and fast[C.CONTROL_NOTE].str.startswith(CHANGED).any()


def test_legs_touching_boundary_vertices_go_to_geos(zones, monkeypatch):
    """A leg through a vertex of a zone boundary is not toggled there: GEOS settles it."""
    from geo.lines import geodesic_lines
    from geo.zones import _crossings

    x, y = _shared_vertex(zones, "ly-west-2019-03-01", "ly-east-2019-03-01")
    df = pd.DataFrame(
        {
            C.TRANSFER_ID: ["V1", "V2"],
            C.LEG: 1,
            C.FROM_LON: [x, x - 3.0],
            C.FROM_LAT: [y, y - 1.0],
            C.TO_LON: [x + 4.0, x + 3.0],
            C.TO_LAT: [y + 0.5, y + 1.0],
            C.FROM_PRECISION: "site",
            C.TO_PRECISION: "site",
            C.FROM_UNKNOWN: False,
            C.TO_UNKNOWN: False,
            C.DATE_START: pd.Timestamp("2020-05-19"),
            C.DATE_END: pd.Timestamp("2020-05-19"),
        }
    )
    lines = geodesic_lines(df)
    from geo.zones._common import _days

    zf = _days(zones[C.VALID_FROM], open_end=False)
    zt = _days(zones[C.VALID_TO], open_end=True)
    s = _days(lines[C.DATE_START], open_end=False)
    mt = _crossings.meetings(np.asarray(lines.geometry.values), s, zones, zf, zt)
    assert mt.hard.tolist() == [True, False]
    fast = split_by_zone(lines, zones)
    _geos_only(monkeypatch)
    _assert_same_split(fast, split_by_zone(lines, zones))


def test_split_is_the_same_whatever_the_batch(zones):
    """Legs are independent: splitting slices of the ledger gives the same rows, exactly."""
    lines = _global_legs(300, seed=9)
    whole = split_by_zone(lines, zones)
    parts = [split_by_zone(lines.iloc[i : i + 70], zones) for i in range(0, len(lines), 70)]
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole)
    assert (shapely.get_type_id(whole.geometry.values) == 5).any()  # multi-part stretches in


# A zone around Fiji and Tonga, 170E to 170W, drawn three ways.
_UNSPLIT_RING = [[172, -20], [-172, -20], [-172, -14], [172, -14], [172, -20]]
_PAST_180 = [[172, -20], [188, -20], [188, -14], [172, -14], [172, -20]]
_SPLIT = [
    [[[172, -20], [180, -20], [180, -14], [172, -14], [172, -20]]],
    [[[-180, -20], [-172, -20], [-172, -14], [-180, -14], [-180, -20]]],
]


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ({"type": "Polygon", "coordinates": [_UNSPLIT_RING]}, "jumps across the antimeridian"),
        ({"type": "Polygon", "coordinates": [_PAST_180]}, "drawn across the antimeridian"),
        ({"type": "MultiPolygon", "coordinates": _SPLIT}, None),
    ],
)
def test_zone_across_antimeridian_must_be_split(tmp_path, geometry, message):
    props = {C.ZONE_ID: "fj", C.ZONE_COUNTRY: "FJ", "geometry": geometry}
    path = _write(tmp_path, [_feature(**props)])
    if message is None:
        zones = read_zones(path)
        # The split zone holds Suva's longitude on both sides, not the world between.
        geom = zones.geometry.iloc[0]
        assert geom.contains(shapely.Point(178.4, -18.1))
        assert geom.contains(shapely.Point(-175.2, -15.0))
        assert not geom.contains(shapely.Point(0.0, -17.0))
        return
    with pytest.raises(ZonesError) as err:
        read_zones(path)
    (problem,) = [p for p in err.value.problems if p.column == "geometry"]
    assert problem.feature == 0
    assert message in str(err.value)
    assert "split it at +-180" in str(err.value) or "split the polygon at +-180" in str(err.value)
