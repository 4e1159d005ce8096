"""``movemap export``: write the dataset as GeoJSON, KML, GeoPackage, CSV or GeoParquet."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from layers.cli._common import (
    add_data_argument,
    add_engine_arguments,
    add_filter_arguments,
    keep_until_exit,
    leg_filter,
    print_warnings,
)

HELP = "export legs, places and zones as GeoJSON, KML, GeoPackage, CSV or GeoParquet"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--format``, ``--out``, ``--layer``, ``--data``, ``--engine``, ``--scheduler``."""
    from geo import settings  # not geo.export: --help must not load geopandas

    parser.add_argument(
        "--format", required=True, choices=settings.EXPORT_FORMATS, dest="fmt", help="output format"
    )
    parser.add_argument(
        "--out",
        required=True,
        metavar="PATH",
        help="output file; for geojson a path not ending in .geojson/.json is a folder "
        "that gets legs.geojson, places.geojson and zones.geojson; for parquet a folder "
        "that gets legs.parquet and segments.parquet (GeoParquet, written a chunk of "
        "transfers at a time)",
    )
    parser.add_argument(
        "--layer",
        choices=(*settings.EXPORT_LAYERS, "all"),
        default="all",
        help="geojson into one file only: which layer (default: all, each feature tagged "
        "with its layer)",
    )
    parser.add_argument(
        "--raw-csv",
        action="store_true",
        help="write CSV text exactly as read; by default text cells starting with "
        "= + - @ tab or CR get a leading ' so a spreadsheet cannot run them as formulas",
    )
    add_data_argument(parser)
    add_filter_arguments(parser)
    add_engine_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Load the dataset and export it; print the files written."""
    from geo.gcpause import paused_gc
    from layers.cli._common import ends_with_exit

    # As `movemap build` (layers/cli/build.py): the collector stays off, and in
    # the `movemap` executable (os._exit right after) the dataset is never freed.
    with paused_gc(resume=not ends_with_exit()):
        return _export(args)


def _export(args: argparse.Namespace) -> int:
    from geo._io import check_out_dir, check_out_file
    from geo.dataset import load_dataset, unplaced_legs
    from geo.export import export
    from geo.filters import filter_dataset

    single = args.fmt not in ("geojson", "parquet") or (
        args.fmt == "geojson" and Path(args.out).suffix.lower() in (".geojson", ".json")
    )
    (check_out_file if single else check_out_dir)(args.out)
    if args.fmt == "parquet" and args.engine == "pandas":
        from geo.pipeline import export_geoparquet

        paths, warnings = export_geoparquet(args.data, args.out, legfilter=leg_filter(args))
        for problem in warnings:
            print(problem, file=sys.stderr)
        for path in paths:
            print(path)
        return 0
    if args.fmt == "parquet":  # --engine dask: each chunk written as the cluster finishes it
        from geo.engine_parquet import export_geoparquet_dask

        paths, warnings = export_geoparquet_dask(
            args.data, args.out, legfilter=leg_filter(args), scheduler=args.scheduler
        )
        for problem in warnings:
            print(problem, file=sys.stderr)
        for path in paths:
            print(path)
        return 0
    full = load_dataset(args.data, engine=args.engine, scheduler=args.scheduler)
    dataset = filter_dataset(full, leg_filter(args))
    print_warnings([*full.warnings, *unplaced_legs(dataset)])
    colours = None
    if args.fmt == "kml":  # the maps' colours (folium is not imported)
        from layers.style import leg_colours

        colours = leg_colours(full.legs)
    for path in export(
        dataset,
        fmt=args.fmt,
        out=args.out,
        layer=args.layer,
        raw_csv=args.raw_csv,
        colours=colours,
    ):
        print(path)
    # Left to the process's end in the executable (nothing to free).
    keep_until_exit(full, dataset)
    return 0
