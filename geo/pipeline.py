"""Ledger legs to zone-attributed GeoParquet, a chunk of transfers at a time.

:func:`legs_to_geoparquet` draws the legs of a few transfers, attributes
them to zones, splits them at zone boundaries, appends both tables to their
GeoParquet files as one row group each, and forgets them before the next
chunk: memory is bounded by a chunk, not by the ledger.  A chunk always
holds whole transfers, so everything computed per transfer (e.g.
:data:`~geo.columns.TRANSFER_KM`) is what the whole ledger gives, and the
files are the same row for row (and byte for byte) whatever the chunk size.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.columns import LEG, TRANSFER_ID

__all__ = [
    "CHUNK_LEGS",
    "GEOPARQUET_FILES",
    "LINE_TYPES",
    "PipelineResult",
    "export_geoparquet",
    "legs_to_geoparquet",
    "transfer_chunks",
]

#: Legs per chunk when none is asked for.
CHUNK_LEGS = 50_000
#: Files :func:`export_geoparquet` writes into its folder: legs, segments.
GEOPARQUET_FILES = ("legs.parquet", "segments.parquet")
#: Geometry types of leg and segment lines (a line across the antimeridian is split in two).
LINE_TYPES = ("LineString", "MultiLineString")


@dataclass(frozen=True)
class PipelineResult:
    """What :func:`legs_to_geoparquet` wrote.

    Attributes
    ----------
    legs, segments
        Rows written to each file.
    chunks
        Chunks the legs were processed in.

    """

    legs: int
    segments: int
    chunks: int


def transfer_chunks(transfer_ids: Any, *, chunk_legs: int = CHUNK_LEGS) -> Iterator[slice]:
    """Cut a leg table into slices of about ``chunk_legs`` rows that never split a transfer.

    Parameters
    ----------
    transfer_ids
        Each leg's transfer id, the legs of a transfer next to each other
        (as :func:`geo.ledger.read_ledger` sorts them).
    chunk_legs
        Rows per slice; a slice is longer only to finish its last transfer.

    Yields
    ------
    slice
        Consecutive row ranges covering every row; none for no rows.

    Raises
    ------
    ValueError
        If ``chunk_legs`` is not positive, or a transfer's legs are not
        next to each other.

    """
    if chunk_legs < 1:
        msg = f"chunk_legs must be at least 1, not {chunk_legs}"
        raise ValueError(msg)
    ids = np.asarray(transfer_ids, dtype=object)
    n = len(ids)
    if not n:
        return
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    if len(starts) != len(pd.unique(ids)):
        msg = "the legs of a transfer must be next to each other (sort by transfer id)"
        raise ValueError(msg)
    bounds = np.r_[starts, n]
    begin = 0
    while begin < n:
        # the first transfer start at or after begin + chunk_legs ends the slice
        end = int(bounds[min(np.searchsorted(bounds, begin + chunk_legs), len(bounds) - 1)])
        yield slice(begin, end)
        begin = end


def legs_to_geoparquet(
    legs: pd.DataFrame,
    zones: Any,
    *,
    legs_path: str | Path,
    segments_path: str | Path,
    chunk_legs: int = CHUNK_LEGS,
    routes: bool = True,
    outside_geometry: bool = True,
    keep: np.ndarray | None = None,
    on_chunk: Callable[[Any, Any], None] | None = None,
    workers: int = 1,
    timings: dict[str, list[float]] | None = None,
) -> PipelineResult:
    """Draw, zone and write every leg to GeoParquet, ``chunk_legs`` at a time.

    Parameters
    ----------
    legs
        ``LedgerResult.legs`` (legs of a transfer together).
    zones
        From :func:`geo.zones.read_zones`.
    legs_path, segments_path
        The GeoParquet files to write: legs with their zones
        (:func:`geo.zones.attribute_legs`), and legs split at zone
        boundaries (:func:`geo.zones.split_by_zone`).
    chunk_legs
        Legs per chunk (whole transfers; see :func:`transfer_chunks`).
    routes
        ``True``: lines as the maps and exports draw them
        (:func:`geo.routes.movement_lines`: sea routes, tracks, via points,
        alternatives); ``False``: geodesic lines between the ends
        (:func:`geo.lines.geodesic_lines`).
    outside_geometry
        As for :func:`geo.zones.split_by_zone`.
    keep
        Optional boolean mask over ``legs``: the legs to write (their
        segments follow), e.g. from :func:`geo.filters.filter_legs`.  Lines
        and zones are still computed for whole transfers.
    on_chunk
        Optional: called with each chunk's (kept) legs and segments before
        they are written, e.g. to collect warnings.
    workers
        Processes computing chunks at once (forked, one per chunk, so they
        share the legs and zones without copying; POSIX only).  The files
        are the same whatever the number; memory grows by about a chunk
        per worker.
    timings
        Optional: wall and CPU seconds of each stage are added here, as
        ``[wall, cpu]`` per stage name: ``lines``, ``zones``, ``export``
        (to Arrow: WKB and columns) in whichever process ran the chunk,
        ``handoff`` (with workers: the tables written to shared memory by
        the worker and mapped by this process), ``write`` (Parquet encoding
        and compression) in this one.

    Returns
    -------
    PipelineResult

    """
    from geo.geoparquet import GeoParquetWriter

    if workers < 1:
        msg = f"workers must be at least 1, not {workers}"
        raise ValueError(msg)
    if workers > 1 and on_chunk is not None:
        msg = "on_chunk runs in this process: use workers=1"
        raise ValueError(msg)
    chunks = list(transfer_chunks(legs[TRANSFER_ID], chunk_legs=chunk_legs)) or [slice(0, 0)]
    job = _Job(legs, zones, routes, outside_geometry, keep, on_chunk)
    n_legs = n_segments = 0
    with (
        GeoParquetWriter(legs_path, geometry_types=LINE_TYPES) as leg_out,
        GeoParquetWriter(segments_path, geometry_types=LINE_TYPES) as segment_out,
    ):
        for leg_table, segment_table, spent in _run(job, chunks, workers, timings):
            t0 = time.perf_counter(), time.process_time()
            leg_out.write_table(leg_table)
            segment_out.write_table(segment_table)
            spent["write"] = [time.perf_counter() - t0[0], time.process_time() - t0[1]]
            n_legs += leg_table.num_rows
            n_segments += segment_table.num_rows
            del leg_table, segment_table
            if timings is not None:
                for stage, (wall, cpu) in spent.items():
                    total = timings.setdefault(stage, [0.0, 0.0])
                    total[0] += wall
                    total[1] += cpu
    return PipelineResult(legs=n_legs, segments=n_segments, chunks=len(chunks))


@dataclass
class _Job:
    """What every chunk needs; a forked worker inherits it without pickling."""

    legs: pd.DataFrame
    zones: Any
    routes: bool
    outside: bool
    keep: np.ndarray | None
    on_chunk: Callable[[Any, Any], None] | None
    schemas: dict[str, Any] = field(default_factory=dict)


_JOB: _Job | None = None  # set in the parent just before forking workers


def _run(
    job: _Job, chunks: list[slice], workers: int, timings: dict[str, list[float]] | None
) -> Iterator[tuple[Any, Any, dict]]:
    """Yield each chunk's Arrow tables and stage times, in chunk order."""
    if workers == 1 or len(chunks) == 1:
        for part in chunks:
            yield _tables(job, part)
        return
    import multiprocessing
    import shutil
    import tempfile
    from collections import deque

    global _JOB  # inherited by the forked workers
    _JOB = job
    # Draw and zone one leg here first: what zones keep prepared (indexes of
    # their edges, prepared polygons) is then inherited by every fork instead
    # of rebuilt per chunk.
    _chunk(
        job.legs.iloc[:1], job.zones, routes=job.routes, outside=job.outside, clock=_Clock(timings)
    )
    # Workers hand their tables over as Arrow IPC files in memory (tmpfs),
    # which this process maps without copying: a pickle through a pipe
    # copied every byte three times while both workers waited.
    spool = tempfile.mkdtemp(prefix=SPOOL_PREFIX, dir=_spool_dir())
    try:
        context = multiprocessing.get_context("fork")
        # A fresh fork per chunk: a worker that lived on would keep private copies
        # of every ledger page its chunks touched (reference counts are writes).
        with context.Pool(min(workers, len(chunks)), maxtasksperchild=1) as pool:
            todo = iter(chunks)
            # workers + 1 chunks in flight: a worker that finishes while this
            # process waits for an earlier chunk starts the next one at once;
            # memory stays bounded by a few chunks.
            pending = deque(
                pool.apply_async(_forked, (part, spool)) for part in _take(todo, workers + 1)
            )
            while pending:
                paths, spent = pending.popleft().get()
                pending.extend(pool.apply_async(_forked, (part, spool)) for part in _take(todo, 1))
                t0 = time.perf_counter(), time.process_time()
                legs_table, segments_table = (_unspool(path) for path in paths)
                _add(spent, "handoff", t0)
                yield legs_table, segments_table, spent
                del legs_table, segments_table
                for path in paths:
                    Path(path).unlink()
    finally:
        _JOB = None
        shutil.rmtree(spool, ignore_errors=True)


