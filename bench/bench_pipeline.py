"""Benchmark a million legs end to end: ledger -> lines -> zones -> GeoParquet.

Run from the repository root::

    python bench/bench_pipeline.py                    # 1,000,000 legs
    python bench/bench_pipeline.py --legs 100000      # quicker
    python bench/bench_pipeline.py --format csv       # the ledger as transfers.csv

A synthetic input folder (:func:`layers.synthetic.write_inputs`: legs of 1-3
stops between bundled gazetteer places, dated 2019-2024, every ledger check
passing) is written first, its ``transfers.csv`` also as
``transfers.parquet`` (not timed).  Then, in a fresh process, each stage is
timed (wall and CPU seconds) with the process's peak resident memory after
it:

- ``load``: :func:`geo.ledger.read_ledger` (every check, places resolved);
- then :func:`geo.pipeline.legs_to_geoparquet`, a chunk of whole transfers
  at a time (``--chunk``, default 50,000 legs), its stages summed over
  the chunks:
- ``lines``: :func:`geo.lines.geodesic_lines` (``--routes``:
  :func:`geo.routes.movement_lines`, sea routes and all, as the maps);
- ``zones``: :func:`geo.zones.attribute_legs` + :func:`geo.zones.split_by_zone`;
- ``export``: legs and segments appended to GeoParquet files
  (:class:`geo.geoparquet.GeoParquetWriter`).

- ``handoff``: each worker's tables written as Arrow IPC files in shared
  memory and mapped (not copied) by the main process;
- ``write``: Parquet encoding and compression, in the main process.

With ``--workers N`` (default 2) forked processes compute chunks at once:
stage rows sum wall and CPU seconds over chunks in whichever process ran
them, so they overlap; ``total`` wall is end to end.  Peak memory: the
main process after load / after the run (``write``), the largest worker's
for the chunked stages (workers share the ledger's pages with the main
process until they touch them, so the sum overstates); and the peak of
the whole process tree's proportional set size plus the handoff files
waiting in shared memory, sampled every 0.2 s.

Figures depend on the machine and its load (printed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class _TreeMemory:
    """Sample the proportional set size (PSS) of this process and its children.

    PSS splits a page shared by forked processes between them, so the sum
    over the tree is the memory the run really holds (resident sizes
    would count the shared ledger once per worker).
    """

    def __init__(self, every: float = 0.2) -> None:
        import threading

        self.peak_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            self.peak_mib = max(self.peak_mib, self._pss_mib())

    @staticmethod
    def _pss_mib() -> float:
        pids = [os.getpid()]
        for task in Path("/proc/self/task").iterdir():
            try:
                pids += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                continue
        kib = 0
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        kib += int(line.split()[1])
            except OSError:  # a worker that just ended
                continue
        # Tables workers hand over wait in shared memory (tmpfs), in no process's PSS.
        from geo.pipeline import SPOOL_PREFIX, _spool_dir

        spool = Path(_spool_dir() or tempfile.gettempdir())
        for folder in spool.glob(SPOOL_PREFIX + "*"):
            for f in folder.glob("*"):
                try:
                    kib += f.stat().st_size // 1024
                except OSError:  # handed over and removed meanwhile
                    continue
        return kib / 1024.0

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mib


def child(folder: Path, fmt: str, chunk_legs: int, routes: bool, workers: int) -> dict[str, Any]:
    """Run the pipeline on ``folder`` and time each stage (in a fresh process)."""
    from geo import settings
    from geo.gazetteer import read_gazetteer
    from geo.geocode import PlaceIndex
    from geo.ledger import read_ledger
    from geo.pipeline import legs_to_geoparquet
    from geo.zones import read_zones

    memory = _TreeMemory()
    t0 = time.perf_counter(), time.process_time()
    index = PlaceIndex(read_gazetteer(folder / settings.GAZETTEER_FILE))
    zones = read_zones(folder / settings.ZONES_FILE)
    ledger = read_ledger(folder / f"transfers.{fmt}", folder / settings.SOURCES_FILE, index)
    stages: list[dict[str, Any]] = [
        {
            "stage": "load",
            "wall_s": time.perf_counter() - t0[0],
            "cpu_s": time.process_time() - t0[1],
            "peak_mib": _peak_mib(),
            "load": os.getloadavg()[0],
        }
    ]
    legs = ledger.legs
    del ledger
    timings: dict[str, list[float]] = {}
    t1 = time.perf_counter()
    res = legs_to_geoparquet(
        legs,
        zones,
        legs_path=folder / "legs.parquet",
        segments_path=folder / "segments.parquet",
        chunk_legs=chunk_legs,
        routes=routes,
        workers=workers,
        timings=timings,
    )
    chunked_wall = time.perf_counter() - t1
    # Chunks interleave the stages (and workers overlap them): each row is the
    # stage's total over the chunks, in whichever process ran it.
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    workers = workers if res.chunks > 1 else 1  # one chunk runs in this process
    for name in ("lines", "zones", "export", "handoff", "write"):
        wall, cpu = timings.get(name, [0.0, 0.0])
        stages.append(
            {
                "stage": name,
                "wall_s": wall,
                "cpu_s": cpu,
                "peak_mib": worker_peak if workers > 1 and name != "write" else _peak_mib(),
                "load": os.getloadavg()[0],
            }
        )
    return {
        "tree_peak_mib": memory.stop(),
        "elapsed_s": stages[0]["wall_s"] + chunked_wall,
        "parent_peak_mib": _peak_mib(),
        "worker_peak_mib": worker_peak if workers > 1 else 0.0,
        "workers": workers,
        "legs": res.legs,
        "segments": res.segments,
        "chunks": res.chunks,
        "stages": stages,
        "bytes": {n: (folder / f"{n}.parquet").stat().st_size for n in ("legs", "segments")},
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--legs", type=int, default=1_000_000)
    p.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--chunk", type=int, default=50_000, help="legs per chunk (whole transfers)")
    p.add_argument("--workers", type=int, default=2, help="processes computing chunks (forked)")
    p.add_argument(
        "--routes",
        action="store_true",
        help="draw lines as the maps do (sea routes, tracks); default: geodesic lines",
    )
    p.add_argument("--child", help="internal")
    args = p.parse_args(argv)
    if args.child:
        print(
            json.dumps(child(Path(args.child), args.format, args.chunk, args.routes, args.workers))
        )
        return 0
    import pandas as pd

    from layers.synthetic import write_inputs

    with tempfile.TemporaryDirectory(prefix="movemap-bench-") as tmp:
        folder = write_inputs(tmp, n_legs=args.legs, seed=args.seed)
        table = pd.read_csv(folder / "transfers.csv", dtype=str, keep_default_na=False)
        table.to_parquet(folder / "transfers.parquet", index=False)
        del table
        print(
            f"bench_pipeline: {platform.processor() or platform.machine()}, {os.cpu_count()} "
            f"CPUs, Python {platform.python_version()}; {args.legs:,} legs, ledger as "
            f"transfers.{args.format}, chunks of {args.chunk:,} legs, {args.workers} worker(s), "
            f"{'routed' if args.routes else 'geodesic'} lines; load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        cmd = [
            sys.executable,
            __file__,
            "--child",
            str(folder),
            "--format",
            args.format,
            "--chunk",
            str(args.chunk),
            "--workers",
            str(args.workers),
            *(["--routes"] if args.routes else []),
        ]
        res = json.loads(
            subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()[-1]
        )
    print(f"{'stage':<8} {'wall s':>8} {'cpu s':>8} {'peak MiB':>9} {'load':>6}")
    for st in res["stages"]:
        print(
            f"{st['stage']:<8} {st['wall_s']:>8.2f} {st['cpu_s']:>8.2f} "
            f"{st['peak_mib']:>9.0f} {st['load']:>6.2f}"
        )
    cpu = sum(st["cpu_s"] for st in res["stages"])
    print(
        f"{'total':<8} {res['elapsed_s']:>8.2f} {cpu:>8.2f}  (wall: end to end; "
        f"peak: {res['parent_peak_mib']:,.0f} MiB this process"
        + (
            f" + {res['workers']} workers of at most {res['worker_peak_mib']:,.0f} MiB"
            if res["workers"] > 1
            else ""
        )
        + f"; all processes together (PSS, sampled): {res['tree_peak_mib']:,.0f} MiB)"
    )
    print(
        f"  -> {res['legs']:,} legs, "
        f"{res['segments']:,} segments, {res['chunks']} chunks; "
        f"GeoParquet {res['bytes']['legs'] / 1e6:.0f} MB legs, "
        f"{res['bytes']['segments'] / 1e6:.0f} MB segments"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
