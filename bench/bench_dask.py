"""Benchmark ``--engine dask``: lines and zones on 1 and 2 local workers, against pandas.

Run from the repository root::

    python bench/bench_dask.py                       # 100,000 legs, 1 and 2 workers
    python bench/bench_dask.py --legs 20000 --workers 1 2 4

The legs are those of ``bench/bench_zones.py``.  Each configuration runs in
a fresh process: ``pandas`` (:func:`geo.engine.lines_and_zones` in the
process), then ``dask`` on a ``dask.distributed.LocalCluster`` of N worker
processes with one thread each (partitions: 2 per worker).  Reported: wall
seconds (cluster start-up excluded), CPU seconds (this process and the
workers' processes, and of which in this process: scheduler, gathering
and unpickling the results), speed-up in wall time over one worker, whether the
result equals the pandas one (every column, the index and the geometries'
WKB of legs and segments, compared by digest) and the load average at the
start and end of the run.  On a multi-machine cluster the same
code runs with ``--scheduler tcp://host:8786``.  Figures depend on the
machine and its load (printed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
ZONES = Path(__file__).resolve().parent.parent / "zones.geojson"


def child(n: int, workers: int, seed: int, scheduler: str | None) -> dict[str, Any]:
    """Run one configuration (0 workers: pandas) and summarize its result."""
    from bench_zones import dated_legs

    from geo.engine import lines_and_zones
    from geo.zones import read_zones

    zones = read_zones(ZONES)
    legs = dated_legs(n, seed)
    cluster = client = None
    if workers and scheduler is None:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
        client.run(_imports)  # imports, not work
    load0 = os.getloadavg()[0]
    here0, there0 = time.process_time(), _worker_cpu(client)
    t0 = time.perf_counter()
    if workers:
        out_legs, segs = lines_and_zones(
            legs, zones, engine="dask", scheduler=scheduler, partitions=2 * workers
        )
    else:
        out_legs, segs = lines_and_zones(legs, zones)
    wall = time.perf_counter() - t0
    here, there = time.process_time() - here0, _worker_cpu(client) - there0
    load1 = os.getloadavg()[0]
    if client is not None:
        client.close()
        cluster.close()  # type: ignore[union-attr]
    return {
        "workers": workers,
        "wall_s": wall,
        "cpu_s": here + there,
        "cpu_here_s": here,
        "load": [load0, load1],
        "segments": len(segs),
        "digest": _digest(out_legs) + "/" + _digest(segs),
    }


def _imports() -> None:
    import geo.engine
    import geo.routes
    import geo.zones  # noqa: F401


def _worker_cpu(client: Any) -> float:
    """CPU seconds used so far by the client's worker processes (0 without one)."""
    if client is None:
        return 0.0
    return float(sum(client.run(time.process_time).values()))


def _digest(frame: Any) -> str:
    """Fingerprint of every column, the index and the geometries' WKB, row by row."""
    import hashlib

    import pandas as pd
    import shapely

    h = hashlib.sha256()
    plain = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    h.update(pd.util.hash_pandas_object(plain.astype(str), index=True).to_numpy().tobytes())
    h.update(str(list(plain.dtypes.astype(str))).encode())
    for wkb in shapely.to_wkb(frame.geometry.to_numpy()):
        h.update(b"-" if wkb is None else wkb)
    return h.hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--legs", type=int, default=100_000)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scheduler", default=None, help="run dask on this scheduler address")
    p.add_argument("--child", type=int, metavar="WORKERS", help="internal")
    args = p.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.legs, args.child, args.seed, args.scheduler)))
        return 0
    print(
        f"bench_dask: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; {args.legs:,} legs; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(
        f"{'engine':<26} {'wall s':>8} {'CPU s':>8} {'of which here':>14} {'speed-up':>9} "
        f"{'same as pandas':>15} {'load (start-end)':>17}"
    )
    runs = []
    for w in [0, *args.workers]:
        cmd = [sys.executable, __file__, "--legs", str(args.legs), "--child", str(w)]
        cmd += ["--seed", str(args.seed)]
        if args.scheduler:
            cmd += ["--scheduler", args.scheduler]
        res = json.loads(
            subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()[-1]
        )
        runs.append(res)
        base = runs[1]["wall_s"] if len(runs) > 1 else res["wall_s"]
        same = res["digest"] == runs[0]["digest"]
        name = (
            "pandas (one process)" if not w else f"dask, {w} worker process{'es' if w > 1 else ''}"
        )
        speed = f"{base / res['wall_s']:.2f}x" if w else "-"
        load = f"{res['load'][0]:.1f}-{res['load'][1]:.1f}"
        print(
            f"{name:<26} {res['wall_s']:>8.2f} {res['cpu_s']:>8.2f} {res['cpu_here_s']:>14.2f} "
            f"{speed:>9} "
            f"{'yes' if same else 'NO':>15} {load:>17}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
