"""GeoParquet export on dask, streamed chunk by chunk: the pandas engine's bytes (issue 15)."""

from __future__ import annotations

import pytest

from geo import columns as C  # noqa: N812
from geo.filters import LegFilter
from geo.paths import REPO_ROOT

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    # One worker with two threads: pieces of one process run at once.
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as c:
        yield c


def _bytes(paths):
    return [p.read_bytes() for p in paths]


@pytest.mark.parametrize("legfilter", [None, LegFilter.of(status=["assessed"])])
@pytest.mark.parametrize("chunk_legs", [4, 50_000])
def test_streamed_export_is_the_pipelines_bytes(tmp_path, cluster, legfilter, chunk_legs):
    from geo.engine_parquet import export_geoparquet_dask
    from geo.pipeline import export_geoparquet

    want, want_warnings = export_geoparquet(
        REPO_ROOT, tmp_path / "pandas", legfilter=legfilter, chunk_legs=chunk_legs
    )
    got, got_warnings = export_geoparquet_dask(
        REPO_ROOT,
        tmp_path / "dask",
        legfilter=legfilter,
        scheduler=cluster.scheduler_address,
        chunk_legs=chunk_legs,
    )
    assert [p.name for p in got] == [p.name for p in want]
    assert _bytes(got) == _bytes(want)
    assert [str(w) for w in got_warnings] == [str(w) for w in want_warnings]
    if chunk_legs == 4:  # one row group per chunk of transfers, as the pipeline
        import pyarrow.parquet as pq

        assert pq.ParquetFile(got[0]).num_row_groups > 3


def test_chunks_come_in_order_with_few_pieces_in_flight(cluster):
    from test_engine import assert_identical

    from geo.dataset import read_inputs
    from geo.engine import lines_and_zones, zoned_chunks
    from geo.pipeline import transfer_chunks

    _, _, ledger, zones = read_inputs(REPO_ROOT)
    legs = ledger.legs
    chunks = list(transfer_chunks(legs[C.TRANSFER_ID], chunk_legs=2))
    assert len(chunks) > 8
    in_flight = []
    with distributed.Client(cluster) as client:
        for chunk, (got_legs, got_segments) in zip(
            chunks, zoned_chunks(legs, zones, chunks), strict=True
        ):
            in_flight.append(
                client.run_on_scheduler(
                    lambda dask_scheduler: sum(
                        k.startswith("_partition") for k in map(str, dask_scheduler.tasks)
                    )
                )
            )
            want_legs, want_segments = lines_and_zones(legs.iloc[chunk], zones)
            assert_identical(got_legs, want_legs)
            assert_identical(got_segments, want_segments)
    # Two pieces per worker thread at a time, not every chunk at once.
    assert max(in_flight) <= 2 * 2
