"""Issue 11 in the browser: group colours, multi-category filters, carrier and via popups."""

from __future__ import annotations

import pytest
from test_issue11_ledger import ACTORS, REPORTS, make_data
from test_maps_browser import _click_leg, _toggle, browser, open_page  # noqa: F401

from geo import columns as col

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    from geo.dataset import load_dataset
    from layers.maps import build_maps

    data = make_data(tmp_path_factory.mktemp("reports"), REPORTS, actors=ACTORS)
    dataset = load_dataset(data)
    return dataset, build_maps(dataset, tmp_path_factory.mktemp("maps-issue11"))


def _index(dataset, transfer: str, leg: int = 1) -> int:
    legs = dataset.legs.reset_index(drop=True)
    return int(legs.index[(legs[col.TRANSFER_ID] == transfer) & (legs[col.LEG] == leg)][0])


def test_one_colour_per_actor_group(built, open_page) -> None:
    dataset, files = built
    page = open_page(files[0])
    colour = "i => movemap.legLayer(i).options.color"
    navy = page.js(colour, _index(dataset, "ships"))
    military = page.js(colour, _index(dataset, "an124"))
    turkey = page.js(colour, _index(dataset, "turks"))
    assert navy == military != turkey
    legend = page.js("document.querySelector('.mm-legend').textContent")
    assert "Russia (5)" in legend and "Russian Navy" not in legend


def test_a_leg_counts_under_each_of_its_categories(built, open_page) -> None:
    dataset, files = built
    page = open_page(files[0])
    ships = _index(dataset, "ships")
    shown = "i => movemap.state.legs.shown[i]"
    _toggle(page, "category", "armour", False)
    assert page.js(shown, ships) == 1  # still shown as naval
    _toggle(page, "category", "naval", False)
    assert page.js(shown, ships) == 0


def test_popups_list_same_carrier_and_via(built, open_page) -> None:
    dataset, files = built
    page = open_page(files[0])
    _click_leg(page, _index(dataset, "an124", 2))
    k = page.js("movemap.state.map._popup._source.options.mmIndex")
    text = page.js("document.querySelector('.mm-leg-popup').textContent")
    row = dataset.legs.reset_index(drop=True).iloc[k]
    assert row[col.TRANSFER_ID] == "an124"
    assert "Same carrier" in text and "RA-82030" in text
    for leg in {1, 2, 3} - {int(row[col.LEG])}:
        assert f"(an124, leg {leg})" in text
    _click_leg(page, _index(dataset, "ships"))
    text = page.js("document.querySelector('.mm-leg-popup').textContent")
    assert "Crete" in text and "sea_route" in text and "Russian Navy" in text
