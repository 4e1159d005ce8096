"""A large ledger's columns read in a thread from the start of a build (geo/_prefetch.py).

The reader takes the thread's result only for the unchanged file; the
cells, problems and warnings are the same as without the head start.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from geo import _prefetch
from geo._csv import read_columns
from geo.forked import join_threads


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    from layers.synthetic import write_inputs

    return write_inputs(tmp_path / "data", n_legs=400, seed=3) / "transfers.csv"


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_prefetch, "_STARTED", {})


def _same(a, b) -> None:
    assert a is not None and b is not None
    assert a[0] == b[0]
    assert len(a[1]) == len(b[1])
    for x, y in zip(a[1], b[1], strict=True):
        assert x.dtype == y.dtype == object
        assert np.array_equal(x, y)


def test_the_thread_reads_what_read_columns_reads(ledger: Path) -> None:
    plain = read_columns(ledger)
    assert _prefetch.start_columns(ledger)
    started, taken = _prefetch.take(ledger)
    assert started
    _same(taken, plain)
    assert _prefetch.take(ledger) == (False, None)  # handed out once
    join_threads()


def test_read_columns_takes_the_threads_result(ledger: Path) -> None:
    assert _prefetch.start_columns(ledger)
    _, _, box = _prefetch._STARTED[str(ledger.absolute())]
    got = read_columns(ledger)
    assert box and got is box[0]  # not read again
    assert _prefetch._STARTED == {}
    join_threads()


def test_a_file_changed_after_the_start_is_read_again(ledger: Path) -> None:
    assert _prefetch.start_columns(ledger)
    join_threads()
    text = ledger.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    ledger.write_text("".join(lines[:-5]), encoding="utf-8")  # five legs fewer
    st = ledger.stat()
    os.utime(ledger, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    got = read_columns(ledger)
    assert got is not None and len(got[1][0]) == len(lines) - 6


def test_a_failed_read_falls_back(ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(path: Path) -> None:
        raise MemoryError

    assert _prefetch.start(ledger, boom, name="movemap-test")
    _same(read_columns(ledger), read_columns(ledger))
    assert _prefetch.take(ledger) == (False, None)
    join_threads()


def test_no_file_no_thread(tmp_path: Path) -> None:
    assert not _prefetch.start_columns(tmp_path / "missing.csv")
    assert _prefetch._STARTED == {}


def test_build_with_and_without_the_read_ahead_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ledger over the threshold is read ahead; the maps, output and warnings are the same."""
    import hashlib

    from layers.cli import build, main
    from layers.synthetic import write_inputs

    folder = write_inputs(tmp_path / "data", n_legs=300, seed=5)
    started: list[Path] = []
    real = _prefetch.start_columns

    def spy(path):
        started.append(Path(path))
        return real(path)

    monkeypatch.setattr(_prefetch, "start_columns", spy)
    monkeypatch.setattr(build, "_PRELOAD_BYTES", 1)  # a small ledger counts as large
    monkeypatch.setattr("geo.ledger_read.COLUMNS_MIN_BYTES", 1)
    assert main(["build", "--data", str(folder), "--out", str(tmp_path / "ahead")]) == 0
    ahead = capsys.readouterr()
    assert started == [folder / "transfers.csv"]
    assert _prefetch._STARTED == {}  # taken by the ledger read
    monkeypatch.setattr(build, "_read_ahead", lambda folder: None)
    assert main(["build", "--data", str(folder), "--out", str(tmp_path / "plain")]) == 0
    plain = capsys.readouterr()

    def digests(out: Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.iterdir()}

    assert digests(tmp_path / "ahead") == digests(tmp_path / "plain")
    assert ahead.err.replace("ahead", "plain") == plain.err
    assert ahead.out.replace("ahead", "plain") == plain.out
