"""Read an input file in a thread while the process starts, for the reader to take.

A large ledger's columns (:func:`geo._csv.read_columns`: pyarrow's CSV
reader and compute functions, which release the GIL) are read while the
main thread imports pandas and geopandas and reads the gazetteer.  The
reader then takes the result instead of reading the file again
(:func:`take`), only if the file is unchanged (same size, modification
time and inode): a file changed in between is read again, so results
never depend on the head start.  Uses the standard library only, so
starting it costs nothing before the thread runs.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["route_count", "start", "start_columns", "take"]

#: path -> (stat key when started, done event, [result])
_STARTED: dict[str, tuple[tuple[int, int, int], threading.Event, list[Any]]] = {}
_LOCK = threading.Lock()


def _key(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def start(path: str | os.PathLike[str], read: Callable[[Path], Any], *, name: str) -> bool:
    """Start ``read(path)`` in a thread (:func:`geo.forked.start_thread`); False if no file.

    Parameters
    ----------
    path
        The file.
    read
        Called with ``path`` in the thread; its result is kept for :func:`take`.
    name
        The thread's name.

    Returns
    -------
    bool
        Whether the thread was started.

    """
    from geo.forked import start_thread

    path = Path(path)
    key = _key(path)
    if key is None:
        return False
    done = threading.Event()
    box: list[Any] = []

    def work() -> None:
        try:
            box.append(read(path))
        finally:
            done.set()

    with _LOCK:
        _STARTED[str(path.absolute())] = (key, done, box)
    start_thread(work, name=name)
    return True


def take(path: str | os.PathLike[str]) -> tuple[bool, Any]:
    """Return ``(True, result)`` of :func:`start` on ``path`` (waited for), else ``(False, None)``.

    The result is handed out once.  ``(False, None)`` when nothing was
    started for ``path``, when the read failed, or when the file changed
    since it was started.
    """
    path = Path(path)
    with _LOCK:
        entry = _STARTED.pop(str(path.absolute()), None)
    if entry is None:
        return False, None
    key, done, box = entry
    done.wait()
    if not box or _key(path) != key:
        return False, None
    return True, box[0]


def start_columns(path: str | os.PathLike[str]) -> bool:
    """Start :func:`geo._csv.read_columns` of ``path`` in a thread; False if no file.

    Its next call on the unchanged file takes the result.
    """
    counted = threading.Event()
    box: list[int | None] = []
    with _LOCK:
        _ROUTES[str(Path(path).absolute())] = (counted, box)

    def read(file: Path) -> Any:
        from geo._csv import _read_columns  # the read itself (read_columns takes ours)

        got = None
        try:
            got = _read_columns(file)
            return got
        finally:
            box.append(_count_routes(got))
            counted.set()

    if not start(path, read, name="movemap-csv"):
        counted.set()
        return False
    return True


#: path -> (set when counted, [distinct (from, to) pairs, or None]); not taken by :func:`take`.
_ROUTES: dict[str, tuple[threading.Event, list[int | None]]] = {}


def _count_routes(got: Any) -> int | None:
    """Count distinct (from, to) cells of read columns (equal cells are one object: cheap)."""
    from geo import columns as col

    if got is None:
        return None
    header, columns = got
    try:
        ends = columns[header.index(col.FROM)], columns[header.index(col.TO)]
    except ValueError:  # no such column: the reader reports it
        return None
    return len(set(zip(*ends, strict=True)))


def route_count(path: str | os.PathLike[str]) -> int | None:
    """Return the distinct (from, to) pairs of a ledger read by :func:`start_columns` (waited for).

    ``None`` when its columns were not read ahead (not started, not a
    clean CSV file: the reader takes the slow path).  Counted in the
    reading thread; unlike the columns, never handed out.
    """
    with _LOCK:
        entry = _ROUTES.get(str(Path(path).absolute()))
    if entry is None:
        return None
    counted, box = entry
    counted.wait()
    return box[0] if box else None
