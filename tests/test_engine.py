"""``engine="dask"``: lines and zones on dask-geopandas partitions, same rows (issue 15)."""

from __future__ import annotations

import pandas as pd
import pytest

from geo import columns as C  # noqa: N812
from geo import settings
from geo.engine import lines_and_zones
from geo.paths import REPO_ROOT
from geo.zones import read_zones

distributed = pytest.importorskip("distributed")
pytest.importorskip("dask_geopandas")


@pytest.fixture(scope="module")
def zones():
    return read_zones(REPO_ROOT / settings.ZONES_FILE)


@pytest.fixture(scope="module")
def legs() -> pd.DataFrame:
    from test_zones import _global_legs

    lines = _global_legs(240, seed=21)
    return pd.DataFrame(lines.drop(columns="geometry"))[
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


@pytest.fixture(scope="module")
def cluster():
    # One worker thread: two in-process workers ran GEOS on the same shared
    # (prepared) zone geometries at once and aborted the interpreter (seen 1 run
    # in 3). Real clusters run one process per worker.
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as c:
        yield c


def test_dask_on_a_local_cluster_matches_pandas(legs, zones, cluster):
    want_legs, want_segments = lines_and_zones(legs, zones)
    with distributed.Client(cluster):
        got_legs, got_segments = lines_and_zones(legs, zones, engine="dask", partitions=5)
    pd.testing.assert_frame_equal(got_legs, want_legs)
    pd.testing.assert_frame_equal(got_segments, want_segments)
    assert want_segments[C.ZONE_ID].notna().sum() > 50


def test_dask_by_scheduler_address(legs, zones, cluster):
    want = lines_and_zones(legs, zones, outside_geometry=False)
    got = lines_and_zones(
        legs, zones, engine="dask", scheduler=cluster.scheduler_address, outside_geometry=False
    )
    pd.testing.assert_frame_equal(got[0], want[0])
    pd.testing.assert_frame_equal(got[1], want[1])


def test_unknown_engine_is_a_clear_error(legs, zones):
    with pytest.raises(ValueError, match="unknown engine 'spark'; use one of pandas, dask"):
        lines_and_zones(legs, zones, engine="spark")  # type: ignore[arg-type]
