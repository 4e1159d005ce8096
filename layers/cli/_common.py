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
