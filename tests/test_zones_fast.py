"""The segment-array path of the split (issue 15): crossings shared, stretches, its pieces.

``tests/test_zones.py`` checks the whole split against per-leg GEOS
intersections and the GEOS path; these tests pin down the pieces added to
make it fast: crossings found once for attribute_legs and split_by_zone,
legs wholly outside or inside a zone kept as their own line objects, the
chunk boxes, km of stretches and ``CROSSES_FRONT``.
"""

import gc
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from test_zones import legs_between

from geo import columns as C  # noqa: N812
from geo import settings
from geo.zones import _crossings, _fast, _shared, attribute_legs, read_zones, split_by_zone
from geo.zones._common import no_gc
from geo.zones._legs import _OPPOSING, _crosses_front
from geo.zones._stretches import Stretches, Vertices, geodesic_m, piece_km, pieces

GEOD = Geod(ellps=settings.ELLPS)


@pytest.fixture(scope="module")
def zones() -> gpd.GeoDataFrame:
    return read_zones(Path(__file__).resolve().parent.parent / settings.ZONES_FILE)


def _lines(pairs, day="2020-05-19", span=0):
    """geodesic_lines between (lon, lat) pairs, all dated ``day``."""
    a = np.array([p for p, _ in pairs], dtype=float)
    b = np.array([q for _, q in pairs], dtype=float)
    start = pd.Timestamp(day)
    return legs_between(a, b, start, start + pd.Timedelta(days=span), prefix="F")


def _random_lines(n, seed):
    rng = np.random.default_rng(seed)
    glob = rng.random((n, 2)) < 0.2
    lon = np.where(glob, rng.uniform(-180, 180, (n, 2)), rng.uniform(-10, 60, (n, 2)))
    lat = np.where(glob, rng.uniform(-60, 75, (n, 2)), rng.uniform(10, 60, (n, 2)))
    lines = _lines([((lon[i, 0], lat[i, 0]), (lon[i, 1], lat[i, 1])) for i in range(n)])
    days = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 7 * 365, n), unit="D")
    lines[C.DATE_START] = days
    lines[C.DATE_END] = days + pd.to_timedelta(rng.choice([0, 30], n), unit="D")
    return lines


@pytest.fixture
def count_meetings(monkeypatch):
    """How many batches the crossing finder ran on."""
    calls = []
    real = _shared.meetings

    def counted(*args, **kw):
        calls.append(len(args[0]))
        return real(*args, **kw)

    monkeypatch.setattr(_shared, "meetings", counted)
    _shared.forget()
    yield calls
    _shared.forget()


# --- crossings found once ------------------------------------------------------------


def test_crossings_reused_give_the_rows_recomputing_gives(zones, count_meetings):
    lines = _random_lines(300, seed=1)
    attributed = attribute_legs(lines, zones)
    found = len(count_meetings)
    assert found >= 1
    reused = split_by_zone(lines, zones)
    assert len(count_meetings) == found  # split_by_zone found none again
    # the split released what it used: a second one finds the crossings again
    assert_frame = pd.testing.assert_frame_equal
    assert_frame(split_by_zone(lines, zones), reused)
    assert len(count_meetings) == 2 * found
    # the copy attribute_legs returns holds the same geometries: reused too
    _shared.forget()
    attributed = attribute_legs(lines, zones)
    assert_frame(split_by_zone(attributed, zones), reused)
    assert len(count_meetings) == 3 * found
    _shared.forget()
    fresh = split_by_zone(lines, zones)
    assert len(count_meetings) == 4 * found
    assert_frame(reused, fresh)
    assert (reused[C.ZONE_ID].notna()).sum() > 50


def test_crossings_not_reused_for_other_geometries_or_dates(zones, count_meetings):
    lines = _random_lines(120, seed=2)
    attribute_legs(lines, zones)
    found = len(count_meetings)
    # one leg redrawn: another geometry object
    moved = lines.copy()
    geoms = moved.geometry.to_numpy().copy()
    geoms[0] = shapely.LineString([(13.19, 32.89), (20.07, 32.12)])  # Tripoli - Benghazi
    moved = moved.set_geometry(gpd.GeoSeries(geoms, crs=lines.crs))
    got = split_by_zone(moved, zones)
    assert len(count_meetings) == 2 * found
    _shared.forget()
    pd.testing.assert_frame_equal(got, split_by_zone(moved, zones))
    # same geometries, other first days
    attribute_legs(lines, zones)
    n_before = len(count_meetings)
    later = lines.copy()
    later[C.DATE_START] = later[C.DATE_START] + pd.Timedelta(days=400)
    later[C.DATE_END] = later[C.DATE_END] + pd.Timedelta(days=400)
    got = split_by_zone(later, zones)
    assert len(count_meetings) > n_before
    _shared.forget()
    pd.testing.assert_frame_equal(got, split_by_zone(later, zones))


