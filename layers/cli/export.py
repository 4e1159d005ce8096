"""``movemap export``: write the dataset as GeoJSON, KML, GeoPackage or CSV."""

from __future__ import annotations

import argparse

from layers.cli._common import add_data_argument, add_engine_arguments

HELP = "export legs, places and zones as GeoJSON, KML, GeoPackage or CSV"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--format``, ``--out``, ``--layer``, ``--data``, ``--engine``, ``--scheduler``."""
    from geo.export import FORMATS, LAYERS

    parser.add_argument(
        "--format", required=True, choices=FORMATS, dest="fmt", help="output format"
    )
    parser.add_argument(
        "--out",
        required=True,
        metavar="PATH",
        help="output file; for geojson a path not ending in .geojson/.json is a folder "
        "that gets legs.geojson, places.geojson and zones.geojson",
    )
    parser.add_argument(
        "--layer",
        choices=(*LAYERS, "all"),
        default="all",
        help="geojson into one file only: which layer (default: all, each feature tagged "
        "with its layer)",
    )
    add_data_argument(parser)
    add_engine_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Load the dataset and export it; print the files written."""
    from geo.dataset import load_dataset
    from geo.export import export

    dataset = load_dataset(args.data, engine=args.engine, scheduler=args.scheduler)
    for path in export(dataset, fmt=args.fmt, out=args.out, layer=args.layer):
        print(path)
    return 0
