"""``movemap transfers``: list every transfer in the ledger with its legs."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any

from geo import settings
from geo.columns import (
    ACTOR,
    CARRIER,
    CARRIER_ID,
    CATEGORY,
    DATE,
    DATE_END,
    DATE_PRECISION,
    DATE_START,
    EQUIPMENT,
    FROM_ALT_NAMES,
    FROM_ID,
    FROM_NAME,
    FROM_UNKNOWN,
    LEG,
    MODE,
    NOTE,
    PLACE_NAME,
    QUANTITY,
    SOURCE_IDS,
    STATUS,
    TO_ALT_NAMES,
    TO_ID,
    TO_NAME,
    TO_UNKNOWN,
    TRACK_LINE,
    TRANSFER_ID,
    UNKNOWN_STOP_PREFIX,
    VIA_NAMES,
)
from layers.cli._common import add_data_argument

if TYPE_CHECKING:  # pandas and the ledger are imported where used: --help stays quick
    import pandas as pd

    from geo.ledger import LedgerResult

HELP = "list the transfers in the ledger, leg by leg (--json for nested objects)"

#: Column titles of the readable table.
_TABLE_COLUMNS = ("leg", "from", "to", "date", "precision", "mode", "carrier", "actor", "status")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this command's arguments."""
    add_data_argument(parser)
    parser.add_argument(
        "--json",
        action="store_true",
        help="print a JSON list of transfers, each with its legs as nested objects",
    )
    parser.add_argument(
        "--carrier",
        metavar="ID",
        help="only the legs of one carrier (carrier_id: registration, callsign, ship name, "
        "IMO number; case, spaces and hyphens ignored), in date order",
    )


def run(args: argparse.Namespace) -> int:
    """Load and check the ledger, then print it; warnings go to stderr."""
    ledger, place_names = _load(args.data)
    for problem in ledger.warnings:
        print(problem, file=sys.stderr)
    legs = ledger.legs
    if args.carrier is not None:
        legs = carrier_legs(legs, args.carrier)
        if legs.empty:
            print(_no_carrier(ledger.legs, args.carrier), file=sys.stderr)
            return 1
    if args.json:
        print(json.dumps(transfers_json(legs), indent=2, ensure_ascii=False))
    else:
        print(transfers_table(legs, place_names), end="")
    return 0


def carrier_legs(legs: pd.DataFrame, carrier_id: str) -> pd.DataFrame:
    """Legs of one carrier, earliest first (ids compared ignoring case, spaces, hyphens).

    Parameters
    ----------
    legs
        ``LedgerResult.legs``.
    carrier_id
        As written in the ledger's ``carrier_id`` column, or close to it.

    Returns
    -------
    pandas.DataFrame
        The matching legs sorted by start date, then transfer and leg.

    """
    import pandas as pd

    from geo.ledger_extra import carrier_key

    key = carrier_key(pd.Series([carrier_id])).iloc[0]
    mine = legs[(legs[CARRIER_ID] != "") & (carrier_key(legs[CARRIER_ID]) == key)]
    return mine.sort_values([DATE_START, TRANSFER_ID, LEG], kind="stable")


def _no_carrier(legs: pd.DataFrame, carrier_id: str) -> str:
    from rapidfuzz import process

    known = sorted(set(legs[CARRIER_ID]) - {""})
    if not known:
        return f"no leg has carrier_id {carrier_id!r}: the ledger lists no carrier ids"
    near = [m[0] for m in process.extract(carrier_id, known, limit=3, score_cutoff=50)]
    hint = f"did you mean {' or '.join(map(repr, near))}? " if near else ""
    return f"no leg has carrier_id {carrier_id!r}; {hint}known: {', '.join(known)}"


def transfers_json(legs: pd.DataFrame) -> list[dict[str, Any]]:
    """Nest the leg table into one object per transfer.

    Parameters
    ----------
    legs
        ``LedgerResult.legs``.

    Returns
    -------
    list of dict
        One object per transfer (in leg-table order) with ``transfer_id``,
        ``n_legs``, ``date_start``/``date_end`` (ISO, over all legs),
        ``source_ids`` (every source its legs cite, first-cited first) and
        ``legs``: every leg column, dates as ISO strings, NaN as null,
        source ids as a list.

    """
    out: list[dict[str, Any]] = []
    legs = legs.drop(columns=[TRACK_LINE], errors="ignore")  # a geometry; the path is kept
    for tid, group in legs.groupby(TRANSFER_ID, sort=False):
        leg_objs = [_leg_json(row) for row in group.to_dict(orient="records")]
        cited = dict.fromkeys(s for ids in group[SOURCE_IDS] for s in ids)
        out.append(
            {
                TRANSFER_ID: tid,
                "n_legs": len(group),
                DATE_START: _iso(group[DATE_START].min()),
                DATE_END: _iso(group[DATE_END].max()),
                SOURCE_IDS: list(cited),
                "legs": leg_objs,
            }
        )
    return out


