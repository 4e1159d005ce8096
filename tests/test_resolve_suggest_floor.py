"""Unknown-place suggestions have a floor: a weak fuzzy match is no suggestion.

"Atlantisville" used to suggest 'Gorelovo Aerodrome (ourairports:RU-0845)' or
'Tolyatti'. The floor (geo.resolve.suggest.SUGGEST_FLOOR) was measured with
scripts/measure_suggestions.py on tests/data/places/suggestion_probes.csv: right
suggestions for misspellings of real places against made-up names.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

from geo.resolve.suggest import SUGGEST_FLOOR, closeness

ROOT = Path(__file__).resolve().parent.parent
PROBES = ROOT / "tests" / "data" / "places" / "suggestion_probes.csv"


@pytest.fixture(scope="module")
def measure():
    spec = importlib.util.spec_from_file_location(
        "measure_suggestions", ROOT / "scripts" / "measure_suggestions.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def probes():
    with open(PROBES, encoding="utf-8", newline="") as fh:
        return {r["name"]: r["means"] for r in csv.DictReader(fh)}


def test_the_floor_keeps_every_right_suggestion_and_drops_made_up_names(measure, probes):
    without = measure.suggestions(0)
    with_floor = measure.suggestions()
    # without a floor, made-up names got far-fetched suggestions
    assert "Gorelovo Aerodrome (ourairports:RU-0845)" in without["Atlantisville"]
    made_up = [n for n, means in probes.items() if not means]
    assert sum(bool(without[n]) for n in made_up) >= 10
    # with it, most get none ("Narnia" -> Narni is a true near-spelling)
    assert sum(bool(with_floor[n]) for n in made_up) <= 2
    for n in ("Atlantisville", "Fooberg Airfield", "Gotham Port", "Elbonia Airport",
              "Wakanda Base", "Lilliput Harbour"):
        assert with_floor[n] == (), n
    # every suggestion that was the place meant is still there, and first
    for name, means in probes.items():
        right = [s for s in without[name] if means and means.lower() in s.lower()]
        if right:
            assert with_floor[name] and means.lower() in with_floor[name][0].lower(), name
            assert all(closeness(name, s) >= SUGGEST_FLOOR for s in right)
    # "Khmeimm" no longer also suggests al-Khadim Air Base
    assert with_floor["Khmeimm"] == ("Khmeimim Air Base",)


def test_no_close_match_is_said(tmp_path, capsys):
    from _helpers import INPUT_FILES, copy_inputs

    from geo import settings
    from layers.cli import main

    data = copy_inputs(tmp_path / "data", (*INPUT_FILES, settings.ACTORS_FILE))
    path = data / settings.TRANSFERS_FILE
    text = path.read_text(encoding="utf-8").replace(",zawiya,", ",Atlantisville,", 1)
    path.write_text(text, encoding="utf-8")
    assert main(["validate", "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert "unknown place (value 'Atlantisville'); no close match in the gazetteer or the " \
           "world tables; or write '?description'" in err
    assert "did you mean" not in err.split("Atlantisville", 1)[1].split("\n", 1)[0]


@pytest.mark.parametrize(("query", "name", "close"), [
    ("Khmeimm", "Khmeimim Air Base", True),
    ("Tobrukk", "Port of Tobruk", True),
    ("Zawiyya Town", "Zawiya", True),
    ("Sevastapol", "Sevastopol (geonames:694423)", True),
    ("Atlantisville", "Gorelovo Aerodrome (ourairports:RU-0845)", False),
    ("Atlantisville", "Tolyatti (geonames:482283)", False),
    ("Izmnir", "Egypt", False),
    ("Fooberg Airfield", "al-Jufra Air Base", False),
])
def test_closeness(query, name, close):
    assert (closeness(query, name) >= SUGGEST_FLOOR) is close


def test_suggestions_far_below_the_closest_are_dropped(tmp_path, capsys):
    # "Zuwarra Airprt" also suggested Zarpara Airport (83) and Zaria Airport (81), over the
    # floor only by the word "Airport" they share, a long way under Zuwara Airport (93)
    from _helpers import INPUT_FILES, copy_inputs

    from geo import settings
    from layers.cli import main

    data = copy_inputs(tmp_path / "data", (*INPUT_FILES, settings.ACTORS_FILE))
    with open(data / settings.TRANSFERS_FILE, "a", encoding="utf-8") as fh:
        fh.write("typo-1,1,Khmeimm,Zuwarra Airprt,2020-05-01,day,trucks,vehicles,,"
                 "Russian military,air,,reported,armytech_pantsir,\n")
    assert main(["validate", "--data", str(data)]) == 1
    line = next(x for x in capsys.readouterr().err.splitlines() if "Zuwarra Airprt" in x)
    assert "did you mean 'Zuwara Airport'? or write" in line
    assert "Zarpara" not in line and "Zaria" not in line
