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
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any, Literal

import geopandas as gpd
import pandas as pd

from geo import columns as col
from geo.engine_parts import (
    _concat,
    _one,
    _own_zones,
    _Packed,
    _partition,
    _pieces,
    _unpacked,
    _unsorted,
)

__all__ = ["ENGINES", "FORK_MIN_LEGS", "lines_and_zones", "preload", "zoned_chunks"]

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
        :data:`FORK_MIN_LEGS` distinct routes, else 1.  The same result with any number.

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
        from geo.forked import PRELOAD_THREAD, join_threads

        # A head start (preload_lines) still running in a thread is waited
        # for: the lines must not set up searoute's graphs beside it.  The
        # zone kernels' (numba) are waited for before the zones
        # (geo.engine_parts._one); other threads (the maps' imports) go on
        # unless this forks.
        join_threads(name=PRELOAD_THREAD)
        if workers is None:
            from geo.forked import available_cores

            workers = available_cores() if _routes(legs) >= FORK_MIN_LEGS else 1
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


def preload() -> None:
    """Load what the lines and zones load on their first call, before they are called.

    :func:`preload_lines`, then :func:`preload_zones`.  Results never
    depend on it.
    """
    preload_lines()
    preload_zones()


def preload_lines() -> None:
    """Load the sea-lane network (``searoute``: its modules, then its graphs, ~0.2 CPU s).

    Otherwise loaded by the first leg drawn, on the critical path of a
    build.  Run in a thread while the ledger is read
    (:func:`geo.forked.start_thread`, named :data:`geo.forked.PRELOAD_THREAD`:
    :func:`lines_and_zones` waits for it before the lines), it costs the
    build little wall time, and every fork inherits it.
    """
    from searoute.searoute import get_graphs

    import geo.routes  # noqa: F401  (and geo.lines, geo.antimeridian)

    get_graphs(backend="networkx")  # as searoute.searoute sets them up (lru-cached)


def preload_zones() -> None:
    """Load the compiled zone kernels (numba, its typing and target registries: ~0.45 CPU s).

    Otherwise loaded by the first leg split.  Run in a thread named
    :data:`geo.forked.PRELOAD_ZONES_THREAD`, it goes on while the lines are
    drawn; :func:`lines_and_zones` waits for it before the zones.
    """
    import geo.zones._kernels  # noqa: F401  (numba)

    try:
        from numba.core.registry import cpu_target
    except ImportError:  # another numba layout: loaded on first call instead
        return
    # What numba's first compile (or load from its cache) of any kernel does first.
    cpu_target.typing_context.refresh()
    cpu_target.target_context.refresh()


# --- forked processes on this machine ---------------------------------------------

#: ``lines_and_zones(workers=None)`` forks from this many distinct routes
#: (below, the hand-over of the lines costs more than the second core saves:
#: the legs of one route share their line and most of their zone work).
FORK_MIN_LEGS = 20_000


def _routes(legs: pd.DataFrame) -> int:
    """Count the legs' distinct (from, to) coordinate pairs (below FORK_MIN_LEGS legs: the legs)."""
    import numpy as np

    from geo.distinct import distinct_routes

    if len(legs) < FORK_MIN_LEGS:
        return len(legs)
    xy = [legs[c].to_numpy(float) for c in (col.FROM_LON, col.FROM_LAT, col.TO_LON, col.TO_LAT)]
    first, _ = distinct_routes(*xy, np.ones(len(legs), dtype=bool))
    return len(first)


#: Size of this process's piece relative to a child's (see :func:`_forked`): a child also
#: packs and pickles its result; this process rebuilds it in a thread, beside its own
#: piece once the child is done (1.3 when the rebuild came after; at 100k legs, CPU s:
#: own piece ~25 us a leg, a child's ~30 with packing, the rebuild ~10 of its legs).
_OWN_SHARE = 1.5
#: Legs drawn and zoned before forking, so the forks inherit what they load.
_WARM_LEGS = 64
#: Folder name prefix of a forked child's hand-over (its own: not the pipeline's spool).
_SPOOL_PREFIX = "movemap-lines-"


