"""The ``movemap`` executable: :func:`layers.cli.main`, then a quick exit.

When a command is done, a normal interpreter exit frees every object
still alive module by module (pandas, shapely, numba, the world tables'
caches...): about half a CPU second after a 100,000-leg ``movemap build``
(``bench/bench_build.py``), spent after the last file was written.
:func:`console` runs the exit handlers (``atexit``), flushes the output
streams and ends the process with :func:`os._exit`, leaving the memory to
the operating system.  :func:`layers.cli.main` itself still returns, for
callers in Python (the tests).
"""

from __future__ import annotations

import atexit
import os
import sys

from layers.cli import _common, main

__all__ = ["console"]

#: Exit status when the output cannot be flushed (as Python's own exit).
FLUSH_FAILED = 120


def console() -> None:
    """Run :func:`layers.cli.main` on ``sys.argv`` and end the process with its code."""
    # Commands may leave their memory and the collector to the exit (_common.keep_until_exit).
    _common._ENDS_WITH_EXIT[0] = True
    code = main()  # --help and usage errors raise SystemExit: a normal exit
    atexit._run_exitfuncs()  # what a normal exit runs first (none are registered by movemap)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (movemap ... | head): as Python does
            code = code or FLUSH_FAILED
    os._exit(code)
