"""Atomic file writers and staged output folders.

Every output is written to a temporary file in the target's own folder,
flushed to disk, then renamed over the target with :func:`os.replace`.
A rename within one file system is atomic, so a reader (or a crashed
run) sees either the old file or the complete new one, never half of it.

A set of files (the maps) is written into a staging folder beside the
target and swapped in at the end (:func:`staged_folder`), so a killed
build leaves the previous complete set, never a mix; debris of runs that
died is removed by the next run.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from geo._errors import OutputError

__all__ = [
    "MANIFEST",
    "atomic_path",
    "check_out_dir",
    "check_out_file",
    "staged_folder",
    "write_bytes",
    "write_text",
]

#: File listing what a staged build wrote (so the next build knows its own files).
MANIFEST = ".movemap-files"


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
    check_out_file(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(
            prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent
        )
    except OSError as exc:
        raise _output_error(target, exc) from None
    os.close(fd)
    tmp = Path(name)
    # Some writers (GDAL) refuse to overwrite an existing file.
    tmp.unlink()
    try:
        yield tmp
        _fsync_file(tmp)
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise _output_error(target, exc) from None
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


# --- checks and staged folders ---------------------------------------------


def _output_error(path: Path, exc: OSError) -> OutputError:
    """Turn an OSError on an output path into a message naming the path and a fix."""
    reason = exc.strerror or str(exc)
    hint = {
        errno.EACCES: "choose a folder you can write to, or fix its permissions",
        errno.EPERM: "choose a folder you can write to, or fix its permissions",
        errno.EROFS: "the file system is read-only; choose another folder",
        errno.ENOSPC: "the disk is full; free space or choose another disk",
        errno.EISDIR: "it is a folder; name a file instead",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EEXIST: "remove it or choose another path",
    }.get(exc.errno or 0, "check the path")
    where = exc.filename or path
    return OutputError(f"cannot write {where}: {reason}; {hint}")


def check_out_file(target: str | os.PathLike[str]) -> Path:
    """Check that ``target`` can be an output file (not a folder, parent not a file).

    Raises
    ------
    OutputError
        Naming the path and what to do.

    """
    target = Path(target)
    if target.is_dir():
        raise OutputError(f"--out {target} is a folder; name a file (e.g. {target / 'out'}...)")
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"cannot write {target}: {parent} is a file, not a folder")
            break
    return target


def check_out_dir(
    target: str | os.PathLike[str], *, owned: Callable[[Path], bool] = lambda p: False
) -> Path:
    """Check that ``target`` can receive a staged set of files.

    Parameters
    ----------
    target
        The output folder (may not exist yet).
    owned
        Unused here; kept so callers pass the same options as to
        :func:`staged_folder`.

    Returns
    -------
    pathlib.Path
        ``target``.

    Raises
    ------
    OutputError
        If ``target`` is a file, a part of its path is a file, or its
        parent cannot be written.

    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise OutputError(
            f"--out {target} is a file, not a folder; name a folder (it is created if missing)"
        )
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"cannot write {target}: {parent} is a file, not a folder")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise OutputError(
                    f"cannot write {target}: permission denied in {parent}; "
                    "choose a folder you can write to"
                )
            break
    return target


#: Temporary files left inside an output folder by killed runs of older versions.
_DEBRIS_RE = re.compile(r"^\..+\.tmp(\.[A-Za-z0-9]+)?$")


def _manifest(folder: Path) -> set[str]:
    try:
        return set((folder / MANIFEST).read_text(encoding="utf-8").split("\n")) - {""}
    except OSError:
        return set()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clean_debris(target: Path) -> None:
    """Remove what killed runs left beside and inside ``target``; restore a lost set."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(staging|old)-(\d+)-\w+$")
    olds: list[Path] = []
    for p in sorted(target.parent.iterdir()):
        m = pattern.match(p.name)
        if not m or _alive(int(m.group(2))):
            continue
        if m.group(1) == "old":
            olds.append(p)
        else:
            shutil.rmtree(p, ignore_errors=True)
    if olds and not target.exists():
        # Killed between the two renames of a swap: the old set is the last complete one.
        os.rename(olds.pop(), target)
    for p in olds:
        shutil.rmtree(p, ignore_errors=True)
    if target.is_dir():
        for p in target.iterdir():
            if _DEBRIS_RE.match(p.name) and p.is_file():
                with contextlib.suppress(OSError):
                    p.unlink()


@contextlib.contextmanager
def staged_folder(
    target: str | os.PathLike[str], *, owned: Callable[[Path], bool] = lambda p: False
) -> Iterator[Path]:
    """Yield a staging folder that replaces ``target`` as a whole when the block succeeds.

    The staging folder sits beside ``target`` (same file system, so the
    swap is two renames). On success the files written are listed in
    :data:`MANIFEST` and the folders are swapped; the previous set is then
    removed. On any exception, Ctrl-C included, the staging folder is
    removed and ``target`` is untouched. Debris from runs that were killed
    (staging folders, old sets, ``.*.tmp`` files) is removed first.

    Parameters
    ----------
    target
        The output folder.
    owned
        As for :func:`check_out_dir`.

    Yields
    ------
    pathlib.Path
        The empty staging folder to write the whole set into.

    Raises
    ------
    OutputError
        See :func:`check_out_dir`; also when a file cannot be written.

    """
    target = Path(target).absolute()
    check_out_dir(target, owned=owned)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _clean_debris(target)
        stage = Path(
            tempfile.mkdtemp(prefix=f".{target.name}.staging-{os.getpid()}-", dir=target.parent)
        )
    except OSError as exc:
        raise _output_error(target, exc) from None
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(stage, 0o777 & ~umask)
    try:
        try:
            yield stage
            names = sorted(p.name for p in stage.iterdir())
            (stage / MANIFEST).write_text("\n".join(names) + "\n", encoding="utf-8")
            _carry_over(target, stage, owned)
            for p in stage.iterdir():
                _fsync_file(p)
            _fsync_dir(stage)
            _swap(stage, target)
        except OSError as exc:
            raise _output_error(target, exc) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _carry_over(target: Path, stage: Path, owned: Callable[[Path], bool]) -> None:
    """Hard-link files movemap did not write from ``target`` into ``stage``.

    A hard link shares the file's data, so nothing is copied and the
    original stays in place until the swap: a user's notes in the output
    folder survive a build, and survive a build killed at any point.
    """
    if not target.is_dir():
        return
    listed = _manifest(target)
    for p in sorted(target.iterdir()):
        if (
            p.name == MANIFEST
            or p.name in listed
            or _DEBRIS_RE.match(p.name)
            or (stage / p.name).exists()
            or (p.is_file() and owned(p))
        ):
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.copytree(p, stage / p.name, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(p, stage / p.name)


def _link_or_copy(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
    if os.path.islink(src):
        os.symlink(os.readlink(src), dst)
        return
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _swap(stage: Path, target: Path) -> None:
    """Put ``stage`` in place of ``target`` (two renames), then drop the old set."""
    if not target.exists():
        os.rename(stage, target)
        _fsync_dir(target.parent)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=target.parent))
    old.rmdir()
    os.rename(target, old)
    try:
        os.rename(stage, target)
    except BaseException:
        os.rename(old, target)
        raise
    _fsync_dir(target.parent)
    shutil.rmtree(old, ignore_errors=True)