def _forked(
    legs: pd.DataFrame, zones: gpd.GeoDataFrame, outside_geometry: bool, workers: int
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """:func:`lines_and_zones` over ``workers`` processes: pieces as for dask, results packed.

    Each piece is computed by :func:`_partition` (this thread's own GEOS
    objects, one thread per process); a forked child hands its packed
    result over as a pickle file in shared memory: only the columns it
    adds (this process has the piece's own) and the lines' coordinates.
    A thread here rebuilds each child's result as soon as its file is
    complete, while this process computes its own piece (shapely's
    calls release the GIL, and the child's core is free by then).
    """
    import os
    import shutil
    import tempfile

    from geo.forked import can_fork, run_forked, split_by_weight
    from geo.pipeline import _spool_dir
    from geo.threads import limited

    # This process's piece is the largest: it also rebuilds the children's
    # results (in a thread, partly beside its own piece).
    pieces, order = _pieces(legs, workers, first_share=_OWN_SHARE)
    weights = [len(p) for p in pieces]
    # Draw and zone a few legs here first (as geo.pipeline does): what the
    # lines and zones load on first use that geo.engine.preload did not
    # (a build preloads in a thread beside the ledger read) and what the
    # zones keep prepared are then inherited by the forks instead of
    # loaded again in each.  Results do not depend on it.
    with limited(1):
        _one(pieces[0].iloc[:_WARM_LEGS], _own_zones(zones), outside_geometry)
    me = os.getpid()
    done: dict[int, tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]] = {}
    # The pieces run_forked gives to children (the same split it makes).
    groups = split_by_weight(weights, groups=workers if can_fork() else 1)
    theirs = [i for group in groups[1:] for i in group]
    over = threading.Event()
    failed: list[BaseException] = []
    spool = tempfile.mkdtemp(prefix=_SPOOL_PREFIX, dir=_spool_dir())
    collector: list[threading.Thread] = []
    try:

        def run(i: int) -> None:
            if os.getpid() == me:  # kept as they are: no packing here
                if theirs and not collector:  # every child is forked by now
                    collector.append(threading.Thread(
                        target=_collect, args=(spool, theirs, pieces, done, over, failed),
                        name="movemap-unpack", daemon=True))
                    collector[0].start()
                with limited(1):  # the processes are the parallelism
                    done[i] = _one(pieces[i], _own_zones(zones), outside_geometry)
                return
            _write_packed(f"{spool}/{i}", _partition(pieces[i], zones, outside_geometry,
                                                     receiver_has_piece=True))

        run_forked(list(range(len(pieces))), run, weights=weights, workers=workers)
        over.set()
        for thread in collector:
            thread.join()
        if failed:
            raise failed[0]
        for i in range(len(pieces)):
            if i not in done:
                done[i] = _read_packed(f"{spool}/{i}", pieces[i])
    finally:
        over.set()  # on an error: the thread stops waiting for files
        for thread in collector:
            thread.join()
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


def _write_packed(stem: str, packed: tuple[_Packed, _Packed]) -> None:
    """Write a child's packed result to ``stem.pickle``, complete once it has that name."""
    import os
    import pickle

    with open(f"{stem}.tmp", "wb") as fh:
        pickle.dump(packed, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(f"{stem}.tmp", f"{stem}.pickle")


def _read_packed(
    stem: str, piece: pd.DataFrame
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Rebuild the legs and segments a child wrote for ``piece`` (:func:`_write_packed`)."""
    import pickle

    with open(f"{stem}.pickle", "rb") as fh:
        packed_legs, packed_segments = pickle.load(fh)
    return _unpacked([packed_legs], given=piece), _unpacked([packed_segments])


#: Seconds between two looks for a child's result file.
_POLL = 0.005


def _collect(
    spool: str,
    theirs: list[int],
    pieces: list[pd.DataFrame],
    done: dict[int, tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]],
    over: threading.Event,
    failed: list[BaseException],
) -> None:
    """Rebuild each child's result as soon as its file is complete (a thread of :func:`_forked`).

    Stops at the first file missing once ``over`` is set (the children are
    done, or something failed): :func:`_forked` reads what is left itself.
    """
    import os

    try:
        for i in theirs:
            stem = f"{spool}/{i}"
            while not os.path.exists(f"{stem}.pickle"):
                if over.wait(_POLL) and not os.path.exists(f"{stem}.pickle"):
                    return
            done[i] = _read_packed(stem, pieces[i])
    except BaseException as exc:  # raised by _forked, in its thread
        failed.append(exc)


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
