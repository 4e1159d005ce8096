"""Zone attribution and splitting on threads (issue 15): same answer, own zones per thread.

The batches of legs run side by side (:mod:`geo.zones._parallel`); GEOS
prepared geometries are not thread-safe, so every worker thread must test
legs against its own copy of the zones.  A stress test that merely runs
threads passes with or without the copies (the crash needs two threads to
build one prepared geometry's index at the same instant, which a test
cannot force), so the copies themselves are checked: the zones each batch
is given, per thread.
"""

import os
import threading
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from test_zones_fast import _random_lines

from geo import settings
from geo.threads import limited
from geo.zones import (
    _parallel,
    _shared,
    attribute,
    attribute_legs,
    read_zones,
    split,
    split_by_zone,
)


@pytest.fixture(scope="module")
def zones() -> gpd.GeoDataFrame:
    return read_zones(Path(__file__).resolve().parent.parent / settings.ZONES_FILE)


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 60 legs, on three threads whatever the machine has."""
    monkeypatch.setattr(_shared, "BATCH_LEGS", 60)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)  # geo.threads.thread_count's budget
    _shared.forget()
    yield
    _shared.forget()


def _both(lines, zones):
    _shared.forget()
    attributed = attribute_legs(lines, zones)
    return attributed, split_by_zone(attributed, zones)


def _same(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert a.drop(columns="geometry").equals(b.drop(columns="geometry"))
    wa, wb = shapely.to_wkb(a.geometry.to_numpy()), shapely.to_wkb(b.geometry.to_numpy())
    assert wa.tolist() == wb.tolist()


def test_threads_give_the_one_thread_answer_byte_for_byte(zones, small_batches):
    lines = _random_lines(1500, 5)
    with limited(1):
        one_a, one_s = _both(lines, zones)
    many_a, many_s = _both(lines, zones)
    assert len(one_s) > len(lines)  # legs were cut: the batches had work
    _same(one_a, many_a)
    _same(one_s, many_s)


def _record(monkeypatch):
    """Patch the per-batch steps to record (thread, geometry objects of the zones given)."""
    seen = []
    lock = threading.Lock()
    for name in ("met_batch", "segments_batch"):
        real = getattr(split, name)

        def wrapped(cr, start, *args, _real=real, _name=name, **kw):
            zones = args[0] if _name == "met_batch" else args[1]
            with lock:
                seen.append((threading.get_ident(), tuple(map(id, zones.geometry.array))))
            return _real(cr, start, *args, **kw)

        monkeypatch.setattr(split, name, wrapped)
    return seen


def test_leg_ends_are_located_on_a_worker_on_its_own_zone_copy(zones, small_batches, monkeypatch):
    seen = []
    real = attribute._locate

    def wrapped(x, y, a, b, zones_used, *args, **kw):
        seen.append((threading.get_ident(), tuple(map(id, zones_used.geometry.array))))
        return real(x, y, a, b, zones_used, *args, **kw)

    monkeypatch.setattr(attribute, "_locate", wrapped)
    _both(_random_lines(300, 8), zones)
    mine = tuple(map(id, zones.geometry.array))
    on_workers = [geoms for ident, geoms in seen if ident != threading.get_ident()]
    assert on_workers  # the ends were located beside the crossings
    assert all(set(geoms).isdisjoint(mine) for geoms in on_workers)


def test_every_worker_thread_tests_legs_against_its_own_zone_copy(
    zones, small_batches, monkeypatch
):
    lines = _random_lines(800, 6)
    seen = _record(monkeypatch)
    _both(lines, zones)
    mine = tuple(map(id, zones.geometry.array))
    assert len(seen) >= 2 * (len(lines) // 60)  # every batch, in both steps
    by_thread = {}
    for ident, geoms in seen:
        assert ident != threading.get_ident()  # the batches ran on the workers
        assert set(geoms).isdisjoint(mine)  # never on the caller's GEOS objects
        by_thread.setdefault(ident, set()).add(geoms)
    assert all(len(copies) == 1 for copies in by_thread.values())  # one copy per thread
    copies = [next(iter(c)) for c in by_thread.values()]
    for i, a in enumerate(copies):
        for b in copies[i + 1 :]:
            assert set(a).isdisjoint(b)  # no two threads share a zone object
    # a copy is the same zones, geometry for geometry
    copy = _parallel.own_zones(zones)
    assert copy is _parallel.own_zones(zones)
    assert np.array_equal(
        shapely.to_wkb(copy.geometry.to_numpy()), shapely.to_wkb(zones.geometry.to_numpy())
    )
    assert copy.drop(columns="geometry").equals(zones.drop(columns="geometry"))


def test_limited_to_one_thread_runs_in_the_caller_on_its_zones(zones, small_batches, monkeypatch):
    lines = _random_lines(300, 7)
    seen = _record(monkeypatch)
    with limited(1):
        _both(lines, zones)
    mine = tuple(map(id, zones.geometry.array))
    assert seen
    assert {ident for ident, _ in seen} == {threading.get_ident()}
    assert {geoms for _, geoms in seen} == {mine}


def test_batches_are_sized_for_the_threads(zones, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    rng = np.random.default_rng(9)

    def size(n):
        geoms = shapely.linestrings(rng.uniform(0, 10, (n, 2, 2)))
        return _shared.Crossings(geoms, np.zeros(n, dtype=np.int64), zones).size

    assert size(50_000) == 6_250  # four batches per thread
    with limited(1):
        assert size(50_000) == 12_500
    assert size(1_000_000) == _shared.BATCH_LEGS  # at most
    assert size(1_000) == _shared.MIN_BATCH_LEGS  # at least


def test_the_answer_does_not_depend_on_the_batch_size(zones, monkeypatch):
    lines = _random_lines(700, 10)
    whole_a, whole_s = _both(lines, zones)  # one batch
    monkeypatch.setattr(_shared, "BATCH_LEGS", 97)
    small_a, small_s = _both(lines, zones)
    _same(whole_a, small_a)
    _same(whole_s, small_s)
