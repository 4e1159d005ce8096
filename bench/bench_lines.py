"""Benchmark geo.lines.geodesic_lines against a straightforward per-row version.

Run from the repository root::

    python bench/bench_lines.py                      # 10k, 100k, 1M legs
    python bench/bench_lines.py --sizes 10000 50000  # quicker

For each size it builds a synthetic ledger (legs between random
gazetteer-like places: 90 % in lon -20..60, lat 0..60, 10 % anywhere on
Earth), then times, each in a fresh Python process so peak memory is its own:

- ``vectorized``: ``geo.lines.geodesic_lines(legs)`` (the project's code);
- ``per-row``: for each leg ``Geod.inv`` (length), ``Geod.npts(...,
  initial_idx=0, terminus_idx=0)`` with the same vertex spacing, and
  ``shapely.LineString``.

Above ``--row-cap`` legs the per-row version is timed on a random sample of
``--row-cap`` legs and its time scaled linearly; the output says so. Peak
memory is the child process's peak resident set size (``getrusage``), and
its increase over the RSS after the ledger was built. This is a benchmark,
not a test: figures depend on the machine and on its load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from typing import Any

import numpy as np
import pandas as pd

from geo import columns as col
from geo import settings


def synthetic_legs(
    n: int, seed: int = 0, n_places: int = 5000, n_routes: int | None = None
) -> pd.DataFrame:
    """A ledger-like leg table of ``n`` legs between ``n_places`` random places.

    Each leg joins two random places (nearly every leg its own route); with
    ``n_routes``, the legs fly ``n_routes`` random routes, as flight-tracking
    ledgers repeat a few hundred or thousand routes.
    """
    rng = np.random.default_rng(seed)
    glob = rng.random(n_places) < 0.1
    lon = np.where(glob, rng.uniform(-180, 180, n_places), rng.uniform(-20, 60, n_places))
    # Uniform on the sphere for the global ones, so poles are rare but present.
    lat = np.where(
        glob, np.degrees(np.arcsin(rng.uniform(-1, 1, n_places))), rng.uniform(0, 60, n_places)
    )
    a = rng.integers(0, n_places, n)
    b = rng.integers(0, n_places, n)
    if n_routes is not None:
        ra, rb = rng.integers(0, n_places, n_routes), rng.integers(0, n_places, n_routes)
        pick = rng.integers(0, n_routes, n)
        a, b = ra[pick], rb[pick]
    legs_per_transfer = 3
    return pd.DataFrame(
        {
            col.TRANSFER_ID: [f"T{i // legs_per_transfer:07d}" for i in range(n)],
            col.LEG: np.arange(n) % legs_per_transfer + 1,
            col.FROM_LON: lon[a],
            col.FROM_LAT: lat[a],
            col.TO_LON: lon[b],
            col.TO_LAT: lat[b],
            col.FROM_UNKNOWN: False,
            col.TO_UNKNOWN: False,
            col.FROM_PRECISION: "site",
            col.TO_PRECISION: "site",
        }
    )


def per_row(legs: pd.DataFrame, spacing_km: float) -> tuple[list[object], list[float]]:
    """The straightforward way: one Geod.npts and one LineString per leg."""
    import pyproj
    import shapely

    geod = pyproj.Geod(ellps=settings.ELLPS)
    geoms: list[object] = []
    lengths: list[float] = []
    cols = [col.FROM_LON, col.FROM_LAT, col.TO_LON, col.TO_LAT]
    for lon1, lat1, lon2, lat2 in legs[cols].itertuples(index=False, name=None):
        _, _, dist = geod.inv(lon1, lat1, lon2, lat2)
        npts = max(int(np.ceil(dist / (spacing_km * 1000.0))), 1) + 1
        pts = geod.npts(lon1, lat1, lon2, lat2, npts, initial_idx=0, terminus_idx=0)
        geoms.append(shapely.LineString(pts))
        lengths.append(dist / 1000.0)
    return geoms, lengths


def _rss_mib() -> float:
    # ru_maxrss is KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _current_rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(impl: str, n: int, sample: int, seed: int, spacing_km: float) -> dict[str, Any]:
    """Time one implementation on one ledger size (run in a fresh process)."""
    import shapely

    legs = synthetic_legs(n, seed)
    if impl == "per-row" and sample < n:
        legs = legs.sample(sample, random_state=seed)
    rss0 = _current_rss_mib()
    w0, c0 = time.perf_counter(), time.process_time()
    if impl == "vectorized":
        from geo.lines import geodesic_lines

        out = geodesic_lines(legs, spacing_km=spacing_km)
        geoms = out.geometry.to_numpy()
        lengths = out[col.LENGTH_KM].to_numpy()
    else:
        geoms_list, length_list = per_row(legs, spacing_km)
        geoms, lengths = np.asarray(geoms_list, dtype=object), np.asarray(length_list)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return {
        "impl": impl,
        "n": n,
        "timed_legs": len(legs),
        "wall_s": wall,
        "cpu_s": cpu,
        "vertices": int(shapely.get_num_coordinates(geoms).sum()),
        "km_total": float(np.nansum(lengths)),
        "peak_rss_mib": _rss_mib(),
        "rss_before_mib": rss0,
    }


def run_child(impl: str, n: int, sample: int, seed: int, spacing_km: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", impl, str(n), str(sample), str(seed)]
    cmd += ["--spacing-km", str(spacing_km)]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return dict(json.loads(res.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    p.add_argument("--row-cap", type=int, default=100_000, help="largest per-row run (legs)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--spacing-km", type=float, default=settings.VERTEX_SPACING_KM)
    p.add_argument("--child", nargs=4, metavar=("IMPL", "N", "SAMPLE", "SEED"), help="internal")
    args = p.parse_args(argv)
    if args.child:
        impl, n, sample, seed = args.child
        print(json.dumps(child(impl, int(n), int(sample), int(seed), args.spacing_km)))
        return 0

    print(
        f"bench_lines: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, numpy {np.__version__}; "
        f"spacing {args.spacing_km} km; seed {args.seed}; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    head = (
        f"{'legs':>9} {'vertices':>12} {'vectorized s':>13} {'(cpu s)':>8} {'per-row s':>10} "
        f"{'(cpu s)':>8} {'ratio':>6} {'vec peak MiB':>13} {'(+MiB)':>7} {'row peak MiB':>13} note"
    )
    print(head)
    rows = []
    for n in args.sizes:
        vec = run_child("vectorized", n, n, args.seed, args.spacing_km)
        sample = min(n, args.row_cap)
        row = run_child("per-row", n, sample, args.seed, args.spacing_km)
        scale = n / float(row["timed_legs"])
        row_wall = float(row["wall_s"]) * scale
        row_cpu = float(row["cpu_s"]) * scale
        note = (
            "per-row measured on all legs"
            if scale == 1
            else f"per-row EXTRAPOLATED: timed on a random {sample:,}-leg sample x {scale:g}"
        )
        vec_wall = float(vec["wall_s"])
        print(
            f"{n:>9,} {vec['vertices']:>12,} {vec_wall:>13.2f} {float(vec['cpu_s']):>8.2f} "
            f"{row_wall:>10.2f} {row_cpu:>8.2f} {row_wall / vec_wall:>5.1f}x "
            f"{float(vec['peak_rss_mib']):>13.0f} "
            f"{float(vec['peak_rss_mib']) - float(vec['rss_before_mib']):>7.0f} "
            f"{float(row['peak_rss_mib']):>13.0f} {note}",
            flush=True,
        )
        rows.append((vec, row))
    # Same geodesics both ways: total length must agree where both ran fully.
    for vec, row in rows:
        if row["timed_legs"] == vec["n"]:
            diff = abs(float(vec["km_total"]) - float(row["km_total"]))
            print(
                f"check {vec['n']:,} legs: total km vectorized {vec['km_total']:.3f}, "
                f"per-row {row['km_total']:.3f} (diff {diff:.2e} km); vertices "
                f"{vec['vertices']:,} vs {row['vertices']:,}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
