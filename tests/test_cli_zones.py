import json
import shutil
from pathlib import Path

import pytest

from geo import settings
from layers.cli import main

REPO = Path(__file__).resolve().parent.parent

GAZETTEER = """\
id,name,aliases,kind,country,lat,lon,precision,coord_source,note,shared_aliases
watiya_ab,al-Watiya Air Base,Watiya,airbase,LY,32.4722,11.9,site,test,,
sirte,Sirte,Surt,city,LY,31.207,16.589,city,test,,
khmeimim_ab,Khmeimim Air Base,Hmeimim,airbase,SY,35.4117,35.945,site,test,,
latakia,Latakia,Lattakia,city,SY,35.531,35.791,city,test,,
cairo,Cairo,,city,EG,30.044,31.236,city,test,,
libya,Libya,,country,LY,25,17,country,test,,
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    (tmp_path / settings.GAZETTEER_FILE).write_text(GAZETTEER, encoding="utf-8")
    shutil.copy(REPO / settings.ZONES_FILE, tmp_path / settings.ZONES_FILE)
    return tmp_path


def _json(capsys, *argv: str) -> dict[str, dict[str, object]]:
    assert main(["zones", *argv, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    return {p["id"]: p for p in doc["places"]} | {"_at": doc["at"]}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2020-01-05", {"sirte": "GNA", "watiya_ab": "LNA", "latakia": "outside mapped zones"}),
        ("2020-01-07", {"sirte": "LNA", "watiya_ab": "LNA"}),
        ("2020-05-17", {"watiya_ab": "LNA"}),
        ("2020-05-19", {"watiya_ab": "GNA", "sirte": "LNA"}),
        ("2024-12-07", {"khmeimim_ab": "Russia", "latakia": "Assad government"}),
        ("2024-12-09", {"khmeimim_ab": "Russia", "latakia": "Syrian transitional government"}),
    ],
)
def test_zones_json_on_dates(capsys, data, day, expected):
    got = _json(capsys, "--at", day, "--data", str(data))
    assert got["_at"] == day
    assert {k: got[k]["faction"] for k in expected} == expected
    assert got["cairo"]["faction"] == "outside mapped zones"
    assert got["libya"]["faction"] is None
    assert "divided" in got["libya"]["control_note"]


def test_contested_flag_in_json(capsys, data):
    got = _json(capsys, "--at", "2024-12-09", "--data", str(data))
    assert got["khmeimim_ab"]["contested"] is True
    assert got["latakia"]["contested"] is False


def test_zones_table(capsys, data):
    assert main(["zones", "--at", "2020-05-19", "--data", str(data)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("zones of control on 2020-05-19")
    rows = {line.split()[0]: line for line in out[2:]}
    assert set(rows) == {"watiya_ab", "sirte", "khmeimim_ab", "latakia", "cairo", "libya"}
    assert "ly-watiya-2020-05-18" in rows["watiya_ab"]
    assert "outside mapped zones" in rows["cairo"]


@pytest.mark.parametrize("bad", ["2020-13-01", "19 May 2020", "2020-05"])
def test_bad_date_is_a_usage_error(capsys, data, bad):
    with pytest.raises(SystemExit) as exc:
        main(["zones", "--at", bad, "--data", str(data)])
    assert exc.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_bad_zones_file_exit_1(capsys, data):
    (data / settings.ZONES_FILE).write_text('{"type": "FeatureCollection", "features": [1]}')
    assert main(["zones", "--at", "2020-05-19", "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert "zones.geojson: feature 0:" in err  # an index, never passed off as a line
    assert "not a GeoJSON Feature" in err


def test_bundled_data_default(capsys):
    got = _json(capsys, "--at", "2020-05-19")
    assert got["watiya_ab"]["faction"] == "GNA"
