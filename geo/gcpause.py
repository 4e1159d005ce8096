"""Pause Python's cyclic garbage collector for one batch job.

A build allocates millions of small containers (a list per CSV row, tuples
of source ids, dicts of map payloads, pandas' internals).  Every 700 new
containers CPython runs a collection, and the older generations are
scanned again and again as the heap grows: for a 100,000-leg
``movemap build`` that was about 2 CPU s of a 14 s build, spent finding no
garbage (almost everything a build allocates lives until the files are
written, and nothing it keeps forms a reference cycle to free).  Reference
counting still frees every object as soon as it is unused; only garbage
held in reference cycles waits until the collector runs again, at the end
of the block (peak memory of the 100k build: the same, within 2 %).
Forked children (:mod:`geo.forked`) inherit the pause.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc(*, resume: bool = True) -> Iterator[None]:
    """Run the block with the cyclic garbage collector off, then restore it.

    The collector's state on entry (on or off) is put back on exit, also
    when the block raises; nested pauses are harmless.

    Parameters
    ----------
    resume
        False leaves the collector off after the block: for a process that
        ends (``os._exit``) right after it.  Turned back on, the collector's
        first run scans every container the block allocated and kept (all
        young still: about 0.2 CPU s after a 100,000-leg build).

    Yields
    ------
    None

    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on and resume:
            gc.enable()
