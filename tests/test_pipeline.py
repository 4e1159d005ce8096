"""Ledger to GeoParquet in chunks of transfers (issue 15): same rows, same bytes."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely

from geo import columns as C  # noqa: N812
from geo import settings
from geo.gazetteer import read_gazetteer
from geo.geocode import PlaceIndex
from geo.geoparquet import GeoParquetWriter, write_geoparquet
from geo.ledger import read_ledger
from geo.paths import REPO_ROOT
from geo.pipeline import legs_to_geoparquet, transfer_chunks
from geo.routes import counted_lines, movement_lines
from geo.zones import attribute_legs, read_zones, split_by_zone


@pytest.fixture(scope="module")
def zones():
    return read_zones(REPO_ROOT / settings.ZONES_FILE)


@pytest.fixture(scope="module")
def legs() -> pd.DataFrame:
    """The bundled ledger: real transfers of one to several legs."""
    index = PlaceIndex(read_gazetteer(REPO_ROOT / settings.GAZETTEER_FILE))
    legs = read_ledger(
        REPO_ROOT / settings.TRANSFERS_FILE, REPO_ROOT / settings.SOURCES_FILE, index
    ).legs
    assert legs.groupby(C.TRANSFER_ID).size().max() >= 3  # chunks must cut between transfers
    return legs


def test_chunks_never_split_a_transfer():
    ids = ["a", "a", "b", "c", "c", "c", "d"]
    got = [(s.start, s.stop) for s in transfer_chunks(ids, chunk_legs=2)]
    assert got == [(0, 2), (2, 6), (6, 7)]
    assert [(s.start, s.stop) for s in transfer_chunks(ids, chunk_legs=100)] == [(0, 7)]
    assert list(transfer_chunks([], chunk_legs=5)) == []
    with pytest.raises(ValueError, match="next to each other"):
        list(transfer_chunks(["a", "b", "a"], chunk_legs=1))
    with pytest.raises(ValueError, match="at least 1"):
        list(transfer_chunks(ids, chunk_legs=0))


def test_chunked_output_equals_unchunked(legs, zones, tmp_path):
    whole = legs_to_geoparquet(
        legs,
        zones,
        legs_path=tmp_path / "legs1.parquet",
        segments_path=tmp_path / "seg1.parquet",
        chunk_legs=len(legs),
    )
    small = legs_to_geoparquet(
        legs,
        zones,
        legs_path=tmp_path / "legs2.parquet",
        segments_path=tmp_path / "seg2.parquet",
        chunk_legs=2,
    )
    assert whole.chunks == 1 and small.chunks >= 5
    assert (
        (whole.legs, whole.segments)
        == (small.legs, small.segments)
        == (
            len(legs),
            whole.segments,
        )
    )
    for a, b in (("legs1", "legs2"), ("seg1", "seg2")):
        one = gpd.read_parquet(tmp_path / f"{a}.parquet")
        many = gpd.read_parquet(tmp_path / f"{b}.parquet")
        pd.testing.assert_frame_equal(one, many)
        assert pq.ParquetFile(tmp_path / f"{b}.parquet").num_row_groups == small.chunks
    # TRANSFER_KM sums the legs of a transfer: chunks hold whole transfers.
    got = gpd.read_parquet(tmp_path / "legs2.parquet")
    want = got.groupby(C.TRANSFER_ID)[C.LENGTH_KM].transform("sum")
    drawn = got[C.LENGTH_KM].notna()
    np.testing.assert_allclose(got.loc[drawn, C.TRANSFER_KM], want[drawn])
    # Same input, same bytes: also when two forked workers compute the chunks.
    legs_to_geoparquet(
        legs,
        zones,
        legs_path=tmp_path / "legs3.parquet",
        segments_path=tmp_path / "seg3.parquet",
        chunk_legs=2,
        workers=2,
    )
    for a, b in (("legs2", "legs3"), ("seg2", "seg3")):
        assert (tmp_path / f"{a}.parquet").read_bytes() == (tmp_path / f"{b}.parquet").read_bytes()


def test_worker_count_changes_no_byte_and_leaves_no_handoff_files(legs, zones, tmp_path):
    from geo.pipeline import SPOOL_PREFIX, _spool_dir

    spool = Path(_spool_dir() or tempfile.gettempdir())
    before = set(spool.glob(SPOOL_PREFIX + "*"))
    timings: dict[str, list[float]] = {}
    for workers in (1, 3):
        legs_to_geoparquet(
            legs,
            zones,
            legs_path=tmp_path / f"legs{workers}.parquet",
            segments_path=tmp_path / f"seg{workers}.parquet",
            chunk_legs=3,
            workers=workers,
            timings=timings,
        )
    for name in ("legs", "seg"):
        one = (tmp_path / f"{name}1.parquet").read_bytes()
        assert one == (tmp_path / f"{name}3.parquet").read_bytes()
    # Workers handed tables over through files, all removed.
    assert timings["handoff"][0] > 0
    assert set(spool.glob(SPOOL_PREFIX + "*")) == before


def test_geoparquet_matches_the_in_memory_pipeline(legs, zones, tmp_path):
    part = legs.iloc[:60]
    lines = movement_lines(part)
    want_legs = attribute_legs(lines, zones)
    want_segments = split_by_zone(counted_lines(lines), zones)
    legs_to_geoparquet(
        part,
        zones,
        legs_path=tmp_path / "legs.parquet",
        segments_path=tmp_path / "seg.parquet",
        chunk_legs=10,
    )
    for want, name in ((want_legs, "legs"), (want_segments, "seg")):
        got = gpd.read_parquet(tmp_path / f"{name}.parquet")
        assert got.crs == want.crs
        # the geometry column comes last
        assert list(got.columns) == [*want.columns.drop("geometry"), "geometry"]
        want = want.reset_index(drop=True)
        g, w = np.asarray(got.geometry.array), np.asarray(want.geometry.array)
        assert (shapely.is_missing(g) == shapely.is_missing(w)).all()
        present = ~shapely.is_missing(w)
        assert shapely.equals_exact(g[present], w[present], 0).all()
        assert got[C.TRANSFER_ID].tolist() == want[C.TRANSFER_ID].tolist()
        assert got[C.LEG].tolist() == want[C.LEG].tolist()
        for c in got.columns:
            if c == "geometry":
                continue
            a, b = got[c].tolist(), want[c].tolist()
            if isinstance(b[0], tuple):  # tuples come back as arrays
                a = [tuple(np.asarray(v).tolist()) if v is not None else () for v in a]
                b = [tuple(np.asarray(v).tolist()) for v in b]
            if pd.api.types.is_datetime64_any_dtype(want[c]):
                a, b = pd.to_datetime(got[c]).tolist(), pd.to_datetime(want[c]).tolist()
            assert (
                pd.Series(a, dtype=object).fillna(-1).tolist()
                == pd.Series(b, dtype=object).fillna(-1).tolist()
            ), c


def test_geoparquet_metadata_is_valid(legs, zones, tmp_path):
    path = tmp_path / "legs.parquet"
    legs_to_geoparquet(legs.iloc[:30], zones, legs_path=path, segments_path=tmp_path / "s.parquet")
    meta = json.loads(pq.read_schema(path).metadata[b"geo"])
    assert meta["version"] == "1.0.0" and meta["primary_column"] == "geometry"
    column = meta["columns"]["geometry"]
    assert column["encoding"] == "WKB"
    assert column["geometry_types"] == ["LineString", "MultiLineString"]
    assert column["crs"]["id"] == {"authority": "EPSG", "code": 4326}
    assert pq.read_metadata(path).metadata[b"geo"] == pq.read_schema(path).metadata[b"geo"]
    # pyogrio (GDAL) reads it when its GDAL has the Parquet driver
    pyogrio = pytest.importorskip("pyogrio")
    if "Parquet" in pyogrio.list_drivers():
        back = pyogrio.read_dataframe(path)
        assert len(back) == min(30, len(legs))


def test_writer_rejects_undeclared_types_and_other_columns(tmp_path):
    frame = gpd.GeoDataFrame(
        {"a": [1, 2]}, geometry=[shapely.Point(0, 0), shapely.Point(1, 1)], crs="EPSG:4326"
    )
    with pytest.raises(ValueError, match="Point"):
        write_geoparquet(frame, tmp_path / "x.parquet", geometry_types=("LineString",))
    with GeoParquetWriter(tmp_path / "y.parquet") as out:
        out.write(frame)
        with pytest.raises(ValueError, match="columns differ"):
            out.write(frame.assign(b=1))
    back = gpd.read_parquet(tmp_path / "y.parquet")
    assert back["a"].tolist() == [1, 2] and back.geometry.equals(frame.geometry)


@pytest.mark.parametrize("filters", [[], ["--status", "assessed"]])
def test_cli_parquet_export_streams_what_the_dataset_exports(filters, tmp_path, capsys):
    from geo.dataset import load_dataset
    from geo.export import export
    from geo.filters import LegFilter, filter_dataset
    from layers.cli import main

    out = tmp_path / "streamed"
    args = ["export", "--format", "parquet", "--out", str(out), "--data", str(REPO_ROOT)]
    assert main([*args, *filters]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(out / "legs.parquet"), str(out / "segments.parquet")]
    dataset = load_dataset(REPO_ROOT)
    if filters:
        dataset = filter_dataset(dataset, LegFilter.of(status=filters[1:]))
    written = export(dataset, fmt="parquet", out=tmp_path / "whole")
    assert [p.name for p in written] == ["legs.parquet", "segments.parquet"]
    for path in written:
        assert (out / path.name).read_bytes() == path.read_bytes()
    legs = gpd.read_parquet(out / "legs.parquet")
    assert 0 < len(legs) <= len(dataset.legs) and len(legs) == len(dataset.legs)
    if filters:
        assert set(legs[C.STATUS]) == {"assessed"}
    assert not list(out.glob(".*tmp*"))  # written atomically, nothing left behind
