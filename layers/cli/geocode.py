"""``movemap geocode``: look place names up in the gazetteer."""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from geo import settings
from geo._errors import AmbiguousPlaceError, UnknownPlaceError
from geo.columns import (
    LAT,
    LON,
    PLACE_COUNTRY,
    PLACE_ID,
    PLACE_KIND,
    PLACE_NAME,
    RESOLVE_CANDIDATES,
    RESOLVE_PLACE_ID,
    RESOLVE_QUERY,
    RESOLVE_STATUS,
    RESOLVE_STATUSES,
    RESOLVE_SUGGESTIONS,
)
from geo.paths import data_dir
from layers.cli._common import add_data_argument

HELP = (
    "print id, name, lat, lon, kind and country of each place name "
    "(exit 1 naming any unknown or ambiguous one)"
)

#: Fields printed per place, in order.
FIELDS = (PLACE_ID, PLACE_NAME, LAT, LON, PLACE_KIND, PLACE_COUNTRY)
OK, UNKNOWN, AMBIGUOUS = RESOLVE_STATUSES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this command's arguments."""
    parser.add_argument("names", nargs="+", metavar="NAME", help="place ids, names or aliases")
    parser.add_argument("--json", action="store_true", help="print a JSON list of objects")
    add_data_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Resolve every name; print the resolved ones, then name every failure."""
    # Imported here so `movemap --help` stays quick.
    from geo.gazetteer import read_gazetteer
    from geo.geocode import PlaceIndex

    places = read_gazetteer(data_dir(args.data) / settings.GAZETTEER_FILE)
    res = PlaceIndex(places).resolve(args.names)
    found = res[RESOLVE_PLACE_ID].where(res[RESOLVE_STATUS] == OK)
    rows = places.reindex(found.to_numpy())[list(FIELDS)].reset_index(drop=True)
    ok = (res[RESOLVE_STATUS] == OK).to_numpy()
    failures: list[str] = []
    for query, status, candidates, suggestions in zip(
        res[RESOLVE_QUERY],
        res[RESOLVE_STATUS],
        res[RESOLVE_CANDIDATES],
        res[RESOLVE_SUGGESTIONS],
        strict=True,
    ):
        if status == AMBIGUOUS:
            failures.append(str(AmbiguousPlaceError(str(query), candidates)))
        elif status != OK:
            failures.append(str(UnknownPlaceError(str(query), suggestions)))
    if args.json:
        print(json.dumps(_json(res, rows), indent=2, ensure_ascii=False))
    elif ok.any():
        print(_table(res[RESOLVE_QUERY][ok].astype(str).to_numpy(), rows[ok]))
    for msg in failures:
        print(f"movemap geocode: {msg}", file=sys.stderr)
    return 1 if failures else 0


def _fmt(value: float) -> str:
    return f"{value:.{settings.COORDINATE_PRECISION}f}"


def _table(queries: object, rows: pd.DataFrame) -> str:
    """Fixed-width table, one line per resolved name."""
    head = ["query", *FIELDS]
    body = [
        [str(q), *(_fmt(v) if c in (LAT, LON) else str(v) for c, v in zip(FIELDS, r, strict=True))]
        for q, r in zip(queries, rows.itertuples(index=False), strict=True)  # type: ignore[call-overload]
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    numeric = {head.index(LAT), head.index(LON)}
    lines = [
        "  ".join(
            x.rjust(w) if j in numeric and k else x.ljust(w)
            for j, (x, w) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for k, line in enumerate([head, *body])
    ]
    return "\n".join(lines)


def _json(res: pd.DataFrame, rows: pd.DataFrame) -> list[dict[str, object]]:
    """One object per input name: the place, or why there is none."""
    out: list[dict[str, object]] = []
    for r, place in zip(res.to_dict("records"), rows.to_dict("records"), strict=True):
        obj: dict[str, object] = {"query": r[RESOLVE_QUERY], "status": r[RESOLVE_STATUS]}
        if r[RESOLVE_STATUS] == OK:
            obj.update(
                {
                    c: round(float(place[c]), settings.COORDINATE_PRECISION)
                    if c in (LAT, LON)
                    else place[c]
                    for c in FIELDS
                }
            )
        elif r[RESOLVE_STATUS] == AMBIGUOUS:
            obj["candidates"] = list(r[RESOLVE_CANDIDATES])
        else:
            obj["suggestions"] = list(r[RESOLVE_SUGGESTIONS])
        out.append(obj)
    return out
