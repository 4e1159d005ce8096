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
from test_maps_browser import Page, launch, open_page  # noqa: F401  (shared fixture)

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


# ------------------------------------------------------------ pans, zoom, resize

FRAMES = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def _shot(page: Page) -> np.ndarray:
    from PIL import Image

    page.js(FRAMES)
    return np.asarray(Image.open(io.BytesIO(page.page.screenshot())).convert("RGB"), dtype=int)


def _line_points(page: Page) -> list[list[float]]:
    """Points every ~40 px along the shown segments, in view and away from place
    markers and the edges: ``[x, y]`` each (at most ~400, spread over the lines)."""
    return page.js(
        "() => { const S = movemap.state, m = S.map, G = S.legs.gl.segments, size = m.getSize();"
        " const z = Math.pow(2, m.getZoom());"
        " const o = m.getPixelOrigin().add(m._getMapPanePos().multiplyBy(-1));"
        " const marks = S.places.markers.filter(k => m.hasLayer(k))"
        "   .map(k => m.latLngToContainerPoint(k.getLatLng()));"
        " const out = [];"
        " for (let s = 0; s < G.n; s++) { if (!G.flags[4 * s + 1]) continue;"
        "   const ax = G.seg[4*s] * z - o.x, ay = G.seg[4*s+1] * z - o.y;"
        "   const bx = G.seg[4*s+2] * z - o.x, by = G.seg[4*s+3] * z - o.y;"
        "   const k = Math.min(200, Math.ceil(Math.hypot(bx - ax, by - ay) / 40));"
        "   for (let j = 0; j < k; j++) {"
        "     const p = L.point(Math.round(ax + (bx - ax) * (j + 0.5) / k),"
        "                       Math.round(ay + (by - ay) * (j + 0.5) / k));"
        "     if (p.x < 8 || p.y < 8 || p.x > size.x - 8 || p.y > size.y - 8) continue;"
        "     if (marks.some(q => q.distanceTo(p) < 14)) continue;"
        "     out.push([p.x, p.y]); } }"
        " const step = Math.max(1, Math.floor(out.length / 400));"
        " return out.filter((p, k) => k % step === 0); }"
    )


def _drawn_at(page: Page, points: list[list[float]]) -> np.ndarray:
    """Per point: whether the legs change the screen within 4 px of it (legs shown
    against every leg filtered out; panels hidden)."""
    page.js(HIDE_PANELS)
    with_legs = _shot(page)
    page.js("movemap.setDates('1900-01-01', '1900-01-02')")
    without = _shot(page)
    page.js("movemap.setDates(movemap.state.meta.date_min, movemap.state.meta.date_max)")
    diff = np.abs(with_legs - without).max(axis=2) > 30
    h, w = diff.shape
    return np.array(
        [
            diff[max(0, y - 4) : min(h, y + 5), max(0, x - 4) : min(w, x + 5)].any()
            for x, y in points
        ]
    )


def test_pans_onto_new_ground_draw_the_legs_there(gl_map, open_page) -> None:
    _, path = gl_map
    page = open_page(path)
    page.page.set_viewport_size({"width": 1366, "height": 768})
    page.js(FRAMES)
    # Two zoom levels in, 600 px west of where the legs' segments are centred,
    # then 300-px pans east: each one shows ground that was not drawn before.
    page.js(
        "() => { const m = movemap.state.map, G = movemap.state.legs.gl.segments;"
        " let x = 0, y = 0; for (let s = 0; s < G.n; s++) {"
        "   x += G.seg[4*s] + G.seg[4*s+2]; y += G.seg[4*s+1] + G.seg[4*s+3]; }"
        " const z = m.getZoom() + 2, c = L.point(x, y).divideBy(2 * G.n);"
        " m.setView(m.unproject(c.multiplyBy(Math.pow(2, z)).subtract([600, 0]), z), z,"
        "   {animate: false}); }"
    )
    for _ in range(4):
        page.js("movemap.state.map.panBy([300, 0], {animate: false})")
        page.js(FRAMES)
    points = _line_points(page)
    new_ground = [p for p in points if p[0] > 1366 - 300]
    assert len(points) >= 20, points
    assert len(new_ground) >= 3, points
    drawn = _drawn_at(page, points)
    missed = [p for p, d in zip(points, drawn, strict=True) if not d]
    assert drawn.mean() >= 0.9, missed
    assert _drawn_at(page, new_ground).all()
    # Filtered out, nothing is drawn at those points.
    page.js("movemap.setDates('1900-01-01', '1900-01-02')")
    assert page.js("movemap.drawnLegCount()") == 0
    assert page.errors == []
    assert page.offline(), page.requests


