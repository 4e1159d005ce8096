"""Arguments and helpers shared by several subcommands."""

from __future__ import annotations

import argparse


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
