"""WebGL leg maps (big maps) in headless Chromium, used as a user uses them.

Chromium renders WebGL in software here (SwiftShader through ANGLE; the
flags are in :data:`GL_ARGS`).  Every page is opened offline with every
request recorded, and console errors and warnings are collected.
Skipped when Chromium or Playwright is missing (a failure under CI=true).
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_maps_browser import Page, launch

from geo import columns as col
from layers.synthetic import HOSTILE, HOSTILE_FLAG, synthetic_dataset

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("MOVEMAP_CHROMIUM", "/usr/bin/chromium")
#: WebGL in headless Chromium without a GPU: SwiftShader through ANGLE
#: (``--enable-unsafe-swiftshader`` opts in without the console warning
#: about the automatic software fallback).
GL_ARGS = [
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
]
HIDE_PANELS = "document.querySelector('.leaflet-control-container').style.display = 'none'"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch(GL_ARGS)


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


def _write(dataset, path: Path, **kw: Any) -> Path:
    from layers.maps import render_map

    path.write_text(render_map(dataset, **kw), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def gl_map(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("gl")
    dataset = synthetic_dataset(folder / "data", n_legs=400, seed=11)
    return dataset, _write(dataset, folder / "gl.html", webgl="on")


@pytest.fixture(scope="module")
def hostile_gl(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("glh")
    dataset = synthetic_dataset(folder / "data", n_legs=40, seed=3, hostile=True)
    return dataset, _write(dataset, folder / "gl.html", webgl="on")


def _hex(c: str) -> np.ndarray:
    return np.array([int(c[k : k + 2], 16) for k in (1, 3, 5)], dtype=float)


def _colour_pixels(page: Page, colours: list[str]) -> dict[str, int]:
    """Pixels of the map (panels hidden) within a small distance of each colour."""
    from PIL import Image

    page.js(HIDE_PANELS)
    page.js("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    img = np.asarray(Image.open(io.BytesIO(page.page.screenshot())).convert("RGB"), dtype=float)
    out = {}
    for c in colours:
        # Legs are drawn at 0.9 opacity over the light base map.
        target = 0.9 * _hex(c) + 0.1 * np.array([244.0, 242.0, 238.0])
        out[c] = int((np.abs(img - target).max(axis=2) <= 18).sum())
    return out


def _leg_colours(page: Page) -> list[str]:
    """Colours of the actor groups with the most legs (distinct, not grey)."""
    actors = page.js("movemap.state.meta.actors")
    other = page.js("movemap.state.meta.other_colour")
    return [a["colour"] for a in actors if a["colour"] != other][:3]


# ------------------------------------------------------------------ tests


def test_webgl_map_draws_legs_in_their_colours(gl_map, open_page) -> None:
    dataset, path = gl_map
    page = open_page(path)
    assert page.js("movemap.webgl()") is True
    assert page.js("document.querySelectorAll('canvas.mm-webgl-legs').length") == 1
    assert page.js("movemap.state.legs.lines") is None  # no per-leg Leaflet layers
    n = len(dataset.legs)
    assert page.js("movemap.drawnLegCount()") == n
    colours = _leg_colours(page)
    drawn = _colour_pixels(page, colours)
    # With every leg filtered out by date, the same colours almost vanish
    # (what remains is zone fills or places that happen to be close).
    page.js("movemap.setDates('1900-01-01', '1900-01-02')")
    assert page.js("movemap.drawnLegCount()") == 0
    empty = _colour_pixels(page, colours)
    for c in colours:
        assert drawn[c] > 300, (c, drawn, empty)
        assert empty[c] < drawn[c] / 5, (c, drawn, empty)
    assert page.errors == []
    assert page.offline(), page.requests


def test_date_filter_and_status_toggle_change_what_is_drawn(gl_map, open_page) -> None:
    dataset, path = gl_map
    page = open_page(path)
    colours = _leg_colours(page)
    before = sum(_colour_pixels(page, colours).values())
    legs = dataset.legs
    start = legs[col.DATE_START].dropna().sort_values()
    mid = str(start.iloc[len(start) // 2])[:10]
    # Typed into the date box as a user does.
    page.js("document.querySelector('.leaflet-control-container').style.display = ''")
    page.page.fill("input.mm-date-to", mid)
    page.page.dispatch_event("input.mm-date-to", "change")
    shown = page.js("movemap.drawnLegCount()")
    expected = int((legs[col.DATE_START].astype(str).str[:10] <= mid).sum())
    assert 0 < shown < len(legs)
    assert shown == expected
    half = sum(_colour_pixels(page, colours).values())
    assert half < before * 0.95, (half, before)
    # Untick every status: nothing drawn; tick them again: everything back.
    page.js("document.querySelector('.leaflet-control-container').style.display = ''")
    page.page.click(".mm-time button.mm-link")  # reset dates
    keys = page.js("movemap.state.meta.statuses.map(s => s.key)")
    for k in keys:
        page.js(
            "k => { const i = document.querySelector(`input[data-group=status][data-key='${k}']`);"
            " if (i.checked) { i.click(); } }",
            k,
        )
    assert page.js("movemap.drawnLegCount()") == 0
    assert sum(_colour_pixels(page, colours).values()) < before / 5
    assert page.errors == []
    assert page.offline(), page.requests


def _clickable_leg(page: Page) -> list[float]:
    """A point on a drawn leg, away from every place marker; [x, y, leg]."""
    return page.js(
        "() => { const S = movemap.state, m = S.map, D = S.legs;"
        " const marks = S.places.markers.filter(k => m.hasLayer(k))"
        "   .map(k => m.latLngToContainerPoint(k.getLatLng()));"
        " const size = m.getSize();"
        " for (let i = 0; i < D.n; i++) { let p = movemap.legPoint(i);"
        # the mouse clicks whole pixels: pick at the pixel that is clicked
        "   if (p) p = L.point(Math.round(p.x), Math.round(p.y));"
        "   if (!p || p.x < 420 || p.y < 60 || p.x > size.x - 300 || p.y > size.y - 40) continue;"
        "   if (marks.some(q => q.distanceTo(p) < 16)) continue;"
        "   const k = D.gl.layer.pick(p, 5); if (k >= 0) return [p.x, p.y, k]; }"
        " return null; }"
    )


def test_clicking_a_leg_opens_its_popup(gl_map, open_page) -> None:
    dataset, path = gl_map
    page = open_page(path)
    found = _clickable_leg(page)
    assert found is not None
    x, y, k = found
    page.page.mouse.click(x, y)
    page.page.wait_for_selector(".mm-leg-popup", timeout=10_000)
    text = page.js("document.querySelector('.mm-leg-popup').textContent")
    row = dataset.legs.reset_index(drop=True).iloc[int(k)]
    assert f"{row[col.TRANSFER_ID]} \u00b7 leg {row[col.LEG]}" in text
    assert str(row[col.EQUIPMENT]) in text
    sources = dataset.sources.set_index(col.SOURCE_ID)
    for sid in row[col.SOURCE_IDS]:
        assert sources.loc[sid, col.SOURCE_OUTLET] in text
    # The clicked route is drawn thicker while its popup is open.
    assert page.js(
        "Array.from(movemap.state.legs.gl.segments.flags).some((v, j) => j % 4 === 2 && v)"
    )
    page.js("movemap.state.map.closePopup()")
    assert not page.js(
        "Array.from(movemap.state.legs.gl.segments.flags).some((v, j) => j % 4 === 2 && v)"
    )
    # A click on empty sea opens nothing.
    assert page.errors == []
    assert page.offline(), page.requests


def test_hostile_text_stays_inert_on_a_webgl_map(hostile_gl, open_page) -> None:
    _, path = hostile_gl
    page = open_page(path)
    assert page.js("movemap.webgl()") is True
    found = _clickable_leg(page)
    assert found is not None
    page.page.mouse.click(found[0], found[1])
    page.page.wait_for_selector(".mm-leg-popup", timeout=10_000)
    text = page.js("document.querySelector('.mm-leg-popup').textContent")
    assert HOSTILE.split("<script>")[0].strip() in text or "onerror" in text
    assert page.js(f"window.{HOSTILE_FLAG}") is None
    assert (
        page.js("document.querySelectorAll('.mm-leg-popup img, .mm-leg-popup script').length") == 0
    )
    assert page.errors == []
    assert page.offline(), page.requests


def test_without_webgl_the_canvas_path_draws_every_leg(gl_map, browser) -> None:
    dataset, path = gl_map
    exe = CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")
    b = browser.browser_type.launch(executable_path=exe, args=[*GL_ARGS, "--disable-webgl"])
    try:
        page = Page(b, path)
        assert page.js("movemap.webgl()") is False
        assert page.js("movemap.drawnLegCount()") == len(dataset.legs)
        assert page.errors == [
            "movemap: this browser has no WebGL; legs are drawn on a canvas instead"
        ]
        assert page.offline(), page.requests
    finally:
        b.close()
