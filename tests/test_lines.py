from __future__ import annotations

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import columns as col
from geo import lines as gl
from geo import settings as cfg
from geo.lines import arrowheads, geodesic_lines, leg_midpoints, split_antimeridian

GEOD = pyproj.Geod(ellps="WGS84")
NAN = float("nan")

# Approximate coordinates (lon, lat) of canonical places.
ZUWARA_AIRPORT = (12.0161, 32.9527)
RAMSTEIN_AB = (7.6003, 49.4369)
KHMEIMIM_AB = (35.9486, 35.4011)
EASTERN_LIBYA = (21.8, 31.2)
VLADIVOSTOK = (131.8869, 43.1155)
ANCHORAGE = (-149.9003, 61.2181)


def make_legs(rows: list[tuple]) -> pd.DataFrame:
    """rows: (transfer, leg, (lon, lat) | None, (lon, lat) | None[, from_prec, to_prec])."""
    recs = []
    for r in rows:
        tid, leg, a, b = r[:4]
        fp, tp = r[4:6] if len(r) > 4 else ("site", "site")
        recs.append(
            {
                col.TRANSFER_ID: tid,
                col.LEG: leg,
                col.FROM_LON: NAN if a is None else a[0],
                col.FROM_LAT: NAN if a is None else a[1],
                col.TO_LON: NAN if b is None else b[0],
                col.TO_LAT: NAN if b is None else b[1],
                col.FROM_UNKNOWN: a is None,
                col.TO_UNKNOWN: b is None,
                col.FROM_PRECISION: None if a is None else fp,
                col.TO_PRECISION: None if b is None else tp,
                col.NOTE: f"row {tid}/{leg}",
            }
        )
    return pd.DataFrame(recs)


def check_geodesic(line: shapely.LineString, a, b, spacing_km=cfg.VERTEX_SPACING_KM) -> None:
    """The line is the densified geodesic from a to b (continuous longitudes)."""
    xy = shapely.get_coordinates(line)
    assert tuple(xy[0]) == (a[0], a[1])
    assert xy[-1, 1] == b[1]
    assert xy[-1, 0] == pytest.approx(b[0] + 360 * round((xy[-1, 0] - b[0]) / 360), abs=1e-9)
    # < 180 deg between vertices, except exactly 180 straight over a pole.
    assert np.all(np.abs(np.diff(xy[:, 0])) <= 180.0 + 1e-9)
    _, _, total = GEOD.inv(a[0], a[1], b[0], b[1])
    n = len(xy)
    _, _, d1 = GEOD.inv(np.full(n, a[0]), np.full(n, a[1]), xy[:, 0], xy[:, 1])
    _, _, d2 = GEOD.inv(xy[:, 0], xy[:, 1], np.full(n, b[0]), np.full(n, b[1]))
    # Every vertex on the geodesic: start->v->end is no longer than the leg.
    assert np.max(np.abs(d1 + d2 - total)) < 1.0
    # Gaps never exceed the spacing, and the polyline adds up to the length.
    _, _, gaps = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
    assert np.max(gaps, initial=0.0) <= spacing_km * 1000 + 1e-6
    assert np.sum(gaps) == pytest.approx(total, abs=1e-3)


CANONICAL = {
    "zuwara-ramstein": (ZUWARA_AIRPORT, RAMSTEIN_AB, (1800, 2000)),
    "khmeimim-eastern-libya": (KHMEIMIM_AB, EASTERN_LIBYA, (1300, 1500)),
    "vladivostok-anchorage": (VLADIVOSTOK, ANCHORAGE, (5300, 5400)),
    "near-polar": ((0.0, 89.9), (170.0, 89.5), (50, 70)),
    "from-the-pole": ((10.0, 90.0), (20.0, 80.0), (1110, 1120)),
    "over-the-pole": ((0.0, 89.99), (180.0, 89.99), (2, 3)),
    "near-antipodal": ((0.0, 0.0), (179.7, 0.2), (19900, 20010)),
    "near-antipodal-2": ((10.0, 30.0), (-170.2, -29.9), (19900, 20010)),
    "equatorial": ((-10.0, 0.0), (40.0, 0.0), (5560, 5570)),
    "meridian": ((30.0, -60.0), (30.0, 60.0), (13300, 13350)),
}


