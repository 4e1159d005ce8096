"""``engine="dask"``: lines and zones on dask partitions, same rows (issue 15)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geo import columns as C  # noqa: N812
from geo import settings
from geo.engine import lines_and_zones
from geo.paths import REPO_ROOT
from geo.zones import read_zones

distributed = pytest.importorskip("distributed")
pytest.importorskip("distributed")

LEGS_PER_TRANSFER = 3


@pytest.fixture(scope="module")
def zones():
    return read_zones(REPO_ROOT / settings.ZONES_FILE)


def multi_leg_legs(n: int, seed: int) -> pd.DataFrame:
    """``n`` legs (test_zones' global ones), three to a transfer: T0000 legs 1-3, ..."""
    from test_zones import _global_legs

    lines = _global_legs(n, seed=seed)
    legs = pd.DataFrame(lines.drop(columns="geometry"))[
        [
            C.TRANSFER_ID,
            C.LEG,
            C.FROM_LON,
            C.FROM_LAT,
            C.TO_LON,
            C.TO_LAT,
            C.FROM_PRECISION,
            C.TO_PRECISION,
            C.FROM_UNKNOWN,
            C.TO_UNKNOWN,
            C.DATE_START,
            C.DATE_END,
        ]
    ]
    i = np.arange(n)
    legs[C.TRANSFER_ID] = [f"T{k:04d}" for k in i // LEGS_PER_TRANSFER]
    legs[C.LEG] = i % LEGS_PER_TRANSFER + 1
    return legs


@pytest.fixture(scope="module")
def legs() -> pd.DataFrame:
    return multi_leg_legs(240, seed=21)


@pytest.fixture(scope="module")
def want(legs, zones):
    return lines_and_zones(legs, zones)


@pytest.fixture(scope="module")
def cluster():
    # Two worker threads in this process, each with its own prepared GEOS
    # objects; tests/test_engine_threads.py hammers this in a subprocess.
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as c:
        yield c


def assert_identical(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Every column, dtype, index and value the same; geometries the same WKB."""
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert shapely.to_wkb(got.geometry.to_numpy()).tolist() == (
        shapely.to_wkb(want.geometry.to_numpy()).tolist()
    )


def test_fixture_has_transfers_of_several_legs_and_zones(want):
    legs, segments = want
    assert (legs.groupby(C.TRANSFER_ID).size() == LEGS_PER_TRANSFER).all()
    # TRANSFER_KM is a sum over three legs, not a leg's own length.
    assert (legs[C.TRANSFER_KM] > legs[C.LENGTH_KM] + 1).all()
    assert segments[C.ZONE_ID].notna().sum() > 50


def test_dask_on_a_local_cluster_matches_pandas(legs, zones, want, cluster):
    with distributed.Client(cluster):
        got_legs, got_segments = lines_and_zones(legs, zones, engine="dask", partitions=5)
    assert_identical(got_legs, want[0])
    assert_identical(got_segments, want[1])


@pytest.mark.parametrize("partitions", [2, 7, 11, 240])
def test_partitions_never_split_a_transfer(legs, zones, want, partitions):
    # 240 legs in 7 or 11 row chunks would cut transfers of 3 legs in two and
    # give each half its own TRANSFER_KM; without a cluster: synchronous.
    got_legs, got_segments = lines_and_zones(legs, zones, engine="dask", partitions=partitions)
    assert_identical(got_legs, want[0])
    assert_identical(got_segments, want[1])


@pytest.mark.parametrize("partitions", [1, 4, 7, 80, 500])
def test_pieces_hold_whole_transfers(legs, partitions):
    from geo.engine import _pieces

    pieces, order = _pieces(legs, partitions)
    assert order is None  # the legs come transfer by transfer
    assert pd.concat(pieces).index.tolist() == legs.index.tolist()
    owner = pd.concat([pd.Series(k, index=p[C.TRANSFER_ID]) for k, p in enumerate(pieces)]).groupby(
        level=0
    )
    assert (owner.nunique() == 1).all()
    assert len(pieces) == min(partitions, len(legs) // LEGS_PER_TRANSFER)


def test_legs_out_of_transfer_order_come_back_in_their_order(legs, zones, cluster):
    # A transfer's legs scattered through the table (as a caller may pass
    # them): partitions group them, results are put back in the legs' order.
    shuffled = legs.sample(frac=1.0, random_state=3)
    shuffled.loc[shuffled.index[:9], C.TRANSFER_ID] = np.nan  # one group of NaN ids
    want_legs, want_segments = lines_and_zones(shuffled, zones)
    assert not want_legs.index.equals(legs.index)
    with distributed.Client(cluster):
        got_legs, got_segments = lines_and_zones(shuffled, zones, engine="dask", partitions=6)
    assert_identical(got_legs, want_legs)
    assert_identical(got_segments, want_segments)


def test_dask_by_scheduler_address(legs, zones, cluster):
    want = lines_and_zones(legs, zones, outside_geometry=False)
    got = lines_and_zones(
        legs, zones, engine="dask", scheduler=cluster.scheduler_address, outside_geometry=False
    )
    assert_identical(got[0], want[0])
    assert_identical(got[1], want[1])


def test_unknown_engine_is_a_clear_error(legs, zones):
    with pytest.raises(ValueError, match="unknown engine 'spark'; use one of pandas, dask"):
        lines_and_zones(legs, zones, engine="spark")  # type: ignore[arg-type]


def test_packed_results_come_back_identical():
    # What a task sends back: lines as coordinate arrays, anything else as WKB.
    import geopandas as gpd

    from geo.engine import _Packed, _unpacked

    geoms = [
        shapely.LineString([(0, 0), (1, 1), (2, 0.5)]),
        shapely.MultiLineString([[(179, 0), (180, 1)], [(-180, 1), (-179, 2)]]),
        shapely.MultiLineString([[(3, 3), (4, 4)]]),
        None,
        shapely.LineString(),
        shapely.Point(1, 2),
        shapely.LineString([(0, 0, 1), (1, 1, 2)]),
        shapely.MultiLineString([[(0, 0), (1, 1)], [(5, 5), (6, 6), (7, 7)]]),
        shapely.GeometryCollection([shapely.Point(0, 0)]),
        shapely.multilinestrings([shapely.LineString(), shapely.LineString([(8, 8), (9, 9)])]),
        shapely.LineString([(1, 1), (2, 2)]),
    ]
    frame = gpd.GeoDataFrame(
        {"a": range(11), "geometry": geoms, "b": list("abcdefghijk")},
        index=pd.RangeIndex(10, 21),
        crs="EPSG:4326",
    )
    packs = [_Packed.of(frame.iloc[:4]), _Packed.of(frame.iloc[4:4]), _Packed.of(frame.iloc[4:])]
    assert packs[0].wkb.tolist() == [None]  # only the missing geometry as WKB
    assert packs[2].kind.tolist() == [0, 0, 0, 5, 0, 0, 1]  # the empty part: WKB
    got = _unpacked(packs)
    assert list(got.columns) == ["a", "geometry", "b"]
    assert got.crs == frame.crs
    pd.testing.assert_frame_equal(got.drop(columns="geometry"), frame.drop(columns="geometry"))
    assert shapely.to_wkb(got.geometry.to_numpy()).tolist() == (
        shapely.to_wkb(frame.geometry.to_numpy()).tolist()
    )
    assert isinstance(got, gpd.GeoDataFrame) and got.geometry.name == "geometry"


def test_packed_leaves_out_the_columns_the_receiver_has():
    # A forked child sends back only what it added or changed; the parent has the rest.
    import geopandas as gpd

    from geo.engine import _Packed, _unpacked

    given = pd.DataFrame(
        {"id": ["t1", "t2", "t3"], "n": [1, 2, 3], "x": [0.5, np.nan, -0.0],
         "same_name_new_dtype": [1, 2, 3], "changed": ["a", "b", "c"]},
        index=pd.Index([7, 3, 9]),
    )
    out = given.copy()
    out["changed"] = ["a", "B", "c"]  # one value changed: must travel
    out["same_name_new_dtype"] = out["same_name_new_dtype"].astype(float)  # must travel
    out.insert(2, "geometry", [shapely.LineString([(0, 0), (1, i)]) for i in range(3)])
    out["added"] = [True, False, True]
    out["x"] = [0.5, np.nan, 0.0]  # -0.0 became 0.0: not the same bytes, must travel
    out = gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
    packed = _Packed.of(out, given=given)
    assert packed.taken == ("id", "n")
    assert list(packed.plain.columns) == ["x", "same_name_new_dtype", "changed", "added"]
    got = _unpacked([packed], given=given)
    assert list(got.columns) == list(out.columns)
    pd.testing.assert_frame_equal(got.drop(columns="geometry"), out.drop(columns="geometry"))
    assert got.geometry.equals(out.geometry)
    with pytest.raises(ValueError, match="needs the input"):
        _unpacked([packed])
    other_rows = given.iloc[::-1]  # another index: nothing is left out
    assert _Packed.of(out, given=other_rows).taken == ()


def test_packed_geometries_shared_by_rows_travel_once_and_stay_shared():
    # The legs of one route share a line (geo.lines): packed once, rebuilt shared.
    import geopandas as gpd

    from geo.engine import _Packed, _unpacked

    a = shapely.LineString([(0, 0), (1, 1), (2, 0.5)])
    b = shapely.MultiLineString([[(0, 0), (1, 1)], [(5, 5), (6, 6)]])
    c = shapely.LineString([(0, 0), (1, 1), (2, 0.5)])  # equal to a, another object
    rows = [a, b, a, None, c, b, a, None]
    frame = gpd.GeoDataFrame({"n": range(8)}, geometry=rows, crs="EPSG:4326")
    packs = [_Packed.of(frame.iloc[:5]), _Packed.of(frame.iloc[5:])]
    assert packs[0].kind.tolist() == [1, 5, 0, 1]  # a, b, None, c: each once
    assert len(packs[0].xy) == 3 + 4 + 3
    got = _unpacked(packs)
    assert shapely.to_wkb(got.geometry.to_numpy()).tolist() == (
        shapely.to_wkb(frame.geometry.to_numpy()).tolist()
    )
    g = got.geometry.to_numpy()
    assert g[0] is g[2] and g[1] is not g[5] and g[5] is not None
    assert g[0] is not g[4]  # equal lines that were apart stay apart
    assert g[3] is None and g[7] is None
