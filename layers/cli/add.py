"""``movemap add``: merge reviewed candidate rows into the ledger, all or nothing."""

from __future__ import annotations

import argparse
import sys

from layers.cli._common import add_data_argument

HELP = (
    "add reviewed candidate rows (from `movemap extract`) to transfers.csv and the source "
    "to sources.csv; validate the result and write nothing if any row fails"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this command's arguments."""
    parser.add_argument("candidates", metavar="CANDIDATES.csv",
                        help="reviewed rows: transfers.csv columns (+ review columns)")
    parser.add_argument("--source", metavar="ID", default=None,
                        help="source id for rows whose source_ids is empty; added to "
                        "sources.csv with --outlet/--title/--published/--url if new")
    parser.add_argument("--outlet", default=None, help="new source: who published it")
    parser.add_argument("--title", default=None, help="new source: headline")
    parser.add_argument("--published", default=None, help="new source: ISO date or 'undated'")
    parser.add_argument("--url", default="", help="new source: address")
    parser.add_argument("--relays", default="", help="new source: reporting it relays")
    parser.add_argument("--drop-unsupported", action="store_true",
                        help="leave out values of columns transfers.csv does not have "
                        "(e.g. date_as_reported before the ledger has that column)")
    add_data_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Merge, validate on a staged copy, then write atomically."""
    from geo.extract.ledger_add import add_candidates

    report = add_candidates(
        args.candidates,
        data=args.data,
        source=args.source,
        outlet=args.outlet,
        title=args.title,
        published=args.published,
        url=args.url,
        relays=args.relays,
        drop_unsupported=args.drop_unsupported,
    )
    for line in report.notices:
        print(line, file=sys.stderr)
    print(f"added {report.added} leg(s) to {report.transfers}"
          + (f" and source {args.source!r} to {report.sources}" if report.source_added else ""))
    return 0
