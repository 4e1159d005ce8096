"""Time geocoding of 1M place names against the bundled gazetteer.

Run: ``python bench/bench_geocode.py [--n 1000000] [--miss 0.05] [--miss-pool 2000] [--seed 0]``
and, for the world tables (issue 10), ``python bench/bench_geocode.py --world``: 1M names
mixing gazetteer spellings, world place names and misses through
:func:`geo.resolve.resolve`, against ``PlaceIndex.resolve`` on the same names in
the same run; then the wall time of a cold ``movemap geocode`` and
``movemap --help``, and peak memory.

The names are a seeded random mix of every id, name and alias in the
gazetteer, each also in upper case, lower case, with an added "al-"
article and with hyphens turned to spaces, plus a share of misses
(misspellings and made-up names). Prints the timings and checks that
every known spelling resolved and every miss did not.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from geo import settings
from geo.gazetteer import read_gazetteer
from geo.geocode import AMBIGUOUS, OK, STATUS, UNKNOWN, PlaceIndex
from geo.paths import REPO_ROOT


def spellings(places: pd.DataFrame) -> list[str]:
    """Every id, name and alias, plus case/article/hyphen variants."""
    base: list[str] = []
    for pid, name, aliases in zip(places["id"], places["name"], places["aliases"], strict=True):
        base += [pid, name, *aliases]
    variants = set(base)
    for s in base:
        variants |= {s.upper(), s.lower(), f"al-{s}", s.replace("-", " ")}
    return sorted(variants)


def misses(rng: np.random.Generator, n: int) -> list[str]:
    """Made-up names that match no place."""
    letters = np.array(list("bcdfgjkpqvxz"))
    return ["".join(rng.choice(letters, size=9)) + f" {i}" for i in range(n)]


def main() -> None:
    """Build the index, resolve the names, print timings."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--miss", type=float, default=0.05, help="share of unknown names")
    ap.add_argument("--miss-pool", type=int, default=2000, help="distinct unknown names")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    places = read_gazetteer(REPO_ROOT / settings.GAZETTEER_FILE)
    t1 = time.perf_counter()
    index = PlaceIndex(places)
    t2 = time.perf_counter()

    known = np.array(spellings(places), dtype=object)
    n_miss = int(args.n * args.miss)
    miss_pool = np.array(misses(rng, args.miss_pool), dtype=object)
    names = np.concatenate(
        [rng.choice(known, size=args.n - n_miss), rng.choice(miss_pool, size=n_miss)]
    )
    rng.shuffle(names)
    is_miss = pd.Series(names).isin(set(miss_pool)).to_numpy()

    t3 = time.perf_counter()
    res = index.resolve(names)
    t4 = time.perf_counter()

    status = res[STATUS].to_numpy()
    assert len(res) == args.n
    assert (status[is_miss] == UNKNOWN).all(), "a made-up name resolved"
    assert (status[~is_miss] != UNKNOWN).all(), "a known spelling was not found"
    print(
        f"places: {len(places)}; distinct spellings: {len(known)}; "
        f"distinct misses: {len(miss_pool)}"
    )
    print(f"read_gazetteer (incl. country check): {t1 - t0:.3f} s")
    print(f"PlaceIndex build: {t2 - t1:.3f} s")
    print(
        f"resolve {args.n:,} names ({len(pd.unique(names)):,} distinct): {t4 - t3:.3f} s "
        f"= {args.n / (t4 - t3):,.0f} names/s"
    )
    counts = pd.Series(status).value_counts()
    print(
        f"ok: {counts.get(OK, 0):,}  ambiguous: {counts.get(AMBIGUOUS, 0):,}  "
        f"unknown: {counts.get(UNKNOWN, 0):,}"
    )


# --- world tables (issue 10) --------------------------------------------------


