"""``movemap zones``: which faction held each gazetteer place on a date."""

from __future__ import annotations

import argparse
import json
import re
from typing import TYPE_CHECKING

from geo import settings
from geo.columns import (
    CONTESTED,
    CONTROL_NOTE,
    PLACE_FACTION,
    PLACE_ID,
    PLACE_NAME,
    PLACE_PRECISION,
    PLACE_ZONE,
)
from geo.paths import data_dir
from layers.cli._common import add_data_argument

if TYPE_CHECKING:  # pandas is imported where used: --help stays quick
    import pandas as pd

HELP = "print the faction and zone holding every gazetteer place on a date"

#: Fields printed per place, in order.
FIELDS = (PLACE_ID, PLACE_NAME, PLACE_FACTION, PLACE_ZONE, CONTESTED, CONTROL_NOTE)

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day(text: str) -> pd.Timestamp:
    """Argparse type: an ISO calendar day."""
    import pandas as pd

    try:
        if not _DAY.match(text):
            raise ValueError(text)
        return pd.Timestamp(text)
    except ValueError:
        msg = f"not a date: {text!r}; write YYYY-MM-DD, e.g. 2020-05-19"
        raise argparse.ArgumentTypeError(msg) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this command's arguments."""
    parser.add_argument(
        "--at", required=True, type=_day, metavar="DATE", help="the day, as YYYY-MM-DD"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON object")
    add_data_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Print the faction holding every place on ``args.at``."""
    # Imported here so `movemap --help` stays quick.
    from geo.gazetteer import read_gazetteer
    from geo.zones import places_faction, read_zones

    folder = data_dir(args.data)
    places = read_gazetteer(folder / settings.GAZETTEER_FILE)
    zones = read_zones(folder / settings.ZONES_FILE)
    res = places_faction(places, at=args.at, zones=zones)
    res[PLACE_ID] = places.index.to_numpy() if PLACE_ID not in res else res[PLACE_ID]
    day = args.at.date().isoformat()
    if args.json:
        print(json.dumps(_json(res, day), indent=2, ensure_ascii=False))
    else:
        print(f"zones of control on {day} ({folder / settings.ZONES_FILE})")
        print(_table(res))
    return 0


def _value(v: object) -> object:
    import pandas as pd

    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    if hasattr(v, "item"):
        return v.item()  # numpy scalar -> Python
    return v


def _json(res: pd.DataFrame, day: str) -> dict[str, object]:
    cols = [c for c in (*FIELDS[:2], PLACE_PRECISION, *FIELDS[2:]) if c in res]
    places = [
        {c: _value(v) for c, v in zip(cols, row, strict=True)}
        for row in res[cols].itertuples(index=False)
    ]
    for p in places:
        p[CONTROL_NOTE] = p[CONTROL_NOTE] or None
    return {"at": day, "places": places}


def _table(res: pd.DataFrame) -> str:
    """Fixed-width table, one line per place."""
    head = list(FIELDS)
    body = [
        [
            "" if _value(v) is None else ("yes" if v is True else "" if v is False else str(v))
            for v in row
        ]
        for row in res[list(FIELDS)].itertuples(index=False)
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    return "\n".join(
        "  ".join(x.ljust(w) for x, w in zip(line, widths, strict=True)).rstrip()
        for line in [head, *body]
    )
