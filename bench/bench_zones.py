"""Benchmark zone attribution and splitting against a straightforward per-row version.

Run from the repository root::

    python bench/bench_zones.py                      # 10k, 100k, 1M legs
    python bench/bench_zones.py --sizes 10000        # quicker

Legs are those of ``bench/bench_lines.py`` (random gazetteer-like places, 90 %
in lon -20..60, lat 0..60, 10 % anywhere), dated at random between 2019 and
2025 with a span of one day, a week or a month, against the bundled
``zones.geojson``.  Nearly every leg has its own route; ``--routes K`` makes
the legs fly K routes (as flight-tracking ledgers do): legs of one route
share one line (``geodesic_lines``) and legs that also agree on where their
days fall among the zones' dates are answered once (``geo/zones/_distinct.py``),
on both sides of the ratio.  Each implementation runs in a fresh Python process, which
first times ``geo.lines.geodesic_lines`` on the legs (``lines s``: the
yardstick, same process, same legs) and then:

- ``vectorized``: ``geo.zones.attribute_legs`` + ``geo.zones.split_by_zone``
  (the project's code; ``--no-outside-geometry`` passes
  ``outside_geometry=False``, as the per-row version builds no geometry);
- ``before`` (up to ``--before-cap`` legs): the same with every leg sent
  through the GEOS path that was the only one before issue 15 (lines cut in
  chunks of 8 segments, joined with zone tiles, intersected in GEOS);
- ``per-row``: for each leg and each end, loop over the zones (prepared
  geometries, date and bounding-box checks first) at every change of
  control in the leg's interval; then for each zone valid on the leg's
  first day whose box meets the line, ``line.intersection(zone)`` and
  ``Geod.geometry_length``.

``zones/lines`` is wall time over wall time, ``(cpu)`` the same in CPU
seconds (steadier on a busy machine).  Above ``--row-cap`` legs the per-row
version is timed on a random sample and its time scaled linearly; the
output says so.  Peak memory is the child's peak resident set size
(``getrusage``) and its increase over the RSS once the lines were built.
Checks: against ``before``, the segments, factions and km per leg inside
zones (1e-5 relative: the GEOS path adds vertices where it cuts lines at
tile edges, off the geodesic); against per-row (where it ran on every
leg), factions and km (1e-6).  Figures depend on the machine and its load
(printed with each row); ``--repeat 3`` times lines and zones three times
each, alternately on fresh lines in one child, and keeps the best of each
(steadier under load; the ``(+MiB)`` column then counts from the RSS after
the earlier rounds).  ``--cold`` prints what the compiled crossing finder
(numba) costs the first split in a fresh process: compiling with no cache,
then loading the cache it wrote.
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
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_lines import synthetic_legs

from geo import columns as col
from geo import settings

ZONES = Path(__file__).resolve().parent.parent / settings.ZONES_FILE


#: ``--routes``: the legs fly this many distinct routes (None: nearly every leg its own).
ROUTES: list[int | None] = [None]


def dated_legs(n: int, seed: int) -> pd.DataFrame:
    """The legs of ``bench_lines.synthetic_legs``, dated between 2019 and 2025."""
    legs = synthetic_legs(n, seed, n_routes=ROUTES[0])
    rng = np.random.default_rng(seed + 1)
    start = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 7 * 365, n), unit="D")
    span = rng.choice([0, 6, 30], n, p=[0.6, 0.2, 0.2])
    legs[col.DATE_START] = start
    legs[col.DATE_END] = start + pd.to_timedelta(span, unit="D")
    return legs


def dated_lines(n: int, seed: int) -> Any:
    from geo.lines import geodesic_lines

    return geodesic_lines(dated_legs(n, seed))


def _use_geos_path() -> None:
    """Route every leg through the GEOS path (chunks x zone tiles), as before issue 15."""
    import geo.zones.split as split
    from geo.zones import _fast

    split.segments_batch = _fast.geos_batch  # type: ignore[assignment]
    split.met_batch = _fast.geos_met_batch  # type: ignore[assignment]


def per_row(lines: Any, zones: Any) -> tuple[list[object], list[object], list[float]]:
    """The straightforward way: Python loops over legs, ends and zones."""
    import geopandas as gpd
    import pyproj
    import shapely

    geod = pyproj.Geod(ellps=settings.ELLPS)
    zrows = []
    for geom, fac, vf, vt, zid in zones[
        ["geometry", col.FACTION, col.VALID_FROM, col.VALID_TO, col.ZONE_ID]
    ].itertuples(index=False, name=None):
        shapely.prepare(geom)
        end = pd.Timestamp.max if pd.isna(vt) else vt
        zrows.append((geom, geom.bounds, fac, vf, end, geom.area, zid))

    def at(x: float, y: float, day: pd.Timestamp) -> object:
        pt = shapely.Point(x, y)
        hits = [
            (geom, area, zid, fac)
            for geom, (x0, y0, x1, y1), fac, vf, vt, area, zid in zrows
            if vf <= day <= vt and x0 <= x <= x1 and y0 <= y <= y1 and geom.intersects(pt)
        ]
        if not hits:
            return col.OUTSIDE_ZONES
        if len(hits) == 1:
            return hits[0][3]
        # interior before boundary, then the smallest zone, then the id
        return min(hits, key=lambda h: (h[0].boundary.intersects(pt), h[1], h[2]))[3]

    def faction(x: float, y: float, s: pd.Timestamp, e: pd.Timestamp) -> object:
        if not (np.isfinite(x) and np.isfinite(y)):
            return None
        days = {s}
        for *_, vf, vt, _a, _z in zrows:
            for d in (vf, vt + pd.Timedelta(days=1) if vt < pd.Timestamp.max else vt):
                if s < d <= e:
                    days.add(d)
        facs = {at(x, y, d) for d in days}
        return facs.pop() if len(facs) == 1 else None

    froms, tos, kms = [], [], []
    cols = [col.FROM_LON, col.FROM_LAT, col.TO_LON, col.TO_LAT, col.DATE_START, col.DATE_END]
    for (x0, y0, x1, y1, s, e), line in zip(
        lines[cols].itertuples(index=False, name=None), lines.geometry, strict=True
    ):
        froms.append(faction(x0, y0, s, e))
        tos.append(faction(x1, y1, s, e))
        km = 0.0
        if line is not None:
            if line.bounds[0] < -180 or line.bounds[2] > 180:
                from geo.lines import split_antimeridian

                one = gpd.GeoDataFrame(geometry=[line], crs="EPSG:4326")
                line = split_antimeridian(one).geometry.iloc[0]
            lx0, ly0, lx1, ly1 = line.bounds
            for geom, (zx0, zy0, zx1, zy1), _f, vf, vt, _a, _z in zrows:
                if vf <= s <= vt and zx0 <= lx1 and lx0 <= zx1 and zy0 <= ly1 and ly0 <= zy1:
                    piece = line.intersection(geom)
                    if not piece.is_empty:
                        km += geod.geometry_length(piece) / 1000.0
        kms.append(km)
    return froms, tos, kms


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _current_rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(
    impl: str, n: int, sample: int, seed: int, outside: bool = True, repeat: int = 1
) -> dict[str, Any]:
    """Time one implementation on one size (run in a fresh process).

    With ``repeat`` > 1 (vectorized and GEOS paths), lines and zones are
    timed that many times, alternately, on fresh lines: the best of each.
    """
    from geo.lines import geodesic_lines
    from geo.zones import attribute_legs, read_zones, split_by_zone

    zones = read_zones(ZONES)
    warm = dated_lines(50, seed + 7)  # zone tiles and edge grids are built once per zone set
    attribute_legs(warm, zones)
    split_by_zone(warm, zones)
    legs_in = dated_legs(n, seed)
    best: list[tuple[float, float, float, float]] = []
    for _ in range(repeat - 1):  # earlier rounds: only the best times are kept
        w0, c0 = time.perf_counter(), time.process_time()
        lines = geodesic_lines(legs_in)
        lw, lc = time.perf_counter() - w0, time.process_time() - c0
        w0, c0 = time.perf_counter(), time.process_time()
        attribute_legs(lines, zones)
        split_by_zone(lines, zones)
        best.append((lw, lc, time.perf_counter() - w0, time.process_time() - c0))
        del lines
    w0, c0 = time.perf_counter(), time.process_time()
    lines = geodesic_lines(legs_in)
    lines_wall, lines_cpu = time.perf_counter() - w0, time.process_time() - c0
    del legs_in
    if impl == "per-row" and sample < n:
        lines = lines.sample(sample, random_state=seed)
    if impl == "geos":
        _use_geos_path()
    rss0 = _current_rss_mib()
    w0, c0 = time.perf_counter(), time.process_time()
    if impl in ("vectorized", "geos"):
        legs = attribute_legs(lines, zones)
        segs = split_by_zone(lines, zones, outside_geometry=outside)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        if best:
            lines_wall = min([lines_wall] + [b[0] for b in best])
            lines_cpu = min([lines_cpu] + [b[1] for b in best])
            wall = min([wall] + [b[2] for b in best])
            cpu = min([cpu] + [b[3] for b in best])
        inside = segs[segs[col.ZONE_ID].notna()]
        km = (
            inside.groupby([col.TRANSFER_ID, col.LEG])[col.SEGMENT_KM]
            .sum()
            .reindex(pd.MultiIndex.from_frame(lines[[col.TRANSFER_ID, col.LEG]]), fill_value=0.0)
            .to_numpy()
        )
        froms, tos = legs[col.FROM_FACTION].tolist(), legs[col.TO_FACTION].tolist()
        n_segments = len(segs)
    else:
        froms, tos, km_list = per_row(lines, zones)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        km = np.asarray(km_list)
        n_segments = -1
    return {
        "impl": impl,
        "n": n,
        "timed_legs": len(lines),
        "wall_s": wall,
        "cpu_s": cpu,
        "lines_wall_s": lines_wall,
        "lines_cpu_s": lines_cpu,
        "load": os.getloadavg()[0],
        "segments": n_segments,
        "froms": [None if f is None else str(f) for f in froms] if n <= 100_000 else [],
        "tos": [None if t is None else str(t) for t in tos] if n <= 100_000 else [],
        "km": km.tolist() if n <= 100_000 else [],
        "km_total": float(np.nansum(km)),
        "peak_rss_mib": _rss_mib(),
        "rss_before_mib": rss0,
    }


def cold_child(numpy_only: bool = False) -> dict[str, Any]:
    """First and second split of 50 legs in this fresh process (numba compiles or loads).

    ``numpy_only``: with the numpy crossing finder instead (no numba at all).
    """
    import functools

    from geo.zones import _crossings, read_zones, split_by_zone

    zones = read_zones(ZONES)
    lines = dated_lines(50, 7)
    w0, c0 = time.perf_counter(), time.process_time()
    if numpy_only:
        _crossings.segment_crossings = functools.partial(  # type: ignore[assignment]
            _crossings.segment_crossings, compiled=False
        )
    else:
        import numba  # noqa: F401  (what the first split imports)

    imp = time.perf_counter() - w0
    w0 = time.perf_counter()
    split_by_zone(lines, zones)
    first_wall, first_cpu = time.perf_counter() - w0, time.process_time() - c0
    lines2 = dated_lines(50, 8)
    w0 = time.perf_counter()
    split_by_zone(lines2, zones)
    return {"import_s": imp, "first_s": first_wall, "first_cpu_s": first_cpu,
            "second_s": time.perf_counter() - w0}  # fmt: skip


def cold_start() -> None:
    """Cost of numba on the first split in a fresh process: no cache, then its cache warm."""
    import tempfile

    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for label, flag in (
            ("numpy crossing finder, no numba", ["--numpy"]),
            ("no numba cache (compiles)", []),
            ("numba cache warm (loads)", []),
        ):
            cmd = [sys.executable, __file__, "--cold-child", *flag]
            res = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
            got = json.loads(res.stdout.strip().splitlines()[-1])
            print(
                f"cold start, {label}: import numba {got['import_s']:.2f} s, first split of "
                f"50 legs {got['first_s']:.2f} s (CPU {got['first_cpu_s']:.2f} s, import "
                f"included), second {got['second_s']:.3f} s; load {os.getloadavg()[0]:.2f}",
                flush=True,
            )


def run_child(
    impl: str, n: int, sample: int, seed: int, outside: bool = True, repeat: int = 1
) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", impl, str(n), str(sample), str(seed)]
    cmd += [] if outside else ["--no-outside-geometry"]
    cmd += ["--repeat", str(repeat)] if impl != "per-row" else []
    cmd += ["--routes", str(ROUTES[0])] if ROUTES[0] else []
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return dict(json.loads(res.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    p.add_argument("--row-cap", type=int, default=10_000, help="largest per-row run (legs)")
    p.add_argument(
        "--before-cap", type=int, default=100_000, help="largest run of the GEOS path (legs)"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--no-outside-geometry",
        action="store_true",
        help="split_by_zone(..., outside_geometry=False)",
    )
    p.add_argument("--child", nargs=4, metavar=("IMPL", "N", "SAMPLE", "SEED"), help="internal")
    p.add_argument(
        "--repeat", type=int, default=1,
        help="time lines and zones this many times each, alternately: the best of each",
    )  # fmt: skip
    p.add_argument(
        "--cold", action="store_true", help="only the first-call cost of the compiled code"
    )
    p.add_argument(
        "--routes", type=int, default=None,
        help="the legs fly this many distinct routes (default: nearly every leg its own); "
        "legs of one route share their line and most zone work",
    )  # fmt: skip
    p.add_argument("--cold-child", action="store_true", help="internal")
    p.add_argument("--numpy", action="store_true", help="internal (--cold-child)")
    args = p.parse_args(argv)
    ROUTES[0] = args.routes
    if args.cold_child:
        print(json.dumps(cold_child(args.numpy)))
        return 0
    if args.cold:
        cold_start()
        return 0
    if args.child:
        impl, n, sample, seed = args.child
        outside = not args.no_outside_geometry
        print(json.dumps(child(impl, int(n), int(sample), int(seed), outside, args.repeat)))
        return 0
    print(
        f"bench_zones: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, numpy {np.__version__}; seed {args.seed}; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"outside geometry {'off' if args.no_outside_geometry else 'on'}; "
        f"routes {args.routes or 'one per leg (nearly)'}"
    )
    print(
        "zones = attribute_legs + split_by_zone; lines = geodesic_lines for the same legs, "
        "same process; before = the GEOS chunk x tile path for every leg (--before-cap)"
    )
    print(
        f"{'legs':>9} {'segments':>9} {'lines s':>8} {'zones s':>8} {'zones/lines':>11} "
        f"{'(cpu)':>6} {'before s':>9} {'before/zones':>12} {'per-row s':>10} "
        f"{'peak MiB':>9} {'(+MiB)':>7} {'load':>5} note"
    )
    for n in args.sizes:
        vec = run_child("vectorized", n, n, args.seed, not args.no_outside_geometry, args.repeat)
        old = None
        if n <= args.before_cap:
            old = run_child("geos", n, n, args.seed, not args.no_outside_geometry)
        sample = min(n, args.row_cap)
        row = run_child("per-row", n, sample, args.seed) if sample else None
        vec_wall, lines_wall = float(vec["wall_s"]), float(vec["lines_wall_s"])
        cpu_ratio = float(vec["cpu_s"]) / float(vec["lines_cpu_s"])
        note = ""
        row_txt = "-"
        if row is not None:
            scale = n / float(row["timed_legs"])
            row_txt = f"{float(row['wall_s']) * scale:.2f}"
            note = (
                "per-row measured on all legs"
                if scale == 1
                else f"per-row EXTRAPOLATED from a random {sample:,}-leg sample x {scale:g}"
            )
        old_txt = f"{float(old['wall_s']):.2f}" if old else "-"
        old_ratio = f"{float(old['wall_s']) / vec_wall:.1f}x" if old else "-"
        print(
            f"{n:>9,} {vec['segments']:>9,} {lines_wall:>8.2f} {vec_wall:>8.2f} "
            f"{vec_wall / lines_wall:>10.2f}x {cpu_ratio:>5.2f}x {old_txt:>9} {old_ratio:>12} "
            f"{row_txt:>10} {float(vec['peak_rss_mib']):>9.0f} "
            f"{float(vec['peak_rss_mib']) - float(vec['rss_before_mib']):>7.0f} "
            f"{float(vec['load']):>5.2f} {note}",
            flush=True,
        )
        if old and vec["froms"]:
            same = vec["segments"] == old["segments"]
            f_ok = vec["froms"] == old["froms"] and vec["tos"] == old["tos"]
            kv, ko = np.asarray(vec["km"]), np.asarray(old["km"])
            km_ok = np.isclose(kv, ko, rtol=1e-5, atol=1e-6)
            print(
                f"check {n:,} legs against before: segments {'equal' if same else 'DIFFER'}, "
                f"origin/destination factions {'equal' if f_ok else 'DIFFER'}, km inside "
                f"zones equal (1e-5) for {km_ok.mean():.4%} of legs, largest relative "
                f"difference {np.max(np.abs(kv - ko) / np.maximum(ko, 1e-9)):.1e}"
            )
        if row is not None and row["timed_legs"] == n and vec["froms"]:
            same_from = np.mean([a == b for a, b in zip(vec["froms"], row["froms"], strict=True)])
            same_to = np.mean([a == b for a, b in zip(vec["tos"], row["tos"], strict=True)])
            kv, kr = np.asarray(vec["km"]), np.asarray(row["km"])
            km_ok = np.isclose(kv, kr, rtol=1e-6, atol=1e-6)
            print(
                f"check {n:,} legs against per-row: same origin faction {same_from:.4%}, "
                f"destination {same_to:.4%}; km inside zones equal (1e-6) for "
                f"{km_ok.mean():.4%} of legs; total km in zones vectorized {kv.sum():.3f}, "
                f"per-row {kr.sum():.3f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
