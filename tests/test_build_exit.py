"""The start and end of `movemap build` (issue 15): head starts in threads, the exit.

In the ``movemap`` executable (:mod:`layers.cli.console`, which ends with
``os._exit``) a build keeps its dataset alive and the collector off instead
of freeing and scanning millions of objects after the last file is written.
Called from Python (``layers.cli.main``), nothing is kept and the collector
comes back on.  Either way the files, output and exit codes are the same.
"""

from __future__ import annotations

import gc
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from layers.cli import _common, main

MOVEMAP = Path(sys.executable).with_name("movemap")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from layers.synthetic import write_inputs

    return write_inputs(tmp_path_factory.mktemp("exit") / "data", n_legs=300, seed=7)


@pytest.fixture
def restored(monkeypatch: pytest.MonkeyPatch):
    was = gc.isenabled()
    monkeypatch.setattr(_common, "_KEPT", [])
    monkeypatch.setattr(_common, "_ENDS_WITH_EXIT", [False])
    yield
    (gc.enable if was else gc.disable)()


def _digests(out: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}


def test_called_from_python_frees_everything(folder: Path, tmp_path: Path, restored) -> None:
    gc.enable()
    assert main(["build", "--data", str(folder), "--out", str(tmp_path / "maps")]) == 0
    assert _common._KEPT == []
    assert gc.isenabled()


def test_executable_keeps_the_dataset_and_the_pause(folder: Path, tmp_path: Path,
                                                    restored) -> None:
    from geo.dataset import Dataset

    gc.enable()
    _common._ENDS_WITH_EXIT[0] = True
    assert main(["build", "--data", str(folder), "--out", str(tmp_path / "maps")]) == 0
    assert any(isinstance(o, Dataset) for o in _common._KEPT)
    assert not gc.isenabled()  # the process ends right after: no collection over the heap


def test_executable_failure_keeps_nothing(tmp_path: Path, restored) -> None:
    """A failed build has no dataset to keep; it reports and exits 1 as before."""
    _common._ENDS_WITH_EXIT[0] = True
    (tmp_path / "data").mkdir()
    assert main(["build", "--data", str(tmp_path / "data"), "--out",
                 str(tmp_path / "maps")]) == 1
    assert _common._KEPT == []


def test_executable_writes_the_same_files_and_output(folder: Path, tmp_path: Path) -> None:
    """`movemap build` (os._exit at the end) prints every file and writes the same bytes."""
    done = subprocess.run(
        [str(MOVEMAP), "build", "--data", str(folder), "--out", str(tmp_path / "exe")],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert main(["build", "--data", str(folder), "--out", str(tmp_path / "py")]) == 0
    assert _digests(tmp_path / "exe") == _digests(tmp_path / "py")
    wrote = [line for line in done.stdout.splitlines() if line.startswith("wrote ")]
    maps = sorted(p.name for p in (tmp_path / "exe").glob("*.html"))
    assert sorted(Path(line.split()[1]).name for line in wrote) == maps
    assert len(maps) >= 2
    assert done.stdout.endswith("MB)\n")  # flushed to the last line
    assert done.stderr.startswith("data: ")


def test_executable_failure_exit_code_and_message(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    done = subprocess.run(
        [str(MOVEMAP), "build", "--data", str(tmp_path / "data")],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 1
    assert "movemap build:" in done.stderr and "gazetteer.csv" in done.stderr


def test_preload_loads_what_the_first_lines_would() -> None:
    """geo.engine.preload (run beside the ledger read) sets up searoute's graphs and numba."""
    code = (
        "import sys; from geo.engine import preload; preload(); "
        "from searoute.searoute import setup_M, setup_P; "
        "print(setup_M.cache_info().currsize, setup_P.cache_info().currsize, "
        "'geo.zones._kernels' in sys.modules, 'folium' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "1", "True", "False"]  # geo/ never imports folium


def test_build_leaves_no_head_start_running(folder: Path, tmp_path: Path, restored) -> None:
    import threading

    assert main(["build", "--data", str(folder), "--out", str(tmp_path / "maps")]) == 0
    from geo import forked

    assert not [t for t in threading.enumerate()
                if t.name in ("movemap-preload", "movemap-countries")]
    assert forked._THREADS == []  # every head start joined


# `movemap export` ends the same way (issue 15).


def test_export_from_python_frees_everything(folder: Path, tmp_path: Path, restored) -> None:
    gc.enable()
    assert main(["export", "--data", str(folder), "--format", "csv",
                 "--out", str(tmp_path / "legs.csv")]) == 0
    assert _common._KEPT == []
    assert gc.isenabled()


def test_export_executable_keeps_the_dataset_and_the_pause(folder: Path, tmp_path: Path,
                                                           restored) -> None:
    from geo.dataset import Dataset

    gc.enable()
    _common._ENDS_WITH_EXIT[0] = True
    assert main(["export", "--data", str(folder), "--format", "geojson",
                 "--out", str(tmp_path / "all.geojson")]) == 0
    assert any(isinstance(o, Dataset) for o in _common._KEPT)
    assert not gc.isenabled()


def test_export_executable_failure_keeps_nothing(tmp_path: Path, restored) -> None:
    _common._ENDS_WITH_EXIT[0] = True
    (tmp_path / "data").mkdir()
    assert main(["export", "--data", str(tmp_path / "data"), "--format", "csv",
                 "--out", str(tmp_path / "legs.csv")]) == 1
    assert _common._KEPT == []


@pytest.mark.parametrize("fmt,out", [("geojson", "all.geojson"), ("kml", "legs.kml"),
                                     ("csv", "legs.csv")])
def test_export_executable_writes_the_same_bytes_and_output(folder: Path, tmp_path: Path,
                                                            fmt: str, out: str) -> None:
    """`movemap export` (os._exit at the end) prints every path and writes the same bytes."""
    done = subprocess.run(
        [str(MOVEMAP), "export", "--data", str(folder), "--format", fmt,
         "--out", str(tmp_path / "exe" / out)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert main(["export", "--data", str(folder), "--format", fmt,
                 "--out", str(tmp_path / "py" / out)]) == 0
    assert _digests(tmp_path / "exe") == _digests(tmp_path / "py")
    assert done.stdout.splitlines() == [str(tmp_path / "exe" / out)]
    assert done.stderr.startswith("data: ")
