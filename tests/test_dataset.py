"""geo.dataset wiring and the ``movemap validate`` command, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _helpers import copy_inputs

from geo import columns as c
from geo import settings
from geo._errors import DataDirError, InputError
from geo.dataset import load_dataset, validate_data
from geo.paths import REPO_ROOT
from layers.cli import main

INPUTS = (
    settings.GAZETTEER_FILE,
    settings.TRANSFERS_FILE,
    settings.SOURCES_FILE,
    settings.ZONES_FILE,
)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return copy_inputs(tmp_path, INPUTS)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return n
    raise AssertionError(needle)


def test_bundled_dataset_loads_every_leg() -> None:
    ds = load_dataset()
    with (REPO_ROOT / settings.TRANSFERS_FILE).open(encoding="utf-8") as f:
        n_rows = sum(1 for _ in f) - 1
    assert len(ds.legs) == n_rows
    assert ds.warnings == []
    # every leg has its length and its end factions' columns
    for col in (c.LENGTH_KM, c.BEARING, c.FROM_FACTION, c.TO_FACTION, c.CONTROL_NOTE):
        assert col in ds.legs.columns
    drawable = ds.legs.geometry.notna()
    assert (ds.legs.loc[drawable, c.LENGTH_KM] >= 0).all()


def test_bundled_inputs_validate_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_problems_in_every_file_reported_in_one_pass(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gaz = data / settings.GAZETTEER_FILE
    led = data / settings.TRANSFERS_FILE
    # swapped lat/lon in the gazetteer
    _edit(gaz, "32.7522,12.7278", "12.7278,32.7522")
    # misspelt place and an interval ending before it starts in the ledger
    _edit(led, "zuwara_airport,ramstein_ab,2020-06,", "zuwara_airport,Ramstien Air Base,2020-06,")
    _edit(led, "2024-12-13,day", "2024-12-13/2024-12-01,day")
    gaz_line = _line_of(gaz, "12.7278,32.7522")
    led_line = _line_of(led, "Ramstien")

    problems = validate_data(data)
    errors = [p for p in problems if p.severity == "error"]
    files = {Path(p.file).name for p in errors}
    assert {settings.GAZETTEER_FILE} <= files
    swapped = [p for p in errors if Path(p.file).name == settings.GAZETTEER_FILE]
    assert any(p.line == gaz_line and "swap" in (p.hint or "") for p in swapped)

    # The gazetteer error must not hide the ledger's own problems.
    led_errors = [p for p in errors if Path(p.file).name == settings.TRANSFERS_FILE]
    assert any(p.line == led_line and "Ramstein" in (p.hint or "") for p in led_errors)
    assert any(p.column == c.DATE for p in led_errors)

    assert main(["validate", "--data", str(data), "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == len(problems)
    assert {"file", "line", "column", "value", "message", "hint", "severity"} <= set(rows[0])


def test_load_dataset_raises_with_all_problems(data: Path) -> None:
    led = data / settings.TRANSFERS_FILE
    _edit(led, ",reported,", ",rumoured,")
    _edit(data / settings.ZONES_FILE, '"valid_from":"', '"valid_from":"not-a-date')
    with pytest.raises(InputError) as info:
        load_dataset(data)
    names = {Path(p.file).name for p in info.value.problems}
    assert {settings.TRANSFERS_FILE, settings.ZONES_FILE} <= names


def test_missing_data_dir_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(DataDirError, match="--data"):
        load_dataset(tmp_path / "nowhere")
    assert main(["validate", "--data", str(tmp_path)]) == 1
    assert "gazetteer.csv" in capsys.readouterr().err


def test_unreadable_gazetteer_still_checks_zones(data: Path) -> None:
    (data / settings.GAZETTEER_FILE).write_text("", encoding="utf-8")
    _edit(data / settings.ZONES_FILE, '"valid_from":"', '"valid_from":"not-a-date')
    names = {Path(p.file).name for p in validate_data(data)}
    assert {settings.GAZETTEER_FILE, settings.ZONES_FILE} <= names
