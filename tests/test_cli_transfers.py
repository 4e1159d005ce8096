from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from _helpers import copy_inputs

from geo import settings
from geo.paths import REPO_ROOT
from layers.cli import main


def bundled_rows() -> list[dict[str, str]]:
    with open(REPO_ROOT / settings.TRANSFERS_FILE, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data folder holding copies of the bundled inputs."""
    return copy_inputs(
        tmp_path, (settings.GAZETTEER_FILE, settings.TRANSFERS_FILE, settings.SOURCES_FILE)
    )


def test_json_nests_every_leg_under_its_transfer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["transfers", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    rows = bundled_rows()
    assert sorted(t["transfer_id"] for t in out) == sorted({r["transfer_id"] for r in rows})
    assert sum(t["n_legs"] for t in out) == sum(len(t["legs"]) for t in out) == len(rows)
    exfil = next(t for t in out if t["transfer_id"] == "pantsir-exfil")
    assert [leg["leg"] for leg in exfil["legs"]] == [1, 2, 3, 4]
    assert [leg["to_id"] for leg in exfil["legs"]] == [
        "zawiya",
        "western_libya",
        "zuwara_airport",
        "ramstein_ab",
    ]
    assert exfil["legs"][1]["to_unknown"] is True
    assert exfil["date_start"] == "2020-05-18" and exfil["date_end"] == "2020-06-30"
    assert exfil["legs"][3]["date_start"] == "2020-06-01"
    assert "times_2021_01_28" in exfil["source_ids"]
    tobruk = next(t for t in out if t["transfer_id"] == "ru-tobruk-warships-plan")
    # A bare unknown stop: no id and no coordinates (null, not NaN, in JSON).
    assert tobruk["legs"][0]["from_id"] is None and tobruk["legs"][0]["from_lon"] is None


def test_table_groups_legs_by_transfer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["transfers"]) == 0
    captured = capsys.readouterr()
    # no warnings for the bundled ledger: only the line naming the data folder
    assert captured.err == f"data: {REPO_ROOT} (current folder, bundled)\n"
    text = captured.out
    rows = bundled_rows()
    n_transfers = len({r["transfer_id"] for r in rows})
    assert text.rstrip().endswith(f"{n_transfers} transfer(s), {len(rows)} leg(s)")
    block = text.split("pantsir-exfil: ", 1)[1].split("\n\n", 1)[0]
    lines = block.splitlines()
    assert lines[0].startswith("Pantsir S-1 air-defence system [air_defence]")
    legs = [ln.split() for ln in lines if ln.strip()[:1].isdigit()]
    assert [parts[0] for parts in legs] == ["1", "2", "3", "4"]
    assert "?base housing Turkish personnel (in western Libya)" in block
    assert "USAF C-17 Globemaster III" in block


def test_same_input_same_output(capsys: pytest.CaptureFixture[str]) -> None:
    main(["transfers", "--json"])
    first = capsys.readouterr().out
    main(["transfers", "--json"])
    assert capsys.readouterr().out == first


def test_data_folder_is_used(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = data / settings.TRANSFERS_FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")  # header + one leg
    assert main(["transfers", "--json", "--data", str(data)]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert len(out) == 1 and out[0]["n_legs"] == 1
    # The other sources are now uncited: warned about on stderr, not fatal.
    assert "not cited by any leg" in captured.err


def test_bad_ledger_exits_1_naming_line_and_column(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = data / settings.TRANSFERS_FILE
    text = path.read_text(encoding="utf-8").replace(",zawiya,", ",Zawiyya Town,", 1)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "Zawiyya Town" in ln)
    assert main(["transfers", "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:{line}: column 'to': unknown place (value 'Zawiyya Town')" in err
    assert "did you mean 'Zawiya'" in err
