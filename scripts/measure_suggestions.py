"""Measure the floor on unknown-place suggestions: right ones on misspellings vs noise.

Each name of tests/data/places/suggestion_probes.csv (misspellings of real places,
with the place meant, and made-up names) is written as the destination of a leg
from Russia in a copy of the bundled data, and `movemap validate` runs with the
floor off (geo.resolve.suggest.SUGGEST_FLOOR = 0). Every suggestion is printed
with its closeness (geo.resolve.suggest.closeness) and whether it is the place
meant; the floor must sit above the noise and below every right suggestion.

Usage: python scripts/measure_suggestions.py
"""

from __future__ import annotations

import csv
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBES = ROOT / "tests" / "data" / "places" / "suggestion_probes.csv"


def suggestions(floor: float | None = None) -> dict[str, tuple[str, ...]]:
    """Probe name -> the places `validate` suggests for it (floor off when ``floor`` is 0)."""
    import geo.resolve.suggest as sg
    from geo.dataset import validate_data

    probes = list(csv.DictReader(PROBES.open(encoding="utf-8")))
    saved, spread = sg.SUGGEST_FLOOR, sg.SUGGEST_SPREAD
    if floor is not None:
        sg.SUGGEST_FLOOR = floor
        sg.SUGGEST_SPREAD = 100.0  # every suggestion, however far below the closest
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp)
            for name in ("gazetteer.csv", "sources.csv", "actors.csv", "zones.geojson"):
                shutil.copy(ROOT / name, data / name)
            with open(ROOT / "transfers.csv", encoding="utf-8", newline="") as fh:
                base = next(csv.DictReader(fh))
            with open(data / "transfers.csv", "w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=list(base), lineterminator="\n")
                w.writeheader()
                for i, p in enumerate(probes):
                    w.writerow({**base, "transfer_id": f"probe-{i}", "leg": "1",
                                "from": "russia", "to": p["name"]})
            found = validate_data(data)
    finally:
        sg.SUGGEST_FLOOR, sg.SUGGEST_SPREAD = saved, spread
    out: dict[str, tuple[str, ...]] = {p["name"]: () for p in probes}
    for prob in found:
        if prob.column == "to" and prob.value in out:
            m = re.match(r"did you mean (.*?)\? ", prob.hint or "")
            if m:
                out[prob.value] = tuple(re.findall(r"'([^']*)'", m.group(1)))
    return out


def main() -> int:
    from geo.resolve.suggest import SUGGEST_FLOOR, closeness

    means = {p["name"]: p["means"] for p in csv.DictReader(PROBES.open(encoding="utf-8"))}
    right, noise = [], []
    for name, got in suggestions(0).items():
        for s in got:
            ok = bool(means[name]) and means[name].lower() in s.lower()
            (right if ok else noise).append(closeness(name, s))
            print(f"{closeness(name, s):5.1f} {'right' if ok else 'wrong'}  {name} -> {s}")
    print(f"floor {SUGGEST_FLOOR}: right suggestions {min(right):.0f}..{max(right):.0f} "
          f"({len(right)}), wrong ones kept {sum(x >= SUGGEST_FLOOR for x in noise)} of "
          f"{len(noise)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