def transfers_table(legs: pd.DataFrame, place_names: pd.Series | None = None) -> str:
    """Render the leg table as readable text, grouped by transfer.

    Parameters
    ----------
    legs
        ``LedgerResult.legs``.
    place_names
        Gazetteer names indexed by place id, to name the area of an
        unknown stop (``?base @ western_libya`` shows as
        ``?base (in western Libya)``).

    Returns
    -------
    str
        One block per transfer: a heading (id, equipment, category,
        quantity, sources), a row per leg, and the notes.

    """
    import pandas as pd

    names = place_names if place_names is not None else pd.Series(dtype=object)
    blocks: list[str] = []
    for tid, group in legs.groupby(TRANSFER_ID, sort=False):
        first = group.iloc[0]
        what = f"{first[EQUIPMENT]} [{first[CATEGORY]}]"
        if first[QUANTITY]:
            what += f" x {first[QUANTITY]}"
        cited = dict.fromkeys(s for ids in group[SOURCE_IDS] for s in ids)
        rows = [
            [
                str(r[LEG]),
                " | ".join(r.get(FROM_ALT_NAMES) or ())
                or _stop(r[FROM_NAME], r[FROM_ID], r[FROM_UNKNOWN], names),
                " | ".join(r.get(TO_ALT_NAMES) or ())
                or _stop(r[TO_NAME], r[TO_ID], r[TO_UNKNOWN], names),
                r[DATE],
                r[DATE_PRECISION],
                r[MODE],
                " ".join(filter(None, (r[CARRIER], r.get(CARRIER_ID, "")))) or "-",
                r[ACTOR],
                r[STATUS],
            ]
            for r in group.to_dict(orient="records")
        ]
        lines = [f"{tid}: {what}", f"  sources: {', '.join(cited)}"]
        lines += ["  " + line for line in _align([list(_TABLE_COLUMNS), *rows])]
        for r in group.to_dict(orient="records"):
            if r.get(VIA_NAMES):
                lines.append(f"  via (leg {r[LEG]}): {' -> '.join(r[VIA_NAMES])}")
            if r[NOTE]:
                lines.append(f"  note (leg {r[LEG]}): {r[NOTE]}")
        blocks.append("\n".join(lines) + "\n")
    n_legs = len(legs)
    summary = f"{legs[TRANSFER_ID].nunique()} transfer(s), {n_legs} leg(s)\n"
    return "\n".join([*blocks, summary])


def _load(data: str | None) -> tuple[LedgerResult, pd.Series]:
    # Imported here so `movemap --help` stays fast.
    from geo._parquet import transfers_file
    from geo.gazetteer import read_gazetteer
    from geo.geocode import PlaceIndex
    from geo.ledger import read_ledger
    from geo.paths import data_dir

    folder = data_dir(data)
    places = read_gazetteer(folder / settings.GAZETTEER_FILE)
    ledger = read_ledger(
        transfers_file(folder), folder / settings.SOURCES_FILE, PlaceIndex(places)
    )
    return ledger, places[PLACE_NAME]


def _stop(name: str, place_id: str | None, unknown: bool, names: pd.Series) -> str:
    if not unknown:
        return str(name)
    text = UNKNOWN_STOP_PREFIX + str(name)
    if place_id is not None and place_id in names.index:
        text += f" (in {names[place_id]})"
    return text


def _align(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def _leg_json(row: Mapping[Hashable, Any]) -> dict[str, Any]:
    import pandas as pd

    out: dict[str, Any] = {}
    for col, value in row.items():
        key = str(col)
        if key == TRANSFER_ID:
            continue
        if key == SOURCE_IDS:
            out[key] = list(value)
        elif isinstance(value, pd.Timestamp):
            out[key] = _iso(value)
        elif isinstance(value, float) and math.isnan(value):
            out[key] = None
        elif hasattr(value, "item"):  # numpy scalars
            out[key] = value.item()
        else:
            out[key] = value
    return out


def _iso(value: object) -> str | None:
    import pandas as pd

    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return pd.Timestamp(value).date().isoformat()  # type: ignore[arg-type]