def world_spellings(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` names of world places (airfields, ports, towns), as stored."""
    from geo.world import world_tables

    db = world_tables()._db
    total = int(db.execute("SELECT max(rid) FROM place").fetchone()[0])
    rids = sorted({int(r) for r in rng.integers(0, total, size=n)})
    names: list[str] = []
    for start in range(0, len(rids), 900):
        chunk = rids[start : start + 900]
        q = "SELECT name FROM place WHERE rid IN ({})".format(",".join("?" * len(chunk)))
        names += [r[0] for r in db.execute(q, chunk)]
    return names


def _wall(cmd: list[str], runs: int = 5) -> tuple[float, float, int]:
    """Median and minimum wall time of a command, and its peak RSS in KiB.

    The RSS is measured in a fresh wrapper process, so only this command counts.
    """
    import subprocess
    import sys

    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        times.append(time.perf_counter() - t)
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True)
    return float(np.median(times)), min(times), int(out.stdout.strip() or 0)


def main_world() -> None:
    """World lookups: 1M names against the gazetteer baseline; CLI start-up; memory."""
    import os
    import resource
    import shutil
    import sys
    import tempfile

    from geo.resolve import resolve

    ap = argparse.ArgumentParser(description="world-table benchmark")
    ap.add_argument("--world", action="store_true")
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--distinct", type=int, default=3000, help="distinct world names")
    ap.add_argument("--miss", type=float, default=0.05)
    ap.add_argument("--miss-pool", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)

    places = read_gazetteer(REPO_ROOT / settings.GAZETTEER_FILE)
    index = PlaceIndex(places)
    known = np.array(spellings(places), dtype=object)
    world = np.array(world_spellings(rng, args.distinct), dtype=object)
    n_miss = int(args.n * args.miss)
    pool = np.concatenate([known, world])
    miss_pool = np.array(misses(rng, args.miss_pool), dtype=object)
    names = np.concatenate(
        [rng.choice(pool, size=args.n - n_miss), rng.choice(miss_pool, size=n_miss)]
    )
    rng.shuffle(names)

    # Baseline: today's gazetteer-only PlaceIndex.resolve on the same names.
    t0 = time.perf_counter()
    base = index.resolve(names)
    t1 = time.perf_counter()
    res = resolve(names.tolist(), index=index, suggest=True)
    t2 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    status = pd.Series([r.status for r in res]).value_counts()
    print(
        f"{args.n:,} names ({len(pd.unique(names)):,} distinct: {len(known):,} gazetteer "
        f"spellings, {len(world):,} world names, {len(miss_pool):,} misses)"
    )
    print(f"PlaceIndex.resolve (gazetteer only, baseline): {t1 - t0:.3f} s")
    print(
        f"geo.resolve.resolve (gazetteer + world, suggestions for misses): {t2 - t1:.3f} s "
        f"= {(t2 - t1) / (t1 - t0):.2f}x the baseline"
    )
    print(f"statuses: {dict(status)}; baseline unknown: {(base[STATUS] == UNKNOWN).sum():,}")
    print(f"peak RSS of this process (gazetteer, world lookups, 1M answers): {rss:,.0f} MiB")
    # Today's benchmark mix (gazetteer spellings + misses, no world names).
    today = np.concatenate(
        [rng.choice(known, size=args.n - n_miss), rng.choice(miss_pool, size=n_miss)]
    )
    t3 = time.perf_counter()
    index.resolve(today)
    t4 = time.perf_counter()
    resolve(today.tolist(), index=index, suggest=True)
    t5 = time.perf_counter()
    print(
        f"today's mix ({len(pd.unique(today)):,} distinct): PlaceIndex.resolve {t4 - t3:.3f} s, "
        f"geo.resolve.resolve {t5 - t4:.3f} s = {(t5 - t4) / (t4 - t3):.2f}x"
    )

    exe = shutil.which("movemap") or os.path.join(os.path.dirname(sys.executable), "movemap")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["MOVEMAP_CACHE_DIR"] = cache
        first, _, _ = _wall([exe, "geocode", "al-Khadim", "Benghazi"], runs=1)
        med, best, rss_cli = _wall([exe, "geocode", "al-Khadim", "Benghazi"])
        help_med, help_best, _ = _wall([exe, "--help"])
    print(f"movemap geocode, first run on a gazetteer (full validation): {first:.2f} s")
    print(
        f"movemap geocode al-Khadim Benghazi, cold process: median {med:.2f} s, best {best:.2f} s"
    )
    print(f"movemap --help: median {help_med:.2f} s, best {help_best:.2f} s")
    print(f"peak RSS of a movemap geocode process: {rss_cli / 1024:.0f} MiB")
    size = os.path.getsize(
        os.path.join(os.path.dirname(__file__), "..", "geo", "data", "world", "world.sqlite")
    )
    print(f"world.sqlite: {size / 1e6:.1f} MB on disk")


if __name__ == "__main__":
    import sys as _sys

    main_world() if "--world" in _sys.argv else main()
