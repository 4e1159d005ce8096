"""Candidate legs as ledger-shaped CSV rows and as JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence

from geo import columns as C  # noqa: N812
from geo.extract.legs import Candidate

__all__ = ["CONFIDENCE", "CSV_COLUMNS", "EVIDENCE", "FILLED", "to_json", "to_rows", "write_csv"]

EVIDENCE = C.EVIDENCE
CONFIDENCE = C.CONFIDENCE
FILLED = C.FILLED
#: transfers.csv columns (with issue 11's optional ones), then review columns.
CSV_COLUMNS = (
    C.TRANSFER_ID, C.LEG, C.FROM, C.TO, C.DATE, C.DATE_PRECISION, C.EQUIPMENT, C.CATEGORY,
    C.QUANTITY, C.ACTOR, C.MODE, C.CARRIER, C.STATUS, C.SOURCE_IDS, C.NOTE,
    C.DATE_AS_REPORTED, C.VIA, C.CARRIER_ID, EVIDENCE, CONFIDENCE, FILLED,
)
_PRECISION = {4: "year", 7: "month", 10: "day"}
# A cell a spreadsheet would run as a formula: = + - @ at the start, or tab/CR.
_FORMULA = re.compile(r"^[=+\-@\t\r]")


def _precision(date: str) -> str:
    if "/" in date:
        from geo.dates import parse_dates

        got = parse_dates([date])
        value = got[C.IMPLIED_PRECISION].iloc[0]
        return value if isinstance(value, str) else ""
    return _PRECISION.get(len(date), "")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "report"


def to_rows(cands: Sequence[Candidate], *, source_id: str = "", prefix: str = "") -> list[dict]:
    """One dict per candidate with the :data:`CSV_COLUMNS` keys (plain values)."""
    rows = []
    base = _slug(prefix or source_id or "candidate")
    for c in cands:
        rows.append({
            C.TRANSFER_ID: f"{base}-{c.transfer}",
            C.LEG: str(c.leg),
            C.FROM: c.frm.ledger(),
            C.TO: c.to.ledger(),
            C.DATE: c.date,
            C.DATE_PRECISION: _precision(c.date) if c.date else "",
            C.EQUIPMENT: c.equipment,
            C.CATEGORY: c.category,
            C.QUANTITY: c.quantity,
            C.ACTOR: c.actor,
            C.MODE: c.mode,
            C.CARRIER: c.carrier,
            C.STATUS: c.status,
            C.SOURCE_IDS: source_id,
            C.NOTE: c.note,
            C.DATE_AS_REPORTED: c.date_as_reported,
            C.VIA: ";".join(v.ledger() for v in c.via),
            C.CARRIER_ID: c.carrier_id,
            EVIDENCE: " … ".join(e["text"] for e in c.evidence),
            CONFIDENCE: f"{c.confidence:.2f}",
            FILLED: c.filled,
        })
    return rows


def _defuse(value: str) -> str:
    """Prefix a formula-looking cell with ' so spreadsheets show it as text."""
    return "'" + value if _FORMULA.match(value) else value


def write_csv(rows: Sequence[dict], *, defuse: bool = True) -> str:
    r"""Return the CSV text of ``rows`` (``\n`` line ends, every cell a string).

    With ``defuse`` (the default) a cell starting with ``= + - @`` gets a
    leading ``'`` so Excel/LibreOffice never evaluate report text as a
    formula; ``movemap add`` strips that prefix again.
    """
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: _defuse(str(row.get(k, ""))) if defuse else row.get(k, "")
                    for k in CSV_COLUMNS})
    return buf.getvalue()


def to_json(cands: Sequence[Candidate], *, source_id: str = "", file: str = "") -> list[dict]:
    """JSON-ready dicts: stops as objects, evidence with character offsets."""
    out = []
    from pathlib import Path

    prefix = source_id or (Path(file).stem if file else "")
    for row, c in zip(to_rows(cands, source_id=source_id, prefix=prefix), cands,
                      strict=True):
        out.append({
            "transfer_id": row[C.TRANSFER_ID],
            "leg": c.leg,
            "from": c.frm.as_dict(),
            "to": c.to.as_dict(),
            "via": [v.as_dict() for v in c.via],
            "date": c.date,
            "date_precision": row[C.DATE_PRECISION],
            "date_as_reported": c.date_as_reported,
            "equipment": c.equipment,
            "category": c.category,
            "quantity": c.quantity,
            "actor": c.actor,
            "mode": c.mode,
            "carrier": c.carrier,
            "carrier_id": c.carrier_id,
            "status": c.status,
            "source_ids": source_id,
            "note": c.note,
            "confidence": c.confidence,
            "reasons": c.reasons,
            "evidence": c.evidence,
            "filled": c.filled,
            **({"file": file} if file else {}),
        })
    return out


def dumps(obj) -> str:
    """JSON text with ``<``, ``>`` and ``&`` escaped, safe to embed in HTML."""
    text = json.dumps(obj, ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
