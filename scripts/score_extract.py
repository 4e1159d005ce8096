"""Measure `movemap extract` against annotated reports: recall and precision.

Bundled set: the five reports in tests/data/reports/bundled/ (copies of
../shared/reporting/), scored against the legs of the bundled ledger
(transfers.csv) that cite each report's source id.
Development set: the reports in tests/data/reports/dev/, scored against
tests/data/reports/dev/annotations.csv.

Held-out set: the reports in tests/data/reports/heldout/, never used for
tuning, scored against tests/data/reports/heldout/annotations.csv.

Fresh set: eight reports in tests/data/reports/fresh/ on topics the other
sets lack (North Korea to Russia by sea, Turkey/Egypt/Eritrea to Sudan,
Iran to Russia across the Caspian, Russia to Mali and Equatorial Guinea),
annotated before extraction first ran on them. Second fresh set (fresh2): four
more (UAE airlift through Bosaso to Sudan and eastern Libya, an Iranian dhow
bound for the Houthis), annotated and first scored after the fresh set's fixes.
Third fresh set (fresh3): seven more from writers and regions the others lack
(a Russian Il-76 to Myanmar's Aye Lar airbase; an Il-76 from St. Petersburg to
Havana; ships with armoured vehicles for Libya stopped by EU Irini; an Il-76
"caravan" from Chkalovsky to Latakia; Iranian arms for the Houthis seized;
foreign drones for Sudan's war; Tartus -> Tobruk by sea), annotated and
committed before extract first ran on them. First (blind) score, 2026-11-26:
recall 8/20 = 40%, precision 12/24 = 50%, verbatim evidence 24/24. Fourth fresh set
(fresh4): five reports (the US/UK/Canadian airlift to Lviv in 2021, Dover -> Nevatim
in 2023, Silk Way from Ovda to Baku, UAE flights to Amdjarass and N'Djamena), annotated
before extract first ran on them; blind: recall 4/12 = 33%, precision 7/19 = 37%.
Fifth fresh set (fresh5): six reports on regions and writers the others lack (North
Korea -> Russia by sea from Rason and by rail through Tumangang, a Russian Il-76 from
Moscow to Caracas, the UAE air bridge from Sweihan to Harar Meda, India -> Bandar Abbas
-> Armenia, S-400s from Russia to Belarus; texts condensed in our own words from the
published reports), annotated and committed before extract first ran on them; blind,
2026-11-26: recall 5/7 = 71%, precision 8/17 = 47%, verbatim evidence 17/17.
Sixth fresh set (fresh6): seven reports (Turkish A400Ms from Tekirdag and Kayseri to
Ganja, Baku, Yevlakh; UAE flights from Sweihan and Assab to al-Khadim and Sidi Barrani;
Syrian and Russian Il-76s to al-Khadim; Serbian ammunition to Ukraine; the Czech
initiative's first batch; Su-30s to Myanmar; Egyptian aid flights to Port Sudan), texts in
our own words, annotated and committed before extract first ran on them; blind,
2026-11-26: recall 17/21 = 81%, precision 19/35 = 54%, verbatim evidence 35/35.
Seventh fresh set (fresh7): six reports (Iranian Il-76s and 747s from Tehran to Vnukovo and
Moscow; French Bastion vehicles through Poti to Armenia; a Russian cargo plane at Niamey;
China's J-10Cs flown to Pakistan), texts in our own words, annotated and committed before
extract first ran on them; blind, 2026-11-26: recall 6/9 = 67%, precision 7/21 = 33%,
verbatim evidence 21/21.
Eighth fresh set (fresh8): six reports (Russian armour unloaded at Conakry and driven to Bamako;
an Iranian dhow for the Houthis seized by Yemen's government forces; Korean K2/K9 through Gdynia,
twice; a Russian train to Homel; M1A2T tanks through the Port of Taipei to Hukou), texts in our
own words, annotated and committed before extract first ran on them; blind, 2026-11-27: recall
5/14 = 36%, precision 6/12 = 50%, verbatim evidence 12/12; after its fixes (general rules, each
with a test in tests/test_extract_fresh8.py) 10/14 = 71%, 11/12 = 92%.

Usage: python scripts/score_extract.py [bundled] [dev] [heldout] [fresh] [fresh2] [fresh3]
       [fresh4] [fresh5] [fresh6] [fresh7] [fresh8] [--show]
(bundled and dev when no set is named)
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from geo.extract import extract_file
from geo.extract.places import load_places
from geo.extract.score import GoldLeg, end_of_ledger, read_annotations, score

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "tests" / "data" / "reports"
#: report file -> its text, as extracted (to check that evidence is verbatim)
TEXTS: dict[str, str] = {}


def verbatim(cands: dict) -> tuple[int, int]:
    """(candidates whose every evidence passage is the report's text at its offsets, all)."""
    ok = sum(bool(c.evidence) and all(TEXTS[name][e["start"]:e["end"]] == e["text"]
                                      for e in c.evidence)
             for name, cs in cands.items() for c in cs)
    return ok, sum(len(cs) for cs in cands.values())


def _csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def bundled() -> tuple[dict, list[GoldLeg]]:
    places = load_places(str(ROOT / "gazetteer.csv"))
    reports = _csv(REPORTS / "bundled" / "reports.csv")
    cands, gold = {}, []
    ledger = _csv(ROOT / "transfers.csv")
    for r in reports:
        TEXTS[r["file"]], cands[r["file"]] = extract_file(REPORTS / "bundled" / r["file"],
                                           published=r["published"] or None)
        for row in ledger:
            if r["source_id"] in row["source_ids"].split(";"):
                gold.append(GoldLeg(r["file"], end_of_ledger(row["from"], places),
                                    end_of_ledger(row["to"], places),
                                    f"{row['transfer_id']}/{row['leg']}"))
    return cands, gold


def annotated(name: str = "dev") -> tuple[dict, list[GoldLeg]]:
    """Candidates and annotated legs of an annotated folder (``dev``, ``heldout``)."""
    folder = REPORTS / name
    gold = read_annotations(folder / "annotations.csv")
    meta = {r["file"]: r for r in _csv(folder / "reports.csv")}
    cands = {}
    for name, r in sorted(meta.items()):
        TEXTS[name], cands[name] = extract_file(folder / name, published=r["published"] or None)
    return cands, gold


def dev() -> tuple[dict, list[GoldLeg]]:
    """Candidates and annotated legs of the development set."""
    return annotated("dev")


SETS = {"bundled": bundled, "dev": dev, "heldout": lambda: annotated("heldout"),
        "fresh": lambda: annotated("fresh"), "fresh2": lambda: annotated("fresh2"),
        "fresh3": lambda: annotated("fresh3"), "fresh4": lambda: annotated("fresh4"),
        "fresh5": lambda: annotated("fresh5"), "fresh6": lambda: annotated("fresh6"),
        "fresh7": lambda: annotated("fresh7"), "fresh8": lambda: annotated("fresh8")}


def main(argv: list[str]) -> int:
    show = "--show" in argv
    names = [a for a in argv if not a.startswith("--")] or ["bundled", "dev"]
    unknown = [n for n in names if n not in SETS]
    if unknown:
        print(f"unknown set {', '.join(unknown)}: choose from {', '.join(SETS)}", file=sys.stderr)
        return 2
    for label in names:
        cands, gold = SETS[label]()
        got = score(cands, gold)
        print(f"{label}: recall {got['found']}/{got['legs']} = {got['recall']:.0%}, "
              f"precision {got['right']}/{got['candidates']} = {got['precision']:.0%}, "
              "verbatim evidence {}/{}".format(*verbatim(cands)))
        if show:
            for m in got["missed"]:
                print("  missed", *m)
            for w in got["wrong"]:
                print("  wrong ", *w)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
