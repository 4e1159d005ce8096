"""``movemap export --engine dask`` end to end: same file bytes as the default engine (issue 15)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from geo.export import FORMATS
from geo.paths import REPO_ROOT

distributed = pytest.importorskip("distributed")
pytest.importorskip("distributed")

MOVEMAP = Path(sys.executable).parent / "movemap"
_NAMES = {"geojson": "x.geojson", "kml": "x.kml", "gpkg": "x.gpkg", "csv": "x.csv",
          "parquet": "parquet"}  # parquet: a folder of legs.parquet and segments.parquet


def export(out: Path, fmt: str, *extra: str) -> bytes:
    cmd = [str(MOVEMAP)] if MOVEMAP.is_file() else [sys.executable, "-m", "layers.cli"]
    run = subprocess.run(
        [*cmd, "export", "--format", fmt, "--out", str(out), "--data", str(REPO_ROOT), *extra],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    if out.is_dir():
        return b"".join((out / n).read_bytes() for n in ("legs.parquet", "segments.parquet"))
    return out.read_bytes()


@pytest.fixture(scope="module")
def cluster():
    # Reachable from the movemap subprocess: TCP, not the in-process transport.
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as c:
        yield c


def test_every_format_is_covered():
    assert set(_NAMES) == set(FORMATS)


@pytest.mark.parametrize("fmt", sorted(_NAMES))
def test_export_engine_dask_same_bytes(tmp_path, fmt):
    name = _NAMES[fmt]
    want = export(tmp_path / "pandas" / name, fmt)
    got = export(tmp_path / "dask" / name, fmt, "--engine", "dask")
    assert len(want) > 1000
    assert got == want


def test_export_on_a_cluster_by_address_same_bytes(tmp_path, cluster):
    # Two workers: two partitions, cut between transfers, shipped over TCP.
    want = export(tmp_path / "pandas" / "x.geojson", "geojson")
    got = export(
        tmp_path / "dask" / "x.geojson",
        "geojson",
        "--engine",
        "dask",
        "--scheduler",
        cluster.scheduler_address,
    )
    assert cluster.scheduler_address.startswith("tcp://")
    assert got == want
