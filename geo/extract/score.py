"""Score candidate legs against annotated legs: recall and precision.

A reported leg is *found* when some candidate of the same report matches
both its ends; a candidate is *right* when it matches some annotated leg.
Two ends match when

- both are located points of site or town precision within ``km`` (25 km)
  of each other (geodesic);
- one of them is coarse (a country or region, or an unnamed site placed
  only inside an area, ``?bases @ eastern_libya``) and both lie in the
  same country;
- neither is located (``?origin not reported`` against ``?destination not
  reported``): the report names nothing, and the candidate says so.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from pyproj import Geod

from geo.extract.legs import Candidate, Stop
from geo.extract.places import PlaceTable, country_point

__all__ = ["End", "GoldLeg", "end_of_ledger", "end_of_stop", "read_annotations", "score"]

_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class End:
    """A leg end reduced to what scoring needs."""

    label: str
    country: str = ""
    lat: float | None = None
    lon: float | None = None
    coarse: bool = True

    @property
    def located(self) -> bool:
        """Whether the end lies anywhere known (a point or a country)."""
        return bool(self.country) or self.lat is not None


@dataclass(frozen=True)
class GoldLeg:
    """One annotated leg of one report."""

    report: str
    frm: End
    to: End
    note: str = ""


def end_of_stop(stop: Stop) -> End:
    """Return the scoring form of a candidate's end."""
    p = stop.place
    if p is None:
        return End(stop.ledger())
    coarse = bool(stop.unnamed) or p.precision in ("country", "region") or p.kind in (
        "country", "region")
    lat, lon = p.lat, p.lon
    if lat != lat:
        lat, lon = country_point(p.country)
    return End(stop.ledger(), p.country, lat, lon, coarse)


def end_of_ledger(value: str, places: PlaceTable) -> End:
    """Return the scoring form of a ledger from/to value (id, name, ``?desc @ area``)."""
    value = value.strip()
    if value.startswith("?"):
        if " @ " not in value:
            return End(value)
        area = places.resolve(value.split(" @ ", 1)[1]) or places.by_id.get(
            value.split(" @ ", 1)[1].strip())
        return End(value, area.country) if area else End(value)
    p = places.by_id.get(value) or places.resolve(value)
    if p is None:
        return End(value)
    return End(value, p.country, p.lat, p.lon, p.precision in ("country", "region"))


def match(a: End, b: End, *, km: float = 25.0) -> bool:
    """Whether two ends name the same place, by the rules of this module."""
    if not a.located or not b.located:
        return not a.located and not b.located
    if a.coarse or b.coarse or a.lat is None or b.lat is None:
        return a.country == b.country
    _, _, d = _GEOD.inv(a.lon, a.lat, b.lon, b.lat)
    return d <= km * 1000.0


def read_annotations(path: str | Path) -> list[GoldLeg]:
    """Read an annotation CSV: report, from/to with country and optional lat/lon."""
    legs = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            legs.append(GoldLeg(row["report"], _end(row, "from"), _end(row, "to"),
                                row.get("note", "")))
    return legs


def _end(row: dict, side: str) -> End:
    lat, lon = row.get(f"{side}_lat") or "", row.get(f"{side}_lon") or ""
    country = (row.get(f"{side}_country") or "").upper()
    if lat and lon:
        return End(row[side], country, float(lat), float(lon), coarse=False)
    return End(row[side], country)


def score(
    cands: dict[str, list[Candidate]], gold: list[GoldLeg], *, km: float = 25.0
) -> dict:
    """Recall of ``gold`` and precision of ``cands`` (per report and overall).

    Returns
    -------
    dict
        ``found``/``legs``/``recall``, ``right``/``candidates``/``precision``,
        ``missed`` (the gold legs no candidate matched) and ``wrong``
        (candidates that matched no gold leg), as (report, from, to) labels.

    """
    found, missed, right, wrong = 0, [], 0, []
    ends = {r: [(end_of_stop(c.frm), end_of_stop(c.to)) for c in cs] for r, cs in cands.items()}
    for g in gold:
        if any(match(g.frm, f, km=km) and match(g.to, t, km=km) for f, t in ends.get(g.report, [])):
            found += 1
        else:
            missed.append((g.report, g.frm.label, g.to.label))
    total = 0
    for report, pairs in ends.items():
        mine = [g for g in gold if g.report == report]
        for f, t in pairs:
            total += 1
            if any(match(g.frm, f, km=km) and match(g.to, t, km=km) for g in mine):
                right += 1
            else:
                wrong.append((report, f.label, t.label))
    return {
        "legs": len(gold), "found": found, "recall": found / len(gold) if gold else 0.0,
        "candidates": total, "right": right, "precision": right / total if total else 0.0,
        "missed": missed, "wrong": wrong,
    }
