"""Atomic file writers.

Every output is written to a temporary file in the target's own folder,
flushed to disk, then renamed over the target with :func:`os.replace`.
A rename within one file system is atomic, so a reader (or a crashed
run) sees either the old file or the complete new one, never half of it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "write_bytes", "write_text"]


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path that replaces ``target`` when the block succeeds.

    For writers that insist on opening the file themselves (GDAL through
    pyogrio, matplotlib, python-pptx). The temporary name keeps the
    target's suffix, so drivers chosen by extension still work. On an
    exception the temporary file (and any ``-journal``/``-wal`` siblings a
    driver left) is removed and ``target`` is left untouched.

    Parameters
    ----------
    target
        Final path. Its folder is created if missing.

    Yields
    ------
    pathlib.Path
        Where to write; does not exist yet.

    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent
    )
    os.close(fd)
    tmp = Path(name)
    # Some writers (GDAL) refuse to overwrite an existing file.
    tmp.unlink()
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        for leftover in (tmp, *tmp.parent.glob(tmp.name + "-*")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def write_bytes(target: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically.

    Parameters
    ----------
    target
        Final path.
    data
        Complete file contents.

    Returns
    -------
    pathlib.Path
        ``target``.

    """
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
    return Path(target)


def write_text(target: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> Path:
    r"""Write ``text`` to ``target`` atomically, with ``\n`` line endings.

    Parameters
    ----------
    target
        Final path.
    text
        Complete file contents.
    encoding
        Text encoding.

    Returns
    -------
    pathlib.Path
        ``target``.

    """
    return write_bytes(target, text.encode(encoding))


def _fsync_file(path: Path) -> None:
    if not path.is_file():
        return
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    # Persist the rename itself; not every platform can open a directory.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
