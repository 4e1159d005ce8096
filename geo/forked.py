"""Run independent tasks in this process and forked copies of it, on every core.

:func:`run_forked` splits a list of tasks into groups of about equal weight
(largest first, each to the least loaded group, so the split depends on
the weights alone), runs the first group here and each other group in a
child made with ``fork``.  A child inherits everything this process has
computed (a build's dataset and shared context) without pickling, and
hands nothing back: each task writes its own output (a map's HTML file,
a spool file of results).

Errors
    A task's exception in a child is sent back pickled through a pipe and
    raised here, after this process's own tasks (an ``OSError`` from a
    full disk stays an ``OSError``).  A child that dies without a word
    (killed, out of memory) is an error naming how it ended.  If anything
    goes wrong here, Ctrl-C and SIGTERM included, the children are killed
    and waited for before the exception goes on, so no task writes after
    the caller has cleaned up.  Children ignore Ctrl-C (the terminal sends
    it to the whole group; this process decides) and die on SIGTERM.

Threads before a fork
    A fork copies only the calling thread: a thread still importing a
    module or holding a lock would leave the child a lock nobody releases.
    Work started with :func:`start_thread` (the warm-ups of a build, run
    beside the ledger read) is therefore waited for by :func:`join_threads`,
    which :func:`run_forked` calls before it forks.

Where ``fork`` is missing or unsafe (not Linux), or with ``workers=1``,
every task runs here, one after another, with the same results.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = [
    "available_cores",
    "can_fork",
    "join_threads",
    "run_forked",
    "split_by_weight",
    "start_thread",
]

T = TypeVar("T")

#: Largest pickled exception a child sends back (a pipe holds 64 KiB unread).
_MAX_ERROR_BYTES = 60_000


#: What a child writes to its pipe when every task of it is done (an error
#: is a pickle, which starts with b"\\x80"): the pipe is then closed before the
#: child exits, so this process goes on without waiting for the kernel to free the
#: child's memory (0.03-0.07 s per child of a 100,000-leg build).
_DONE = b"done"
#: Children that reported _DONE but had not yet exited: reaped by the next run_forked.
_PENDING: list[int] = []

#: Name of the thread running :func:`geo.engine.preload_lines` (``lines_and_zones``
#: waits for it before the lines).
PRELOAD_THREAD = "movemap-preload"
#: Name of the thread running :func:`geo.engine.preload_zones` (waited for before the zones).
PRELOAD_ZONES_THREAD = "movemap-preload-zones"
#: Threads of :func:`start_thread` not yet joined.
_THREADS: list[threading.Thread] = []
_THREADS_LOCK = threading.Lock()


def start_thread(target: Callable[[], object], *, name: str) -> threading.Thread:
    """Run ``target()`` in a daemon thread that is joined before any fork here.

    For work done beside the main thread that only saves time later
    (imports, caches): an exception in ``target`` is dropped (the same
    work done again where it is needed raises it there, reported as
    usual), never printed as a traceback.

    Parameters
    ----------
    target
        Called once, with no arguments, in the new thread.
    name
        The thread's name.

    Returns
    -------
    threading.Thread
        The started thread; :func:`join_threads` waits for it.

    """

    def quietly() -> None:
        # Only a head start: the work is redone, and its error reported, where it is needed.
        with contextlib.suppress(Exception):
            target()

    thread = threading.Thread(target=quietly, name=name, daemon=True)
    with _THREADS_LOCK:
        _THREADS.append(thread)
    thread.start()
    return thread


def join_threads(*, name: str | None = None) -> None:
    """Wait for the threads of :func:`start_thread` (every one: called before each fork).

    Parameters
    ----------
    name
        Only the threads of this name (the others go on; a fork still
        waits for them).

    """
    while True:
        with _THREADS_LOCK:
            mine = [t for t in _THREADS if name is None or t.name == name]
            if not mine:
                return
            thread = mine[-1]
            _THREADS.remove(thread)
        if thread is not threading.current_thread():
            thread.join()


def available_cores() -> int:
    """Return the CPU cores this process may run on (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Tell whether :func:`run_forked` can fork here (Linux only)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def split_by_weight(weights: Sequence[float], *, groups: int) -> list[list[int]]:
    """Split task positions into ``groups`` lists of about equal total weight.

    Parameters
    ----------
    weights
        Each task's expected cost.
    groups
        Number of lists (at least 1).

    Returns
    -------
    list of list of int
        Task positions, each list in task order; the first list holds the
        heaviest task.  Empty lists are dropped.

    """
    n = max(1, int(groups))
    load = [0.0] * n
    out: list[list[int]] = [[] for _ in range(n)]
    # Heaviest first (ties by position), each onto the least loaded group.
    for i in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        g = min(range(n), key=lambda g: (load[g], g))
        out[g].append(i)
        load[g] += float(weights[i])
    return [sorted(group) for group in out if group]


def run_forked(
    tasks: Sequence[T],
    run: Callable[[T], object],
    *,
    weights: Sequence[float] | None = None,
    workers: int = 2,
) -> None:
    """Call ``run(task)`` for every task, over ``workers`` processes.

    Parameters
    ----------
    tasks
        Independent tasks; ``run`` must write its own results (a forked
        child's return values are dropped).
    run
        Called once per task.
    weights
        Expected cost per task (default: all equal), to balance the groups.
    workers
        Processes in all, this one included; 1 (or no ``fork``) runs every
        task here.

    Raises
    ------
    BaseException
        The first error of a task (here first, then the children's in
        order), or ``RuntimeError`` for a child that died without one.

    """
    _reap_pending()
    if not tasks:
        return
    weights = [1.0] * len(tasks) if weights is None else list(weights)
    groups = split_by_weight(weights, groups=workers if can_fork() else 1)
    if len(groups) > 1:
        join_threads()  # no thread of ours mid-import or holding a lock in a child
    children: list[tuple[int, int]] = []  # (pid, read end of its error pipe)
    try:
        for group in groups[1:]:
            children.append(_fork([tasks[i] for i in group], run))
        for i in groups[0]:
            run(tasks[i])
        while children:
            pid, fd = children[0]
            error = _read_all(fd)  # until the child closes the pipe (or exits)
            children.pop(0)
            os.close(fd)
            if error == _DONE:  # every task done: its exit is not waited for
                if os.waitpid(pid, os.WNOHANG)[0] == 0:
                    _PENDING.append(pid)
                continue
            _, status = os.waitpid(pid, 0)
            if error:
                raise _unpickled(error)
            if status != 0:
                msg = f"a forked worker process ended with {_how(status)}"
                raise RuntimeError(msg)
    except BaseException:
        for pid, fd in children:
            _kill(pid)
            os.close(fd)
        raise


def _fork(tasks: list[T], run: Callable[[T], object]) -> tuple[int, int]:
    """Start a child running ``tasks``; return its pid and the read end of its error pipe."""
    read, write = os.pipe()
    pid = os.fork()
    if pid:  # this process
        os.close(write)
        return pid, read
    code = 1  # the child: never returns, never runs the caller's cleanup
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.close(read)
        for task in tasks:
            run(task)
        code = 0
        os.write(write, _DONE)
        os.close(write)  # the parent goes on now; this process's memory is freed after
    except BaseException as exc:
        with contextlib.suppress(BaseException):  # the exit code still says it failed
            os.write(write, _pickled(exc))
    finally:
        _exit(code)
    raise AssertionError  # pragma: no cover - os._exit does not return


def _exit(code: int) -> None:
    """End a child (:func:`os._exit`; replaced in tests)."""
    os._exit(code)


def _reap_pending() -> None:
    """Wait for the children that reported every task done (long since exited, mostly)."""
    while _PENDING:
        pid = _PENDING.pop()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _pickled(exc: BaseException) -> bytes:
    """Pickle ``exc``; a plain RuntimeError with its text if it will not pickle."""
    try:
        data = pickle.dumps(exc)
        pickle.loads(data)
    except Exception:
        data = b""
    if not data or len(data) > _MAX_ERROR_BYTES:
        text = f"{type(exc).__name__}: {exc}"[:2000]
        data = pickle.dumps(RuntimeError(f"in a forked worker process: {text}"))
    return data


def _unpickled(data: bytes) -> BaseException:
    exc = pickle.loads(data)
    return exc if isinstance(exc, BaseException) else RuntimeError(repr(exc))


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            return f"signal {signal.Signals(sig).name}"
        except ValueError:
            return f"signal {sig}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
