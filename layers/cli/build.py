"""``movemap build``: write the overview map and one map per faction zone."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.paths import REPO_ROOT
from layers.cli._common import add_data_argument, add_filter_arguments, leg_filter

HELP = "write maps/index.html (overview) and one self-contained HTML map per faction zone"

#: Default output folder: maps/ at the repository root.
DEFAULT_OUT = REPO_ROOT / "maps"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this command's arguments."""
    add_data_argument(parser)
    parser.add_argument(
        "--out",
        metavar="DIR",
        default=None,
        help=f"folder to write the maps into (default: {DEFAULT_OUT})",
    )
    parser.add_argument(
        "--cdn",
        action="store_true",
        help="link Leaflet and jQuery from a CDN instead of inlining them "
        "(smaller files that need a network to open)",
    )
    parser.add_argument("--title", default=None, help="title of every map")
    add_filter_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Load the data, build every map, print the files written."""
    # Imported here so other subcommands never load folium.
    from geo.dataset import load_dataset
    from geo.filters import filter_dataset
    from layers.maps import build_maps
    from layers.style import leg_colours

    full = load_dataset(args.data)
    for problem in full.warnings:
        print(problem, file=sys.stderr)
    legfilter = leg_filter(args)
    dataset = filter_dataset(full, legfilter)
    out = Path(args.out) if args.out else DEFAULT_OUT
    # Colours from the whole ledger: a filtered map keeps every actor's colour.
    written = build_maps(
        dataset,
        out,
        cdn=args.cdn,
        colours=leg_colours(full.legs),
        title=args.title,
        subset=legfilter.describe() or None,
    )
    for path in written:
        print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0