#: Name prefix of the folder (in /dev/shm when there is one) where workers hand tables over.
SPOOL_PREFIX = "movemap-spool-"


#: Free shared memory below which handoff files go to the temp folder instead
#: (a container's /dev/shm is often 64 MB; a few chunks in flight take about 0.5 GB).
_SPOOL_MIN_FREE = 2 << 30


def _spool_dir() -> str | None:
    """Shared memory when the system has enough of it (Linux), else the default temp folder."""
    import shutil

    shm = Path("/dev/shm")
    try:
        roomy = shutil.disk_usage(shm).free >= _SPOOL_MIN_FREE
    except OSError:
        return None
    return str(shm) if roomy and os.access(shm, os.W_OK) else None


def _spooled(table: Any, path: str) -> str:
    """Write ``table`` as an uncompressed Arrow IPC file; return its path."""
    import pyarrow as pa

    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
        out.write_table(table)
    return path


def _unspool(path: str) -> Any:
    """Map an Arrow IPC file written by :func:`_spooled` (no copy)."""
    import pyarrow as pa

    with pa.memory_map(path) as source:
        return pa.ipc.open_file(source).read_all()


def _add(spent: dict[str, list[float]], stage: str, t0: tuple[float, float]) -> None:
    total = spent.setdefault(stage, [0.0, 0.0])
    total[0] += time.perf_counter() - t0[0]
    total[1] += time.process_time() - t0[1]


