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
        "(default: the bundled files at the repository root)",
    )


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--engine`` and ``--scheduler`` (where lines and zones are computed)."""
    parser.add_argument(
        "--engine",
        choices=("pandas", "dask"),
        default="pandas",
        help="compute lines and zones here (pandas) or on dask-geopandas partitions (dask; "
        "pip install 'movemap[scale]')",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="with --engine dask: dask.distributed scheduler to run on, e.g. "
        "tcp://10.0.0.5:8786 (default: local threads)",
    )
