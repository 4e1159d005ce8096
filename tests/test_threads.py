"""geo.threads: the thread budget of vectorized steps."""

from __future__ import annotations

import os
import threading

import numpy as np
import shapely

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
