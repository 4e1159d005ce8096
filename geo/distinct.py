"""Distinct things among many legs: computed once, shared by every leg that has them.

Ledgers built from flight tracking repeat a few hundred routes.
:func:`distinct_routes` finds legs with the same two points (bit for bit),
so :func:`geo.lines.geodesic_lines` draws each route once and gives its
legs one LineString (shapely geometries are immutable);
:func:`distinct_objects` finds the legs that share such an object, so a
measure of each object (its first vertex, length, bounds) is taken once.
"""

from __future__ import annotations

import ctypes

import numpy as np
import numpy.typing as npt

__all__ = ["addresses", "distinct_objects", "distinct_routes"]

IntpArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]


def addresses(values: npt.NDArray[np.object_]) -> npt.NDArray[np.uintp]:
    """Return the addresses of the objects in ``values`` (identity, as ``id``), as integers."""
    values = np.ascontiguousarray(values, dtype=object)  # same objects if it copies
    if not len(values):
        return np.zeros(0, dtype=np.uintp)
    buf = (ctypes.c_size_t * len(values)).from_address(values.ctypes.data)
    return np.ctypeslib.as_array(buf).astype(np.uintp)  # a copy


def _first_met(first: IntpArray, which: IntpArray) -> tuple[IntpArray, IntpArray]:
    """Renumber ``np.unique``'s classes in the order their first member is met."""
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[which.ravel()]


def distinct_routes(
    lon1: FloatArray,
    lat1: FloatArray,
    lon2: FloatArray,
    lat2: FloatArray,
    which: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Return the distinct routes among the legs ``which``: one leg of each, each leg's route.

    Two legs share a route when their four coordinates are the same
    numbers bit for bit (``-0.0`` is not ``0.0``): whatever is computed
    from the coordinates alone is then the same for both.

    Returns
    -------
    first, route
        ``first``: position (in all legs) of the first leg of each route,
        ascending; ``route``: for each leg in ``which``, in order, its
        route's index in ``first``.

    """
    at = np.flatnonzero(which)
    ends = np.ascontiguousarray(np.column_stack([lon1[at], lat1[at], lon2[at], lat2[at]]))
    if len(at) < 2:
        return at, np.arange(len(at))
    rows = ends.view(np.dtype((np.void, ends.dtype.itemsize * 4))).ravel()
    _, first, route = np.unique(rows, return_index=True, return_inverse=True)
    first, route = _first_met(first, route)  # routes numbered by their first leg
    return at[first], route


def distinct_objects(values: npt.NDArray[np.object_]) -> tuple[npt.NDArray[np.object_], IntpArray]:
    """Return the distinct objects of ``values`` (by identity, first met first), each one's index.

    ``objects[index]`` holds the very objects of ``values``: a measure of
    each distinct object, taken by ``index``, is the measure of every row.
    """
    _, first, which = np.unique(addresses(values), return_index=True, return_inverse=True)
    first, which = _first_met(first, which)
    return values[first], which