def _take(it: Iterator[slice], n: int) -> list[slice]:
    return [part for _, part in zip(range(n), it, strict=False)]


def _forked(part: slice, spool: str) -> tuple[tuple[str, str], dict]:
    if _JOB is None:  # pragma: no cover - set before the fork
        msg = "no job: workers are forked by legs_to_geoparquet"
        raise RuntimeError(msg)
    from geo.threads import limited

    with limited(1):  # the workers are the parallelism: more threads only compete
        legs_table, segments_table, spent = _tables(_JOB, part)
    t0 = time.perf_counter(), time.process_time()
    stem = f"{spool}/{part.start}"
    paths = (
        _spooled(legs_table, f"{stem}-legs.arrow"),
        _spooled(segments_table, f"{stem}-segments.arrow"),
    )
    _add(spent, "handoff", t0)
    return paths, spent


def _tables(job: _Job, part: slice) -> tuple[Any, Any, dict]:
    """Lines, zones and Arrow tables of one chunk; with the seconds each stage took."""
    from geo.geoparquet import geoparquet_table

    timings: dict[str, list[float]] = {}
    clock = _Clock(timings)
    attributed, segments = _chunk(
        job.legs.iloc[part], job.zones, routes=job.routes, outside=job.outside, clock=clock
    )
    attributed, segments = kept_of_chunk(attributed, segments, job.keep, part)
    if job.on_chunk is not None:
        job.on_chunk(attributed, segments)
    with clock("export"):
        tables = []
        for name, frame in (("legs", attributed), ("segments", segments)):
            table = geoparquet_table(
                frame.reset_index(drop=True),
                geometry_types=LINE_TYPES,
                schema=job.schemas.get(name),
            )
            job.schemas.setdefault(name, table.schema)
            tables.append(table)
    return tables[0], tables[1], timings


