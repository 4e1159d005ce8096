"""geo.threads: the thread budget of vectorized steps."""

from __future__ import annotations

import os
import threading

import numpy as np
import shapely
from _helpers import on_two_threads_then_here

from geo.lines import geodesic_lines
from geo.threads import limited, thread_count


def test_thread_count_is_the_cpu_count_capped():
    cpus = os.cpu_count() or 1
    assert thread_count() == cpus
    assert thread_count(most=1) == 1
    with limited(1):
        assert thread_count() == 1
        assert thread_count(most=4) == 1
        with limited(3):  # an inner cap never raises the outer one
            assert thread_count() == 1
    assert thread_count() == cpus


def test_limited_holds_in_its_own_thread_only():
    seen = {}

    def other():
        seen["other"] = thread_count()

    with limited(1):
        t = threading.Thread(target=other)
        t.start()
        t.join()
        seen["here"] = thread_count()
    assert seen == {"other": os.cpu_count() or 1, "here": 1}


def test_geodesic_lines_are_the_same_on_one_thread_or_many():
    from test_lines import make_legs

    rng = np.random.default_rng(3)
    pts = rng.uniform([-20, -30], [60, 60], size=(3000, 2, 2))
    # long legs: several chunks of vertices, so more than one thread works
    legs = make_legs([(f"T{i}", 1, tuple(a), tuple(b)) for i, (a, b) in enumerate(pts)])
    many = geodesic_lines(legs)
    with limited(1):
        one = geodesic_lines(legs)
    assert (
        shapely.to_wkb(many.geometry.to_numpy()).tolist()
        == shapely.to_wkb(one.geometry.to_numpy()).tolist()
    )


def test_shared_cache_builds_once_for_every_thread_and_freezes_arrays():
    import pytest

    from geo._threadcache import SharedCache

    cache = SharedCache(keep=2)
    built = []
    gate = threading.Barrier(4)

    def build():
        built.append(threading.get_ident())
        return np.arange(5.0), (np.zeros(3, dtype=np.int64), np.array([b"wkb"], dtype=object))

    got = {}

    def ask(i):
        gate.wait()
        got[i] = cache.get("k", build)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(built) == 1  # built once, the others waited for it
    assert all(v is got[0] for v in got.values())
    arr, (ints, wkb) = got[0]
    for a in (arr, ints, wkb):
        assert not a.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        arr[0] = 1.0
    # no GEOS object may be shared by threads (prepared geometry is not thread-safe)
    with pytest.raises(TypeError, match="WKB"):
        cache.get("g", lambda: (np.zeros(1), shapely.Point(0, 0)))
    with pytest.raises(TypeError, match="WKB"):
        cache.get("h", lambda: np.array([shapely.Point(0, 0)], dtype=object))
    assert "g" not in cache and "h" not in cache
    cache.get("a", lambda: np.zeros(1))
    cache.get("b", lambda: np.zeros(1))  # keep=2: the oldest ("k") goes
    assert "k" not in cache and len(cache) == 2
    cache.clear()
    assert len(cache) == 0


def test_zone_tiles_are_cut_once_but_each_thread_has_its_own_geometries():
    from geo import settings
    from geo.paths import REPO_ROOT
    from geo.zones import _common, read_zones

    zones = read_zones(REPO_ROOT / settings.ZONES_FILE)
    _common._SHARED_TILES.clear()
    _common._TILE_CACHE.clear()
    calls = []
    real = _common.subdivide

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    _common.subdivide = counted
    try:
        seen = {}

        def look(i):
            seen[i] = _common._tiles(zones)

        on_two_threads_then_here(look)
    finally:
        _common.subdivide = real
    assert len(calls) == 1
    for a, b in [(0, 1), (0, "here")]:
        (ta, oa), (tb, ob) = seen[a], seen[b]
        assert np.array_equal(oa, ob)
        assert all(x is not y for x, y in zip(ta, tb, strict=True))  # own GEOS objects
        assert shapely.to_wkb(ta).tolist() == shapely.to_wkb(tb).tolist()
    fresh, owners = real(
        np.asarray(zones.geometry.values, dtype=object),
        max_vertices=_common._TILE_VERTICES,
        min_size=settings.ZONE_TILE_DEG,
    )
    assert shapely.to_wkb(seen[0][0]).tolist() == shapely.to_wkb(fresh).tolist()
    assert np.array_equal(seen[0][1], owners)
