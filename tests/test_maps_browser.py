"""The built maps in headless Chromium: offline, layered, sourced, inert.

Every page is opened with every request recorded and anything but
``file:`` / ``data:`` aborted, so a page that needs the network fails.
Skipped when Chromium or Playwright is missing (a failure under CI=true,
see tests/conftest.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo import columns as col
from layers.synthetic import HOSTILE, HOSTILE_FLAG, synthetic_dataset

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("MOVEMAP_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
READY = "window.movemap && window.movemap.ready === true"


def launch(args: list[str]) -> Iterator[Any]:
    """Yield headless Chromium started with ``args`` (skips without Chromium)."""
    if not Path(CHROMIUM).is_file() and shutil.which("chromium") is None:
        pytest.skip(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        pytest.skip("playwright is not installed")
    exe = CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=args)
        yield b
        b.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch(ARGS)


class Page:
    """A page opened offline, with its console errors and requests."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 860})
        self.page = self.context.new_page()
        self.page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None,
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function(READY, timeout=60_000)

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            route.abort()

    def js(self, expr: str, arg: Any = None) -> Any:
        return self.page.evaluate(expr, arg)

    def offline(self) -> bool:
        return all(u.startswith(("file:", "data:")) for u in self.requests)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    pages: list[Page] = []

    def _open(path: Path) -> Page:
        p = Page(browser, path)
        pages.append(p)
        return p

    yield _open
    for p in pages:
        p.close()


# ------------------------------------------------------------------ data


def _bundled():
    from geo.dataset import load_dataset

    return load_dataset()


