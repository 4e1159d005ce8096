"""A leg across the antimeridian ends at a place marker on the map.

Leaflet draws the leg with continuous longitudes (Anadyr 177.7 E -> Nome
194.6 = 165.4 W + 360), so without a copy of Nome's marker at 194.6 the
line ends in open sea and Nome sits a world away, unconnected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _helpers import INPUT_FILES, copy_inputs
from test_maps_browser import Page, browser  # noqa: F401  (shared fixture)

from geo import settings

pytestmark = pytest.mark.browser

GAZETTEER_ROWS = (
    "anadyr_ap,Anadyr Airport,,airport,RU,64.7349,177.7415,site,test,,\n"
    "nome_ap,Nome Airport,,airport,US,64.5122,-165.4453,site,test,,\n"
)
TRANSFER_ROW = (
    "pacific,1,anadyr_ap,nome_ap,2024-12-10,,trucks,vehicles,,Russian military,air,,"
    "reported,wsj_2024_12_18,\n"
)


def _pacific_inputs(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """The bundled inputs plus Anadyr, Nome and the leg between them across 180."""
    data = copy_inputs(tmp_path_factory.mktemp(name), [*INPUT_FILES, "actors.csv"])
    with open(data / settings.GAZETTEER_FILE, "a", encoding="utf-8") as fh:
        fh.write(GAZETTEER_ROWS)
    with open(data / settings.TRANSFERS_FILE, "a", encoding="utf-8") as fh:
        fh.write(TRANSFER_ROW)
    return data


def _written_map(
    tmp_path_factory: pytest.TempPathFactory, name: str, data: Path, **kw: Any
) -> Path:
    """Render the map of the inputs in ``data`` (a dataset filter in ``legfilter``) to a file."""
    from geo.dataset import load_dataset
    from geo.filters import filter_dataset
    from layers.maps import render_map

    dataset = load_dataset(data)
    if "legfilter" in kw:
        dataset = filter_dataset(dataset, kw.pop("legfilter"))
    out = tmp_path_factory.mktemp(f"{name}-map") / f"{name}.html"
    out.write_text(render_map(dataset, **kw), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def pacific_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _written_map(tmp_path_factory, "pacific", _pacific_inputs(tmp_path_factory, "pacific"))


def test_both_ends_of_an_antimeridian_leg_have_a_marker(pacific_map, browser: Any) -> None:  # noqa: F811
    page = Page(browser, pacific_map)
    try:
        ends = page.js(
            "(() => { const D = movemap.state.legs, c = D.cols;"
            " const i = [...Array(D.n).keys()].find(k => c.transfer_id.u[c.transfer_id.c[k]]"
            "   === 'pacific');"
            " let ll = movemap.legLayer(i).getLatLngs();"
            " if (Array.isArray(ll[0])) { ll = ll.flat(); }"
            " return [ll[0], ll[ll.length - 1]].map(p => [p.lat, p.lng]); })()"
        )
        assert ends[1][1] > 180  # drawn eastward across the antimeridian
        markers = page.js(
            "(() => { const out = []; movemap.state.places.group.eachLayer(m => {"
            " const p = m.getLatLng(); out.push([p.lat, p.lng, m.options.mmPlace]); });"
            " return out; })()"
        )
        for lat, lon in ends:
            near = [m for m in markers if abs(m[0] - lat) < 1e-3 and abs(m[1] - lon) < 1e-3]
            assert near, f"no place marker at the leg's end {lat:.3f}, {lon:.3f}"
        # The copy is the same place: its popup names Nome.
        far = next(m for m in markers if abs(m[1] - ends[1][1]) < 1e-3)
        assert page.js("j => movemap.state.places.items[j].name", far[2]) == "Nome Airport"
    finally:
        page.close()


BERING = {
    "type": "Feature",
    "properties": {
        "zone_id": "bering", "faction": "Russia", "label": "Bering strait zone", "country": "RU",
        "valid_from": "2020-01-01", "valid_to": None, "sources": ["test"], "as_of": "2024-01",
        "approximate": True, "contested": True,
    },
    # Split at the antimeridian as RFC 7946 asks.
    "geometry": {"type": "MultiPolygon", "coordinates": [
        [[[172, 62], [180, 62], [180, 68], [172, 68], [172, 62]]],
        [[[-180, 62], [-172, 62], [-172, 68], [-180, 68], [-180, 62]]],
    ]},
}


@pytest.fixture(scope="module")
def bering_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import json

    data = _pacific_inputs(tmp_path_factory, "bering")
    zones = json.loads((data / settings.ZONES_FILE).read_text(encoding="utf-8"))
    zones["features"].append(BERING)
    (data / settings.ZONES_FILE).write_text(json.dumps(zones), encoding="utf-8")
    return _written_map(tmp_path_factory, "bering", data, zone="bering")


def test_a_zone_split_at_the_antimeridian_is_drawn_whole_and_framed(
    bering_map: Path, browser: Any  # noqa: F811
) -> None:
    # The two halves were drawn a world apart and the zone's map opened on the whole world.
    page = Page(browser, bering_map)
    try:
        page.page.set_viewport_size({"width": 1366, "height": 768})
        zone = page.js(
            "(() => { const b = movemap.state.zoneLayers['bering'].layer.getBounds();"
            " return [b.getWest(), b.getEast()]; })()"
        )
        assert zone == pytest.approx([172, 188], abs=0.01)
        view = page.js(
            "(() => { const b = movemap.state.map.getBounds();"
            " return [b.getWest(), b.getEast()]; })()"
        )
        assert view[0] < 172 and view[1] > 188 and view[1] - view[0] < 90
        assert not page.errors
    finally:
        page.close()


@pytest.fixture(scope="module")
def pacific_only_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from geo.filters import LegFilter

    data = _pacific_inputs(tmp_path_factory, "pacific-only")
    return _written_map(
        tmp_path_factory, "pacific-only", data, legfilter=LegFilter(transfer=("pacific",))
    )


def test_a_map_of_legs_across_180_opens_on_them_with_both_ends_named(
    pacific_only_map: Path, browser: Any  # noqa: F811
) -> None:
    # Framed on Nome's marker as stored (-165.4) and Anadyr (177.7), the map
    # opened on the whole world with the leg a speck; and the end in view was
    # the unlabelled copy of Nome's marker.
    page = Page(browser, pacific_only_map)
    try:
        page.page.set_viewport_size({"width": 1366, "height": 768})
        page.js("movemap.state.map.invalidateSize(false)")
        page.page.wait_for_timeout(400)
        view = page.js(
            "(() => { const b = movemap.state.map.getBounds();"
            " return [b.getWest(), b.getEast()]; })()"
        )
        assert view[0] < 177.7 and view[1] > 194.6 and view[1] - view[0] < 90, view
        shown = page.js(
            "(() => { const r = document.querySelector('.leaflet-container')"
            ".getBoundingClientRect();"
            " return [...document.querySelectorAll('.mm-place-label')].filter(e => {"
            "  const b = e.getBoundingClientRect();"
            "  return getComputedStyle(e).visibility !== 'hidden' && b.width > 0"
            "   && b.left >= r.left && b.right <= r.right && b.top >= r.top"
            "   && b.bottom <= r.bottom; }).map(e => e.textContent); })()"
        )
        assert {"Anadyr Airport", "Nome Airport"} <= set(shown), shown
        assert not page.errors
    finally:
        page.close()
