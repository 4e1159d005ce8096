"""Country polygons bundled with movemap (Natural Earth 1:50m and 1:110m).

The shapes live in ``geo/data/countries.geojson`` (1:50m, used for every
computation) and ``geo/data/countries-110m.geojson`` (1:110m, only drawn
as the world-wide base map), derived from the npm
package world-atlas by ``scripts/derive_countries.py`` (see
``geo/data/README.md``).  Every geometry is valid, EPSG:4326, (lon, lat).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import wraps
from importlib import resources
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Geod

from geo import settings

R = TypeVar("R")

#: Column of the ISO 3166-1 alpha-2 code ("" where there is none, e.g. N. Cyprus).
ISO_A2 = "iso_a2"
#: Column of the Natural Earth short name.
COUNTRY_NAME = "name"
#: Package-data file holding the polygons.
COUNTRIES_FILE = "countries.geojson"
#: Package-data file per Natural Earth scale.
SCALE_FILES = {"50m": COUNTRIES_FILE, "110m": "countries-110m.geojson"}

__all__ = [
    "COUNTRY_NAME",
    "ISO_A2",
    "countries_at",
    "country_shape",
    "derive_land_and_tiles",
    "land",
    "load_countries",
    "subdivide",
    "warm_up",
]


def _once(fn: Callable[..., R]) -> Callable[..., R]:
    """Cache ``fn``'s result per arguments; a second thread waits instead of computing it too."""
    values: dict[tuple, R] = {}
    lock = threading.Lock()

    @wraps(fn)
    def cached(*args: Any) -> R:
        with lock:
            if args not in values:
                values[args] = fn(*args)
            return values[args]

    return cached


@_once
def _countries(scale: str = "50m") -> gpd.GeoDataFrame:
    path = resources.files("geo") / "data" / SCALE_FILES[scale]
    with resources.as_file(path) as file:
        gdf = pyogrio.read_dataframe(file)
    gdf = gdf.set_crs("EPSG:4326", allow_override=True)
    gdf[ISO_A2] = gdf[ISO_A2].fillna("").astype(str)
    return gdf[[ISO_A2, COUNTRY_NAME, "geometry"]]


def load_countries(*, scale: str = "50m") -> gpd.GeoDataFrame:
    """Return the country polygons.

    Parameters
    ----------
    scale
        ``"50m"`` (Natural Earth 1:50m, the default, used for every
        computation) or ``"110m"`` (1:110m, coarse: for drawing the whole
        world cheaply).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per Natural Earth admin-0 unit with columns ``iso_a2``,
        ``name`` and ``geometry`` (Polygon/MultiPolygon, valid), EPSG:4326,
        sorted by (``iso_a2``, ``name``).  Read once per process; each call
        returns a copy so callers may modify it freely.

    """
    if scale not in SCALE_FILES:
        msg = f"unknown scale {scale!r}; use one of {', '.join(SCALE_FILES)}"
        raise ValueError(msg)
    return _countries(scale).copy()


