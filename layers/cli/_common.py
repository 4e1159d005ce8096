"""Arguments and helpers shared by several subcommands."""

from __future__ import annotations

import argparse

#: Objects handed to the end of the process by :func:`keep_until_exit`.
_KEPT: list[object] = []
#: True when the process ends with ``os._exit`` as soon as the command
#: returns (set by :func:`layers.cli.console.console`, the ``movemap``
#: executable); False when :func:`layers.cli.main` is called from Python.
_ENDS_WITH_EXIT = [False]


def ends_with_exit() -> bool:
    """Tell whether the process ends (``os._exit``) as soon as the command returns.

    True in the ``movemap`` executable (:mod:`layers.cli.console`), False
    when :func:`layers.cli.main` is called from Python (the tests): only
    then may a command leave its memory to the operating system.
    """
    return _ENDS_WITH_EXIT[0]


def keep_until_exit(*objects: object) -> None:
    """Keep ``objects`` alive until the process ends, if it ends with ``os._exit``.

    Freeing a 100,000-leg build's frames (millions of Python objects and
    GEOS geometries) when the command returns takes about 0.3 CPU s, spent
    after the last file was written, on memory the operating system takes
    back at once anyway.  In the ``movemap`` executable the objects are
    kept (never freed: the process ends with ``os._exit``); called from
    Python, this does nothing and they are freed as usual.
    """
    if _ENDS_WITH_EXIT[0]:
        _KEPT.extend(objects)


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--data DIR`` (the folder holding the input files)."""
    parser.add_argument(
        "--data",
        metavar="DIR",
        default=None,
        help="folder holding gazetteer.csv, transfers.csv, sources.csv, zones.geojson "
        "(default: $MOVEMAP_DATA, else the current folder; every command prints "
        "'data: FOLDER (how it was chosen)' on stderr)",
    )


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the leg filters shared by ``build``, ``brief`` and ``export``."""
    group = parser.add_argument_group(
        "filters", "keep only the legs matching every option given (any of a repeated option)"
    )
    for name, what in (
        ("transfer", "transfer id"),
        ("actor", "actor or actor group"),
        ("category", "equipment category (air_defence, aircraft, ...)"),
        ("status", "status (confirmed, reported, alleged, assessed, planned)"),
    ):
        group.add_argument(
            f"--{name}",
            action="append",
            metavar=name.upper(),
            help=f"{what}; repeat or separate with commas for several",
        )
    group.add_argument(
        "--since",
        metavar="DATE",
        help="legs whose dates reach DATE or later (2020, 2020-05, 2020-05-18)",
    )
    group.add_argument(
        "--until", metavar="DATE", help="legs whose dates start by DATE (2020, 2020-05, 2020-05-18)"
    )


def leg_filter(args: argparse.Namespace):
    """Return the :class:`geo.filters.LegFilter` of the parsed filter options."""
    from geo.filters import FILTER_OPTIONS, LegFilter

    return LegFilter.of(**{name: getattr(args, name, None) for name in FILTER_OPTIONS})
def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--engine`` and ``--scheduler`` (where lines and zones are computed)."""
    parser.add_argument(
        "--engine",
        choices=("pandas", "dask"),
        default="pandas",
        help="compute lines and zones here (pandas) or on partitions of the legs on a dask "
        "cluster (dask; pip install 'movemap[scale]'); the same output either way",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="with --engine dask: dask.distributed scheduler to run on, e.g. "
        "tcp://10.0.0.5:8786 (default: the current dask client, else the partitions one "
        "after another in this process)",
    )


def print_warnings(problems) -> None:
    """Print warnings on stderr, the same reminder on many rows once (``geo._errors.grouped``)."""
    import sys

    from geo._errors import grouped

    for line in grouped(problems):
        print(line, file=sys.stderr)
