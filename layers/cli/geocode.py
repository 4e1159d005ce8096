"""``movemap geocode``: look place names up in the gazetteer, then the world tables."""

from __future__ import annotations

import argparse
import json
import sys

from geo import settings
from geo.world import KINDS
from layers.cli._common import add_data_argument

HELP = (
    "print id, name, lat, lon, kind and country of each place name: the gazetteer first, "
    "then the offline world tables (exit 1 naming any unknown or ambiguous one)"
)

#: Columns printed per place, in order.
FIELDS = ("id", "name", "lat", "lon", "kind", "country")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this command's arguments."""
    parser.add_argument(
        "names", nargs="+", metavar="NAME", help="place ids, names, aliases or codes, as written"
    )
    parser.add_argument(
        "--country",
        metavar="CC",
        action="append",
        help="only places in this country (ISO 3166-1 alpha-2, e.g. LY); repeatable",
    )
    parser.add_argument("--kind", choices=KINDS, help="only places of this kind")
    parser.add_argument("--json", action="store_true", help="print a JSON list of objects")
    add_data_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Resolve every name; print the resolved ones, then name every failure."""
    # Imported here so `movemap --help` stays quick.
    from geo.gazview import read_view
    from geo.paths import data_dir
    from geo.resolve import resolve_together

    # Validated once per gazetteer version, then read without pandas/geopandas.
    view = read_view(data_dir(args.data) / settings.GAZETTEER_FILE)
    answers = resolve_together(args.names, country=args.country, kind=args.kind, index=view)
    failures = [_failure(r) for r in answers if r.status != "ok"]
    if args.json:
        print(json.dumps([r.to_dict() for r in answers], indent=2, ensure_ascii=False))
    elif any(r.status == "ok" for r in answers):
        print(_table([r for r in answers if r.status == "ok"]))
    for msg in failures:
        print(f"movemap geocode: {msg}", file=sys.stderr)
    return 1 if failures else 0


def _fmt(value: float) -> str:
    return f"{value:.{settings.COORDINATE_PRECISION}f}"


def _where(c: object) -> str:
    """'id' (name, kind, country, lat, lon)."""
    return (
        f"{c.id!r} ({c.name}, {c.kind}, {c.country or '-'}, "  # type: ignore[attr-defined]
        f"{_fmt(c.lat)}, {_fmt(c.lon)})"  # type: ignore[attr-defined]
    )


def _failure(r: object) -> str:
    if r.status == "ambiguous":  # type: ignore[attr-defined]
        listed = "; ".join(_where(c) for c in r.candidates)  # type: ignore[attr-defined]
        return (
            f"ambiguous place {r.query!r}: matches {listed}; "  # type: ignore[attr-defined]
            "use one of those ids, or narrow with --country / --kind"
        )
    msg = f"unknown place {r.query!r}"  # type: ignore[attr-defined]
    for note in r.notes:  # type: ignore[attr-defined]
        msg += f"; {note}"
    if r.suggestions:  # type: ignore[attr-defined]
        msg += "; did you mean " + " or ".join(_where(c) for c in r.suggestions) + "?"  # type: ignore[attr-defined]
    return msg


def _table(rows: list) -> str:
    """Fixed-width table, one line per resolved name."""
    head = ["query", *FIELDS]
    body = [
        [
            r.query,
            *(
                _fmt(getattr(r.place, f)) if f in ("lat", "lon") else str(_kind(r.place, f))
                for f in FIELDS
            ),
        ]
        for r in rows
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    numeric = {head.index("lat"), head.index("lon")}
    lines = [
        "  ".join(
            x.rjust(w) if j in numeric and k else x.ljust(w)
            for j, (x, w) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for k, line in enumerate([head, *body])
    ]
    return "\n".join(lines)


def _kind(place: object, field: str) -> object:
    # gazetteer places keep their own kind (airbase, naval_base, town, ...)
    if field == "kind" and place.table == "gazetteer":  # type: ignore[attr-defined]
        return place.detail  # type: ignore[attr-defined]
    return getattr(place, field)