def test_a_pan_inside_the_drawn_area_keeps_the_drawing_and_a_longer_one_redraws(
    gl_map, open_page
) -> None:
    _, path = gl_map
    page = open_page(path)
    page.js(
        "() => { const g = movemap.state.legs.gl.layer, draw = g.redraw; window.glDraws = 0;"
        " g.redraw = function () { window.glDraws++; return draw.apply(this, arguments); }; }"
    )
    w, h = page.js("[movemap.state.map.getSize().x, movemap.state.map.getSize().y]")
    # A fifth of the window stays inside the canvas (a quarter of the window
    # beyond each edge): the drawing moves with the map, nothing is redrawn,
    # and the legs are still drawn where they belong.
    page.js(f"movemap.state.map.panBy([{w // 5}, {h // 5}], {{animate: false}})")
    page.js(FRAMES)
    assert page.js("window.glDraws") == 0
    points = _line_points(page)
    assert len(points) >= 20
    assert _drawn_at(page, points).mean() >= 0.9
    # A filter redraws at once (_drawn_at hid every leg and showed them
    # again); a pan past the drawn area redraws once.
    draws = page.js("window.glDraws")
    assert draws >= 2
    page.js(f"movemap.state.map.panBy([{w // 2}, 0], {{animate: false}})")
    page.js(FRAMES)
    assert page.js("window.glDraws") == draws + 1
    assert page.errors == []


#: JS: distance in container pixels from (x, y) to line k of the WebGL layer.
LINE_DIST = (
    "const S = movemap.state, m = S.map, g = S.legs.gl, G = g.segments;"
    " const size = m.getSize(), z = Math.pow(2, m.getZoom());"
    " const o = m.getPixelOrigin().add(m._getMapPanePos().multiplyBy(-1));"
    " function dist(k, x, y) { let best = Infinity;"
    "   for (let s = G.first[k]; s < G.first[k + 1]; s++) {"
    "     const ax = G.seg[4*s]*z - o.x, ay = G.seg[4*s+1]*z - o.y;"
    "     const bx = G.seg[4*s+2]*z - o.x, by = G.seg[4*s+3]*z - o.y;"
    "     const dx = bx - ax, dy = by - ay, l2 = dx*dx + dy*dy;"
    "     let t = l2 > 0 ? ((x-ax)*dx + (y-ay)*dy) / l2 : 0; t = Math.max(0, Math.min(1, t));"
    "     best = Math.min(best, Math.hypot(ax + t*dx - x, ay + t*dy - y)); }"
    "   return best; }"
)


def _empty_point(page: Page) -> list[int] | None:
    """A point of the map (away from the panels) 12 px or more from every shown
    line and place marker."""
    return page.js(
        "() => { " + LINE_DIST + " const marks = S.places.markers.filter(k => m.hasLayer(k))"
        "   .map(k => m.latLngToContainerPoint(k.getLatLng()));"
        " for (let y = 100; y < size.y - 60; y += 23)"
        "  for (let x = 440; x < size.x - 320; x += 23) {"
        "   if (marks.some(q => q.distanceTo(L.point(x, y)) < 16)) continue;"
        "   let near = false;"
        "   for (let k = 0; k < G.m && !near; k++) {"
        "     if (G.top[k] >= 0 && dist(k, x, y) < 12) near = true; }"
        "   if (!near) return [x, y]; }"
        " return null; }"
    )