def subdivide(
    geoms: np.ndarray, *, max_vertices: int = 64, min_size: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Cut polygons into small pieces for fast spatial joins.

    Pieces are halved along their longer side, all pieces of one level at
    once, until each has at most ``max_vertices`` vertices or is no wider
    than ``min_size`` degrees.  The pieces of a polygon cover it exactly.

    Parameters
    ----------
    geoms
        Polygons / MultiPolygons (object array).
    max_vertices, min_size
        Stop criteria, see above.

    Returns
    -------
    tuple of numpy.ndarray
        The pieces, and for each the position of its source polygon.

    """
    pieces = np.asarray(geoms, dtype=object)
    owner = np.arange(len(pieces))
    # Seeded with empty arrays so that no polygons gives no pieces, not an error.
    done_g: list[np.ndarray] = [np.empty(0, dtype=object)]
    done_o: list[np.ndarray] = [np.empty(0, dtype=owner.dtype)]
    while len(pieces):
        b = shapely.bounds(pieces)
        w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
        small = (shapely.get_num_coordinates(pieces) <= max_vertices) | (
            np.maximum(w, h) <= min_size
        )
        done_g.append(pieces[small])
        done_o.append(owner[small])
        pieces, owner, b, w, h = pieces[~small], owner[~small], b[~small], w[~small], h[~small]
        vertical = w >= h
        mid_x = (b[:, 0] + b[:, 2]) / 2
        mid_y = (b[:, 1] + b[:, 3]) / 2
        lo = shapely.box(
            b[:, 0], b[:, 1], np.where(vertical, mid_x, b[:, 2]), np.where(vertical, b[:, 3], mid_y)
        )
        hi = shapely.box(
            np.where(vertical, mid_x, b[:, 0]), np.where(vertical, b[:, 1], mid_y), b[:, 2], b[:, 3]
        )
        halves = shapely.intersection(np.concatenate([pieces, pieces]), np.concatenate([lo, hi]))
        owner = np.concatenate([owner, owner])
        keep = ~shapely.is_empty(halves) & (shapely.area(halves) > 0)
        pieces, owner = halves[keep], owner[keep]
    return np.concatenate(done_g), np.concatenate(done_o)


#: Package-data file of what :func:`derive_land_and_tiles` computes from :data:`COUNTRIES_FILE`.
DERIVED_FILE = "countries-derived.parquet"
#: Key of the Parquet metadata holding the SHA-256 of the :data:`COUNTRIES_FILE` it came from.
SOURCE_HASH_KEY = b"movemap:source_sha256"


def derive_land_and_tiles(
    countries: gpd.GeoDataFrame,
) -> tuple[shapely.Geometry, np.ndarray, np.ndarray]:
    """Compute the land mask and the small tiles of the country polygons.

    Both take about 1.3 CPU s of GEOS at 1:50m (the union of every polygon,
    then :func:`subdivide`); :data:`DERIVED_FILE` holds them, written by
    ``scripts/derive_countries.py --derived``, so a run reads them instead.

    Parameters
    ----------
    countries
        The polygons as :func:`load_countries` returns them.

    Returns
    -------
    tuple
        The land mask (union of every polygon), the tiles (object array of
        Polygons) and for each tile the row of its country.

    """
    geoms = countries.geometry.values
    tiles, owner = subdivide(geoms, max_vertices=64, min_size=0.5)
    return shapely.union_all(geoms), tiles, owner


def _source_hash() -> str:
    import hashlib

    source = resources.files("geo") / "data" / COUNTRIES_FILE
    return hashlib.sha256(source.read_bytes()).hexdigest()


@_once
def _derived() -> tuple[shapely.Geometry, np.ndarray, np.ndarray]:
    """Return the land mask and tiles: read from :data:`DERIVED_FILE` if current, else computed.

    The file records the SHA-256 of the polygons it was derived from; when
    they differ (the polygons were re-derived, the file not yet), the mask
    and tiles are computed (same values, ~1.3 CPU s more).  A test checks
    that the bundled file is current and equals a fresh derivation.
    """
    import pyarrow.parquet as pq

    path = resources.files("geo") / "data" / DERIVED_FILE
    try:
        with resources.as_file(path) as file:
            table = pq.read_table(file)
    except (OSError, ValueError):  # missing or unreadable: computed instead
        table = None
    meta = (table.schema.metadata or {}) if table is not None else {}
    if table is None or meta.get(SOURCE_HASH_KEY, b"").decode() != _source_hash():
        return derive_land_and_tiles(_countries())
    geoms = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
    owner = table.column("owner").to_numpy().astype(np.intp)
    is_land = owner < 0
    return geoms[is_land][0], geoms[~is_land], owner[~is_land]


@_once
def _shared_tiles() -> tuple[np.ndarray, np.ndarray]:
    _, tiles, owner = _derived()
    return tiles, owner


@_once
def _land() -> shapely.Geometry:
    return _derived()[0]


def warm_up() -> threading.Thread:
    """Start computing the land mask and the countries' tiles in a background thread.

    Both are derived from the bundled polygons alone and take about a
    second (GEOS, which releases the GIL): started while the ledger is
    read, they are ready when the lines and zones need them.  Callers of
    :func:`land` and :func:`countries_at` meanwhile wait for the thread's
    result instead of computing it again.

    Returns
    -------
    threading.Thread
        The started thread (daemon), the same one on a second call in this
        process; join it before forking.

    """
    import os

    from geo.forked import start_thread

    # Once per process: a build starts it early (layers/cli/build.py) and
    # load_dataset asks again; the results are cached either way.
    started = _WARMING.get(os.getpid())
    if started is None:
        # Joined before any fork (geo.forked.join_threads) even if the caller forgets.
        started = _WARMING[os.getpid()] = start_thread(_warm, name="movemap-countries")
    return started


#: The warm-up thread started in each process (by process id: a fork starts its own).
_WARMING: dict[int, threading.Thread] = {}


def _warm() -> None:
    _countries()
    _derived()


# GEOS prepared geometries are not thread-safe (libgeos/geos#825): each
# thread prepares its own copies of the tiles and the land mask.
_THREAD = threading.local()


def _own(geoms: np.ndarray) -> np.ndarray:
    """Return a deep copy of ``geoms`` (new GEOS objects: nothing prepared shared)."""
    return shapely.from_wkb(shapely.to_wkb(geoms, include_srid=True))


def _tiles() -> tuple[np.ndarray, np.ndarray]:
    """Return the countries' small tiles (prepared) and owners: this thread's own copy."""
    if not hasattr(_THREAD, "tiles"):
        tiles, owner = _shared_tiles()
        tiles = _own(tiles)
        shapely.prepare(tiles)
        _THREAD.tiles = (tiles, owner)
    return _THREAD.tiles


def land() -> shapely.Geometry:
    """Return the union of all country polygons (the land mask), cached per thread.

    Each thread gets its own copy, which it may prepare (``shapely.prepare``):
    GEOS prepared geometries must not be shared between threads.

    Returns
    -------
    shapely.Geometry
        A valid (Multi)Polygon in (lon, lat).

    """
    if not hasattr(_THREAD, "land"):
        _THREAD.land = _own(np.array([_land()], dtype=object))[0]
    return _THREAD.land


def country_shape(iso_a2: str) -> shapely.Geometry:
    """Return the (union of the) polygon(s) of one country.

    Parameters
    ----------
    iso_a2
        ISO 3166-1 alpha-2 code, case-insensitive (e.g. ``"LY"``).

    Raises
    ------
    KeyError
        If no country has that code.

    """
    gdf = _countries()
    rows = gdf.geometry.values[(gdf[ISO_A2] == iso_a2.upper()).to_numpy()]
    if iso_a2 == "" or len(rows) == 0:
        msg = f"no country with iso_a2 {iso_a2!r} in {COUNTRIES_FILE}"
        raise KeyError(msg)
    return shapely.union_all(rows)


def countries_at(
    points: gpd.GeoSeries | np.ndarray,
    *,
    tolerance_km: float = settings.COUNTRY_TOLERANCE_KM,
) -> pd.Series:
    """Return the ISO alpha-2 code of the country under each point.

    Points inside a polygon take that country (on a shared border, the
    alphabetically first code, so the answer is deterministic).  Points in
    the sea within ``tolerance_km`` (geodesic) of a coast take the nearest
    country: ports and coastal bases sit on the 1:50m coastline's edge.

    Parameters
    ----------
    points
        Point geometries in (lon, lat), EPSG:4326.  Missing/empty points
        give ``""``.
    tolerance_km
        Largest geodesic distance, in km, from a point to a country
        polygon that still counts as inside.

    Returns
    -------
    pandas.Series
        ``iso_a2`` per point (``""`` where none), aligned with ``points``.

    """
    index = points.index if isinstance(points, gpd.GeoSeries) else None
    geoms = np.asarray(points.values if isinstance(points, gpd.GeoSeries) else points, dtype=object)
    codes_all = _countries()[ISO_A2].to_numpy()
    shapes, owner = _tiles()
    codes = codes_all[owner]
    out = np.full(len(geoms), "", dtype=object)
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    pi = np.array([], dtype=np.intp)
    ci = np.array([], dtype=np.intp)
    if usable.any():
        # Tree over the points, queried with the small prepared tiles of
        # the countries: fast even for Russia's 1:50m outline.
        at = np.flatnonzero(usable)
        ci, sub = shapely.STRtree(geoms[at]).query(shapes, predicate="intersects")
        pi = at[sub]
    if len(pi):
        # On a shared border a point intersects two countries: keep the first code.
        hit = pd.DataFrame({"p": pi, "code": codes[ci]}).sort_values(["p", "code"])
        hit = hit.drop_duplicates("p")
        out[hit["p"].to_numpy()] = hit["code"].to_numpy()
    found = np.zeros(len(geoms), dtype=bool)
    found[pi] = True
    todo = np.flatnonzero(usable & ~found)
    if len(todo) and tolerance_km > 0:
        # 1 degree >= ~111 km * cos(lat); this bound is generous below 80 deg.
        max_deg = tolerance_km / 111.0 / np.cos(np.radians(80.0))
        # Candidate tiles whose bounding box, grown by the tolerance, holds
        # the point; then the nearest of them by planar distance.
        b = shapely.bounds(shapes)
        grown = shapely.box(
            b[:, 0] - max_deg, b[:, 1] - max_deg, b[:, 2] + max_deg, b[:, 3] + max_deg
        )
        ti, qj = shapely.STRtree(geoms[todo]).query(grown)
        pairs = pd.DataFrame({"q": qj, "t": ti, "d": shapely.distance(shapes[ti], geoms[todo][qj])})
        pairs = pairs[pairs["d"] <= max_deg].sort_values(["q", "d", "t"]).drop_duplicates("q")
        qi, near = pairs["q"].to_numpy(), pairs["t"].to_numpy()
        if len(qi):
            seg = shapely.shortest_line(geoms[todo][qi], shapes[near])
            xy = shapely.get_coordinates(seg).reshape(-1, 2, 2)
            _, _, dist_m = Geod(ellps=settings.ELLPS).inv(
                xy[:, 0, 0], xy[:, 0, 1], xy[:, 1, 0], xy[:, 1, 1]
            )
            ok = dist_m <= tolerance_km * 1000.0
            out[todo[qi[ok]]] = codes[near[ok]]
    return pd.Series(out, index=index, name=ISO_A2, dtype=object)
