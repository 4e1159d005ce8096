"""``engine="dask"`` with several worker threads in one process: in parallel, no crash (issue 15).

GEOS prepared geometries are not thread-safe (libgeos/geos#825): two
threads using one prepared geometry at once can abort the interpreter (a
bare shapely loop doing that segfaulted 3 runs in 3 here).  Each thread
works on its own copies (geo.engine: zones and zone caches; geo.countries:
tiles and land mask); these tests check that tasks do run at once, and
run whole computations on 4 worker threads of one process and on 2 worker
processes, repeated, in a subprocess so that an abort fails the test
instead of killing pytest.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
import threading
import time

import pytest
import shapely
from _helpers import on_two_threads_then_here

from geo import settings
from geo.engine import lines_and_zones
from geo.paths import REPO_ROOT
from geo.zones import read_zones

pytest.importorskip("distributed")
pytest.importorskip("distributed")


def test_tasks_in_one_process_run_at_once(monkeypatch):
    import dask
    from test_engine import assert_identical, multi_leg_legs

    import geo.routes
    import geo.zones

    zones = read_zones(REPO_ROOT / settings.ZONES_FILE)
    legs = multi_leg_legs(96, seed=5)
    want = lines_and_zones(legs, zones)
    inside = 0
    most = 0
    count = threading.Lock()
    zones_seen = {}  # thread -> the zone geometries its tasks were given

    def watched(fn):
        def run(*args, **kwargs):
            nonlocal inside, most
            with count:
                inside += 1
                most = max(most, inside)
                if fn.__name__ != "movement_lines":
                    given = args[1].geometry.array
                    zones_seen.setdefault(threading.get_ident(), set()).add(id(given[0]))
                    assert given[0] is not zones.geometry.array[0]  # never the caller's
            try:
                time.sleep(0.05)  # long enough for another thread to come in
                return fn(*args, **kwargs)
            finally:
                with count:
                    inside -= 1

        return run

    for mod, name in [
        (geo.routes, "movement_lines"),
        (geo.zones, "attribute_legs"),
        (geo.zones, "split_by_zone"),
    ]:
        monkeypatch.setattr(mod, name, watched(getattr(mod, name)))
    with dask.config.set(scheduler="threads", num_workers=4):
        got = lines_and_zones(legs, zones, engine="dask", partitions=8)
    assert most >= 2
    # Each thread worked on its own copy of the zones (its own GEOS objects):
    # one per thread, none shared.
    assert len(zones_seen) >= 2
    assert all(len(ids) == 1 for ids in zones_seen.values())
    assert len(set().union(*zones_seen.values())) == len(zones_seen)
    assert_identical(got[0], want[0])
    assert_identical(got[1], want[1])


def test_each_thread_has_its_own_prepared_geometry():
    from geo.countries import _tiles, land
    from geo.engine import _own_zones

    zones = read_zones(REPO_ROOT / settings.ZONES_FILE)
    seen = {}

    def look(name):
        mine = _own_zones(zones)
        assert _own_zones(zones) is mine  # made once per thread
        seen[name] = (land(), _tiles()[0][0], mine.geometry.iloc[0])

    on_two_threads_then_here(look)
    for a, b in [(0, 1), (0, "here"), (1, "here")]:
        for x, y in zip(seen[a], seen[b], strict=True):
            assert x is not y
            assert shapely.equals_exact(x, y, tolerance=0)
    assert zones.geometry.iloc[0] is not seen["here"][2]


def test_every_zone_cache_is_per_thread_or_frozen_and_geometry_free():
    # A module-level cache in geo.zones that holds prepared geometry or
    # another GEOS object must be a PerThreadCache, so that threads of one
    # dask worker never share one; what threads share (a SharedCache: the
    # edge grids, the tiles' WKB) holds read-only arrays and no geometry.
    import pkgutil

    import numpy as np

    import geo.zones
    from geo._threadcache import PerThreadCache, SharedCache
    from geo.zones import _common, _crossings, _legs

    zones = read_zones(REPO_ROOT / settings.ZONES_FILE)
    _crossings._edges(zones)  # fills the shared caches
    _legs._front_zones(zones)
    caches = {}
    for info in pkgutil.iter_modules(geo.zones.__path__):
        mod = importlib.import_module(f"geo.zones.{info.name}")
        caches |= {
            f"{mod.__name__}.{name}": value
            for name, value in vars(mod).items()
            if name.endswith(("_CACHE", "_TILES")) and hasattr(value, "__getitem__")
        }
    assert {
        "geo.zones._common._TILE_CACHE",
        "geo.zones._common._SHARED_TILES",
        "geo.zones._crossings._EDGE_CACHE",
    } <= set(caches)
    assert isinstance(_common._TILE_CACHE, PerThreadCache)  # prepared tiles
    shared = [name for name, value in caches.items() if not isinstance(value, PerThreadCache)]
    assert all(isinstance(caches[name], SharedCache) for name in shared), shared
    arrays = 0
    for name in shared:
        assert len(caches[name]) >= 1, name
        for value in caches[name].values():
            parts = vars(value).values() if hasattr(value, "__dataclass_fields__") else value
            for part in parts:
                assert not isinstance(part, shapely.Geometry), name
                assert isinstance(part, np.ndarray), (name, type(part))
                assert not part.flags.writeable, name
                arrays += 1
                if part.dtype == object:  # the tiles' WKB
                    assert all(isinstance(x, bytes) for x in part), name
    assert arrays >= 20


def test_per_thread_cache_keeps_one_dict_per_thread():
    from geo._threadcache import PerThreadCache

    cache = PerThreadCache()
    cache["k"] = "main"
    seen = {}

    def other():
        seen["before"] = "k" in cache
        cache["k"] = "other"
        seen["after"] = cache["k"]

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen == {"before": False, "after": "other"}
    assert cache["k"] == "main" and len(cache) == 1
    cache.clear()  # empties every thread's dict
    assert "k" not in cache


_REPEAT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    import distributed
    from geo import settings
    from geo.engine import lines_and_zones
    from geo.paths import REPO_ROOT
    from geo.zones import _common, _crossings, read_zones
    from test_engine import assert_identical, multi_leg_legs

    if __name__ == "__main__":
        legs = multi_leg_legs(240, seed=9)
        want = lines_and_zones(legs, read_zones(REPO_ROOT / settings.ZONES_FILE))
        with distributed.LocalCluster(
            n_workers={workers}, threads_per_worker={threads}, processes={processes},
            dashboard_address=None,
        ) as cluster, distributed.Client(cluster):
            for i in range({rounds}):
                # Fresh (unprepared) zones and caches each round: every round
                # prepares and first uses them, where the races are.
                _common._TILE_CACHE.clear()
                _crossings._EDGE_CACHE.clear()
                zones = read_zones(REPO_ROOT / settings.ZONES_FILE)
                got = lines_and_zones(legs, zones, engine="dask", partitions=16)
                assert_identical(got[0], want[0])
                assert_identical(got[1], want[1])
                print("round", i, "same", flush=True)
    """
)