@pytest.mark.parametrize("case", CANONICAL, ids=list(CANONICAL))
def test_canonical_legs(case):
    a, b, (lo, hi) = CANONICAL[case]
    out = geodesic_lines(make_legs([("T", 1, a, b)]))
    row = out.iloc[0]
    az, _, dist = GEOD.inv(*a, *b)
    assert row[col.LENGTH_KM] == pytest.approx(dist / 1000, abs=1e-9)
    assert lo <= row[col.LENGTH_KM] <= hi
    assert row[col.BEARING] == pytest.approx(az % 360, abs=1e-9)
    assert 0 <= row[col.BEARING] < 360
    assert row[col.TRANSFER_KM] == row[col.LENGTH_KM]
    assert not row[col.UNCERTAIN] and not row[col.ZERO_LENGTH] and not row[col.ESTIMATED]
    check_geodesic(row.geometry, a, b)


@pytest.mark.parametrize("case", ["zuwara-ramstein", "near-antipodal", "vladivostok-anchorage"])
def test_vertices_match_geod_fwd(case):
    # Stricter than the triangle check: each vertex is the point Geod.fwd
    # puts at the same distance along the leg, to within a millimetre.
    a, b, _ = CANONICAL[case]
    line = geodesic_lines(make_legs([("T", 1, a, b)])).geometry.iloc[0]
    xy = shapely.get_coordinates(line)
    az, _, _ = GEOD.inv(*a, *b)
    n = len(xy)
    _, _, along = GEOD.inv(np.full(n, a[0]), np.full(n, a[1]), xy[:, 0], xy[:, 1])
    fx, fy, _ = GEOD.fwd(np.full(n, a[0]), np.full(n, a[1]), np.full(n, az), along)
    _, _, err = GEOD.inv(fx, fy, xy[:, 0], xy[:, 1])
    assert err.max() < 1e-3


def test_antimeridian_leg_is_continuous_then_split():
    out = geodesic_lines(make_legs([("T", 1, VLADIVOSTOK, ANCHORAGE)]))
    xy = shapely.get_coordinates(out.geometry.iloc[0])
    assert xy[:, 0].max() > 180  # continuous for Leaflet
    assert xy[-1, 0] == pytest.approx(ANCHORAGE[0] + 360)
    split = split_antimeridian(out).geometry.iloc[0]
    assert split.geom_type == "MultiLineString"
    west, east = split.geoms
    assert west.coords[-1][0] == 180.0 and east.coords[0][0] == -180.0
    assert west.coords[-1][1] == east.coords[0][1]
    # Crossing latitude interpolated between the vertices either side.
    (x0, y0), (x1, y1) = west.coords[-2], east.coords[1]
    x1 += 360
    assert west.coords[-1][1] == pytest.approx(y0 + (180 - x0) / (x1 - x0) * (y1 - y0))
    b = shapely.bounds(split)
    assert b[0] >= -180 and b[2] <= 180
    assert east.coords[-1] == pytest.approx(ANCHORAGE, abs=1e-9)
    # Splitting again changes nothing; an empty frame splits to an empty frame.
    again = split_antimeridian(split_antimeridian(out)).geometry.iloc[0]
    assert again.equals_exact(split, 0)
    assert len(split_antimeridian(out.iloc[:0])) == 0


def test_zero_length_leg_kept_and_flagged():
    out = geodesic_lines(make_legs([("T", 1, KHMEIMIM_AB, KHMEIMIM_AB)]))
    row = out.iloc[0]
    assert row[col.ZERO_LENGTH] and row[col.LENGTH_KM] == 0.0
    assert np.isnan(row[col.BEARING])
    assert row.geometry.geom_type == "LineString"
    assert list(row.geometry.coords) == [KHMEIMIM_AB, KHMEIMIM_AB]
    assert len(arrowheads(out)) == 0 and len(leg_midpoints(out)) == 0
    assert split_antimeridian(out).geometry.iloc[0].equals(row.geometry)


def test_unknown_middle_stop_drawn_between_known_neighbours():
    legs = make_legs([("T", 1, KHMEIMIM_AB, None), ("T", 2, None, EASTERN_LIBYA)])
    out = geodesic_lines(legs)
    assert len(out) == 2
    assert out[col.UNCERTAIN].all() and out[col.ESTIMATED].all()
    est = (out[col.TO_EST_LON].iloc[0], out[col.TO_EST_LAT].iloc[0])
    assert est == (out[col.FROM_EST_LON].iloc[1], out[col.FROM_EST_LAT].iloc[1])
    assert np.isnan(out[col.FROM_EST_LON].iloc[0]) and np.isnan(out[col.TO_EST_LON].iloc[1])
    _, _, whole = GEOD.inv(*KHMEIMIM_AB, *EASTERN_LIBYA)
    _, _, first = GEOD.inv(*KHMEIMIM_AB, *est)
    _, _, second = GEOD.inv(*est, *EASTERN_LIBYA)
    assert first == pytest.approx(whole / 2, abs=1e-3)
    assert second == pytest.approx(whole / 2, abs=1e-3)
    assert out[col.TRANSFER_KM].iloc[0] == pytest.approx(whole / 1000, abs=1e-6)
    check_geodesic(out.geometry.iloc[0], KHMEIMIM_AB, est)
    check_geodesic(out.geometry.iloc[1], est, EASTERN_LIBYA)
    # The ledger's own coordinates are untouched.
    assert out[col.TO_LON].isna().iloc[0] and out[col.FROM_LON].isna().iloc[1]


