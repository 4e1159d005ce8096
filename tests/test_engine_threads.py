"""``engine="dask"`` with several worker threads in one process: no crash (issue 15).

GEOS prepared geometries are not thread-safe (libgeos/geos#825): two
threads using the zones' prepared geometries at once can abort the
interpreter (a bare shapely loop doing that segfaulted 3 runs in 3 here).
The engine's tasks take turns on one lock per process; these tests check
that they do, and run whole computations on 2 worker threads and on 2
worker processes, repeated, in a subprocess so that an abort fails the
test instead of killing pytest.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import pytest

from geo import settings
from geo.engine import lines_and_zones
from geo.paths import REPO_ROOT
from geo.zones import read_zones

pytest.importorskip("distributed")
pytest.importorskip("dask_geopandas")


def test_tasks_in_one_process_take_turns_on_geos(monkeypatch):
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

    def watched(fn):
        def run(*args, **kwargs):
            nonlocal inside, most
            with count:
                inside += 1
                most = max(most, inside)
            try:
                time.sleep(0.02)  # long enough for another thread to come in
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
    assert most == 1
    assert_identical(got[0], want[0])
    assert_identical(got[1], want[1])


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
        legs = multi_leg_legs(150, seed=9)
        want = lines_and_zones(legs, read_zones(REPO_ROOT / settings.ZONES_FILE))
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes={processes},
            dashboard_address=None,
        ) as cluster, distributed.Client(cluster):
            for i in range({rounds}):
                # Fresh (unprepared) zones and caches each round: every round
                # prepares and first uses them, where the races are.
                _common._TILE_CACHE.clear()
                _crossings._EDGE_CACHE.clear()
                zones = read_zones(REPO_ROOT / settings.ZONES_FILE)
                got = lines_and_zones(legs, zones, engine="dask", partitions=10)
                assert_identical(got[0], want[0])
                assert_identical(got[1], want[1])
                print("round", i, "same", flush=True)
    """
)


@pytest.mark.parametrize(("processes", "rounds"), [(False, 8), (True, 3)])
def test_two_workers_repeatedly_no_crash(tmp_path, processes, rounds):
    script = tmp_path / "repeat.py"
    script.write_text(
        _REPEAT.format(tests=str(REPO_ROOT / "tests"), processes=processes, rounds=rounds)
    )
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split("\n").count(f"round {rounds - 1} same") == 1


def test_no_client_runs_here_one_partition_at_a_time(monkeypatch):
    # Without a cluster the partitions run in this thread (dask's threads
    # would only take turns on the lock).
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