def test_crossings_not_reused_after_geometry_changed_in_place(zones, count_meetings):
    lines = _random_lines(60, seed=3)
    attribute_legs(lines, zones)
    found = len(count_meetings)
    arr = np.asarray(lines.geometry.array, dtype=object)
    arr[1] = shapely.LineString([(12.0, 32.9), (16.6, 31.2)])  # the frame's own array, changed
    got = split_by_zone(lines, zones)
    assert len(count_meetings) == 2 * found
    assert got.loc[got[C.TRANSFER_ID] == "F1", C.ZONE_ID].notna().any()


def test_remembered_crossings_are_dropped_with_their_frames(zones, count_meetings):
    lines = _random_lines(40, seed=4)
    legs = attribute_legs(lines, zones)
    assert len(_shared._ENTRIES) == 1
    del lines
    gc.collect()
    assert len(_shared._ENTRIES) == 1  # the returned copy still holds the geometries
    del legs
    gc.collect()
    assert _shared._ENTRIES == []


# --- whole legs kept as they are -----------------------------------------------------


def test_leg_outside_every_zone_keeps_its_own_line(zones):
    # Atlantic, Reykjavik to the Azores; and Lisbon to Madrid (no zone there)
    lines = _lines([((-21.9, 64.1), (-25.7, 37.7)), ((-9.1, 38.7), (-3.7, 40.4))])
    seg = split_by_zone(lines, zones)
    assert seg[C.FACTION].tolist() == [C.OUTSIDE_ZONES] * 2
    assert seg[C.ZONE_ID].isna().all()
    for got, line in zip(seg.geometry.values, lines.geometry.values, strict=True):
        assert got is line  # no copy
    np.testing.assert_allclose(seg[C.SEGMENT_KM], lines[C.LENGTH_KM], rtol=1e-12)


def test_leg_inside_one_zone_keeps_its_own_line(zones):
    # Misrata to Tripoli on 2020-05-19: both in the GNA zone, the whole way
    lines = _lines([((15.093, 32.375), (13.1914, 32.8872))])
    seg = split_by_zone(lines, zones)
    assert len(seg) == 1
    assert seg[C.ZONE_ID].item() == "ly-west-2019-03-01"
    assert seg.geometry.values[0] is lines.geometry.values[0]
    assert seg[C.SEGMENT_KM].item() == lines[C.LENGTH_KM].item()


def test_antimeridian_leg_across_russia_same_as_geos(zones, monkeypatch):
    # Anadyr to Nome and Petropavlovsk to Anchorage cross 180 deg; Russia on one side
    pairs = [((177.5, 64.7), (-165.4, 64.5)), ((158.6, 53.0), (-149.9, 61.2))]
    lines = _lines(pairs, day="2021-01-01")
    bounds = shapely.bounds(lines.geometry.values)
    assert (bounds[:, 2] > 180).all()
    fast = split_by_zone(lines, zones)
    assert (fast[C.FACTION] == "Russia").sum() == 2
    _shared.forget()
    import geo.zones.split as split

    monkeypatch.setattr(split, "segments_batch", _fast.geos_batch)
    slow = split_by_zone(lines, zones)
    cols = [c for c in fast.columns if c not in ("geometry", C.SEGMENT_KM)]
    pd.testing.assert_frame_equal(fast[cols], slow[cols])
    np.testing.assert_allclose(fast[C.SEGMENT_KM], slow[C.SEGMENT_KM], rtol=1e-5)
    _shared.forget()


# --- pieces ---------------------------------------------------------------------------


