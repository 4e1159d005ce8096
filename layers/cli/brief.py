"""``movemap brief``: write the briefing pack (maps, GeoJSON, sources, slide)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from layers.cli._common import (
    add_data_argument,
    add_filter_arguments,
    leg_filter,
    print_warnings,
)

HELP = "write a briefing pack: static and interactive map, GeoJSON, sources, embed snippet, slide"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--out``, ``--title``, ``--as-of``, ``--zone`` and ``--data``."""
    from layers.titles import BRIEF_TITLE as DEFAULT_TITLE  # not layers.brief: --help is quick

    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write the pack into")
    parser.add_argument(
        "--title", default=DEFAULT_TITLE, help=f"map and slide title ({DEFAULT_TITLE!r})"
    )
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        default=None,
        help="only legs that could have started by DATE (2020-06-30, or 2020-06 for the "
        "month's end), and the zones valid then",
    )
    parser.add_argument(
        "--zone",
        metavar="ZONE",
        default=None,
        help="only legs starting, ending or passing through this zone id",
    )
    parser.add_argument(
        "--raw-csv",
        action="store_true",
        help="write CSV text exactly as read; by default text cells starting with "
        "= + - @ tab or CR get a leading ' so a spreadsheet cannot run them as formulas",
    )
    add_data_argument(parser)
    add_filter_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Load the dataset, write the pack, print the files written."""
    from geo._io import check_out_dir
    from geo.dataset import load_dataset
    from geo.filters import filter_dataset
    from layers.brief import write_brief
    from layers.style import leg_colours

    check_out_dir(args.out)
    full = load_dataset(args.data)
    print_warnings(full.warnings)
    legfilter = leg_filter(args)
    dataset = filter_dataset(full, legfilter)
    written = write_brief(
        dataset,
        args.out,
        title=args.title,
        as_of=args.as_of,
        zone=args.zone,
        raw_csv=args.raw_csv,
        colours=leg_colours(full.legs),  # the HTML maps' colours, whatever is selected
        selection=legfilter.describe() or None,
    )
    for path in written:
        print(path)
    _say_emoji_named(dataset, args.title)
    return 0


def _say_emoji_named(dataset: Any, title: str) -> None:
    """Say on stderr which emoji the static map writes by name (its font has none)."""
    from geo import columns as col
    from layers.static_map import emoji_named

    texts = [title]
    for frame, names in (
        (dataset.legs, (col.FROM_NAME, col.TO_NAME, col.ACTOR, col.ACTOR_GROUP)),
        (dataset.zones, (col.FACTION,)),
        (dataset.sources, (col.SOURCE_OUTLET,)),
    ):
        for name in names:
            if name in frame:
                texts += [str(v) for v in frame[name].dropna().unique()]
    named = emoji_named(texts)
    if named:
        shown = ", ".join(f"{e} as {n}" for e, n in named[:8])
        more = f" and {len(named) - 8} more" if len(named) > 8 else ""
        print(
            f"note: map.png, map.svg and the slide's map have no emoji font: "
            f"{shown}{more} are written by name",
            file=sys.stderr,
        )