@pytest.mark.parametrize(
    ("workers", "threads", "processes", "rounds"), [(1, 4, False, 8), (2, 1, True, 3)]
)
def test_many_threads_repeatedly_same_as_pandas(tmp_path, workers, threads, processes, rounds):
    script = tmp_path / "repeat.py"
    script.write_text(
        _REPEAT.format(
            tests=str(REPO_ROOT / "tests"),
            workers=workers,
            threads=threads,
            processes=processes,
            rounds=rounds,
        )
    )
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split("\n").count(f"round {rounds - 1} same") == 1


def test_no_client_runs_here_one_partition_at_a_time(monkeypatch):
    # Without a cluster (and no scheduler in dask's config) the partitions
    # run in this thread.
    from test_engine import assert_identical, multi_leg_legs

    import geo.zones

    zones = read_zones(REPO_ROOT / settings.ZONES_FILE)
    legs = multi_leg_legs(60, seed=2)
    want = lines_and_zones(legs, zones)
    threads = set()
    split = geo.zones.split_by_zone

    def seen(*args, **kwargs):
        threads.add(threading.get_ident())
        return split(*args, **kwargs)

    monkeypatch.setattr(geo.zones, "split_by_zone", seen)
    got = lines_and_zones(legs, zones, engine="dask", partitions=4)
    assert threads == {threading.get_ident()}
    assert_identical(got[0], want[0])
    assert_identical(got[1], want[1])