def test_chunk_boxes_hold_every_vertex_of_their_chunk():
    rng = np.random.default_rng(0)
    for n in (2, 3, 8, 9, 10, 17, 100, 1001):
        xy = rng.uniform(-50, 50, (n, 2))
        lo, hi = _crossings._chunk_boxes(xy)
        k = _crossings._CHUNK
        assert len(lo) == -(-(n - 1) // k)
        for j in range(len(lo)):
            part = xy[j * k : min(j * k + k, n - 1) + 1]
            np.testing.assert_array_equal(lo[j], part.min(axis=0))
            np.testing.assert_array_equal(hi[j], part.max(axis=0))


def _random_stretch(rng, v, p, starts):
    """A random stretch along part ``p`` of ``v`` (a row of Stretches): from a
    random point or one of the fractions ``starts`` of a segment to a random
    point or the end of a later (or the same) segment."""
    nseg = v.nseg[p]
    k0, k1 = np.sort(rng.integers(0, nseg, 2))
    t0, t1 = rng.random(2)
    t0 = rng.choice([t0, *starts])
    t1 = rng.choice([t1, 1.0])
    if k0 == k1 and t1 <= t0:
        t0, t1 = t1, t0
    a, b = v.xy[v.head[p] + k0], v.xy[v.head[p] + k0 + 1]
    c, d = v.xy[v.head[p] + k1], v.xy[v.head[p] + k1 + 1]
    return (p, k0, t0, *(a + t0 * (b - a)), k1, t1, *(c + t1 * (d - c)))


def test_piece_km_is_the_sum_over_vertices():
    lines = _lines([((-5.0, 36.0), (40.0, 55.0)), ((10.0, 10.0), (12.0, 11.0))])
    parts = np.asarray(lines.geometry.values)
    nseg = shapely.get_num_coordinates(parts) - 1
    v = Vertices.of(parts, np.arange(2), nseg)
    rng = np.random.default_rng(1)
    rows = [_random_stretch(rng, v, p, (0.0,)) for p in range(2) for _ in range(40)]
    cols = list(zip(*rows, strict=True))
    st = Stretches(*(np.array(c) for c in cols))
    got = piece_km(v, st)
    want = np.array([GEOD.geometry_length(g) / 1000 for g in pieces(v, st)])
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


def test_compiled_gaps_match_numpy():
    # The stretches outside zones (gaps between stretches inside, which may
    # overlap, nest or touch; slivers dropped) from the compiled pass and
    # from numpy: the same gaps, in the same order, bit for bit.
    from geo.zones._outside_fast import _gaps, _gaps_numpy

    lines = _lines([((-5.0, 36.0), (40.0, 55.0)), ((10.0, 10.0), (12.0, 11.0)),
                    ((30.0, 30.0), (31.0, 30.5))])  # fmt: skip
    parts = np.asarray(lines.geometry.values)
    nseg = shapely.get_num_coordinates(parts) - 1
    v = Vertices.of(parts, np.arange(3), nseg)
    rng = np.random.default_rng(3)
    for trial in range(30):
        rows = []
        for p in rng.permutation(3)[: rng.integers(1, 4)]:
            for _ in range(rng.integers(1, 6)):
                rows.append(_random_stretch(rng, v, p, (0.0, 1e-12)))
        if trial % 3 == 0:  # a stretch ending a hair before the next starts: a sliver gap
            p, *_, k1, t1, x1, y1 = rows[0]
            rows.append((p, k1, t1 + 1e-12 if t1 < 0.5 else t1, x1, y1, k1, min(t1 + 0.1, 1.0),
                         x1, y1))  # fmt: skip
        cols = list(zip(*rows, strict=True))
        st = Stretches(*(np.array(c) for c in cols))
        got, got_p0 = _gaps(v, st)
        want, want_p0 = _gaps_numpy(v, st)
        for name in Stretches.__dataclass_fields__:
            np.testing.assert_array_equal(getattr(got, name), getattr(want, name))
        np.testing.assert_array_equal(got_p0, want_p0)


def test_compiled_geodesic_distance_matches_pyproj():
    # Vincenty's inverse in numba (piece_km) against Karney's (pyproj): short
    # pieces like a split's, long lines, poles, equal points and nearly
    # antipodal pairs (where Vincenty does not converge: solved by pyproj).
    rng = np.random.default_rng(4)
    n = 20_000
    x1, y1 = rng.uniform(-180, 180, n), rng.uniform(-89.9, 89.9, n)
    far = rng.random(n) < 0.5
    x2 = np.where(far, rng.uniform(-180, 180, n), x1 + rng.normal(0, 0.2, n))
    y2 = np.where(far, rng.uniform(-90, 90, n), np.clip(y1 + rng.normal(0, 0.2, n), -90, 90))
    x2[:50], y2[:50] = x1[:50] + 179.9 + rng.uniform(0, 0.2, 50), -y1[:50]  # antipodal
    y1[50:60], y2[60:70] = 90.0, -90.0
    x2[70:80], y2[70:80] = x1[70:80], y1[70:80]
    x2[80:90], y2[80:90] = x1[80:90] + 1e-9, y1[80:90]
    got = geodesic_m(x1, y1, x2, y2)
    want = GEOD.inv(x1, y1, x2, y2)[2]
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-4)
    np.testing.assert_array_equal(got[70:80], 0.0)
    # pieces up to 50 km (the arc from the chord): within 1e-8 m
    near = want <= 50_000
    assert near.sum() > n // 3
    np.testing.assert_allclose(got[near], want[near], rtol=0, atol=1e-8)


