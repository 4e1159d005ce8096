"""Benchmark ``--engine dask``: scaling with worker processes and threads, against pandas.

Run from the repository root::

    flock /tmp/movemap-big.lock python bench/bench_dask.py      # 100,000 legs, 3 repeats
    python bench/bench_dask.py --legs 20000 --repeats 5

The legs are those of ``bench/bench_zones.py``.  Configurations: ``pandas``
(:func:`geo.engine.lines_and_zones` in the process), then ``dask`` on a
``dask.distributed.LocalCluster`` of 1 worker process x 1 thread, 2 worker
processes x 1 thread, 1 worker process x 2 threads, and 2 worker threads
in this process (``processes=False``: results are not serialized;
partitions: the engine's default).  Each run is a fresh process; the repeats go round the
configurations in turn, so a burst of load from other jobs falls on all of
them alike.  Cluster start-up and a 300-leg warm-up (imports, zone tiles)
are excluded.  Reported per configuration, median over the repeats: wall
seconds, CPU seconds summed over this process and the workers' processes,
of which in this process (scheduler, receiving and rebuilding the
results), speed-up in wall time over one worker thread, CPU against
pandas, and whether every result equals the pandas one (every column, the
index and the geometries' WKB of legs and segments, compared by digest).

Then the cost of moving the results: CPU seconds to serialize and
deserialize the pandas result as ``distributed`` sends it, as
GeoDataFrames (the engine before issue 15's last rounds) and as the
engine's packed form (plain columns and coordinate arrays, rebuilt with
``shapely.linestrings``).  The load average is printed at the start and end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
ZONES = Path(__file__).resolve().parent.parent / "zones.geojson"

#: name -> (worker processes, threads per worker); (0, 0): pandas; (0, 2): 2 worker
#: threads in this process (``LocalCluster(processes=False)``: nothing is serialized).
CONFIGS = {
    "pandas (one process)": (0, 0),
    "dask, 1 process x 1 thread": (1, 1),
    "dask, 2 processes x 1 thread": (2, 1),
    "dask, 1 process x 2 threads": (1, 2),
    "dask, 2 threads in this process": (0, 2),
}


def child(n: int, workers: int, threads: int, seed: int) -> dict[str, Any]:
    """Run one configuration (0 workers: pandas) and summarize its result."""
    from bench_zones import dated_legs

    from geo.engine import lines_and_zones
    from geo.zones import read_zones

    zones = read_zones(ZONES)
    legs = dated_legs(n, seed)
    warm = dated_legs(300, seed + 7)
    cluster = client = None
    dask = bool(threads)
    if dask:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(
            n_workers=max(workers, 1),
            threads_per_worker=threads,
            processes=bool(workers),
            dashboard_address=None,
        )
        client = Client(cluster)
        lines_and_zones(warm, zones, engine="dask")  # every worker thread gets a piece
    else:
        lines_and_zones(warm, zones)
    elsewhere = client if workers else None  # worker processes; else all in this one
    here0, there0 = time.process_time(), _worker_cpu(elsewhere)
    t0 = time.perf_counter()
    if dask:
        out_legs, segs = lines_and_zones(legs, zones, engine="dask")
    else:
        out_legs, segs = lines_and_zones(legs, zones)
    wall = time.perf_counter() - t0
    here, there = time.process_time() - here0, _worker_cpu(elsewhere) - there0
    if client is not None:
        client.close()
        cluster.close()  # type: ignore[union-attr]
    out = {
        "wall_s": wall,
        "cpu_s": here + there,
        "cpu_here_s": here,
        "segments": len(segs),
        "digest": _digest(out_legs) + "/" + _digest(segs),
    }
    if not dask:
        out["transfer"] = _transfer(out_legs, segs)
    return out


def _transfer(legs: Any, segs: Any) -> dict[str, float]:
    """CPU seconds to send the result as distributed does: GeoDataFrames, then packed."""
    from distributed.protocol import deserialize_bytes, serialize_bytes

    from geo.engine import _Packed, _unpacked

    def timed(pack: Any, unpack: Any) -> tuple[float, float, int]:
        t0 = time.process_time()
        blob = serialize_bytes(pack())
        t1 = time.process_time()
        unpack(deserialize_bytes(blob))
        return t1 - t0, time.process_time() - t1, len(blob)

    frames = timed(lambda: (legs, segs), lambda x: x)
    packed = timed(
        lambda: (_Packed.of(legs), _Packed.of(segs)),
        lambda x: (_unpacked([x[0]]), _unpacked([x[1]])),
    )
    return {
        "frames_send": frames[0],
        "frames_receive": frames[1],
        "frames_mb": frames[2] / 1e6,
        "packed_send": packed[0],
        "packed_receive": packed[1],
        "packed_mb": packed[2] / 1e6,
    }


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
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--child", type=int, nargs=2, metavar=("WORKERS", "THREADS"), help="internal")
    args = p.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.legs, *args.child, args.seed)))
        return 0
    load0 = os.getloadavg()
    print(
        f"bench_dask: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; {args.legs:,} legs; {args.repeats} repeats; "
        f"load average {' '.join(f'{x:.2f}' for x in load0)}",
        flush=True,
    )
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in CONFIGS}
    for _ in range(args.repeats):
        for name, (w, t) in CONFIGS.items():
            cmd = [sys.executable, __file__, "--legs", str(args.legs), "--seed", str(args.seed)]
            cmd += ["--child", str(w), str(t)]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            runs[name].append(json.loads(out.splitlines()[-1]))

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    names = list(CONFIGS)
    pandas, one = names[0], names[1]
    print(
        f"{'engine':<30} {'wall s':>7} {'CPU s':>7} {'of which here':>14} "
        f"{'speed-up':>9} {'CPU / pandas':>13} {'same as pandas':>15}"
    )
    want = runs[pandas][0]["digest"]
    for name in names:
        same = all(r["digest"] == want for r in runs[name])
        speed = f"{med(one, 'wall_s') / med(name, 'wall_s'):.2f}x" if name != pandas else "-"
        print(
            f"{name:<30} {med(name, 'wall_s'):>7.2f} {med(name, 'cpu_s'):>7.2f} "
            f"{med(name, 'cpu_here_s'):>14.2f} {speed:>9} "
            f"{med(name, 'cpu_s') / med(pandas, 'cpu_s'):>12.2f}x {'yes' if same else 'NO':>15}"
        )
    tr = runs[pandas][0]["transfer"]
    print(
        f"moving the pandas result ({tr['frames_mb']:.0f} MB as GeoDataFrames, "
        f"{tr['packed_mb']:.0f} MB packed), CPU s: GeoDataFrames send "
        f"{tr['frames_send']:.2f} + receive {tr['frames_receive']:.2f}; packed send "
        f"{tr['packed_send']:.2f} + receive {tr['packed_receive']:.2f}"
    )
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
