"""Cost of the checked CSV reader (geo._csv.read_records) against a bare csv.reader loop.

The checked reader also looks for undecodable bytes, control characters,
oversized cells, open quotes and other delimiters. This measures what that
costs on a clean ledger (the common case) and on one with faults, as a
ratio to the bare loop in the same run.

    python bench/bench_csv.py --rows 10000 100000 1000000
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

from geo._csv import read_records
from geo.paths import REPO_ROOT


def bare(path: Path) -> int:
    """The loop read_records replaced: csv.reader, blank rows skipped."""
    n = 0
    with open(path, newline="", encoding="utf-8-sig") as fh:
        for row in csv.reader(fh):
            if any(cell.strip() for cell in row):
                n += 1
    return n - 1


def best(fn, *args, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    lines = (REPO_ROOT / "transfers.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    head, body = lines[0], lines[1:]
    print("| rows | faults | read_records s | bare csv s | ratio |")
    print("|---:|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.rows:
            for faults in (False, True):
                rows = (body * (n // len(body) + 1))[:n]
                if faults:
                    rows = list(rows)
                    for k in range(0, n, 1000):  # one bad row in a thousand
                        rows[k] = rows[k].replace("a", "\x00", 1)
                path = Path(tmp) / "t.csv"
                path.write_text(head + "".join(rows), encoding="utf-8")
                ours = best(lambda p: read_records(p, str(p), []), path)
                theirs = best(bare, path)
                print(
                    f"| {n:,} | {'1 in 1000' if faults else 'none'} | {ours:.2f} | "
                    f"{theirs:.2f} | {ours / theirs:.2f}x |"
                )


if __name__ == "__main__":
    main()
