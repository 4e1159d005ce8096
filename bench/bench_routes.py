"""Benchmark issue-11 lines: via points (vectorized) and sea routes (cached per port pair).

Run from the repository root::

    python bench/bench_routes.py                       # 100k legs, 2,000 sea legs
    python bench/bench_routes.py --legs 10000 --sea 500

Two measurements, each a ratio against a baseline in the same run:

1. **via points**: ``geo.lines.geodesic_lines`` on ``--legs`` legs of which a
   fifth have one or two via points (drawn piece by piece, all pieces at
   once), against the same call with no via points (the plain geodesics);
   and against a per-leg loop (``Geod.npts`` per piece + shapely) on a sample.
2. **sea routes**: ``geo.routes.movement_lines`` on ``--sea`` sea legs among
   ``--ports`` ports (so many legs share a port pair), with the route cache
   (one ``searoute`` call per distinct pair) against one ``searoute`` call
   per leg (timed on a sample and scaled).

Figures depend on the machine and its load; this is not a test.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
import pandas as pd
import pyproj
import shapely

from geo import columns as col
from geo import settings

PORTS = [  # (lon, lat) of Mediterranean and Black Sea ports
    (35.875, 34.915),
    (23.983, 32.078),
    (34.633, 36.8),
    (36.33, 41.287),
    (13.191, 32.887),
    (32.302, 31.265),
    (20.067, 32.117),
    (15.093, 32.375),
    (29.0, 41.0),
    (12.3, 45.4),
    (5.37, 43.3),
    (-5.35, 36.14),
    (14.27, 40.84),
    (23.63, 37.94),
    (33.03, 34.67),
    (35.5, 33.9),
    (29.9, 31.2),
    (10.2, 36.8),
    (3.05, 36.77),
    (-0.64, 35.7),
]


def _legs(n: int, via_share: float, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lon1, lat1 = rng.uniform(-20, 60, n), rng.uniform(0, 60, n)
    lon2, lat2 = rng.uniform(-20, 60, n), rng.uniform(0, 60, n)
    via = [()] * n
    for i in np.flatnonzero(rng.random(n) < via_share):
        k = int(rng.integers(1, 3))
        xs, ys = rng.uniform(-20, 60, k), rng.uniform(0, 60, k)
        via[i] = tuple((float(x), float(y)) for x, y in zip(xs, ys, strict=True))
    return pd.DataFrame(
        {
            col.TRANSFER_ID: [f"T{i:07d}" for i in range(n)],
            col.LEG: 1,
            col.FROM_LON: lon1,
            col.FROM_LAT: lat1,
            col.TO_LON: lon2,
            col.TO_LAT: lat2,
            col.FROM_UNKNOWN: False,
            col.TO_UNKNOWN: False,
            col.FROM_PRECISION: "site",
            col.TO_PRECISION: "site",
            col.VIA_POINTS: via,
            col.MODE: "air",
        }
    )


def bench_via(n: int, row_sample: int) -> None:
    from geo.lines import geodesic_lines

    legs = _legs(n, 0.2)
    plain = legs.assign(**{col.VIA_POINTS: [()] * n})
    t0 = time.perf_counter()
    geodesic_lines(plain)
    t_plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = geodesic_lines(legs)
    t_via = time.perf_counter() - t0
    n_via = int((legs[col.VIA_POINTS].map(len) > 0).sum())
    # per-leg loop on a sample of the via legs
    geod = pyproj.Geod(ellps=settings.ELLPS)
    idx = np.flatnonzero(legs[col.VIA_POINTS].map(len) > 0)[:row_sample]
    t0 = time.perf_counter()
    km = []
    for i in idx:
        r = legs.iloc[i]
        start, end = (r[col.FROM_LON], r[col.FROM_LAT]), (r[col.TO_LON], r[col.TO_LAT])
        pts = [start, *r[col.VIA_POINTS], end]
        xy, total = [], 0.0
        for (a, b), (c, d) in itertools.pairwise(pts):
            dist = geod.inv(a, b, c, d)[2]
            total += dist
            npts = max(int(np.ceil(dist / (settings.VERTEX_SPACING_KM * 1000))) + 1, 2)
            seg = geod.npts(a, b, c, d, npts, initial_idx=0, terminus_idx=0)
            xy.extend(seg if not xy else seg[1:])
        shapely.LineString(xy)
        km.append(total / 1000)
    t_row = (time.perf_counter() - t0) * n_via / max(len(idx), 1)
    got = out[col.LENGTH_KM].to_numpy()[idx]
    print(f"via: {n:,} legs, {n_via:,} with via points")
    print(
        f"  plain geodesics {t_plain:.2f} s; with via {t_via:.2f} s "
        f"({t_via / t_plain:.2f}x the plain run)"
    )
    print(
        f"  per-leg loop for the via legs: {t_row:.2f} s (from {len(idx):,} legs, scaled); "
        f"ratio {t_row / max(t_via - t_plain, 1e-9):.1f}x on the via legs' extra time"
    )
    print(f"  max |km difference| vs loop: {np.max(np.abs(got - np.array(km))):.2e}")


def bench_sea(n: int, n_ports: int, row_sample: int) -> None:
    import searoute

    from geo.routes import _route, movement_lines

    rng = np.random.default_rng(1)
    ports = PORTS[:n_ports]
    a = rng.integers(0, len(ports), n)
    b = (a + rng.integers(1, len(ports), n)) % len(ports)
    legs = _legs(n, 0.0).assign(
        **{
            col.FROM_LON: [ports[i][0] for i in a],
            col.FROM_LAT: [ports[i][1] for i in a],
            col.TO_LON: [ports[i][0] for i in b],
            col.TO_LAT: [ports[i][1] for i in b],
            col.MODE: "sea",
        }
    )
    pairs = len(set(zip(a.tolist(), b.tolist(), strict=True)))
    searoute.searoute(ports[0], ports[1])  # load the network outside the timings
    _route.cache_clear()
    t0 = time.perf_counter()
    movement_lines(legs)
    t_cached = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i in range(min(row_sample, n)):
        searoute.searoute(ports[a[i]], ports[b[i]], append_orig_dest=True)
    t_each = (time.perf_counter() - t0) * n / min(row_sample, n)
    print(f"sea: {n:,} sea legs, {pairs} distinct port pairs")
    print(
        f"  movement_lines (cached per pair) {t_cached:.2f} s; one searoute call per leg "
        f"{t_each:.2f} s (scaled from {min(row_sample, n)}); ratio {t_each / t_cached:.1f}x"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--legs", type=int, default=100_000)
    p.add_argument("--sea", type=int, default=2000)
    p.add_argument("--ports", type=int, default=len(PORTS))
    p.add_argument("--row-sample", type=int, default=2000)
    args = p.parse_args()
    bench_via(args.legs, args.row_sample)
    bench_sea(args.sea, args.ports, min(args.row_sample, 300))


if __name__ == "__main__":
    main()
