"""How many threads one vectorized step may use.

:func:`geo.lines.geodesic_lines` splits its array work over threads, and
:func:`geo.zones.attribute_legs` and :func:`geo.zones.split_by_zone` run
batches of legs on threads (numpy, shapely and the compiled crossing finder
release the GIL). That helps a single process on an idle machine; where the work is
already spread over processes or threads (the GeoParquet pipeline's forked
workers, the threads of a dask worker) more threads only compete for the
same cores. :func:`limited` caps the count for the calling thread.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["limited", "thread_count"]

_LOCAL = threading.local()


def thread_count(*, most: int | None = None) -> int:
    """Threads the calling thread may use for one step.

    Parameters
    ----------
    most
        The step's own cap, if any.

    Returns
    -------
    int
        The machine's CPU count, lowered to the cap set by :func:`limited`
        in this thread and to ``most``; at least 1.

    """
    n = os.cpu_count() or 1
    cap = getattr(_LOCAL, "cap", None)
    if cap is not None:
        n = min(n, cap)
    if most is not None:
        n = min(n, most)
    return max(1, n)


@contextmanager
def limited(n: int) -> Iterator[None]:
    """Cap, within the block and in this thread, the threads a step may use.

    Parameters
    ----------
    n
        Most threads (1: every step runs in the calling thread). Results do
        not depend on it: steps write disjoint slices and join in order.

    """
    before = getattr(_LOCAL, "cap", None)
    _LOCAL.cap = max(1, int(n)) if before is None else min(before, max(1, int(n)))
    try:
        yield
    finally:
        _LOCAL.cap = before
