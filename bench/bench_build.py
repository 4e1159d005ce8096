"""Time ``movemap build`` against ``movemap export --format geojson`` (the baseline).

Run: ``python bench/bench_build.py [--runs 3] [--data DIR]``

Both commands run as a user runs them (a fresh ``movemap`` process each,
same data, output into a temporary folder), alternately, ``--runs`` times
each.  Prints the median wall-clock and CPU seconds (user + system of the
child process) of each and the ratio build / export; the CPU ratio is the
one to quote on a shared machine, where wall-clock time depends on the
load.  The issue's target is a ratio of at most 2.5.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: The installed command, next to this Python (the venv's bin/).
MOVEMAP = [str(Path(sys.executable).with_name("movemap"))]


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(cmd: list[str]) -> tuple[float, float]:
    """Run ``cmd`` once; return (wall seconds, CPU seconds of the child)."""
    cpu0, t0 = _cpu(), time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0, _cpu() - cpu0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", default=None, help="data folder (default: bundled)")
    args = parser.parse_args()
    data = ["--data", args.data] if args.data else []
    times: dict[str, list[tuple[float, float]]] = {"export": [], "build": []}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        cmds = {
            "export": [*MOVEMAP, "export", "--format", "geojson", "--out",
                       str(out / "legs.geojson"), *data],
            "build": [*MOVEMAP, "build", "--out", str(out / "maps"), *data],
        }
        for _ in range(args.runs):
            for name, cmd in cmds.items():
                times[name].append(timed(cmd))
        n_maps = len(list((out / "maps").glob("*.html")))
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
           for k, v in times.items()}
    print(f"runs: {args.runs} each; maps written per build: {n_maps}")
    print(f"{'command':<28}{'wall s':>9}{'CPU s':>9}")
    print(f"{'movemap export (geojson)':<28}{med['export'][0]:>9.2f}{med['export'][1]:>9.2f}")
    print(f"{'movemap build':<28}{med['build'][0]:>9.2f}{med['build'][1]:>9.2f}")
    print(f"ratio build / export: wall {med['build'][0] / med['export'][0]:.2f}x, "
          f"CPU {med['build'][1] / med['export'][1]:.2f}x (target <= 2.5x)")


if __name__ == "__main__":
    main()
