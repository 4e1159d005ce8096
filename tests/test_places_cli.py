"""``movemap places add``: promote a world place into gazetteer.csv."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from _helpers import copy_inputs

from geo import settings
from geo.gazetteer import read_gazetteer
from layers.cli import main

FILES = (settings.GAZETTEER_FILE, "transfers.csv", "sources.csv", "zones.geojson")


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed_gazetteer: Path) -> Path:
    monkeypatch.setenv("MOVEMAP_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "data"
    copy_inputs(folder, FILES)
    # places the world tables hold are promoted here, so start without their curated rows
    shutil.copy(seed_gazetteer, folder / settings.GAZETTEER_FILE)
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(["places", "add", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def rows(folder: Path) -> list[dict[str, str]]:
    with open(folder / settings.GAZETTEER_FILE, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_add_shows_then_appends_a_valid_row(data, capsys):
    before = (data / settings.GAZETTEER_FILE).read_text(encoding="utf-8")
    rc, out, err = run(capsys, "al-Khadim air base", "--country", "LY", "--data", str(data))
    assert rc == 0, err
    assert "OurAirports HL59" in out and "31.99850" in out and "added 'al_khadim_airport'" in out
    after = (data / settings.GAZETTEER_FILE).read_text(encoding="utf-8")
    assert after.startswith(before)  # existing rows untouched, byte for byte
    new = rows(data)[-1]
    assert new["id"] == "al_khadim_airport" and new["coord_source"] == "OurAirports HL59"
    assert (new["lat"], new["lon"], new["precision"]) == ("31.99850", "21.19180", "site")
    assert new["country"] == "LY" and "HL59" in new["aliases"].split(";")
    places = read_gazetteer(data / settings.GAZETTEER_FILE)  # still valid
    assert "al_khadim_airport" in places.index
    # the curated row now answers first, for the spellings added as aliases
    rc = main(["geocode", "--data", str(data), "--json", "alKhadim"])
    assert rc == 0 and '"id": "al_khadim_airport"' in capsys.readouterr().out


def test_add_by_world_id_and_dry_run(data, capsys):
    before = (data / settings.GAZETTEER_FILE).read_bytes()
    rc, out, _ = run(capsys, "ourairports:HL69", "--dry-run", "--data", str(data))
    assert rc == 0 and "Al Jufra Airport" in out and "dry run" in out
    assert (data / settings.GAZETTEER_FILE).read_bytes() == before


def test_ambiguous_unknown_and_duplicates_write_nothing(data, capsys):
    before = (data / settings.GAZETTEER_FILE).read_bytes()
    rc, _, err = run(capsys, "Chkalovsky", "--data", str(data))
    assert rc == 1 and "ambiguous place 'Chkalovsky'" in err and "ourairports:UUMU" in err
    rc, _, err = run(capsys, "Qqqzzz Xq", "--data", str(data))
    assert rc == 1 and "unknown place" in err
    rc, _, err = run(capsys, "Hmeimim", "--data", str(data))
    assert rc == 1 and "already in gazetteer.csv as 'khmeimim_ab'" in err
    rc, _, err = run(capsys, "Benina International Airport", "--data", str(data))
    assert rc == 1 and "already" in err
    rc, _, err = run(capsys, "Bamako", "--id", "minsk", "--data", str(data))
    assert rc == 1 and "id 'minsk' is already used" in err
    assert (data / settings.GAZETTEER_FILE).read_bytes() == before


def test_the_same_world_record_is_not_added_twice(data, capsys):
    assert run(capsys, "Bamako", "--country", "ML", "--data", str(data))[0] == 0
    once = (data / settings.GAZETTEER_FILE).read_bytes()
    rc, _, err = run(capsys, "geonames:2460596", "--id", "bamako_again", "--data", str(data))
    assert rc == 1 and "GeoNames 2460596 is already in gazetteer.csv as 'bamako'" in err
    assert (data / settings.GAZETTEER_FILE).read_bytes() == once


def test_a_row_that_fails_validation_is_not_written(data, capsys, monkeypatch):
    # A world point outside its country (here: made so by a wrong table row)
    # is refused by the full gazetteer check, naming the real file.
    import geo.resolve.places as resolve_mod

    real = resolve_mod._world_candidate

    def shifted(p, how):
        c = real(p, how)
        return resolve_mod.Candidate(**{**c.__dict__, "lat": -c.lat})

    monkeypatch.setattr(resolve_mod, "_world_candidate", shifted)
    before = (data / settings.GAZETTEER_FILE).read_bytes()
    rc, _, err = run(capsys, "ourairports:HL59", "--data", str(data))
    assert rc == 1
    assert str(data / settings.GAZETTEER_FILE) in err and "LY" in err
    assert (data / settings.GAZETTEER_FILE).read_bytes() == before