def test_crosses_front_matches_pairwise_factions(zones):
    rng = np.random.default_rng(2)
    n = 400
    rows = rng.integers(0, n, 1500)
    z = rng.integers(0, len(zones), 1500)
    got = _crosses_front(rows, z, zones, n)
    country = zones[C.ZONE_COUNTRY].to_numpy()
    faction = zones[C.FACTION].to_numpy()
    want = np.zeros(n, dtype=bool)
    for r in range(n):
        met = set(z[rows == r].tolist())
        for a in met:
            for b in met:
                fa, fb = faction[a], faction[b]
                if country[a] == country[b] and fa != fb:
                    want[r] |= "|".join(sorted((fa, fb))) in _OPPOSING
    assert (got == want).all() and want.any() and not want.all()


def test_no_gc_pauses_and_restores():
    assert gc.isenabled()
    with no_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with no_gc():
            pass
        assert not gc.isenabled()  # left as it was
    finally:
        gc.enable()


# --- compiled crossing finder (numba) --------------------------------------------


def _crossing_inputs(zones, lines):
    from geo.zones._common import _days

    batch = np.asarray(lines.geometry.values, dtype=object)
    batch = batch[shapely.get_type_id(batch) == 1]
    nseg = (shapely.get_num_coordinates(batch) - 1).astype(np.int64)
    s = _days(lines[C.DATE_START], open_end=False)[: len(batch)]
    zf = _days(zones[C.VALID_FROM], open_end=False)
    zt = _days(zones[C.VALID_TO], open_end=True)
    v = Vertices.of(batch, np.arange(len(batch)), nseg)
    return v, nseg, s, zf, zt


def _sorted_rows(got):
    cl, cz, ck, ct, cx, cy = got
    columns = (cl.tolist(), cz.tolist(), ck.tolist(), ct.tolist(), cx.tolist(), cy.tolist())
    rows = sorted(zip(*columns, strict=True))
    return rows


@pytest.mark.parametrize("seed", [3, 11])
def test_compiled_crossings_are_the_numpy_crossings_bit_for_bit(zones, seed, monkeypatch):
    """The numba loop finds the same crossings (exact floats) and hard legs as the numpy passes."""
    lines = _random_lines(1500, seed)
    # and legs through a boundary vertex and along the boundary (hard ones)
    poly = zones.geometry.iloc[0]
    ring = shapely.get_coordinates(
        poly.exterior if poly.geom_type == "Polygon" else poly.geoms[0].exterior
    )
    extra = _lines([((ring[0][0] - 2, ring[0][1] - 1), (ring[0][0] + 2, ring[0][1] + 1)),
                    (tuple(ring[1]), tuple(ring[2]))], day="2023-01-01")  # fmt: skip
    lines = pd.concat([extra, lines], ignore_index=True)
    v, nseg, s, zf, zt = _crossing_inputs(zones, lines)
    ed = _crossings._edges(zones)
    legs = np.arange(len(nseg))
    out = {}
    for compiled, threads in ((False, 1), (True, 1), (True, 2)):
        monkeypatch.setattr(_crossings, "thread_count", lambda most=None, n=threads: n)
        hard = np.zeros(len(nseg), dtype=bool)
        got = _crossings.segment_crossings(
            v.xy, v.head, nseg, legs, ed, s, zf, zt, hard, compiled=compiled
        )
        out[compiled, threads] = (_sorted_rows(got), hard.tolist())
    ref_rows, ref_hard = out[False, 1]
    assert len(ref_rows) > 300 and any(ref_hard)  # crossings and hard legs both tested
    assert out[True, 1] == (ref_rows, ref_hard)
    assert out[True, 2] == (ref_rows, ref_hard)


