"""``movemap validate``: check every input file and print every problem."""

from __future__ import annotations

import argparse
import json
import sys

from layers.cli._common import add_data_argument

HELP = "check every input file and print every problem (exit 1 if any error)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this command's arguments."""
    add_data_argument(parser)
    parser.add_argument("--json", action="store_true", help="print problems as JSON")


def run(args: argparse.Namespace) -> int:
    """Validate and report; exit 1 if any problem is an error."""
    from geo.dataset import validate_data  # imported here: --help need not load geopandas

    problems = validate_data(args.data)
    errors = [p for p in problems if p.severity == "error"]
    if args.json:
        rows = [
            {
                "file": p.file,
                "line": p.line,
                "position": p.position,
                "feature": p.feature,
                "column": p.column,
                "value": p.value
                if isinstance(p.value, str | int | float | None)
                else repr(p.value),
                "message": p.message,
                "hint": p.hint,
                "severity": p.severity,
            }
            for p in problems
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for p in problems:
            print(p, file=sys.stderr if p.severity == "error" else sys.stdout)
        n_warn = len(problems) - len(errors)
        print(f"{len(errors)} error(s), {n_warn} warning(s)")
    return 1 if errors else 0