@pytest.fixture(scope="module", params=["bundled", "synthetic"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    from layers.maps import build_maps

    if request.param == "bundled":
        dataset = _bundled()
    else:
        dataset = synthetic_dataset(tmp_path_factory.mktemp("syn"), n_legs=300, seed=7)
    files = build_maps(dataset, tmp_path_factory.mktemp(f"maps-{request.param}"))
    return dataset, files


@pytest.fixture(scope="module")
def hostile_built(tmp_path_factory: pytest.TempPathFactory):
    from layers.maps import build_maps

    dataset = synthetic_dataset(tmp_path_factory.mktemp("hostile"), n_legs=30, seed=3, hostile=True)
    return dataset, build_maps(dataset, tmp_path_factory.mktemp("maps-hostile"))


def _zone_sets(dataset):
    from layers.legs import leg_zone_sets
    from layers.zones import ordered_zones

    return leg_zone_sets(dataset.legs, dataset.segments, ordered_zones(dataset.zones))


def _drawable_mask(dataset) -> list[bool]:
    import shapely

    from layers.legs import with_stubs

    # A leg with one locatable end is drawn as a stub there (issue 13).
    g = with_stubs(dataset.legs, dataset.places).geometry.to_numpy()
    return (~(shapely.is_missing(g) | shapely.is_empty(g))).tolist()


def _drawable(dataset) -> int:
    return sum(_drawable_mask(dataset))


def _toggle(page: Page, group: str, key: str, checked: bool) -> None:
    """Tick or untick a layer-control checkbox the way a click does."""
    page.js(
        "([g, k, c]) => { const i = Array.from(document.querySelectorAll('input[data-group]'))"
        ".find(e => e.getAttribute('data-group') === g && e.getAttribute('data-key') === k);"
        " if (i.checked !== c) { i.click(); } }",
        [group, key, checked],
    )


# ------------------------------------------------------------------ tests


def test_every_map_loads_offline_without_errors(built, open_page) -> None:
    _, files = built
    for path in files:
        page = open_page(path)
        assert page.errors == [], (path.name, page.errors)
        outside = [u for u in page.requests if not u.startswith(("file:", "data:"))]
        assert outside == [], (path.name, outside)
        # The offline base map is drawn (land polygons on its canvas).
        assert page.js("document.querySelectorAll('.leaflet-pane canvas').length") >= 2
        page.close()


def test_overview_draws_every_leg_and_lists_every_zone(built, open_page) -> None:
    dataset, files = built
    page = open_page(files[0])
    assert page.js("movemap.drawnLegCount()") == _drawable(dataset)
    assert page.js("movemap.state.legs.n") == len(dataset.legs)
    listed = page.js(
        "Array.from(document.querySelectorAll('input[data-group=zone]'))"
        ".map(i => i.getAttribute('data-key'))"
    )
    assert set(listed) == {*dataset.zones[col.ZONE_ID].astype(str), col.OUTSIDE_ZONES}
    labels = page.js("document.querySelector('.mm-layers').textContent")
    for label in dataset.zones[col.ZONE_LABEL].astype(str):
        assert label in labels
    count = page.js("document.querySelector('.mm-count').textContent")
    assert count.startswith(f"{_drawable(dataset)} of {len(dataset.legs)} legs shown")


def test_zone_maps_show_the_legs_touching_their_zone(built, open_page) -> None:
    from layers.maps import map_files

    dataset, files = built
    sets = _zone_sets(dataset)
    names = map_files(dataset)
    by_name = {p.name: p for p in files}
    checked = 0
    for zone, name in names.items():
        if zone is None:
            continue
        expected = sum(zone in zs for zs in sets)
        if expected == 0 and checked >= 2:
            continue
        page = open_page(by_name[name])
        assert page.js("movemap.state.legs.n") == expected, zone
        assert page.js(f"movemap.zoneShown({zone!r})")
        checked += 1
        page.close()
    assert checked >= 2


def test_unticking_a_zone_removes_its_features(built, open_page) -> None:
    dataset, files = built
    sets = _zone_sets(dataset)
    page = open_page(files[0])
    shown = page.js("movemap.state.zones.filter(z => movemap.zoneShown(z.key)).map(z => z.key)")
    # The shown zone with the most legs touching it.
    zone = max(shown, key=lambda z: (sum(z in zs for zs in sets), z))
    before = page.js("movemap.drawnLegCount()")
    places_before = page.js("movemap.drawnPlaceCount()")
    _toggle(page, "zone", zone, False)
    assert not page.js(f"movemap.zoneShown({zone!r})")
    drawable = _drawable_mask(dataset)
    only_here = sum(set(zs) == {zone} and d for zs, d in zip(sets, drawable, strict=True))
    assert page.js("movemap.drawnLegCount()") == before - only_here
    in_zone = page.js(
        "movemap.state.places.items.filter(p => p.zones.length === 1"
        f" && p.zones[0] === {zone!r}).length"
    )
    assert page.js("movemap.drawnPlaceCount()") == places_before - in_zone
    # Untick every zone: nothing left.
    for key in page.js("movemap.state.zones.map(z => z.key)"):
        _toggle(page, "zone", key, False)
    assert page.js("movemap.drawnLegCount()") == 0
    assert page.js("movemap.drawnPlaceCount()") == 0
    _toggle(page, "zone", zone, True)
    assert page.js(f"movemap.zoneShown({zone!r})")


def test_status_and_date_filters(built, open_page) -> None:
    dataset, files = built
    page = open_page(files[0])
    status = dataset.legs[col.STATUS].value_counts().index[0]
    n_status = int((dataset.legs[col.STATUS] == status).sum())
    total = page.js("movemap.drawnLegCount()")
    _toggle(page, "status", status, False)
    drawable_status = page.js(
        f"movemap.state.legs.geom.filter((g, i) => g && "
        "movemap.state.legs.cols.status.u[movemap.state.legs.cols.status.c[i]]"
        f" === {status!r}).length"
    )
    assert drawable_status <= n_status
    assert page.js("movemap.drawnLegCount()") == total - drawable_status
    _toggle(page, "status", status, True)
    assert page.js("movemap.drawnLegCount()") == total
    # A date range before every leg shows none; the full range shows all.
    page.page.fill("input.mm-date-to", "1900-01-01")
    page.page.fill("input.mm-date-from", "1900-01-01")
    page.page.dispatch_event("input.mm-date-to", "change")
    assert page.js("movemap.drawnLegCount()") == 0
    page.page.click(".mm-time button")
    assert page.js("movemap.drawnLegCount()") == total


def _click_leg(page: Page, i: int) -> None:
    """Click leg ``i`` on the canvas (a real mouse click) until a leg popup opens.

    A place marker or another leg may lie on top at one vertex, so a few
    vertices along the leg are tried.
    """
    for frac in (0.5, 0.35, 0.65, 0.2, 0.8, 0.1, 0.9):
        xy = page.js(
            "([i, f]) => { const l = movemap.legLayer(i); const m = movemap.state.map;"
            " let ll = l.getLatLngs(); if (Array.isArray(ll[0])) { ll = ll[0]; }"
            " const v = ll[Math.min(ll.length - 1, Math.floor(ll.length * f))];"
            " m.closePopup(); m.setView(v, Math.max(m.getZoom(), 7), {animate: false});"
            " const p = m.latLngToContainerPoint(v);"
            " const r = m.getContainer().getBoundingClientRect();"
            " return [p.x + r.left, p.y + r.top]; }",
            [i, frac],
        )
        page.page.mouse.click(xy[0], xy[1])
        if page.js("document.querySelectorAll('.mm-leg-popup').length") > 0:
            return
    raise AssertionError(f"no leg popup opened by clicking leg {i}")


def test_a_leg_popup_shows_its_sources(built, open_page) -> None:
    dataset, files = built
    page = open_page(files[0])
    legs = dataset.legs.reset_index(drop=True)
    i = int(legs[col.LENGTH_KM].idxmax())
    _click_leg(page, i)
    shown = page.js("document.querySelector('.mm-leg-popup').textContent")
    # Whichever leg is on top at that pixel: its own sources are listed.
    k = page.js("movemap.state.map._popup._source.options.mmIndex")
    row = legs.iloc[k]
    sources = dataset.sources.set_index(col.SOURCE_ID)
    assert row[col.EQUIPMENT] in shown
    for sid in row[col.SOURCE_IDS]:
        assert sources.loc[sid, col.SOURCE_OUTLET] in shown
    hrefs = page.js("Array.from(document.querySelectorAll('.mm-leg-popup a')).map(a => a.href)")
    urls = {sources.loc[s, col.SOURCE_URL] for s in row[col.SOURCE_IDS]} - {""}
    assert urls <= set(hrefs)


# ------------------------------------------------------------------ hostile


def test_hostile_ledger_renders_literally_and_runs_nothing(hostile_built, open_page) -> None:
    dataset, files = hostile_built
    for path in files:
        page = open_page(path)
        assert page.errors == [], (path.name, page.errors)
        assert page.js(f"window.{HOSTILE_FLAG}") is None
        assert page.js("document.querySelectorAll('img').length") == 0
        layers_text = page.js("document.querySelector('.mm-layers').textContent")
        assert HOSTILE in layers_text  # zone labels, literally
        page.close()

    page = open_page(files[0])
    # Leg popup: every text field shows the raw string.
    legs = dataset.legs.reset_index(drop=True)
    _click_leg(page, int(legs[col.LENGTH_KM].idxmax()))
    text = page.js("document.querySelector('.mm-leg-popup').textContent")
    assert text.count(HOSTILE) >= 5  # equipment, quantity, actor, carrier, note, sources...
    # Place popup of the hostile-named place, opened through its marker.
    j = page.js("movemap.state.places.items.findIndex(p => p.id === 'hostile_site')")
    assert j >= 0
    page.js(
        "(j) => { const m = movemap.placeLayer(j);"
        " m.fire('click', {latlng: m.getLatLng()}, true); }",
        j,
    )
    page.page.wait_for_selector(".mm-place-popup", timeout=5000)
    title = page.js("document.querySelector('.mm-place-popup .mm-popup-title').textContent")
    name = dataset.places.loc[dataset.places[col.PLACE_ID] == "hostile_site", col.PLACE_NAME].iloc[
        0
    ]
    assert title == name
    # Tooltips too.
    page.js("(j) => { movemap.placeLayer(j).openTooltip(); }", j)
    labels = page.js(
        "Array.from(document.querySelectorAll('.leaflet-tooltip')).map(t => t.textContent)"
    )
    assert name in labels
    assert page.js(f"window.{HOSTILE_FLAG}") is None
    assert page.js("document.querySelectorAll('img').length") == 0


def test_template_literal_escaping_holds_in_folium_popups(browser, tmp_path: Path) -> None:
    """folium puts Popup/Tooltip text in a JS template literal: prove ours holds."""
    import folium

    from layers.escape import template_literal

    m = folium.Map(location=[30, 15], zoom_start=5, tiles=None)
    # CircleMarker: a default Marker icon is an image file, not wanted offline.
    marker = folium.CircleMarker([30, 15], tooltip=folium.Tooltip(template_literal(HOSTILE)))
    marker.add_child(folium.Popup(template_literal(HOSTILE)))
    marker.add_to(m)
    html = m.get_root().render()
    # Use our inline assets: folium's page would fetch Leaflet from a CDN.
    from layers.assets import jquery_js, leaflet_css, leaflet_js

    head = (
        f"<style>{leaflet_css()}</style>"
        f"<script>{leaflet_js()}</script><script>{jquery_js()}</script>"
    )
    html = html.replace("<head>", "<head>" + head, 1)
    page_file = tmp_path / "folium.html"
    page_file.write_text(html, encoding="utf-8")
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
    )
    page.goto(page_file.as_uri())
    page.wait_for_selector("path.leaflet-interactive", timeout=10_000, state="attached")
    page.evaluate(
        "() => { for (const k of Object.keys(window)) { const v = window[k];"
        " if (v && v instanceof L.CircleMarker) { v.openPopup(); v.openTooltip(); } } }"
    )
    popup = page.evaluate("document.querySelector('.leaflet-popup-content').textContent")
    tooltip = page.evaluate("document.querySelector('.leaflet-tooltip').textContent")
    assert popup.strip() == HOSTILE
    assert tooltip.strip() == HOSTILE
    assert page.evaluate(f"window.{HOSTILE_FLAG}") is None
    assert errors == []
    context.close()
