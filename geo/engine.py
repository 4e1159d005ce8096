"""Lines and zones for every leg, on this machine or on a dask cluster.

``engine="pandas"`` (the default) runs :func:`geo.routes.movement_lines`,
:func:`geo.zones.attribute_legs` and :func:`geo.zones.split_by_zone` in this
process.  ``engine="dask"`` runs the same three functions on partitions of
the legs (one task each), on a ``dask.distributed`` cluster: the current
``Client``, or the scheduler at ``scheduler="tcp://host:8786"`` (connected
for the call).  Without either, dask's configured scheduler if one is set,
else the partitions run one after another in this process: the same
result, but no parallel work.  :func:`zoned_chunks` yields chunks of legs
in order as the cluster finishes them (the streamed GeoParquet export).

Same rows as pandas
    A leg's line, zones and segments depend on that leg alone, except
    ``TRANSFER_KM``, the sum over a transfer's legs.  Partitions are cut
    only between transfers (each transfer's legs in one partition), and
    the sum is made again over the whole result, in the legs' order (a
    float sum over a partition can differ from pandas' in the last bit);
    results are put back in the legs' order.

Threads in parallel
    GEOS prepared geometries are not thread-safe (libgeos/geos#825): a
    prepared geometry builds its indexes lazily on first use, so two
    threads using one at once can crash the interpreter.  Every thread
    therefore prepares its own: each task works on the calling thread's
    deep copy of the zones (new GEOS objects, made once per thread), the
    zone caches of ``geo.zones`` (tiles, edges) are kept per thread, and
    :mod:`geo.countries` gives each thread its own tiles and land mask.
    A worker with two threads runs two partitions at once
    (``tests/test_engine_threads.py`` hammers this).

Cheap results
    A task returns its legs and segments as plain columns plus the lines'
    coordinates as arrays (:class:`_Packed`: only MultiLineStrings are
    taken apart, a LineString's coordinates are read as they are); the
    client rebuilds each partition's geometries with one vectorized
    ``shapely.linestrings`` call as soon as the partition arrives, while the
    workers compute the next (partitions of at most 25,000 legs, at least
    four per worker thread, so the last one to rebuild is small).

The dask packages are an optional extra: ``pip install 'movemap[scale]'``.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import columns as col

__all__ = ["ENGINES", "FORK_MIN_LEGS", "lines_and_zones", "zoned_chunks"]

#: Engines :func:`lines_and_zones` accepts.
ENGINES = ("pandas", "dask")

#: Most legs per dask partition when none is asked for: small enough that
#: this process rebuilds one result while the workers compute the next.
_PARTITION_LEGS = 25_000

#: Partitions per worker thread, at least, when none is asked for.
_PER_THREAD = 4


def lines_and_zones(
    legs: pd.DataFrame,
    zones: gpd.GeoDataFrame,
    *,
    engine: Literal["pandas", "dask"] = "pandas",
    scheduler: str | None = None,
    partitions: int | None = None,
    outside_geometry: bool = True,
    workers: int | None = 1,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Draw every leg, attribute it to zones and split it at zone boundaries.

    Parameters
    ----------
    legs
        ``LedgerResult.legs``.
    zones
        From :func:`geo.zones.read_zones`.
    engine
        ``"pandas"``: in this process; ``"dask"``: on partitions of the legs,
        on a dask.distributed cluster.
    scheduler
        With ``engine="dask"``: address of a dask.distributed scheduler
        (``"tcp://10.0.0.5:8786"``) to run on; ``None`` uses the current
        client if there is one, else runs the partitions one by one here.
    partitions
        With ``engine="dask"``: number of partitions (default: one per
        25,000 legs, at least four per worker thread of the client);
        partitions are cut between transfers, so there may be fewer.
    outside_geometry
        As for :func:`geo.zones.split_by_zone`.
    workers
        With ``engine="pandas"``: processes (this one and forks of it,
        :mod:`geo.forked`), each computing a part of the legs cut between
        transfers, as the dask engine does; ``None``: one per core from
        :data:`FORK_MIN_LEGS` legs, else 1.  The same result with any number.

    Returns
    -------
    legs, segments
        As :func:`geo.zones.attribute_legs` and :func:`geo.zones.split_by_zone`
        return them for ``movement_lines(legs)``; the same with either engine.

    Raises
    ------
    ValueError
        For an unknown engine.
    ImportError
        For ``engine="dask"`` without the dask packages (with the command
        that installs them).

    """
    if engine not in ENGINES:
        msg = f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}"
        raise ValueError(msg)
    if engine == "pandas" or len(legs) == 0:
        if workers is None:
            from geo.forked import available_cores

            workers = available_cores() if len(legs) >= FORK_MIN_LEGS else 1
        if workers > 1 and len(legs) > 1:
            return _forked(legs, zones, outside_geometry, workers)
        return _one(legs, zones, outside_geometry)
    _need_dask()
    with _connected(scheduler) as client:
        if partitions is None:
            partitions = max(-(-len(legs) // _PARTITION_LEGS), _PER_THREAD * _threads(client))
        partitions = max(1, min(int(partitions), len(legs)))
        pieces, order = _pieces(legs, partitions)
        # Each result is rebuilt as it arrives, while the workers compute the next.
        done = [
            (_unpacked([packed_legs]), _unpacked([packed_segments]))
            for _, (packed_legs, packed_segments) in _packed_results(
                enumerate(pieces), zones, client, outside_geometry
            )
        ]
    out_legs, out_segments = (_concat([d[k] for d in done]) for k in (0, 1))
    if order is not None:
        out_legs, out_segments = _unsorted(out_legs, out_segments, order)
    if col.TRANSFER_KM in out_legs:
        from geo.routes import transfer_km

        # Each partition summed its own transfers; the sum over the whole
        # table (pandas' grouped sum) can differ in the last bit.
        out_legs[col.TRANSFER_KM] = transfer_km(out_legs)
    return out_legs, out_segments.reset_index(drop=True)


def zoned_chunks(
    legs: pd.DataFrame,
    zones: gpd.GeoDataFrame,
    chunks: Iterable[slice],
    *,
    scheduler: str | None = None,
    outside_geometry: bool = True,
) -> Iterator[tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]]:
    """Lines and zones of each chunk of legs on dask, yielded in the chunks' order.

    Each chunk is cut (between transfers) into pieces of at most 25,000
    legs, small enough that every worker thread has four; two pieces per
    thread are computed at a time, each rebuilt here as it arrives, and a
    chunk is yielded as soon as its pieces and the chunks before it are
    done: a caller can write results while the cluster works, and memory
    holds only the pieces in flight.

    Parameters
    ----------
    legs
        ``LedgerResult.legs``, the legs of a transfer next to each other.
    zones
        From :func:`geo.zones.read_zones`.
    chunks
        Row slices of ``legs`` holding whole transfers, e.g. from
        :func:`geo.pipeline.transfer_chunks`.
    scheduler
        As for :func:`lines_and_zones`.
    outside_geometry
        As for :func:`geo.zones.split_by_zone`.

    Yields
    ------
    legs, segments
        What ``lines_and_zones(legs.iloc[chunk], zones)`` returns, chunk
        after chunk.

    """
    from geo.pipeline import transfer_chunks

    chunks = list(chunks)
    _need_dask()
    with _connected(scheduler) as client:
        size = max(1, min(_PARTITION_LEGS, -(-len(legs) // (_PER_THREAD * _threads(client)))))

        def pieces() -> Iterator[tuple[int, pd.DataFrame]]:
            for k, chunk in enumerate(chunks):
                part = legs.iloc[chunk]
                cuts = transfer_chunks(part[col.TRANSFER_ID], chunk_legs=size)
                for cut in list(cuts) or [slice(0, 0)]:
                    yield k, part.iloc[cut]

        done = _packed_results(pieces(), zones, client, outside_geometry)
        for _, group in itertools.groupby(done, key=lambda tagged: tagged[0]):
            # Each piece rebuilt as it arrives, while the workers compute the next.
            frames = [(_unpacked([p[0]]), _unpacked([p[1]])) for _, p in group]
            out_legs = _concat([f[0] for f in frames])
            if col.TRANSFER_KM in out_legs and len(frames) > 1:
                from geo.routes import transfer_km

                out_legs[col.TRANSFER_KM] = transfer_km(out_legs)  # as over the chunk
            yield out_legs, _concat([f[1] for f in frames])


# --- forked processes on this machine ---------------------------------------------

#: ``lines_and_zones(workers=None)`` forks from this many legs (below, the
#: hand-over of the lines costs more than the second core saves).
FORK_MIN_LEGS = 20_000
#: Size of this process's piece relative to a child's (see :func:`_forked`).
_OWN_SHARE = 1.5
#: Folder name prefix of a forked child's hand-over (its own: not the pipeline's spool).
_SPOOL_PREFIX = "movemap-lines-"


def _forked(
    legs: pd.DataFrame, zones: gpd.GeoDataFrame, outside_geometry: bool, workers: int
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """:func:`lines_and_zones` over ``workers`` processes: pieces as for dask, results packed.

    Each piece is computed by :func:`_partition` (this thread's own GEOS
    objects, one thread per process); a forked child hands its packed
    result over as a pickle file in shared memory, read here once it exits.
    """
    import os
    import pickle
    import shutil
    import tempfile

    from geo.forked import run_forked
    from geo.pipeline import _spool_dir
    from geo.threads import limited

    # This process's piece is the largest: a child also packs and pickles
    # its result, and this process then unpacks it (~35% of the work of a
    # piece at 100k legs).
    pieces, order = _pieces(legs, workers, first_share=_OWN_SHARE)
    me = os.getpid()
    done: dict[int, tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]] = {}
    spool = tempfile.mkdtemp(prefix=_SPOOL_PREFIX, dir=_spool_dir())
    try:

        def run(i: int) -> None:
            if os.getpid() == me:  # kept as they are: no packing here
                with limited(1):  # the processes are the parallelism
                    done[i] = _one(pieces[i], _own_zones(zones), outside_geometry)
                return
            packed = _partition(pieces[i], zones, outside_geometry)
            with open(f"{spool}/{i}.pickle", "wb") as fh:
                pickle.dump(packed, fh, protocol=pickle.HIGHEST_PROTOCOL)

        run_forked(list(range(len(pieces))), run, weights=[len(p) for p in pieces],
                   workers=workers)
        for i in range(len(pieces)):
            if i not in done:
                with open(f"{spool}/{i}.pickle", "rb") as fh:
                    packed = pickle.load(fh)
                done[i] = (_unpacked([packed[0]]), _unpacked([packed[1]]))
    finally:
        shutil.rmtree(spool, ignore_errors=True)
    ordered = [done[i] for i in range(len(pieces))]
    out_legs = _concat([p[0] for p in ordered])
    out_segments = _concat([p[1] for p in ordered])
    if order is not None:
        out_legs, out_segments = _unsorted(out_legs, out_segments, order)
    if col.TRANSFER_KM in out_legs:
        from geo.routes import transfer_km

        out_legs[col.TRANSFER_KM] = transfer_km(out_legs)
    return out_legs, out_segments.reset_index(drop=True)


def _concat(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    return frames[0] if len(frames) == 1 else pd.concat(frames)


# --- one partition ----------------------------------------------------------------


def _one(
    legs: pd.DataFrame, zones: gpd.GeoDataFrame, outside_geometry: bool
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    from geo.routes import counted_lines, movement_lines
    from geo.zones import attribute_legs, split_by_zone

    lines = movement_lines(legs)  # sea routes, tracks, via points, alternatives
    return (
        attribute_legs(lines, zones),
        # alternatives: segments follow the counted candidate
        split_by_zone(counted_lines(lines), zones, outside_geometry=outside_geometry),
    )


def _partition(
    piece: pd.DataFrame, zones: gpd.GeoDataFrame, outside_geometry: bool
) -> tuple[_Packed, _Packed]:
    """One dask task: lines and zones of one piece, with this thread's own GEOS objects."""
    from geo.threads import limited

    with limited(1):  # a task per worker thread: threads inside it only compete
        legs, segments = _one(piece, _own_zones(zones), outside_geometry)
    return _Packed.of(legs), _Packed.of(segments)


@dataclass(frozen=True)
class _Packed:
    """A GeoDataFrame as plain columns and coordinate arrays: cheap to send from a worker.

    Lines (the results are LineStrings and MultiLineStrings) travel as one
    array of (x, y) and counts of coordinates per part and parts per line,
    rebuilt with one ``shapely.linestrings`` (and ``multilinestrings``)
    call: about half the CPU of WKB.  Any other geometry (missing, empty,
    with z, a part of fewer than two points) travels as WKB.
    """

    plain: pd.DataFrame
    name: str
    position: int
    crs: Any
    kind: np.ndarray  # per row: 1 LineString, 5 MultiLineString, 0 WKB
    parts: np.ndarray  # per line row: its parts
    coords: np.ndarray  # per part: its coordinates
    xy: np.ndarray
    wkb: np.ndarray  # per WKB row

    @classmethod
    def of(cls, frame: gpd.GeoDataFrame) -> _Packed:
        name = frame.geometry.name
        geoms = np.asarray(frame.geometry.array, dtype=object)
        kind = shapely.get_type_id(geoms).astype(np.int8)
        kind[(kind != 1) & (kind != 5)] = 0
        kind[shapely.is_empty(geoms) | shapely.has_z(geoms)] = 0
        # Only a MultiLineString is taken apart (get_parts copies every
        # part); a LineString's coordinates are read as they are.
        parts, owner = shapely.get_parts(geoms[kind == 5], return_index=True)
        in_parts = shapely.get_num_coordinates(parts)
        short = np.bincount(owner[in_parts < 2], minlength=int(np.count_nonzero(kind == 5))) > 0
        if short.any():  # to WKB: lines with a part of fewer than two points
            kind[np.flatnonzero(kind == 5)[short]] = 0
            in_parts = in_parts[~short[owner]]
            owner = np.unique(owner[~short[owner]], return_inverse=True)[1]
        lines = geoms[kind > 0]
        multi = kind[kind > 0] == 5
        per_line = np.ones(len(lines), dtype=np.int32)
        per_line[multi] = np.bincount(owner, minlength=int(np.count_nonzero(multi)))
        coords = np.empty(int(per_line.sum()), dtype=np.int32)
        coords[np.repeat(multi, per_line)] = in_parts
        coords[np.repeat(~multi, per_line)] = shapely.get_num_coordinates(lines[~multi])
        return cls(
            pd.DataFrame(frame.drop(columns=name)),
            name,
            list(frame.columns).index(name),
            frame.crs,
            kind,
            per_line,
            coords,
            shapely.get_coordinates(lines),
            np.asarray(shapely.to_wkb(geoms[kind == 0]), dtype=object),
        )


def _unpacked(packs: list[_Packed]) -> gpd.GeoDataFrame:
    """Return one GeoDataFrame of packed partitions, geometries rebuilt in one call."""
    first = packs[0]
    plain = pd.concat([p.plain for p in packs]) if len(packs) > 1 else first.plain.copy(deep=False)
    kind, parts, coords, xy, wkb = (
        np.concatenate([getattr(p, f) for p in packs]) if len(packs) > 1 else getattr(first, f)
        for f in ("kind", "parts", "coords", "xy", "wkb")
    )
    geoms = np.empty(len(kind), dtype=object)
    geoms[kind == 0] = shapely.from_wkb(wkb) if len(wkb) else []
    if len(parts):
        lines = shapely.linestrings(xy, indices=np.repeat(np.arange(len(coords)), coords))
        line_of = np.repeat(np.arange(len(parts)), parts)  # each part's line
        kinds = kind[kind > 0]
        single = kinds == 1
        out = np.empty(len(parts), dtype=object)
        out[single] = lines[single[line_of]]
        if not single.all():
            multi = ~single[line_of]
            out[~single] = shapely.multilinestrings(
                lines[multi], indices=np.unique(line_of[multi], return_inverse=True)[1]
            )
        geoms[kind > 0] = out
    geometry = gpd.GeoSeries(geoms, index=plain.index, crs=first.crs)
    plain.insert(first.position, first.name, geometry)
    return gpd.GeoDataFrame(plain, geometry=first.name, crs=first.crs)


def _concat(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Return the frames one after another (the one frame when there is one)."""
    return frames[0] if len(frames) == 1 else pd.concat(frames)


# --- per-thread GEOS objects ------------------------------------------------------

def _own_zones(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return this thread's deep copy of ``zones`` (:func:`geo.zones._parallel.own_zones`)."""
    from geo.zones._parallel import own_zones

    return own_zones(zones)


# --- partitions -------------------------------------------------------------------


def _transfer_order(legs: pd.DataFrame) -> tuple[np.ndarray | None, np.ndarray]:
    """Rows grouped by transfer, and the positions where a transfer starts.

    Returns ``(order, starts)``: ``order`` (None when the legs already come
    transfer by transfer, as the ledger gives them) is a stable permutation
    putting each transfer's legs together in order of first appearance;
    ``starts`` are the positions, in that order, where a transfer begins.
    """
    n = len(legs)
    if col.TRANSFER_ID not in legs:
        return None, np.arange(n)
    codes, _ = pd.factorize(legs[col.TRANSFER_ID], use_na_sentinel=False)
    order = None
    if np.any(np.diff(codes) < 0):
        order = np.argsort(codes, kind="stable")
        codes = codes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    return order, starts


def _pieces(
    legs: pd.DataFrame, partitions: int, *, first_share: float = 1.0
) -> tuple[list[pd.DataFrame], np.ndarray | None]:
    """About ``partitions`` slices of the legs, each holding whole transfers.

    ``first_share``: the first slice's size relative to each other one.
    """
    order, starts = _transfer_order(legs)
    grouped = legs if order is None else legs.iloc[order]
    edges = np.r_[starts, len(legs)]  # a cut may fall only on these
    shares = np.r_[first_share, np.ones(partitions - 1)]
    want = np.cumsum(shares)[:-1] / shares.sum() * len(legs)
    bounds = np.unique(np.r_[0, edges[np.searchsorted(edges, want)], len(legs)])
    return [grouped.iloc[a:b] for a, b in itertools.pairwise(bounds)], order


def _unsorted(
    out_legs: gpd.GeoDataFrame, segments: gpd.GeoDataFrame, order: np.ndarray
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Put legs and segments computed in ``order`` back in the legs' order."""
    back = np.argsort(order, kind="stable")
    # Every leg has segments, the first with SEGMENT_ORDER 0: number them.
    leg_of = np.cumsum(segments[col.SEGMENT_ORDER].to_numpy() == 0) - 1
    if len(segments) and leg_of[-1] != len(order) - 1:
        msg = f"{leg_of[-1] + 1} legs have segments, expected {len(order)}: cannot reorder"
        raise RuntimeError(msg)
    by_leg = np.argsort(order[leg_of], kind="stable")
    return out_legs.iloc[back], segments.iloc[by_leg]


# --- running on dask --------------------------------------------------------------


def _need_dask() -> None:
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        msg = "engine 'dask' needs dask.distributed: pip install 'movemap[scale]'"
        raise ImportError(msg) from exc


class _connected:  # noqa: N801  (a context manager used as a function)
    """The client at ``scheduler`` (connected for the block), else the current one, else None."""

    def __init__(self, scheduler: str | None) -> None:
        self.scheduler = scheduler
        self.own: Any = None

    def __enter__(self) -> Any:
        if self.scheduler is not None:
            from distributed import Client

            self.own = Client(self.scheduler)
            return self.own
        return _current_client()

    def __exit__(self, *exc: object) -> None:
        if self.own is not None:
            self.own.close()


def _packed_results(
    pieces: Iterable[tuple[int, pd.DataFrame]],
    zones: gpd.GeoDataFrame,
    client: Any,
    outside_geometry: bool,
) -> Iterator[tuple[int, tuple[_Packed, _Packed]]]:
    """Each (tag, piece)'s tag and packed legs and segments, in order.

    With a client: at most two pieces per worker thread in flight, each
    result fetched in order (later ones wait on their workers).  Without
    one: dask's configured scheduler if one is set (``dask.config.set(
    scheduler="threads")``), else one piece after another in this thread.
    """
    import dask

    if client is None:
        run_on = dask.config.get("scheduler", None)
        if run_on is None:
            for tag, piece in pieces:
                yield tag, _partition(piece, zones, outside_geometry)
            return
        tagged = list(pieces)
        tasks = [dask.delayed(_partition)(p, zones, outside_geometry) for _, p in tagged]
        results = dask.compute(*tasks, scheduler=run_on)
        yield from zip([tag for tag, _ in tagged], results, strict=True)
        return
    [zones_on] = client.scatter([zones], broadcast=True, hash=False)
    todo = iter(pieces)

    def submit(n: int) -> list[tuple[int, Any]]:
        return [
            (tag, client.submit(_partition, p, zones_on, outside_geometry, pure=False))
            for tag, p in itertools.islice(todo, n)
        ]

    pending = deque(submit(2 * _threads(client)))
    while pending:
        tag, future = pending.popleft()
        result = future.result()
        future.release()
        pending.extend(submit(1))
        yield tag, result


def _current_client() -> object | None:
    try:
        from distributed import get_client

        return get_client()
    except (ImportError, ValueError):
        return None


def _threads(client: Any) -> int:
    """Worker threads of the given distributed client; 1 without one."""
    if client is None:
        return 1
    workers = client.scheduler_info().get("workers", {})
    return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))