def _chunk(
    part: pd.DataFrame, zones: Any, *, routes: bool, outside: bool, clock: _Clock
) -> tuple[Any, Any]:
    from geo.zones import attribute_legs, split_by_zone

    with clock("lines"):
        if routes:
            from geo.routes import counted_lines, movement_lines

            lines = movement_lines(part)
            counted = counted_lines(lines)
        else:
            from geo.lines import geodesic_lines

            lines = counted = geodesic_lines(part)
    with clock("zones"):
        attributed = attribute_legs(lines, zones)
        segments = split_by_zone(counted, zones, outside_geometry=outside)
    return attributed, segments


def kept_of_chunk(
    legs: pd.DataFrame, segments: pd.DataFrame, keep: Any, part: slice
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the legs of chunk ``part`` that ``keep`` keeps, and their segments.

    ``keep`` is a boolean mask over all legs (from :func:`geo.filters.filter_legs`),
    or None to keep every leg.
    """
    if keep is None:
        return legs, segments
    legs = legs[np.asarray(keep, dtype=bool)[part]]
    return legs, _segments_of(segments, legs)


def _segments_of(segments: pd.DataFrame, legs: pd.DataFrame) -> pd.DataFrame:
    """Keep the segments of the legs in ``legs`` (by transfer id and leg)."""
    key = pd.MultiIndex.from_frame(legs[[TRANSFER_ID, LEG]])
    return segments[pd.MultiIndex.from_frame(segments[[TRANSFER_ID, LEG]]).isin(key)]


class _Clock:
    """Adds each stage's wall and CPU seconds to a dict (or nothing without one)."""

    def __init__(self, timings: dict[str, list[float]] | None) -> None:
        self.timings = timings
        self.stage = ""

    def __call__(self, stage: str) -> _Clock:
        self.stage = stage
        return self

    def __enter__(self) -> None:
        self.t0 = (time.perf_counter(), time.process_time())

    def __exit__(self, *exc: object) -> None:
        if self.timings is None:
            return
        spent = self.timings.setdefault(self.stage, [0.0, 0.0])
        spent[0] += time.perf_counter() - self.t0[0]
        spent[1] += time.process_time() - self.t0[1]


def export_geoparquet(
    data_dir: str | Path | None,
    out: str | Path,
    *,
    legfilter: Any = None,
    chunk_legs: int = CHUNK_LEGS,
) -> tuple[list[Path], list[Any]]:
    """Load a data folder and write its legs and segments as GeoParquet, chunk by chunk.

    The files hold what :func:`geo.export.to_geoparquet` writes for
    ``filter_dataset(load_dataset(data_dir), legfilter)``, without ever
    holding every line in memory: only the validated ledger is whole.

    Parameters
    ----------
    data_dir
        The input folder (``None``: the bundled data).
    out
        Folder that receives :data:`GEOPARQUET_FILES`.
    legfilter
        Optional :class:`geo.filters.LegFilter`.
    chunk_legs
        Legs per chunk.

    Returns
    -------
    paths, warnings
        The files written; the ledger's and inputs' warnings, and one per
        leg without a line (as :func:`geo.dataset.unplaced_legs`).

    Raises
    ------
    InputError
        With every problem of every input file, or of the filter.

    """
    from types import SimpleNamespace

    from geo._io import atomic_path
    from geo.dataset import _warnings, read_inputs, unplaced_legs
    from geo.filters import filter_legs

    folder, places, ledger, zones = read_inputs(data_dir)
    keep = filter_legs(ledger.legs, legfilter) if legfilter else None
    warnings = [*_warnings(places), *ledger.warnings, *_warnings(zones)]

    def unplaced(legs: Any, _segments: Any) -> None:
        warnings.extend(unplaced_legs(SimpleNamespace(legs=legs, folder=folder)))  # type: ignore[arg-type]

    paths = [Path(out) / name for name in GEOPARQUET_FILES]
    with atomic_path(paths[0]) as legs_tmp, atomic_path(paths[1]) as segments_tmp:
        legs_to_geoparquet(
            ledger.legs,
            zones,
            legs_path=legs_tmp,
            segments_path=segments_tmp,
            chunk_legs=chunk_legs,
            keep=keep,
            on_chunk=unplaced,
        )
    return paths, warnings