@pytest.mark.parametrize("seed", [3, 11])
def test_crossings_of_some_legs_only_are_theirs(zones, seed, monkeypatch):
    """Given some of the legs whose vertices ``xy`` holds (meetings passes the legs near an
    edge), both finders return those legs' crossings only, each on its own leg."""
    lines = _random_lines(1500, seed)
    v, nseg, s, zf, zt = _crossing_inputs(zones, lines)
    ed = _crossings._edges(zones)
    every = {}
    for compiled in (False, True):
        hard = np.zeros(len(nseg), dtype=bool)
        every[compiled] = _sorted_rows(_crossings.segment_crossings(
            v.xy, v.head, nseg, np.arange(len(nseg)), ed, s, zf, zt, hard, compiled=compiled))
    legs = np.flatnonzero(np.random.default_rng(seed).random(len(nseg)) < 0.5)
    want = [r for r in every[True] if r[0] in set(legs.tolist())]
    assert len(want) > 100
    for compiled in (False, True):
        monkeypatch.setattr(_crossings, "thread_count", lambda most=None: 1)
        hard = np.zeros(len(nseg), dtype=bool)
        got = _sorted_rows(_crossings.segment_crossings(
            v.xy, v.head, nseg, legs, ed, s, zf, zt, hard, compiled=compiled))
        assert got == want, f"compiled={compiled}"
        assert all(0 <= r[2] < nseg[r[0]] for r in got)  # a segment of the leg it is given to


def test_two_threads_give_the_one_thread_order(zones, monkeypatch):
    """Runs of legs on threads are joined in leg order: the same arrays, in the same order."""
    lines = _random_lines(2500, 5)
    v, nseg, s, zf, zt = _crossing_inputs(zones, lines)
    ed = _crossings._edges(zones)
    got = []
    for threads in (1, 2, 3):
        monkeypatch.setattr(_crossings, "thread_count", lambda most=None, n=threads: n)
        hard = np.zeros(len(nseg), dtype=bool)
        res = _crossings.segment_crossings(
            v.xy, v.head, nseg, np.arange(len(nseg)), ed, s, zf, zt, hard
        )
        got.append([a.tobytes() for a in res] + [hard.tobytes()])
    assert got[0] == got[1] == got[2]


def test_crosses_front_bitmask_is_the_pairwise_answer(zones):
    """CROSSES_FRONT from per-leg zone bitmasks equals a plain loop over each leg's zone pairs."""
    from geo.zones._legs import _opposing

    rng = np.random.default_rng(2)
    n = 400
    rows = rng.integers(0, n, 900)
    z = rng.integers(0, len(zones), 900)
    opp = _opposing(zones)
    met = {}
    for r, zz in zip(rows.tolist(), z.tolist(), strict=True):
        met.setdefault(r, set()).add(zz)
    want = np.zeros(n, dtype=bool)
    for r, zs in met.items():
        want[r] = any(opp[a, b] for a in zs for b in zs)
    got = _crosses_front(rows, z, zones, n)
    assert want.any() and not want.all()
    assert got.tolist() == want.tolist()


def test_numba_is_imported_only_when_legs_are_split():
    """Reading zones and attributing places does not load numba (CLI start-up); a small
    split neither (its numpy twins, geo/zones/_compiled.py); a split of enough work does."""
    import subprocess
    import sys

    code = (
        "import sys\nsys.path.insert(0, 'tests')\nimport numpy as np, pandas as pd\n"
        "from geo import settings\n"
        "from geo.zones import read_zones, places_faction, split_by_zone\n"
        "from test_zones import legs_between\n"
        "z = read_zones(settings.ZONES_FILE)\nday = pd.Timestamp('2020-05-19')\n"
        "lines = legs_between(np.array([[10.0, 30.0]]), np.array([[25.0, 31.0]]), day, day, "
        "prefix='T')\nprint('numba' in sys.modules)\n"
        "split_by_zone(lines, z)\nprint('numba' in sys.modules)\n"
        "import geo.zones._compiled as C\nC.COMPILED_MIN = 1\n"
        "split_by_zone(lines, z)\nprint('numba' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.split() == ["False", "False", "True"]