def test_two_unknown_stops_at_thirds():
    legs = make_legs(
        [("T", 1, ZUWARA_AIRPORT, None), ("T", 2, None, None), ("T", 3, None, RAMSTEIN_AB)]
    )
    out = geodesic_lines(legs)
    _, _, whole = GEOD.inv(*ZUWARA_AIRPORT, *RAMSTEIN_AB)
    assert out[col.LENGTH_KM].to_numpy() * 1000 == pytest.approx([whole / 3] * 3, abs=1e-3)
    assert out[col.ESTIMATED].all()


def test_unknown_stop_without_known_neighbour():
    legs = make_legs(
        [
            ("A", 1, None, ZUWARA_AIRPORT),  # nothing before the unknown origin
            ("A", 2, ZUWARA_AIRPORT, RAMSTEIN_AB),
            ("B", 1, KHMEIMIM_AB, None),  # nothing after, and B's neighbour is another transfer
            ("C", 1, None, EASTERN_LIBYA),
        ]
    )
    out = geodesic_lines(legs)
    assert len(out) == 4
    assert out.geometry.isna().tolist() == [True, False, True, True]
    assert out[col.UNCERTAIN].tolist() == [True, False, True, True]
    assert out[col.LENGTH_KM].isna().tolist() == [True, False, True, True]
    assert not out[col.ESTIMATED].any()
    _, _, d = GEOD.inv(*ZUWARA_AIRPORT, *RAMSTEIN_AB)
    assert out[col.TRANSFER_KM].tolist()[:2] == pytest.approx([d / 1000] * 2)
    assert np.isnan(out[col.TRANSFER_KM].iloc[2])
    assert split_antimeridian(out).geometry.isna().tolist() == [True, False, True, True]


@pytest.mark.parametrize(
    ("from_prec", "to_prec", "unknown_at_area", "uncertain"),
    [
        ("site", "site", False, False),
        ("city", "site", False, False),
        ("site", "region", False, True),
        ("country", "site", False, True),
        ("region", "site", True, True),  # "?unnamed base @ western_libya"
    ],
)
def test_uncertain_flag(from_prec, to_prec, unknown_at_area, uncertain):
    legs = make_legs([("T", 1, EASTERN_LIBYA, KHMEIMIM_AB, from_prec, to_prec)])
    legs[col.FROM_UNKNOWN] = unknown_at_area
    out = geodesic_lines(legs)
    assert bool(out[col.UNCERTAIN].iloc[0]) is uncertain
    assert not out[col.ESTIMATED].iloc[0]
    assert out.geometry.iloc[0] is not None


def test_rows_index_columns_and_order_preserved():
    legs = make_legs(
        [
            ("T2", 2, KHMEIMIM_AB, None),
            ("T1", 1, ZUWARA_AIRPORT, RAMSTEIN_AB),
            ("T2", 3, None, EASTERN_LIBYA),
            ("T2", 1, VLADIVOSTOK, KHMEIMIM_AB),
        ]
    )
    legs.index = [40, 10, 30, 20]
    out = geodesic_lines(legs)
    assert list(out.index) == [40, 10, 30, 20]
    assert list(out.columns[: len(legs.columns)]) == list(legs.columns)
    pd.testing.assert_frame_equal(pd.DataFrame(out[legs.columns]), legs)
    assert out.crs.to_epsg() == 4326
    # T2's unknown stop sits between leg 2's origin and leg 3's destination.
    _, _, d = GEOD.inv(*KHMEIMIM_AB, out.loc[40, col.TO_EST_LON], out.loc[40, col.TO_EST_LAT])
    _, _, whole = GEOD.inv(*KHMEIMIM_AB, *EASTERN_LIBYA)
    assert d == pytest.approx(whole / 2, abs=1e-3)
    t2 = out[out[col.TRANSFER_ID] == "T2"]
    assert (t2[col.TRANSFER_KM] == t2[col.LENGTH_KM].sum()).all()


