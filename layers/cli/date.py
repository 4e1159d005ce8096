"""``movemap date``: resolve a report's date phrase against its publication date."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "resolve a date phrase ('Thursday last week', 'since December 8') to a ledger date"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this command's arguments."""
    parser.add_argument("phrase", help="the report's words, e.g. 'the following day'")
    parser.add_argument(
        "--published",
        metavar="DATE",
        required=True,
        help="the report's publication date, YYYY-MM-DD, or 'undated' (then only "
        "phrases with their own year resolve)",
    )
    parser.add_argument(
        "--after",
        metavar="DATE",
        default=None,
        help="date of the previous event, for 'the following day', '24 hours later' "
        "(YYYY-MM-DD, YYYY-MM or YYYY)",
    )
    parser.add_argument(
        "--rules",
        metavar="FILE",
        default=None,
        help="phrase rules to use instead of the bundled geo/data/date_phrases.toml",
    )
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")


def run(args: argparse.Namespace) -> int:
    """Resolve the phrase; exit 1 with the reason if it cannot be resolved."""
    from geo.reldate import load_phrase_rules, resolve_date, why_unresolved

    rules = load_phrase_rules(args.rules) if args.rules else None
    published = None if args.published.strip().lower() == "undated" else args.published
    kw = {"published": published, "after": args.after, "rules": rules}
    try:
        got = resolve_date(args.phrase, **kw)
        reason = None if got else why_unresolved(args.phrase, **kw)
    except ValueError as exc:
        print(f"movemap date: {exc}", file=sys.stderr)
        return 2
    if got is None:
        if args.json:
            print(
                json.dumps(
                    {"phrase": args.phrase, "date": None, "precision": None, "error": reason},
                    ensure_ascii=False,
                )
            )
        print(f"movemap date: cannot resolve {args.phrase!r}: {reason}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(got.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(got.date)
        print(f"  precision: {got.precision}", file=sys.stderr)
        if got.note:
            print(f"  note: {got.note}", file=sys.stderr)
    return 0