def _only_line_near(page: Page) -> list[Any] | None:
    """A point on one shown line with no other shown line within 10 px:
    ``[x, y, line, a leg drawing that line]`` (null if none in view)."""
    return page.js(
        "() => { " + LINE_DIST + " const marks = S.places.markers.filter(k => m.hasLayer(k))"
        "   .map(k => m.latLngToContainerPoint(k.getLatLng()));"
        " for (let k = 0; k < G.m; k++) { if (G.top[k] < 0) continue;"
        "   let p = g.layer.linePoint(k); if (!p) continue;"
        "   p = L.point(Math.round(p.x), Math.round(p.y));"
        "   if (p.x < 420 || p.y < 60 || p.x > size.x - 300 || p.y > size.y - 40) continue;"
        "   if (marks.some(q => q.distanceTo(p) < 16)) continue;"
        "   let alone = true;"
        "   for (let j = 0; j < G.m && alone; j++) {"
        "     if (j !== k && G.top[j] >= 0 && dist(j, p.x, p.y) < 10) alone = false; }"
        "   if (alone) return [p.x, p.y, k, G.top[k]]; }"
        " return null; }"
    )


@pytest.mark.parametrize("zoom_by", [-2, 0, 3])
def test_a_click_opens_the_popup_of_the_leg_under_it_at_any_zoom(
    gl_map, open_page, zoom_by: int
) -> None:
    dataset, path = gl_map
    page = open_page(path)
    page.js(
        f"movemap.state.map.setZoom(movemap.state.map.getZoom() + {zoom_by}, {{animate: false}})"
    )
    page.js(FRAMES)
    found = _only_line_near(page)
    assert found is not None
    x, y, _, leg = found
    page.page.mouse.click(x, y)
    page.page.wait_for_selector(".mm-leg-popup", timeout=10_000)
    text = page.js("document.querySelector('.mm-leg-popup').textContent")
    row = dataset.legs.reset_index(drop=True).iloc[int(leg)]
    assert f"{row[col.TRANSFER_ID]} \u00b7 leg {row[col.LEG]}" in text
    assert str(row[col.EQUIPMENT]) in text
    page.js("movemap.state.map.closePopup()")
    # A click 12 px or more from every shown line opens nothing.
    empty = _empty_point(page)
    assert empty is not None
    page.page.mouse.click(*empty)
    page.js(FRAMES)
    assert page.js("document.querySelectorAll('.mm-leg-popup').length") == 0
    assert page.errors == []


def test_zoomed_out_to_the_world_legs_are_drawn(gl_map, open_page) -> None:
    _, path = gl_map
    page = open_page(path)
    page.js("movemap.state.map.setView([30, 20], 1, {animate: false})")
    page.js(FRAMES)
    points = _line_points(page)
    assert len(points) >= 20
    assert _drawn_at(page, points).mean() >= 0.9
    # Panned a whole world east, the map shows the next world copy: its
    # country outlines are drawn (base map copies) and the layer still works.
    page.js("movemap.state.map.panBy([512, 0], {animate: false})")
    page.js(FRAMES)
    assert page.js("movemap.drawnLegCount()") == page.js("movemap.state.legs.n")
    assert page.errors == []


def test_resized_window_redraws_at_the_new_size(gl_map, open_page) -> None:
    _, path = gl_map
    page = open_page(path)
    page.page.set_viewport_size({"width": 1366, "height": 768})
    page.js(FRAMES)
    size = page.js("[movemap.state.map.getSize().x, movemap.state.map.getSize().y]")
    assert size == [1366, 768]
    # Leaflet redraws 200 ms after a resize (debounced moveend); the canvas
    # then covers the new size plus 25% padding on each side.
    page.page.wait_for_function(
        "() => { const c = document.querySelector('canvas.mm-webgl-legs');"
        " return parseFloat(c.style.width) === 2049 && parseFloat(c.style.height) === 1152; }",
        timeout=10_000,
    )
    points = _line_points(page)
    assert len(points) >= 20
    assert _drawn_at(page, points).mean() >= 0.9
    assert page.errors == []


def test_playback_shows_legs_up_to_the_playhead(gl_map, open_page) -> None:
    dataset, path = gl_map
    page = open_page(path)
    n = len(dataset.legs)
    page.page.select_option("select.mm-play-speed", "4")
    page.page.click("button.mm-play-button")
    seen = []
    for _ in range(200):
        seen.append(page.js("[movemap.drawnLegCount(), movemap.playing()]"))
        if not seen[-1][1]:
            break
        page.page.wait_for_timeout(50)
    counts = [c for c, _ in seen]
    assert not seen[-1][1], "playback did not finish"
    assert any(0 < c < n for c in counts), counts
    assert counts == sorted(counts), counts  # cumulative: never fewer
    assert counts[-1] == n
    assert page.errors == []