def test_empty_and_missing_columns():
    empty = geodesic_lines(
        make_legs([]).reindex(columns=make_legs([("T", 1, (0, 0), (1, 1))]).columns)
    )
    assert len(empty) == 0 and col.LENGTH_KM in empty.columns
    with pytest.raises(ValueError, match="from_lon"):
        geodesic_lines(make_legs([("T", 1, (0, 0), (1, 1))]).drop(columns=col.FROM_LON))


def test_chunked_threaded_result_is_identical(monkeypatch):
    rng = np.random.default_rng(3)
    n = 300
    pts = rng.uniform([-180, -90], [180, 90], size=(2 * n, 2))
    legs = make_legs([("T", i, tuple(pts[2 * i]), tuple(pts[2 * i + 1])) for i in range(n)])
    whole = geodesic_lines(legs)
    monkeypatch.setattr(gl, "_CHUNK_VERTICES", 500)
    chunked = geodesic_lines(legs)
    assert list(shapely.to_wkb(whole.geometry.to_numpy())) == list(
        shapely.to_wkb(chunked.geometry.to_numpy())
    )


def test_spacing_is_honoured():
    out = geodesic_lines(make_legs([("T", 1, ZUWARA_AIRPORT, RAMSTEIN_AB)]), spacing_km=5)
    check_geodesic(out.geometry.iloc[0], ZUWARA_AIRPORT, RAMSTEIN_AB, spacing_km=5)
    assert len(out.geometry.iloc[0].coords) >= 1877 / 5


def test_split_leaves_ordinary_lines_alone():
    out = geodesic_lines(make_legs([("T", 1, ZUWARA_AIRPORT, RAMSTEIN_AB)]))
    split = split_antimeridian(out)
    assert split.geometry.iloc[0].equals_exact(out.geometry.iloc[0], 0)
    assert list(split.columns) == list(out.columns)


def test_split_line_along_180_over_the_pole_is_not_shredded():
    out = geodesic_lines(make_legs([("T", 1, (0.0, 89.99), (180.0, 89.99))]))
    split = split_antimeridian(out).geometry.iloc[0]
    assert shapely.get_num_geometries(split) <= 2
    b = shapely.bounds(split)
    assert b[0] >= -180 and b[2] <= 180 and b[3] == 90.0


def test_arrowheads_and_midpoints():
    legs = make_legs(
        [
            ("T", 1, ZUWARA_AIRPORT, RAMSTEIN_AB),
            ("T", 2, RAMSTEIN_AB, RAMSTEIN_AB),
            ("U", 1, (170.0, 50.0), (-169.6, 50.0)),
        ]
    )
    lines = geodesic_lines(legs)
    arrows = arrowheads(lines)
    assert list(arrows.index) == [0, 2]  # no arrow on the zero-length leg
    assert shapely.is_valid(arrows.geometry.to_numpy()).all()
    mids = leg_midpoints(lines)
    _, _, d = GEOD.inv(*ZUWARA_AIRPORT, *RAMSTEIN_AB)
    _, _, d1 = GEOD.inv(*ZUWARA_AIRPORT, mids.geometry.iloc[0].x, mids.geometry.iloc[0].y)
    assert d1 == pytest.approx(d / 2, abs=1e-3)
    assert mids.geometry.iloc[1].x == pytest.approx(180.2, abs=1e-3)  # continuous
    # The arrow across the date line is cut into two pieces for GeoJSON.
    split = split_antimeridian(arrows).geometry
    assert split.iloc[1].geom_type == "MultiPolygon"
    assert (split.bounds.minx >= -180).all() and (split.bounds.maxx <= 180).all()
    assert split.iloc[1].area == pytest.approx(arrows.geometry.iloc[1].area, rel=1e-9)
    end = arrowheads(lines, position="end")
    tip = shapely.get_coordinates(end.geometry.iloc[0])[0]
    assert tuple(tip) == RAMSTEIN_AB
    with pytest.raises(ValueError, match="position"):
        arrowheads(lines, position=1.5)


# --- properties --------------------------------------------------------------

lon = st.floats(-180, 180, allow_nan=False)
lat = st.floats(-90, 90, allow_nan=False)
point = st.tuples(lon, lat)
leg_lists = st.lists(st.tuples(point, point), min_size=1, max_size=8)
PROPS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _lines(pairs):
    return geodesic_lines(make_legs([("T", i, a, b) for i, (a, b) in enumerate(pairs)]))


@PROPS
@given(leg_lists)
def test_prop_endpoints_exact(pairs):
    out = _lines(pairs)
    for (a, b), g in zip(pairs, out.geometry, strict=True):
        xy = shapely.get_coordinates(g)
        assert tuple(xy[0]) == a
        assert xy[-1, 1] == b[1]
        k = round((xy[-1, 0] - b[0]) / 360)
        if k == 0:
            assert xy[-1, 0] == b[0]
        else:
            assert abs(k) == 1 and xy[-1, 0] == pytest.approx(b[0] + 360 * k, abs=1e-9)


