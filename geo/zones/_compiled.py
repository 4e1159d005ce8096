"""Whether the zone split runs its compiled loops (numba) or their numpy twins.

Each compiled loop of :mod:`geo.zones._kernels` has a numpy twin that gives
the same answer bit for bit (tests compare them on random and real legs):
the crossing finder (:func:`geo.zones._crossings.segment_crossings`), the
gaps outside zones (:func:`geo.zones._outside_fast._gaps_numpy`), the
stretches' coordinates (:func:`geo.zones._stretches._coords`) and their
geodesic lengths (:func:`geo.zones._geodesic.geodesic_m_numpy`).  Loading
numba and its cached kernels costs a process about 0.45 CPU s, more than
the twins take on a small ledger's work: a split uses the compiled loops
once numba is loaded (a large build loads it in a thread beside the
ledger read, :func:`geo.engine.preload_zones`), or when a call's work
reaches :data:`COMPILED_MIN` items.  Results never depend on the choice.
"""

from __future__ import annotations

import sys

__all__ = ["COMPILED_MIN", "COMPILED_ROUTES", "compiled"]

#: Work items of one call (segments searched, coordinates gathered, distances
#: measured, stretches) from which the compiled loop is used even if numba has
#: to be loaded for it.  The twins take ~2.3x the compiled loops' time (0.85
#: against 0.36 us an item, 100,000 legs of their own routes): loading numba
#: (~0.45 CPU s) pays from about a million items a split, and a split whose
#: largest call reaches 300,000 items has about that many.
COMPILED_MIN = 300_000
#: Distinct (from, to) pairs from which a build loads numba in a thread beside
#: the ledger read (``layers/cli/build.py``): 100,000 legs of their own routes
#: make calls of up to 1.1 M items, 30,000 about 300,000; a ledger of 100,000
#: legs on 361 routes (calls of up to 93,000 items) runs the twins.
COMPILED_ROUTES = 30_000

#: Tests force one side: True (compiled), False (numpy), None (by size and state).
FORCE: bool | None = None


def compiled(n: int) -> bool:
    """Tell whether a call with ``n`` work items runs the compiled loop."""
    if FORCE is not None:
        return FORCE
    return "geo.zones._kernels" in sys.modules or n >= COMPILED_MIN
