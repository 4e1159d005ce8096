"""Where the memory of one ``attribute_legs`` + ``split_by_zone`` call goes.

Run from the repository root (1M legs: under ``flock /tmp/movemap-big.lock``)::

    python bench/bench_zones_memory.py 100000
    flock /tmp/movemap-big.lock python bench/bench_zones_memory.py 1000000

The legs are those of ``bench/bench_zones.py``.  A thread samples the
process's resident set size (``/proc/self/statm``, Linux) every 10 ms; the
script prints the RSS the lines take, the peak above them during
``attribute_legs`` and what it keeps, the peak and the result of
``split_by_zone`` with the vertices of the segments, and the same split
with ``outside_geometry=False`` (measured after the first result was freed:
the allocator may keep some of that heap).
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from pathlib import Path

import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_zones import ZONES, dated_lines

from geo.zones import attribute_legs, read_zones, split_by_zone

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_gib() -> float:
    """Resident set size of this process, GiB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE / 2**30


def main(n: int) -> None:
    peak = [0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_gib())
            time.sleep(0.01)

    threading.Thread(target=sample, daemon=True).start()
    zones = read_zones(ZONES)
    attribute_legs(dated_lines(1000, 1), zones)  # numba, zone caches
    gc.collect()
    base = rss_gib()
    lines = dated_lines(n, 0)
    gc.collect()
    r_lines = rss_gib()
    nv = int(shapely.get_num_coordinates(lines.geometry.values).sum())
    print(
        f"{n:,} legs: RSS {base:.2f} GiB before the lines, {r_lines:.2f} with them "
        f"(+{r_lines - base:.2f}); {nv / 1e6:.1f} M vertices ({nv * 16 / 2**30:.2f} GiB of "
        "coordinates)",
        flush=True,
    )
    peak[0] = rss_gib()
    t = time.perf_counter()
    attributed = attribute_legs(lines, zones)
    r_a = rss_gib()
    print(
        f"attribute_legs: peak {peak[0]:.2f} GiB (+{peak[0] - r_lines:.2f} over the lines), "
        f"keeps +{r_a - r_lines:.2f}; {time.perf_counter() - t:.1f} s",
        flush=True,
    )
    peak[0] = r_a
    t = time.perf_counter()
    seg = split_by_zone(attributed, zones)
    sv = int(shapely.get_num_coordinates(seg.geometry.values).sum())
    print(
        f"split_by_zone: peak {peak[0]:.2f} GiB (+{peak[0] - r_a:.2f}), "
        f"result +{rss_gib() - r_a:.2f}; "
        f"{len(seg):,} segments, {sv / 1e6:.1f} M vertices ({sv * 16 / 2**30:.2f} GiB of "
        f"coordinates); {time.perf_counter() - t:.1f} s",
        flush=True,
    )
    del seg
    gc.collect()
    r0 = rss_gib()
    peak[0] = r0
    t = time.perf_counter()
    seg = split_by_zone(attributed, zones, outside_geometry=False)
    sv = int(shapely.get_num_coordinates(seg.geometry.values).sum())
    print(
        f"split_by_zone(outside_geometry=False): peak +{peak[0] - r0:.2f} GiB, result "
        f"+{rss_gib() - r0:.2f}; {sv / 1e6:.1f} M vertices; {time.perf_counter() - t:.1f} s",
        flush=True,
    )
    stop.set()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
