"""Time geocoding of 1M place names against the bundled gazetteer.

Run: ``python bench/bench_geocode.py [--n 1000000] [--miss 0.05] [--miss-pool 2000] [--seed 0]``

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


if __name__ == "__main__":
    main()
