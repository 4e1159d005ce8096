"""A place value cued as a base ("atlantis_ab", "Atlantis air base") never resolves to a town.

Before: `atlantis_ab`, a made-up id in transfers.csv, resolved silently through the world
tables to the town Atlantis, South Africa, and `movemap validate` reported nothing.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from _helpers import copy_inputs

from geo.resolve import resolve
from layers.cli import main


@pytest.mark.parametrize(
    ("query", "status", "kind"),
    [
        ("atlantis_ab", "unknown", None),  # a town of that name, no air base
        ("Atlantis air base", "unknown", None),
        ("atlantis", "ok", "city"),  # a bare name: the town, as before
        ("benina_ab", "ok", "airfield"),  # the cue matches: the airfield
        ("jufra_ab", "ok", "airfield"),
        ("al-Khadim air base", "ok", "airfield"),
    ],
)
def test_a_base_cue_is_never_answered_with_a_town(query, status, kind):
    r = resolve([query])[0]
    assert r.status == status
    if kind:
        assert r.kind == kind
    else:
        assert r.suggestions[0].name == "Atlantis" and r.suggestions[0].kind == "city"
        assert any("is a town, not a base" in n for n in r.notes)


def test_a_naval_base_cue_takes_the_port_over_the_town():
    # "Tartus naval base" with no gazetteer: the town ranked first; the port of that
    # name fits the cue, so it is the candidate (alone: open, not the town).
    r = resolve(["Tartus naval base"])[0]
    assert [c.kind for c in r.candidates] == ["port"]


def _ledger_with(tmp_path: Path, value: str) -> Path:
    data = copy_inputs(tmp_path / "data")
    with open(data / "transfers.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    # pantsir-supply leg 2 ends where pantsir-exfil leg 1 starts (lines 3 and 4)
    rows[2][head.index("to")] = value
    rows[3][head.index("from")] = value
    with open(data / "transfers.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return data


@pytest.mark.parametrize("command", ["validate", "build"])
def test_ledger_with_a_made_up_base_id_fails_naming_every_row(tmp_path, capsys, command):
    data = _ledger_with(tmp_path, "atlantis_ab")
    args = [command, "--data", str(data)]
    if command == "build":
        args += ["--out", str(tmp_path / "maps")]
    assert main(args) == 1
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if "atlantis_ab" in ln]
    assert any(ln.startswith(f"{data / 'transfers.csv'}:3: column 'to'") for ln in lines)
    assert any(ln.startswith(f"{data / 'transfers.csv'}:4: column 'from'") for ln in lines)
    assert all("unknown place" in ln and "is a town, not a base" in ln
               and "gazetteer.csv" in ln for ln in lines)  # fmt: skip
    assert not (tmp_path / "maps").exists()


def test_ledger_with_a_known_base_id_or_a_town_name_still_builds(tmp_path, capsys):
    # khmeimim_ab is a gazetteer id; "Atlantis" (no cue) is the world's town, as before.
    for value in ("khmeimim_ab", "Atlantis"):
        (tmp_path / value).mkdir()
        data = _ledger_with(tmp_path / value, value)
        assert main(["validate", "--data", str(data)]) == 0, capsys.readouterr().err


def test_an_airport_placed_at_its_town_is_a_warning_on_every_row(tmp_path, capsys):
    # "Atlantis airport": no airport known; the town stands for it (an airport is
    # near its town), but never silently: a warning per row, with the fix.
    data = _ledger_with(tmp_path, "Atlantis airport")
    assert main(["validate", "--data", str(data)]) == 0
    out = capsys.readouterr()
    lines = [ln for ln in (out.out + out.err).splitlines() if "Atlantis airport" in ln]
    assert len(lines) == 2 and all(ln.startswith("warning: ") for ln in lines)
    assert all("placed at the town 'Atlantis' (geonames:3370352)" in ln
               and "add the airport to gazetteer.csv" in ln for ln in lines)  # fmt: skip
    r = resolve(["Atlantis airport"])[0]
    assert r.status == "ok" and r.kind == "city" and r.notes
    assert not resolve(["Benghazi airport"])[0].notes  # the city's airport: nothing to say
