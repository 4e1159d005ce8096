"""``movemap extract``: propose candidate legs, with evidence, from report text."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from layers.cli._common import add_data_argument

HELP = (
    "read reports (text or saved HTML) and propose candidate legs with their evidence "
    "sentences, as a CSV ready to review (or JSON)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this command's arguments."""
    parser.add_argument("files", nargs="+", metavar="FILE", help="report(s): .txt or .html")
    parser.add_argument("--published", metavar="DATE", default=None,
                        help="publication date as the report gives it: a day (2024-06-12), a month "
                        "(2024-06) or a year (2024); the anchor of relative dates")
    parser.add_argument("--source-id", metavar="ID", default="",
                        help="sources.csv id to put in source_ids (and transfer ids)")
    parser.add_argument("--json", action="store_true",
                        help="write JSON (stops as objects, evidence with offsets)")
    parser.add_argument("--out", metavar="PATH", default=None,
                        help="write here instead of standard output")
    parser.add_argument("--patterns", metavar="DIR", default=None,
                        help="folder of pattern files (default: geo/extract/patterns)")
    parser.add_argument("--no-defuse", action="store_true",
                        help="do not prefix cells starting with = + - @ with ' (CSV only)")
    add_data_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Extract and write the candidates."""
    from geo import columns as C  # noqa: N812
    from geo import settings
    from geo._io import write_text
    from geo.extract import extract_file, to_json, to_rows, write_csv
    from geo.extract.output import dumps
    from geo.paths import data_dir

    gazetteer = data_dir(args.data) / settings.GAZETTEER_FILE
    rows, objs = [], []
    for name in args.files:
        _, cands = extract_file(name, published=args.published, gazetteer=gazetteer,
                                patterns=args.patterns)
        prefix = args.source_id or Path(name).stem
        if len(args.files) > 1 and args.source_id:
            prefix = f"{args.source_id}-{Path(name).stem}"
        rows += to_rows(cands, source_id=args.source_id, prefix=prefix)
        objs += to_json(cands, source_id=args.source_id, file=str(name))
    undated = [r for r in rows if not r.get(C.DATE)]
    if undated and args.published is None:
        said = next((r[C.DATE_AS_REPORTED] for r in undated if r.get(C.DATE_AS_REPORTED)), "")
        print(f"note: {len(undated)} leg(s) have no date"
              + (f" (the report says '{said}', without its year)" if said else "")
              + ": give --published DATE, the report's publication date, to date them",
              file=sys.stderr)
    text = dumps(objs) + "\n" if args.json else write_csv(rows, defuse=not args.no_defuse)
    if args.out:
        write_text(args.out, text)
        print(f"{len(rows)} candidate leg(s) written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
