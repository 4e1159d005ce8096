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


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(["geocode", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_table_for_resolved_names(capsys):
    rc, out, err = run(capsys, "Watiya", "Hmeimim", "Tripoli, Libya", "ramstein_ab")
    # Only the line naming the data folder read (run from the clone: the bundled files).
    assert rc == 0 and err == f"data: {REPO_ROOT} (current folder, bundled)\n"
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
    assert set(data[0]) == {"query", "status", "id", "name", "lat", "lon", "kind", "country"}
    assert data[1]["lat"] == pytest.approx(32.9523)
    assert data[1]["lon"] == pytest.approx(12.0155)
    assert data[1]["kind"] == "airport" and data[1]["country"] == "LY"


def test_unknown_and_ambiguous_exit_1_after_printing_resolved(capsys):
    rc, out, err = run(capsys, "Sirte", "Kmeimim", "Tripoli", "qqqzzz")
    assert rc == 1
    # The resolved name is still printed.
    assert "sirte" in out and "Kmeimim" not in out
    data_line, *err_lines = err.splitlines()
    assert data_line.startswith("data: ")
    assert len(err_lines) == 3
    assert "unknown place 'Kmeimim'; did you mean 'Khmeimim Air Base'" in err_lines[0]
    assert "ambiguous place 'Tripoli': matches 'tripoli', 'tripoli_lb'" in err_lines[1]
    assert err_lines[2] == "movemap geocode: unknown place 'qqqzzz'"


def test_json_reports_failures_too(capsys):
    rc, out, err = run(capsys, "--json", "Tripoli", "Tobrouk", "Tobruk")
    assert rc == 1
    data = json.loads(out)
    assert data[0] == {
        "query": "Tripoli",
        "status": "ambiguous",
        "candidates": ["tripoli", "tripoli_lb"],
    }
    assert data[1]["status"] == "unknown" and "Tobruk" in data[1]["suggestions"]
    assert data[2]["id"] == "tobruk"
    assert "Tobrouk" in err and "Tripoli" in err


def test_data_dir_option(tmp_path, capsys):
    (tmp_path / settings.GAZETTEER_FILE).write_text(
        "id,name,aliases,kind,country,lat,lon,precision,coord_source,note\n"
        "home,Home Town,Hometown,town,DE,49.44611,7.55472,city,test,\n",
        encoding="utf-8",
    )
    rc, out, _ = run(capsys, "--data", str(tmp_path), "hometown")
    assert rc == 0 and "home" in out and "Home Town" in out
    rc, _, err = run(capsys, "--data", str(tmp_path), "Watiya")
    assert rc == 1 and "unknown place 'Watiya'" in err


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
    assert "candidates" not in err and "'tripoli', 'tripoli_lb'" in err
