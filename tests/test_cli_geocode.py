from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geo import settings
from geo.paths import REPO_ROOT
from layers.cli import main


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    # the validated-gazetteer cache goes to a temporary folder, not ~/.cache
    monkeypatch.setenv("MOVEMAP_CACHE_DIR", str(tmp_path / "cache"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run ``movemap geocode``; stderr comes back without its leading ``data:`` line."""
    rc = main(["geocode", *argv])
    out, err = capsys.readouterr()
    first, _, rest = err.partition("\n")
    if first.startswith("data: "):
        err = rest
    return rc, out, err


def test_names_the_data_folder_read(capsys):
    main(["geocode", "Watiya"])
    err = capsys.readouterr().err
    # run from the clone: the bundled files in the current folder
    assert err.splitlines()[0] == f"data: {REPO_ROOT} (current folder, bundled)"


def test_table_for_resolved_names(capsys):
    rc, out, err = run(capsys, "Watiya", "Hmeimim", "Tripoli, Libya", "ramstein_ab")
    assert rc == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["query", "id", "name", "lat", "lon", "kind", "country"]
    assert len(lines) == 5
    assert lines[1].startswith("Watiya") and "watiya_ab" in lines[1]
    assert lines[2].split() == [
        "Hmeimim",
        "khmeimim_ab",
        "Khmeimim",
        "Air",
        "Base",
        "35.41167",
        "35.94500",
        "airbase",
        "SY",
    ]
    assert "tripoli" in lines[3] and lines[3].rstrip().endswith("LY")
    assert "49.43683" in lines[4] and "7.60033" in lines[4]


def test_json_list_of_objects(capsys):
    rc, out, _ = run(capsys, "--json", "Zwara", "Zuwara airport")
    assert rc == 0
    data = json.loads(out)
    assert [d["id"] for d in data] == ["zuwara", "zuwara_airport"]
    assert set(data[0]) == {
        "query",
        "status",
        "id",
        "name",
        "lat",
        "lon",
        "kind",
        "country",
        "precision",
        "source",
    }
    assert data[1]["lat"] == pytest.approx(32.9523)
    assert data[1]["lon"] == pytest.approx(12.0155)
    assert data[1]["kind"] == "airport" and data[1]["country"] == "LY"
    assert data[1]["precision"] == "site" and data[1]["source"].startswith("gazetteer.csv: ")


def test_unknown_exit_1_after_printing_resolved(capsys):
    rc, out, err = run(capsys, "Sirte", "Kmeimim", "Tripoli", "qqqzzz")
    assert rc == 1
    # The resolved names are still printed; Sirte (LY) is the context that
    # makes Tripoli the Libyan one.
    lines = out.splitlines()
    assert [ln.split()[:2] for ln in lines[1:]] == [["Sirte", "sirte"], ["Tripoli", "tripoli"]]
    err_lines = err.splitlines()
    assert len(err_lines) == 2
    # Suggestions say what and where they are.
    assert err_lines[0] == (
        "movemap geocode: unknown place 'Kmeimim'; did you mean 'khmeimim_ab' "
        "(Khmeimim Air Base, airfield, SY, 35.41167, 35.94500)?"
    )
    assert err_lines[1] == "movemap geocode: unknown place 'qqqzzz'"


def test_tripoli_alone_is_ambiguous_and_with_a_libyan_place_is_libyan(capsys):
    rc, out, err = run(capsys, "Tripoli")
    assert rc == 1 and out == ""
    assert "ambiguous place 'Tripoli': matches 'tripoli' (Tripoli, city, LY" in err
    assert "'tripoli_lb' (Tripoli, Lebanon, city, LB" in err
    rc, out, err = run(capsys, "Tripoli", "Misrata")
    assert rc == 0 and err == ""
    assert out.splitlines()[1].split()[:2] == ["Tripoli", "tripoli"]
    rc, out, err = run(capsys, "--country", "LB", "Tripoli")
    assert rc == 0 and out.splitlines()[1].split()[:2] == ["Tripoli", "tripoli_lb"]


def test_json_reports_failures_too(capsys):
    rc, out, err = run(capsys, "--json", "Tripoli", "qqqzzz")
    assert rc == 1
    data = json.loads(out)
    assert data[0]["query"] == "Tripoli" and data[0]["status"] == "ambiguous"
    assert [c["id"] for c in data[0]["candidates"]] == ["tripoli", "tripoli_lb"]
    first = data[0]["candidates"][0]
    assert set(first) == {
        "id",
        "name",
        "lat",
        "lon",
        "kind",
        "country",
        "precision",
        "source",
        "score",
    }
    assert data[1] == {"query": "qqqzzz", "status": "unknown", "suggestions": []}
    assert "qqqzzz" in err and "Tripoli" in err
    # With Tobruk (LY) on the same line, Tripoli is the Libyan one.
    rc, out, err = run(capsys, "--json", "Tripoli", "Tobruk")
    assert rc == 0 and [d["id"] for d in json.loads(out)] == ["tripoli", "tobruk"]


def test_world_places_resolve_with_their_source(capsys):
    rc, out, err = run(capsys, "--json", "Kufra airport", "Moscow", "port of Tartus", "HLKF")
    assert rc == 0, err
    data = json.loads(out)
    kufra, moscow, tartus, code = data
    assert kufra["id"] == "ourairports:HLKF" and kufra["source"] == "OurAirports HLKF"
    assert (kufra["lat"], kufra["lon"]) == pytest.approx((24.1787, 23.314), abs=1e-3)
    assert kufra["kind"] == "airfield" and kufra["precision"] == "site"
    assert moscow["country"] == "RU" and moscow["kind"] == "city"
    assert moscow["source"].startswith("GeoNames ")
    # A port cue on a city that serves a base: the curated naval facility.
    assert tartus["id"] == "tartus_naval_base"
    assert code["id"] == "ourairports:HLKF"


def test_a_world_airfield_also_in_the_gazetteer_answers_with_the_curated_row(capsys):
    # al-Khadim is curated (at OurAirports HL59's point): its name and its code
    # both give the gazetteer row, which takes precedence over the world tables.
    rc, out, err = run(capsys, "--json", "al-Khadim air base", "HL59")
    assert rc == 0, err
    assert [d["id"] for d in json.loads(out)] == ["khadim_ab", "khadim_ab"]


def test_country_and_kind_filters(capsys):
    rc, out, err = run(capsys, "--json", "--country", "LY", "Khoms", "al-Jawf")
    assert rc == 0, err
    khoms, jawf = json.loads(out)
    assert khoms["country"] == "LY" and "Khums" in khoms["name"]
    assert jawf["country"] == "LY"
    rc, out, err = run(capsys, "--json", "--kind", "airfield", "--country", "LY", "Kufra")
    assert rc == 0, err
    assert json.loads(out)[0]["id"] == "ourairports:HLKF"
    with pytest.raises(SystemExit) as info:
        run(capsys, "--kind", "harbour", "Kufra")
    assert info.value.code == 2 and "invalid choice: 'harbour'" in capsys.readouterr().err


def test_unknown_suggestions_come_from_the_country(capsys):
    rc, out, err = run(capsys, "--json", "--country", "LY", "Ghdamesq airfield")
    assert rc == 1 and "Ghdamesq" in err
    data = json.loads(out)[0]
    assert data["status"] == "unknown"
    ids = [s["id"] for s in data["suggestions"]]
    assert "ourairports:HLTD" in ids  # Ghadames East Airport
    assert all(s["country"] == "LY" and s["kind"] == "airfield" for s in data["suggestions"])
    assert all({"lat", "lon", "score"} <= set(s) for s in data["suggestions"])


def test_geocode_imports_neither_geopandas_nor_folium_once_validated(tmp_path):
    code = (
        "import sys; from layers.cli import main; main(['geocode', 'Hmeimim', 'Kufra airport']); "
        "print(sorted(m for m in ('geopandas', 'folium', 'pandas', 'matplotlib') "
        "if m in sys.modules))"
    )
    env = {"MOVEMAP_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    first = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert "khmeimim_ab" in first.stdout and "geopandas" in first.stdout  # validated once
    again = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert "ourairports:HLKF" in again.stdout
    assert again.stdout.strip().splitlines()[-1] == "[]"


def test_help_imports_no_subcommand_module():
    code = (
        "import sys\nfrom layers.cli import main\ntry:\n    main(['--help'])\n"
        "except SystemExit:\n    pass\n"
        "heavy = ('layers.cli.', 'pandas', 'geopandas')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    assert any(ln.strip().startswith("geocode") for ln in lines)
    assert any(ln.strip().startswith("places") for ln in lines)
    assert lines[-1] == "[]"


@pytest.mark.parametrize("command", sorted(__import__("layers.cli").cli.COMMANDS))
def test_every_subcommand_help_loads_no_pandas(command):
    # `movemap export --help` took 0.6 s and `movemap brief --help` 1.2 s: their
    # argument definitions imported geopandas (and the brief's renderers).
    code = (
        f"import sys\nfrom layers.cli import main\ntry:\n    main([{command!r}, '--help'])\n"
        "except SystemExit:\n    pass\n"
        "heavy = ('pandas', 'geopandas', 'folium', 'numba', 'matplotlib', 'shapely')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_data_dir_option(tmp_path, capsys):
    (tmp_path / settings.GAZETTEER_FILE).write_text(
        "id,name,aliases,kind,country,lat,lon,precision,coord_source,note\n"
        "home,Home Town,Hometown,town,DE,49.44611,7.55472,city,test,\n",
        encoding="utf-8",
    )
    rc, out, _ = run(capsys, "--data", str(tmp_path), "hometown")
    assert rc == 0 and "home" in out and "Home Town" in out
    # Not in this gazetteer: never answered from the bundled one.
    rc, out, err = run(capsys, "--data", str(tmp_path), "qqqzzz")
    assert rc == 1 and "unknown place 'qqqzzz'" in err
    rc, out, err = run(capsys, "--data", str(tmp_path), "--json", "Watiya")
    assert "watiya_ab" not in out


def test_missing_data_dir(tmp_path, capsys):
    rc, out, err = run(capsys, "--data", str(tmp_path / "nope"), "Watiya")
    assert rc == 1 and out == ""
    assert "nope (from --data) does not exist" in err and "--data" in err


def test_bad_gazetteer_names_the_line(tmp_path, capsys):
    shutil.copy(REPO_ROOT / settings.GAZETTEER_FILE, tmp_path / settings.GAZETTEER_FILE)
    path = tmp_path / settings.GAZETTEER_FILE
    text = path.read_text(encoding="utf-8").replace(
        ",DE,49.43683,7.60033,", ",DE,7.60033,49.43683,"
    )
    path.write_text(text, encoding="utf-8")
    rc, out, err = run(capsys, "--data", str(tmp_path), "Watiya")
    assert rc == 1 and out == ""
    assert f"{path}:6: column 'lat/lon'" in err
    assert "lat and lon look swapped" in err


def test_console_script_entry_point():
    exe = Path(sys.executable).with_name("movemap")
    cmd = (
        [str(exe)]
        if exe.is_file()
        else [sys.executable, "-c", "from layers.cli import main; raise SystemExit(main())"]
    )
    # Run from another folder: the data folder comes from MOVEMAP_DATA, never
    # from where movemap's code happens to be installed.
    env = {**os.environ, "MOVEMAP_DATA": str(REPO_ROOT)}
    proc = subprocess.run(
        [*cmd, "geocode", "--json", "Khmeimim"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path("/"),
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["id"] == "khmeimim_ab"
    assert proc.stderr == f"data: {REPO_ROOT} (MOVEMAP_DATA, bundled)\n"
    # Without it, from a folder with no inputs: a clear error, not the clone's files.
    env.pop("MOVEMAP_DATA")
    proc = subprocess.run(
        [*cmd, "geocode", "Khmeimim"], capture_output=True, text=True, check=False, cwd="/", env=env
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert "no gazetteer.csv in the current folder /" in proc.stderr
    assert "Traceback" not in proc.stderr

def test_only_failures_prints_no_table(capsys):
    rc, out, err = run(capsys, "Tripoli")
    assert (rc, out) == (1, "")
    assert "candidates" not in err and "'tripoli' (" in err and "'tripoli_lb' (" in err
