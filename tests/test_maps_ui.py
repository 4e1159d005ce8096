"""What a reader does with a map, in headless Chromium (issue 13).

Pan and zoom out (the base map is drawn everywhere, checked on the pixels
of a screenshot), panels at laptop and phone sizes (never overlapping),
ISO dates in the date control, and time playback.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_maps_browser import READY, Page, browser  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.browser

#: Land fill of the offline base map (layers/static/movemap.js).
LAND = (0xF4, 0xF2, 0xEE)
#: Sea: the map background under the offline base map (movemap.css).
SEA = (0xDC, 0xE7, 0xEF)


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> dict[str | None, Path]:
    from geo.dataset import load_dataset
    from layers.maps import build_maps, map_files

    dataset = load_dataset()
    out = tmp_path_factory.mktemp("maps-ui")
    build_maps(dataset, out)
    return {zone: out / name for zone, name in map_files(dataset).items()}


@pytest.fixture
def opener(browser: Any) -> Iterator[Any]:  # noqa: F811
    pages: list[Page] = []

    def _open(path: Path, width: int = 1280, height: int = 860) -> Page:
        # Opened at that size, as a reader's screen is (panels start collapsed on a phone).
        page = Page.__new__(Page)
        page.errors, page.requests = [], []
        page.context = browser.new_context(viewport={"width": width, "height": height})
        page.page = page.context.new_page()
        page.page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.page.route("**/*", page._route)
        page.page.goto(path.resolve().as_uri())
        page.page.wait_for_function(READY, timeout=60_000)
        pages.append(page)
        return page

    yield _open
    for p in pages:
        assert p.errors == []
        p.close()


def _pixels(page: Page) -> np.ndarray:
    from PIL import Image

    png = page.page.screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _is(px: np.ndarray, colour: tuple[int, int, int], tol: int = 6) -> np.ndarray:
    return (np.abs(px - np.array(colour)) <= tol).all(axis=-1)


def _hide_panels(page: Page) -> None:
    page.js(
        "document.querySelectorAll('.leaflet-control-container').forEach("
        "e => e.style.visibility = 'hidden')"
    )


@pytest.mark.parametrize("zone", [None, "ly-west-2019-03-01"])
def test_zooming_out_and_panning_reveals_drawn_land(maps, opener, zone) -> None:
    path = maps[zone] if zone in maps else next(p for z, p in maps.items() if z)
    page = opener(path)
    _hide_panels(page)
    first = page.js(
        "(() => { const b = movemap.state.map.getBounds();"
        " return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()"
    )
    # Zoom out to the whole world, then pan to the Americas: far from the data.
    page.js("movemap.state.map.setView([10, -70], 2, {animate: false})")
    page.page.wait_for_timeout(400)
    px = _pixels(page)
    h, w, _ = px.shape
    # The part of the screen outside the first view (the revealed area).
    corners = page.js(
        "(b) => [movemap.state.map.latLngToContainerPoint([b[3], b[0]]),"
        " movemap.state.map.latLngToContainerPoint([b[1], b[2]])]",
        first,
    )
    x0, y0 = max(0, int(corners[0]["x"])), max(0, int(corners[0]["y"]))
    x1, y1 = min(w, int(corners[1]["x"])), min(h, int(corners[1]["y"]))
    revealed = np.ones((h, w), dtype=bool)
    if x1 > x0 and y1 > y0:
        revealed[y0:y1, x0:x1] = False
    land = _is(px, LAND)[revealed].mean()
    sea = _is(px, SEA)[revealed].mean()
    # The Americas, Africa and Europe at zoom 2: a good share of land, and sea.
    assert land > 0.15, (land, sea)
    assert sea > 0.15, (land, sea)
    # Known land far from every leg is land-coloured; open ocean is sea.
    for lat, lon, colour in [(-10, -55, LAND), (40, -100, LAND), (5, -35, SEA)]:
        pt = page.js(f"movemap.state.map.latLngToContainerPoint([{lat}, {lon}])")
        x, y = int(pt["x"]), int(pt["y"])
        patch = px[y - 2 : y + 3, x - 2 : x + 3].reshape(-1, 3)
        assert _is(patch, colour).mean() > 0.5, (lat, lon, patch[:3])


SIZES = [(1280, 720), (1366, 768), (1920, 1080), (1600, 1000), (390, 844)]
PANELS = (
    ".mm-control, .leaflet-control-zoom, .leaflet-control-scale, .leaflet-control-attribution"
)


def _boxes(page: Page) -> list[dict[str, Any]]:
    return page.js(
        f"Array.from(document.querySelectorAll({PANELS!r})).map(e => {{"
        " const r = e.getBoundingClientRect();"
        " return {name: e.className, x: r.left, y: r.top, r: r.right, b: r.bottom}; })"
        ".filter(b => b.r - b.x > 0 && b.b - b.y > 0)"
    )


def _overlaps(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a["x"] < b["r"] - 0.5 and b["x"] < a["r"] - 0.5 and a["y"] < b["b"] - 0.5 and (
                b["y"] < a["b"] - 0.5
            ):
                out.append((a["name"], b["name"]))
    return out


def _click_headings(page: Page, *, opened: bool) -> None:
    """Click the heading of every panel that is ``opened`` (so it toggles)."""
    for heading in page.page.locator(".mm-control > details > summary").all():
        if heading.evaluate("s => s.parentNode.open") == opened:
            heading.click()
    page.page.wait_for_timeout(100)


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("which", ["overview", "zone"])
def test_panels_fit_without_overlapping(maps, opener, width, height, which) -> None:
    path = maps[None] if which == "overview" else maps["ly-west-2019-03-01"]
    page = opener(path, width, height)
    page.page.wait_for_timeout(200)
    boxes = _boxes(page)
    assert len(boxes) >= 6, boxes
    assert _overlaps(boxes) == []
    for b in boxes:  # every panel is on the screen
        assert b["x"] >= 0 and b["y"] >= 0 and b["r"] <= width + 0.5 and b["b"] <= height + 0.5, b
    panels = [b for b in boxes if "mm-control" in b["name"]]
    area = sum((b["r"] - b["x"]) * (b["b"] - b["y"]) for b in panels)
    assert area <= width * height / 3, (area / (width * height), panels)
    # Every panel collapses to its heading, and opens again (by clicking it).
    _click_headings(page, opened=True)
    closed = _boxes(page)
    assert _overlaps(closed) == []
    assert all(b["b"] - b["y"] < 140 for b in closed if "mm-layers" in b["name"] or (
        "mm-legend" in b["name"] or "mm-time" in b["name"]
    )), closed
    _click_headings(page, opened=False)
    reopened = _boxes(page)
    assert _overlaps(reopened) == [] or width < 700  # a phone may open one over another
    for b in reopened:
        assert b["r"] <= width + 0.5 and b["b"] <= height + 0.5, b


def test_date_control_is_iso_and_rejects_other_formats(maps, opener) -> None:
    page = opener(maps[None])
    inputs = page.js(
        "Array.from(document.querySelectorAll('.mm-dates input'))"
        ".map(i => [i.type, i.value, i.placeholder])"
    )
    assert [t for t, _, _ in inputs] == ["text", "text"]
    for _, value, placeholder in inputs:
        assert placeholder == "YYYY-MM-DD"
        assert len(value) == 10 and value[4] == "-" and value[7] == "-", value
    total = page.js("movemap.drawnLegCount()")
    to = page.page.locator(".mm-date-to")
    to.fill("12/18/2019")
    to.press("Enter")
    to.blur()
    assert "YYYY-MM-DD" in page.js("document.querySelector('.mm-date-error').textContent")
    assert page.js("movemap.drawnLegCount()") == total  # nothing changed
    to.fill("2019-12-31")
    to.blur()
    assert page.js("document.querySelector('.mm-date-error').textContent") == ""
    assert page.js("movemap.state.to") == "2019-12-31"
    assert 0 < page.js("movemap.drawnLegCount()") < total
    assert page.js("document.querySelector('.mm-date-to').value") == "2019-12-31"


def test_a_zone_map_with_no_legs_says_so_instead_of_empty_date_boxes(maps, opener) -> None:
    # Such a map showed "0 of 0 legs shown", an empty 'from' box and a greyed play button.
    from geo.dataset import load_dataset
    from layers.maps import map_files

    names = map_files(load_dataset())
    empty = next(
        z for z in names if z and '"n":0,' in maps[z].read_text(encoding="utf-8")
    )
    page = opener(maps[empty], 1366, 768)
    assert page.js("movemap.state.legs.n") == 0
    assert page.js("document.querySelectorAll('.mm-dates input, .mm-play-button').length") == 0
    note = page.js("document.querySelector('.mm-time').innerText")
    label = page.js("movemap.state.zones.find(z => z.focus).label")
    assert "No movements" in note and f"passes through {label}" in note
    assert page.js("document.querySelector('.mm-count').textContent") == (
        "No movements on this map"
    )
    # A map with legs keeps its controls.
    full = opener(maps[None])
    assert full.js("document.querySelectorAll('.mm-dates input').length") == 2


@pytest.mark.parametrize("mode", ["cumulative", "365"])
def test_playback_changes_what_is_drawn(maps, opener, mode) -> None:
    page = opener(maps[None])
    total = page.js("movemap.drawnLegCount()")
    # Start from 2019 so the run spans the bundled reporting (2019-2024).
    page.page.locator(".mm-date-from").fill("2019-01-01")
    page.page.locator(".mm-date-from").blur()
    in_range = page.js("movemap.drawnLegCount()")
    page.page.select_option(".mm-play-mode", mode)
    page.page.select_option(".mm-play-speed", "4")
    page.page.click(".mm-play-button")
    seen = []
    sample = "[movemap.drawnLegCount(), movemap.state.from, movemap.state.to]"
    for _ in range(200):
        seen.append(page.js(sample))
        if not page.js("movemap.playing()"):
            break
        page.page.wait_for_timeout(40)
    # The last step may run between a sample and the check that ends the
    # loop (a slow machine): the state once playback has ended is the last.
    seen.append(page.js(sample))
    counts = [c for c, _, _ in seen]
    assert not page.js("movemap.playing()"), "playback never ended"
    assert len(set(counts)) >= 3, counts  # legs appear (and, in a window, disappear)
    assert min(counts) < in_range <= total
    tos = [t for _, _, t in seen]
    assert tos == sorted(tos)
    if mode == "cumulative":
        assert counts == sorted(counts) and counts[-1] == in_range
        assert {f for _, f, _ in seen} == {"2019-01-01"}
    else:
        assert any(f > "2019-01-01" for _, f, _ in seen)
    # Layer toggles still apply during playback: untick every status.
    page.page.click(".mm-play-button")
    page.js(
        "document.querySelectorAll('input[data-group=status]')"
        ".forEach(i => { if (i.checked) { i.click(); } })"
    )
    page.page.wait_for_timeout(300)
    assert page.js("movemap.drawnLegCount()") == 0


LABELS = ".mm-place-label, .mm-legno-text, .mm-zone-label-text"


@pytest.mark.parametrize("view", [None, ([33.0, 22.0], 6), ([34.5, 30.0], 5)])
def test_labels_and_leg_numbers_never_cover_each_other(maps, opener, view) -> None:
    page = opener(maps[None], 1366, 768)
    if view is not None:
        page.js(f"movemap.state.map.setView({list(view[0])}, {view[1]}, {{animate: false}})")
        page.page.wait_for_timeout(300)
    boxes = page.js(
        f"Array.from(document.querySelectorAll({LABELS!r}))"
        ".filter(e => getComputedStyle(e).visibility !== 'hidden' &&"
        " (!e.parentNode.style || e.parentNode.style.visibility !== 'hidden'))"
        ".map(e => { const r = e.getBoundingClientRect();"
        " return {name: e.textContent, x: r.left, y: r.top, r: r.right, b: r.bottom}; })"
        ".filter(b => b.r - b.x > 0 && b.r > 0 && b.b > 0 && b.x < 1366 && b.y < 768)"
    )
    assert len(boxes) >= 5, boxes
    assert _overlaps(boxes) == []
    # Every leg number of a multi-leg route on screen is shown (none hidden by another).
    hidden = page.js(
        "Array.from(document.querySelectorAll('.mm-legno-text'))"
        ".filter(e => e.style.visibility === 'hidden').length"
    )
    assert hidden == 0
    # Places with legs keep their names: Sirte and Tartus were unlabelled before.
    names = {b["name"] for b in boxes}
    if view == ([33.0, 22.0], 6):
        assert {"Sirte", "Zawiya", "Zuwara Airport"} <= names


def test_a_filtered_build_says_and_draws_exactly_its_legs(opener, tmp_path) -> None:
    from geo.dataset import load_dataset
    from geo.filters import LegFilter, filter_dataset
    from layers.cli import main

    out = tmp_path / "maps"
    args = ["build", "--out", str(out), "--actor", "Russian military", "--since", "2024-12"]
    assert main(args) == 0
    want = filter_dataset(load_dataset(), LegFilter.of(actor="Russian military", since="2024-12"))
    page = opener(out / "index.html", 1366, 768)
    n = len(want.legs)
    assert page.js("movemap.state.legs.n") == n
    assert page.js("movemap.drawnLegCount()") == n  # every leg has a known end here
    count = page.js("document.querySelector('.mm-count').textContent")
    assert count.startswith(f"{n} of {n} legs shown")
    assert "actor: Russian military; from 2024-12" in page.js(
        "document.querySelector('.mm-selection').textContent"
    )
    legend = page.js("document.querySelector('.mm-legend').textContent")
    assert f"Russia ({n})" in legend  # the legend colours by actor group (actors.csv)
    assert "Turkey" not in legend
