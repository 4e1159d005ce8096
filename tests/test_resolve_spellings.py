"""Place spellings from real published reports resolve to the right site.

``tests/data/report_spellings.csv`` lists spellings collected from real
articles on Libya, Syria and Sahel transfers (the URL of each is in the
file), the country the report is about, and the site a reader of the
report would place it at: a gazetteer id, a world id (``ourairports:HL59``)
or ``@lat lon``. Each spelling is resolved with the report's country as
soft context, as the text extractor and the ledger do.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from geo.gazetteer import read_gazetteer
from geo.geocode import PlaceIndex
from geo.paths import REPO_ROOT
from geo.resolve import resolve
from geo.world import world_tables

TABLE = Path(__file__).parent / "data" / "report_spellings.csv"
#: A site within this distance of the expected one is right.
HIT_KM = 5.0
#: Region- and country-level places: within this distance.
AREA_KM = 50.0


def _rows() -> list[dict[str, str]]:
    with open(TABLE, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex(read_gazetteer(REPO_ROOT / "gazetteer.csv"))


def _expected(ref: str, index: PlaceIndex) -> tuple[tuple[float, float], str]:
    """(lat, lon) of the expected site, and its precision."""
    if ref.startswith("@"):
        lat, lon = map(float, ref[1:].split())
        return (lat, lon), "site"
    if ref in index.places.index:
        row = index.places.loc[ref]
        return (float(row["lat"]), float(row["lon"])), str(row["precision"])
    place = world_tables().get(ref)
    assert place is not None, f"expected place {ref!r} is in no table"
    return (place.lat, place.lon), place.precision


def _grade(rows, index, **kw):
    """'right', 'listed' (ambiguous, right one first), 'ambiguous', 'unknown' or 'wrong'."""
    out = []
    for row in rows:
        ctx = [row["country"]] if row["country"] else None
        r = resolve([row["spelling"]], context=ctx, index=index, **kw)[0]
        where, precision = _expected(row["expected"], index)
        tol = HIT_KM if precision in ("site", "city") else AREA_KM
        if r.status == "ok":
            c = r.candidates[0]
            good = c.id == row["expected"] or _km((c.lat, c.lon), where) <= tol
            out.append(("right" if good else "wrong", row, r))
        elif r.status == "ambiguous":
            c = r.candidates[0]
            good = c.id == row["expected"] or _km((c.lat, c.lon), where) <= tol
            out.append(("listed" if good else "ambiguous", row, r))
        else:
            out.append(("unknown", row, r))
    return out


def test_the_table_is_real_and_large_enough():
    rows = _rows()
    assert len(rows) >= 50
    assert all(r["source"].startswith(("http", "/work/shared/reporting/")) for r in rows)
    assert len({r["spelling"] for r in rows}) == len(rows)


def test_report_spellings_hit_rate(index):
    graded = _grade(_rows(), index)
    counts = {
        k: sum(1 for g, _, _ in graded if g == k)
        for k in ("right", "listed", "ambiguous", "unknown", "wrong")
    }
    n = len(graded)
    wrong = [(row["spelling"], r.candidates[0].id) for g, row, r in graded if g == "wrong"]
    print(f"\n{n} spellings: {counts}")
    for g, row, r in graded:
        if g not in ("right",):
            print(
                f"  {g:9} {row['spelling']!r} ({row['country']}) expected {row['expected']}: "
                f"{[c.id for c in r.candidates[:3]] or [c.id for c in r.suggestions]}"
            )
    # Never more than one confident wrong answer; at least 90% right or right-first.
    assert len(wrong) <= 1, wrong
    assert (counts["right"] + counts["listed"]) / n >= 0.9, counts
