"""Time ledger date parsing and relative-date phrase finding.

Run: ``python bench/bench_dates.py [--n 1000000] [--distinct 5000] [--text-kb 50] [--seed 0]``

1. ``geo.dates.parse_dates`` on ``--n`` ledger dates drawn from ``--distinct``
   distinct texts in every accepted form (days, months, years, weeks,
   intervals, open intervals, ``~ ? %`` qualifiers), then on ``--n``/10 all
   distinct day intervals. Baseline in the same run: ``pandas.to_datetime``
   on the same number of plain ISO days (the least any date parser must do).
2. ``geo.reldate.find_dates`` on ``--text-kb`` of report-like English text.
   Baseline in the same run: ``dateparser.search.search_dates`` on the same
   text (which also misreads "may" and drops "since").

Prints seconds and the ratios; checks every generated date parsed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import pandas as pd

from geo.columns import DATE_PROBLEM
from geo.dates import parse_dates

PARAGRAPH = (
    "Russian cargo flights from Hmeimim continued over the past two days, officials said on "
    "Thursday. He may fly to Sirte next. The An-124 landed at al-Khadim on 13 December; the "
    "following day it left for Bamako. Since the October ceasefire, 2000 troops have been moved, "
    "mostly in early March and late 2024. "
)


def date_pool(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct-ish ledger dates in every accepted form."""
    base = dt.date(2015, 1, 1)
    days = [base + dt.timedelta(days=int(d)) for d in rng.integers(0, 3650, size=n)]
    out = []
    for i, d in enumerate(days):
        e = d + dt.timedelta(days=int(rng.integers(0, 60)))
        q = ["", "", "", "~", "?", "%"][i % 6]
        form = i % 8
        if form == 0:
            out.append(d.isoformat() + q)
        elif form == 1:
            out.append(f"{d:%Y-%m}{q}")
        elif form == 2:
            out.append(f"{d.year}{q}")
        elif form == 3:
            iso = d.isocalendar()
            out.append(f"{iso.year}-W{iso.week:02d}{q}")
        elif form == 4:
            out.append(f"{d.isoformat()}{q}/{e.isoformat()}{q}")
        elif form == 5:
            out.append(f"{d:%Y-%m}/{e:%Y-%m}")
        elif form == 6:
            out.append(f"{d.isoformat()}{q}/..")
        else:
            out.append(f"../{e:%Y-%m}{q}")
    return out


def timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t


def main() -> None:
    """Run both benchmarks and print timings and ratios."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--distinct", type=int, default=5000)
    ap.add_argument("--text-kb", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)

    pool = np.array(date_pool(rng, args.distinct), dtype=object)
    dates = pd.Series(pool[rng.integers(0, len(pool), size=args.n)])
    plain = pd.Series(
        [
            (dt.date(2015, 1, 1) + dt.timedelta(days=int(d))).isoformat()
            for d in rng.integers(0, 3650, size=len(pool))
        ],
        dtype=object,
    )[rng.integers(0, len(pool), size=args.n)].reset_index(drop=True)
    _, t_base = timed(pd.to_datetime, plain, format="%Y-%m-%d")
    parsed, t_ours = timed(parse_dates, dates)
    assert parsed[DATE_PROBLEM].isna().all(), parsed[DATE_PROBLEM].dropna().unique()[:5]
    print(f"parse_dates, {args.n:,} dates ({len(pool):,} distinct, every form): {t_ours:.3f} s")
    print(f"  baseline pandas.to_datetime on {args.n:,} plain ISO days: {t_base:.3f} s")
    print(f"  ratio: {t_ours / t_base:.2f}x")

    m = args.n // 10
    starts = [dt.date(1990, 1, 1) + dt.timedelta(days=i % 80_000) for i in range(m)]
    uniq = pd.Series([f"{s.isoformat()}/{(s + dt.timedelta(days=30)).isoformat()}" for s in starts])
    plain_u = pd.Series([s.isoformat() for s in starts])
    _, t_base_u = timed(pd.to_datetime, plain_u, format="%Y-%m-%d")
    parsed_u, t_u = timed(parse_dates, uniq)
    assert parsed_u[DATE_PROBLEM].isna().all()
    print(f"parse_dates, {m:,} all-distinct intervals: {t_u:.3f} s")
    print(f"  baseline pandas.to_datetime on {m:,} distinct days: {t_base_u:.3f} s")
    print(f"  ratio: {t_u / t_base_u:.2f}x")

    from dateparser.search import search_dates

    from geo.reldate import find_dates

    text = PARAGRAPH * max(1, args.text_kb * 1024 // len(PARAGRAPH))
    found, t_find = timed(find_dates, text, published="2024-12-20")
    base = dt.datetime(2024, 12, 20)
    hits, t_dp = timed(search_dates, text, settings={"RELATIVE_BASE": base}, languages=["en"])
    print(
        f"find_dates on {len(text) / 1024:.0f} KB of text: {t_find:.3f} s, {len(found):,} phrases"
    )
    print(f"  baseline dateparser search_dates: {t_dp:.3f} s, {len(hits or []):,} hits")
    print(f"  ratio: {t_find / t_dp:.2f}x")


if __name__ == "__main__":
    main()
