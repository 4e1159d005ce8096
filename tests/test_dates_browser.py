"""Leg popups word open, approximate and uncertain dates and show the report's words."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from _helpers import copy_inputs
from test_maps_browser import browser, open_page  # noqa: F401  (shared fixtures)

from geo import columns as col
from geo import settings
from geo.ledger import TRANSFERS_COLUMNS
from geo.paths import REPO_ROOT

pytestmark = pytest.mark.browser

WORDS = 'since around "December 8" <img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def dated_maps(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, list[Path]]:
    from geo.dataset import load_dataset
    from layers.maps import build_maps

    d = tmp_path_factory.mktemp("dated")
    copy_inputs(d, (settings.GAZETTEER_FILE, settings.SOURCES_FILE, settings.ZONES_FILE))
    with open(REPO_ROOT / settings.TRANSFERS_FILE, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row[col.DATE_AS_REPORTED] = ""
        if row[col.TRANSFER_ID] == "ru-syria-libya-radars-2024":
            row[col.DATE], row[col.DATE_PRECISION] = "2024-12-08~/..", ""
            row[col.DATE_AS_REPORTED] = WORDS
        if row[col.TRANSFER_ID] == "ru-khmeimim-libya-2024":
            row[col.DATE], row[col.DATE_PRECISION] = "2024-12?", ""
    with open(d / settings.TRANSFERS_FILE, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, [*TRANSFERS_COLUMNS, col.DATE_AS_REPORTED], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    dataset = load_dataset(d)
    return dataset, build_maps(dataset, tmp_path_factory.mktemp("dated-maps"))


def _popup_text(page: Any, i: int) -> str:
    page.js(
        "(i) => { const l = movemap.legLayer(i); let ll = l.getLatLngs();"
        " if (Array.isArray(ll[0])) { ll = ll[0]; }"
        " l.fire('click', {latlng: ll[Math.floor(ll.length / 2)]}, true); }",
        i,
    )
    page.page.wait_for_selector(".mm-leg-popup", timeout=5000)
    return page.js("document.querySelector('.mm-leg-popup').textContent")


def test_popup_words_the_date_and_shows_reported_text_literally(dated_maps, open_page) -> None:  # noqa: F811
    dataset, files = dated_maps
    page = open_page(files[0])
    assert page.errors == []
    legs = dataset.legs.reset_index(drop=True)
    i = int(legs.index[legs[col.TRANSFER_ID] == "ru-syria-libya-radars-2024"][0])
    text = _popup_text(page, i)
    assert "since c. 8 Dec 2024" in text
    assert "2024-12-08~/.." in text
    assert "Date as reported" in text and WORDS in text  # literally, as text
    assert page.js("document.querySelectorAll('.mm-leg-popup img').length") == 0
    page.js("movemap.state.map.closePopup()")
    j = int(legs.index[legs[col.TRANSFER_ID] == "ru-khmeimim-libya-2024"][0])
    text = _popup_text(page, j)
    assert "Dec 2024 (uncertain)" in text
    assert "Date as reported" not in text  # blank: no row