@PROPS
@given(leg_lists)
def test_prop_vertices_on_geodesic_and_lengths(pairs):
    out = _lines(pairs)
    for (a, b), g, km in zip(pairs, out.geometry, out[col.LENGTH_KM], strict=True):
        _, _, d = GEOD.inv(*a, *b)
        assert km == pytest.approx(d / 1000, abs=1e-9)
        check_geodesic(g, a, b)


@PROPS
@given(leg_lists)
def test_prop_antimeridian_split_reassembles(pairs):
    out = _lines(pairs)
    split = split_antimeridian(out)
    for g, s in zip(out.geometry, split.geometry, strict=True):
        b = shapely.bounds(s)
        assert b[0] >= -180 and b[2] <= 180
        orig = shapely.get_coordinates(g)
        # Shift each piece back by the multiple of 360 deg that lays it on
        # the original; together the pieces must trace the original line.
        pieces = []
        for part in shapely.get_parts(s):
            x0, y0 = shapely.get_coordinates(part)[0]
            k = min(
                (0, -1, 1), key=lambda k: np.hypot(orig[:, 0] - x0 - 360 * k, orig[:, 1] - y0).min()
            )
            pieces.append(shapely.transform(part, lambda c, k=k: np.add(c, [360.0 * k, 0])))
        back = shapely.MultiLineString(pieces)
        assert shapely.hausdorff_distance(back, g) < 1e-7
        assert shapely.hausdorff_distance(g, back) < 1e-7
        assert back.length == pytest.approx(g.length, abs=1e-7)
        assert len(shapely.get_coordinates(back)) >= len(orig)


@PROPS
@given(st.tuples(point, point), st.sampled_from([0.5, 0.25, "end"]))
def test_prop_arrow_points_along_leg(pair, position):
    a, b = pair
    out = _lines([pair])
    if out[col.ZERO_LENGTH].iloc[0]:
        assert len(arrowheads(out, position=position)) == 0
        return
    arrow = arrowheads(out, position=position)
    ring = shapely.get_coordinates(arrow.geometry.iloc[0])
    tip, notch = ring[0], ring[2]
    # The tip is the point at that fraction of the geodesic ...
    _, _, d = GEOD.inv(*a, *b)
    _, _, along = GEOD.inv(*a, *tip)
    frac = 1.0 if position == "end" else position
    assert along == pytest.approx(frac * d, abs=1e-3)
    # ... and the arrow points along the geodesic there: from notch to tip.
    _, back_az, size = GEOD.inv(*notch, *tip)
    bearing = arrow[col.ARROW_BEARING].iloc[0]
    _, _, leg_az = GEOD.fwd(*a, GEOD.inv(*a, *b)[0], frac * d)
    if size > 0 and abs(tip[1]) < 89.9:
        for az in (back_az + 180, leg_az + 180):  # azimuths at the tip
            assert abs((az - bearing + 180) % 360 - 180) < 1e-6
    if position != "end" and 0.1 * d > 100:
        # Away from the end, the destination is closer to the tip than to the notch.
        _, _, dt = GEOD.inv(*tip, *b)
        _, _, dn = GEOD.inv(*notch, *b)
        assert dt < dn


@pytest.mark.parametrize(
    ("coords", "want"),
    [
        # A ring cut at +180: the edge along the meridian goes, the rest stays in order.
        ([(170, 60), (180, 60), (180, 70), (170, 70), (170, 60)],
         [[(170, 60), (180, 60)], [(180, 70), (170, 70), (170, 60)]]),
        # The same at -180, the cut in the middle of the line: two runs.
        ([(-170, 60), (-180, 60), (-180, 65), (-180, 70), (-170, 70)],
         [[(-170, 60), (-180, 60)], [(-180, 70), (-170, 70)]]),
        # A line crossing 180 (no edge along it) and one along another meridian: kept.
        ([(179, 60), (-179, 61)], None),
        ([(10, 60), (10, 70)], None),
    ],
)
def test_drop_cut_edges(coords, want) -> None:
    from geo.antimeridian import drop_cut_edges

    line = shapely.LineString(coords)
    got = drop_cut_edges(line)
    if want is None:
        assert got is line
        return
    assert [list(map(tuple, shapely.get_coordinates(p))) for p in shapely.get_parts(got)] == [
        [tuple(map(float, v)) for v in run] for run in want
    ]
