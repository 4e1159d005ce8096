"""CPU seconds of ``read_ledger`` at 100k legs, per function, against ``pandas.read_csv``.

``read_ledger`` reads and checks transfers.csv and sources.csv (every check
of :func:`geo.ledger.check_ledger`) and joins the places. The baseline in
the same run is ``pandas.read_csv`` of the same transfers.csv as text
(``dtype=str``, ``keep_default_na=False``): reading alone, no check.  Each
measurement runs in a fresh child process (imports and one warm-up call
first, then ``--runs`` timed calls, best kept: another job on a shared
machine only ever slows a call), with the CPU seconds of each function
under ``read_ledger`` (wrapped by name, where it exists; a function called
inside another is counted in both).

``--before DIR`` also times a checkout of another commit (``git archive
<commit> | tar -x -C DIR``), its children alternating with this tree's, and
checks that both give the same legs, problems and warnings.

    python -W ignore bench/bench_ledger.py --legs 100000 [--hostile] [--runs 3]
        [--before DIR] [--rounds 2]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

#: (module, function) timed under read_ledger, where the module has it.
FUNCTIONS = (
    ("geo.ledger", "read_table"),
    ("geo.ledger_read", "read_columns"),
    ("geo.ledger_read", "read_records"),
    ("geo.ledger_read", "_frame"),
    ("geo.ledger", "load_sources"),
    ("geo.ledger", "check_legs"),
    ("geo.ledger_checks", "_check_leg_numbers"),
    ("geo.ledger_checks", "_check_choice"),
    ("geo.ledger_checks", "parse_dates"),
    ("geo.ledger_checks", "check_precision"),
    ("geo.ledger_checks", "_check_source_ids"),
    ("geo.ledger_checks", "split_alternatives"),
    ("geo.ledger_checks", "resolve_places"),
    ("geo.ledger_checks", "with_alternatives"),
    ("geo.ledger_checks", "check_chain"),
    ("geo.ledger_checks", "serves_warnings"),
    ("geo.ledger", "check_extra"),
    ("geo.ledger_extra", "group_ranks"),
    ("geo.ledger", "check_reported_dates"),
)


def child(folder: Path, runs: int, out: str | None) -> None:
    """Time read_ledger (and pandas.read_csv) on ``folder``; print JSON."""
    import pandas as pd

    import geo
    from geo.gazetteer import read_gazetteer
    from geo.geocode import PlaceIndex
    from geo.ledger import check_ledger

    spent: dict[str, float] = defaultdict(float)

    def wrap(module: str, name: str) -> None:
        mod = importlib.import_module(module)
        fn = getattr(mod, name, None)
        if fn is None:
            return

        def timed(*a, **k):
            t = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.process_time() - t

        setattr(mod, name, timed)

    for module, name in FUNCTIONS:
        wrap(module, name)
    transfers, sources = folder / "transfers.csv", folder / "sources.csv"
    places = read_gazetteer(folder / "gazetteer.csv")
    check_ledger(transfers, sources, PlaceIndex(places))  # warm-up: lazy imports
    best: tuple[float, dict[str, float]] | None = None
    result = None
    for _ in range(runs):
        spent.clear()
        index = PlaceIndex(places)
        t = time.process_time()
        result = check_ledger(transfers, sources, index)
        total = time.process_time() - t
        if best is None or total < best[0]:
            best = (total, dict(spent))
    baseline = []
    for _ in range(runs):
        t = time.process_time()
        pd.read_csv(transfers, dtype=str, keep_default_na=False)
        baseline.append(time.process_time() - t)
    if out:
        import pickle

        with open(out, "wb") as fh:
            pickle.dump(result, fh)
    print(json.dumps({"geo": geo.__file__, "total": best[0], "functions": best[1],
                      "read_csv": min(baseline)}))


def _run(folder: Path, runs: int, tree: Path | None, out: str) -> dict:
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    cmd = [sys.executable, "-W", "ignore", __file__, "--child", str(folder), "--runs",
           str(runs), "--out", out]
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _same(a: str, b: str) -> bool:
    """Tell whether two pickled LedgerChecks have equal frames, problems and warnings."""
    import pickle

    import pandas as pd

    with open(a, "rb") as fa, open(b, "rb") as fb:
        x, y = pickle.load(fa), pickle.load(fb)
    for f in ("legs", "rejected", "sources", "rejected_sources"):
        fx, fy = getattr(x, f), getattr(y, f)
        try:
            pd.testing.assert_frame_equal(fx, fy, check_exact=True)
        except AssertionError:
            return False
        for c in fx.columns:  # None and NaN are told apart too
            if fx[c].dtype == object and list(map(repr, fx[c])) != list(map(repr, fy[c])):
                return False
    return x.problems == y.problems and x.warnings == y.warnings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legs", type=int, default=100_000)
    parser.add_argument("--hostile", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1, help="alternations with --before")
    parser.add_argument("--before", type=Path)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.runs, args.out)
        return
    from layers.synthetic import write_inputs

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_inputs(Path(tmp) / "data", n_legs=args.legs, hostile=args.hostile)
        trees = {"this tree": None}
        if args.before:
            trees = {"before": args.before.resolve(), "this tree": None}
        results: dict[str, list[dict]] = defaultdict(list)
        for _ in range(args.rounds):
            for label, tree in trees.items():
                out = str(Path(tmp) / f"{label.replace(' ', '_')}.pkl")
                results[label].append(_run(folder, args.runs, tree, out))
        load = os.getloadavg()
        size = (folder / "transfers.csv").stat().st_size / 1e6
        print(f"{args.legs:,} legs{' (hostile)' if args.hostile else ''}, transfers.csv "
              f"{size:.1f} MB; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        best = {label: min(rs, key=lambda r: r["total"]) for label, rs in results.items()}
        names = [n for _, n in FUNCTIONS if any(n in b["functions"] for b in best.values())]
        print("| function (CPU s) | " + " | ".join(best) + " |")
        print("|---|" + "---:|" * len(best))
        for n in names:
            cells = [f"{b['functions'][n]:.3f}" if n in b["functions"] else "-"
                     for b in best.values()]
            print(f"| {n} | " + " | ".join(cells) + " |")
        print("| **read_ledger** | " + " | ".join(f"**{b['total']:.3f}**"
                                                 for b in best.values()) + " |")
        print("| pandas.read_csv (baseline) | " + " | ".join(f"{b['read_csv']:.3f}"
                                                          for b in best.values()) + " |")
        print("| ratio read_ledger / read_csv | " + " | ".join(
            f"{b['total'] / b['read_csv']:.2f}x" for b in best.values()) + " |")
        if args.before:
            a, b = best["before"], best["this tree"]
            print(f"\nthis tree / before: {b['total'] / a['total']:.2f}x CPU "
                  f"({a['total']:.3f} -> {b['total']:.3f} s)")
            same = _same(str(Path(tmp) / "before.pkl"), str(Path(tmp) / "this_tree.pkl"))
            print("same legs, rejected rows, problems and warnings:", "yes" if same else "NO")


if __name__ == "__main__":
    main()
