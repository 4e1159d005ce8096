"""A bad ledger through the GeoParquet pipeline (issue 15): every problem, same order.

The ledger checks compute source ids, categories, leg numbers and unknown
stops once per distinct cell; these tests pin the problems they report (line,
column, value, message, in order) and that the pipeline reports exactly what
:func:`geo.ledger.read_ledger` does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _helpers import copy_inputs

from geo import settings
from geo._errors import InputError, LedgerError
from geo.columns import CATEGORY, LEG, SOURCE_IDS
from geo.gazetteer import read_gazetteer
from geo.geocode import PlaceIndex
from geo.ledger import read_ledger
from geo.pipeline import GEOPARQUET_FILES, export_geoparquet

# Appended to the bundled ledger: distinct cells repeated, and failing parts
# in several positions of a cell.
BAD_ROWS = (
    "bad-a,1,russia,uae,2020-05,,x,air_defence;;tankz,1,UAE,unknown,,reported,"
    "armytech_pantsir; nope_src ;armytech_pantsir,\n"
    "bad-a,x1,uae,libya,2020-05,,x,air_defence,1,UAE,unknown,,reported,nope_src,\n"
    "bad-b,1,russia,uae,2020-05,,x,tankz,1,UAE,unknown,,reported,armytech_pantsir;other_src,\n"
    "bad-c,1,russia,uae,2020-05,,x,air_defence;;tankz,1,UAE,unknown,,reported,"
    "armytech_pantsir; nope_src ;armytech_pantsir,\n"
)


@pytest.fixture
def bad_folder(tmp_path: Path) -> tuple[Path, int]:
    copy_inputs(tmp_path)
    ledger = tmp_path / settings.TRANSFERS_FILE
    text = ledger.read_text(encoding="utf-8")
    first = len(text.splitlines()) + 1  # line of the first appended row
    ledger.write_text(text + BAD_ROWS, encoding="utf-8")
    return tmp_path, first


def _found(problems: list) -> list[tuple]:
    return [
        (p.line, p.column, p.value, p.message, p.severity)
        for p in problems
        if p.column in (CATEGORY, SOURCE_IDS, LEG)
    ]


def test_distinct_cell_checks_report_every_row_in_order(bad_folder):
    folder, a = bad_folder
    index = PlaceIndex(read_gazetteer(folder / settings.GAZETTEER_FILE))
    with pytest.raises(LedgerError) as caught:
        read_ledger(folder / settings.TRANSFERS_FILE, folder / settings.SOURCES_FILE, index)
    twice_cell = "armytech_pantsir; nope_src ;armytech_pantsir"
    # By line, then column and message (warnings among the errors).
    assert _found(caught.value.problems) == [
        (a, CATEGORY, "", "empty category in the list", "error"),
        (a, CATEGORY, "tankz", "unknown category", "error"),
        (a, SOURCE_IDS, "nope_src", "source id 'nope_src' is not in sources.csv", "error"),
        (a, SOURCE_IDS, twice_cell, "source id listed twice", "warning"),
        (a + 1, LEG, "x1", "leg is not a positive whole number", "error"),
        (a + 1, SOURCE_IDS, "nope_src", "source id 'nope_src' is not in sources.csv", "error"),
        (a + 2, CATEGORY, "tankz", "unknown category", "error"),
        (a + 2, SOURCE_IDS, "other_src", "source id 'other_src' is not in sources.csv", "error"),
        (a + 3, CATEGORY, "", "empty category in the list", "error"),
        (a + 3, CATEGORY, "tankz", "unknown category", "error"),
        (a + 3, SOURCE_IDS, "nope_src", "source id 'nope_src' is not in sources.csv", "error"),
        (a + 3, SOURCE_IDS, twice_cell, "source id listed twice", "warning"),
    ]


def test_pipeline_reports_what_read_ledger_reports(bad_folder, tmp_path):
    folder, _ = bad_folder
    index = PlaceIndex(read_gazetteer(folder / settings.GAZETTEER_FILE))
    with pytest.raises(LedgerError) as direct:
        read_ledger(folder / settings.TRANSFERS_FILE, folder / settings.SOURCES_FILE, index)
    out = tmp_path / "out"
    with pytest.raises(InputError) as piped:
        export_geoparquet(folder, out)
    assert piped.value.problems == direct.value.problems
    assert len(piped.value.problems) >= 12
    # Nothing half-written.
    assert not any((out / name).exists() for name in GEOPARQUET_FILES)
