"""The ledger as (Geo)Parquet: same checks, same problems, same legs as the CSV (issue 15)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from _helpers import copy_inputs
from test_ledger import BAD_SOURCES, BAD_TRANSFERS, keyed

from geo import settings
from geo.columns import LEG, SOURCE_IDS, SOURCE_LINE
from geo.gazetteer import read_gazetteer
from geo.geocode import PlaceIndex
from geo.ledger import check_ledger, read_ledger
from geo.paths import REPO_ROOT


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex(read_gazetteer(REPO_ROOT / settings.GAZETTEER_FILE))


def _as_text_parquet(csv_text: str, path: Path) -> Path:
    table = pd.read_csv(io.StringIO(csv_text), dtype=str, keep_default_na=False)
    table.to_parquet(path, index=False)
    return path


def test_bad_ledger_reports_the_same_problems_as_csv(tmp_path: Path, index: PlaceIndex) -> None:
    # A Parquet row always has every column: drop the CSV's too-wide row.
    lines = BAD_TRANSFERS.splitlines(keepends=True)
    text = "".join(line for line in lines if not line.startswith("T11,"))
    (tmp_path / "transfers.csv").write_text(text, encoding="utf-8")
    (tmp_path / "sources.csv").write_text(BAD_SOURCES, encoding="utf-8")
    pq_path = _as_text_parquet(text, tmp_path / "transfers.parquet")
    from_csv = check_ledger(tmp_path / "transfers.csv", tmp_path / "sources.csv", index)
    from_pq = check_ledger(pq_path, tmp_path / "sources.csv", index)

    def strip(found: list) -> list:
        return [(Path(f).stem, line, col, msg) for f, line, col, msg in found]

    assert len(from_csv.problems) > 15
    assert strip(keyed(from_pq.problems)) == strip(keyed(from_csv.problems))
    assert strip(keyed(from_pq.warnings)) == strip(keyed(from_csv.warnings))
    assert from_pq.n_rows == from_csv.n_rows
    pd.testing.assert_frame_equal(from_pq.legs, from_csv.legs)


def test_typed_parquet_gives_the_same_legs(tmp_path: Path, index: PlaceIndex) -> None:
    src = REPO_ROOT / settings.TRANSFERS_FILE
    sources = REPO_ROOT / settings.SOURCES_FILE
    want = read_ledger(src, sources, index).legs
    df = pd.read_csv(src, dtype=str, keep_default_na=False)
    table = pa.table(
        {
            **{c: pa.array(df[c].tolist(), pa.string()) for c in df.columns},
            "leg": pa.array(df["leg"].astype("int64")),
            "source_ids": pa.array([s.split(";") for s in df["source_ids"]], pa.list_(pa.string())),
            "note": pa.array([v or None for v in df["note"]], pa.string()),
        }
    ).select(list(df.columns))
    path = tmp_path / "ledger.parquet"
    pq.write_table(table, path)
    # actors.csv is read beside the ledger (issue 11): the same groups both ways
    shutil.copyfile(REPO_ROOT / settings.ACTORS_FILE, tmp_path / settings.ACTORS_FILE)
    got = read_ledger(path, sources, index).legs
    pd.testing.assert_frame_equal(got, want)
    assert got[SOURCE_LINE].min() == 2  # numbered as the CSV's lines


def test_types_that_are_not_text_are_reported(tmp_path: Path, index: PlaceIndex) -> None:
    df = pd.read_csv(REPO_ROOT / settings.TRANSFERS_FILE, dtype=str, keep_default_na=False)
    n = len(df)
    cols = {c: pa.array(df[c].tolist(), pa.string()) for c in df.columns}
    cols["note"] = pa.array([None, *[{"a": 1}] * (n - 1)], pa.struct([("a", pa.int64())]))
    stamp = pd.Timestamp("2020-05-01 13:30")
    cols["date"] = pa.array([pd.Timestamp("2020-05-01")] * 3 + [stamp] * (n - 3), pa.timestamp("s"))
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.table(cols), path)
    res = check_ledger(path, REPO_ROOT / settings.SOURCES_FILE, index)
    found = {(line, col): msg for _f, line, col, msg in keyed(res.problems)}
    assert "cannot be read as text" in found[(3, "note")]  # first row holding a value
    assert "time of day" in found[(5, "date")]


def test_geoparquet_geometry_is_left_out_with_a_warning(tmp_path: Path, index: PlaceIndex) -> None:
    import geopandas as gpd
    import shapely

    df = pd.read_csv(REPO_ROOT / settings.TRANSFERS_FILE, dtype=str, keep_default_na=False)
    gdf = gpd.GeoDataFrame(df, geometry=shapely.points([0.0] * len(df), [0.0] * len(df)))
    path = tmp_path / "legs.parquet"
    gdf.to_parquet(path)
    res = check_ledger(path, REPO_ROOT / settings.SOURCES_FILE, index)
    assert res.ok
    assert any(w.column == "geometry" and "ignored" in w.message for w in res.warnings)
    assert len(res.legs) == len(df)


def test_unreadable_parquet_is_one_clear_problem(tmp_path: Path, index: PlaceIndex) -> None:
    path = tmp_path / "transfers.parquet"
    path.write_text("transfer_id,leg\n", encoding="utf-8")
    res = check_ledger(path, REPO_ROOT / settings.SOURCES_FILE, index)
    assert [(p.line, p.column) for p in res.problems] == [(None, None)]
    assert "cannot read as Parquet" in res.problems[0].message
    missing = check_ledger(tmp_path / "nope.parquet", REPO_ROOT / settings.SOURCES_FILE, index)
    assert "file not found" in missing.problems[0].message


def test_data_folder_with_transfers_parquet_loads(tmp_path: Path) -> None:
    from geo.dataset import load_dataset

    copy_inputs(tmp_path, (settings.GAZETTEER_FILE, settings.SOURCES_FILE, settings.ZONES_FILE))
    _as_text_parquet(
        (REPO_ROOT / settings.TRANSFERS_FILE).read_text(encoding="utf-8"),
        tmp_path / "transfers.parquet",
    )
    got = load_dataset(tmp_path)
    want = load_dataset(REPO_ROOT)
    assert len(got.legs) == len(want.legs) > 0
    assert got.legs[[LEG, SOURCE_IDS]].equals(want.legs[[LEG, SOURCE_IDS]])
