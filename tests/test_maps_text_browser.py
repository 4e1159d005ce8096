"""Report text as a reader sees it on the map: right-to-left names, long notes.

Reporting on Libya and Syria cites Arabic outlets and places. Shown next to
dates, counts and arrows without bidi isolation, an Arabic name reorders
its neighbours: an outlet's date 2021-01-28 reads 28-01-2021, a route
between two Arabic-named places points backwards, "(3)" jumps to the left
of a legend name. Each check here reads where the characters are drawn.
A 2,000-character note (and a long link in it) must not push a popup's
sources off a 1366x768 screen.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from _helpers import INPUT_FILES, copy_inputs
from test_maps_browser import Page, browser  # noqa: F401  (shared fixture)

from geo import columns as col

pytestmark = pytest.mark.browser

#: Display names (the ids stay), an outlet and an actor group in Arabic.
UAE_AR = "الإمارات العربية المتحدة"
LIBYA_AR = "ليبيا"
OUTLET_AR = "بوابة الوسط"
GROUP_AR = "روسيا"
#: ~2,300 characters, with a long unbroken token (a pasted link).
LONG_NOTE = "See https://example.org/" + "x" * 70 + " " + ("Witnesses said " + LIBYA_AR + " ") * 100


def _edit(path: Path, key: str, change: dict[str, dict[str, str]]) -> None:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
        fields = list(rows[0])
    for r in rows:
        for k, v in change.get(r[key], {}).items():
            r[k] = v
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


@pytest.fixture(scope="module")
def arabic_map(tmp_path_factory: pytest.TempPathFactory):
    from geo.dataset import load_dataset
    from layers.maps import render_map

    data = copy_inputs(tmp_path_factory.mktemp("arabic"), [*INPUT_FILES, "actors.csv"])
    _edit(data / "gazetteer.csv", "id", {"uae": {"name": UAE_AR}, "libya": {"name": LIBYA_AR}})
    outlet = {"outlet": OUTLET_AR, "published": "2021-01-28"}
    _edit(data / "sources.csv", "source_id", {"armytech_pantsir": outlet})
    with open(data / "actors.csv", newline="", encoding="utf-8") as fh:
        actors = list(csv.DictReader(fh))
    _edit(
        data / "actors.csv",
        "actor",
        {a["actor"]: {"group": GROUP_AR} for a in actors if a["group"] == "Russia"},
    )
    with open(data / "transfers.csv", newline="", encoding="utf-8") as fh:
        first = next(csv.DictReader(fh))
    _edit(data / "transfers.csv", "transfer_id", {first["transfer_id"]: {"note": LONG_NOTE}})
    dataset = load_dataset(data)
    out = tmp_path_factory.mktemp("arabic-map") / "index.html"
    out.write_text(render_map(dataset), encoding="utf-8")
    return dataset, out


@pytest.fixture
def page(browser: Any, arabic_map):  # noqa: F811
    p = Page(browser, arabic_map[1])
    p.page.set_viewport_size({"width": 1366, "height": 768})
    p.page.wait_for_function("movemap.state.map.getSize().y === 768")
    yield p
    p.close()


#: Left edge, in CSS pixels, of where ``needle`` (its n-th occurrence) is drawn
#: inside the first element matching ``selector`` whose text contains it.
X_OF = """([selector, needle, nth]) => {
  for (const root of document.querySelectorAll(selector)) {
    if (!root.textContent.includes(needle)) { continue; }
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let seen = 0;
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      let at = node.data.indexOf(needle);
      while (at >= 0) {
        if (seen++ === nth) {
          const r = document.createRange();
          r.setStart(node, at); r.setEnd(node, at + needle.length);
          return r.getBoundingClientRect().left;
        }
        at = node.data.indexOf(needle, at + 1);
      }
    }
  }
  return null;
}"""


def _x(page: Page, selector: str, needle: str, nth: int = 0) -> float:
    x = page.js(X_OF, [selector, needle, nth])
    assert x is not None, f"{needle!r} not found in {selector}"
    return float(x)


def _open_leg_popup(page: Page, i: int) -> None:
    page.js(
        "i => { const l = movemap.legLayer(i); const m = movemap.state.map;"
        " m.fitBounds(l.getBounds(), {animate: false});"
        " const ll = l.getCenter();"
        " l.fire('click', {latlng: ll, layerPoint: m.latLngToLayerPoint(ll),"
        " containerPoint: m.latLngToContainerPoint(ll)}, true); }",
        i,
    )
    page.page.wait_for_selector(".mm-leg-popup")


def _leg(dataset, transfer: str, leg: int) -> int:
    legs = dataset.legs.reset_index(drop=True)
    return int(legs.index[(legs[col.TRANSFER_ID] == transfer) & (legs[col.LEG] == leg)][0])


def test_an_arabic_outlet_leaves_its_date_in_order(arabic_map, page) -> None:
    dataset, _ = arabic_map
    _open_leg_popup(page, _leg(dataset, "pantsir-supply", 2))
    sel = ".mm-leg-popup .mm-source"
    # 2021-01-28 must read left to right, not 28-01-2021.
    assert _x(page, sel, "2021") < _x(page, sel, "-01-") < _x(page, sel, "-28")


def test_a_route_between_arabic_names_still_reads_from_then_to(arabic_map, page) -> None:
    dataset, _ = arabic_map
    _open_leg_popup(page, _leg(dataset, "pantsir-supply", 2))  # uae -> libya
    sel = ".mm-leg-popup .mm-popup-table td"
    assert _x(page, sel, UAE_AR) < _x(page, sel, "\u2192") < _x(page, sel, LIBYA_AR)


def test_legend_counts_stay_after_arabic_names(page) -> None:
    sel = ".mm-legend .mm-legend-row"
    assert _x(page, sel, GROUP_AR) < _x(page, sel, "(")


def test_a_long_note_keeps_the_popup_on_screen_and_its_sources_reachable(arabic_map, page) -> None:
    dataset, _ = arabic_map
    legs = dataset.legs.reset_index(drop=True)
    i = int(legs.index[legs[col.NOTE].str.len() > 2000][0])
    _open_leg_popup(page, i)
    box = page.js(
        "(() => { const r = document.querySelector('.leaflet-popup').getBoundingClientRect();"
        " return [r.top, r.bottom, r.height]; })()"
    )
    map_h = page.js("movemap.state.map.getSize().y")
    assert box[2] <= map_h, f"popup {box[2]:.0f} px tall on a {map_h} px map"
    # Nothing cut at the right edge: long tokens wrap inside the popup.
    widths = page.js(
        "(() => { const c = document.querySelector('.leaflet-popup-content');"
        " return [c.scrollWidth, c.clientWidth]; })()"
    )
    assert widths[0] <= widths[1] + 1, widths
    # The sources are at the end of a scrollable body: scrolled to, they are in view.
    seen = page.js(
        "(() => { const s = document.querySelector('.mm-leg-popup .mm-sources');"
        " s.scrollIntoView({block: 'nearest'});"
        " const r = s.getBoundingClientRect();"
        " const c = document.querySelector('.leaflet-popup-content-wrapper')"
        "   .getBoundingClientRect();"
        " return r.top >= c.top - 1 && r.top < c.bottom && r.top >= 0 && r.top < innerHeight; })()"
    )
    assert seen


def test_a_map_with_more_places_than_labels_names_its_busiest(
    browser,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A big ledger has hundreds of places: the busiest keep permanent
    # labels (before, a map over the cap showed no place name at all).
    from geo.dataset import load_dataset
    from layers import maps

    monkeypatch.setattr(maps, "MAX_PLACE_LABELS", 5)
    dataset = load_dataset(copy_inputs(tmp_path / "data"))
    out = tmp_path / "index.html"
    out.write_text(maps.render_map(dataset), encoding="utf-8")
    p = Page(browser, out)
    try:
        p.page.wait_for_timeout(400)  # labels are placed on the next frames
        counts = p.js("movemap.state.places.items.map(x => x.legs.length)")
        unknown = p.js("movemap.state.places.items.map(x => !!x.unknown)")
        labelled = p.js(
            "movemap.state.places.markers.map(m => !!(m.getTooltip()"
            " && m.getTooltip().options.permanent))"
        )
        assert len(counts) > 5 and sum(labelled) == 5
        # under a cap, unnamed stops ("?transit airfield") never take a label
        assert any(unknown) and not any(u for u, lab in zip(unknown, labelled, strict=True) if lab)
        named = [c for c, u in zip(counts, unknown, strict=True) if not u]
        busiest = sorted(named, reverse=True)[4]
        assert all(c >= busiest for c, lab in zip(counts, labelled, strict=True) if lab)
        shown = p.js(
            "Array.from(document.querySelectorAll('.mm-place-label'))"
            ".filter(e => getComputedStyle(e).visibility !== 'hidden').length"
        )
        assert shown >= 1
    finally:
        p.close()


def test_zone_details_in_the_layers_panel_wrap_instead_of_being_cut(browser) -> None:  # noqa: F811
    # "GNA; 2019-03-01 to 2021-03-14; as of 2020-07-27" under each zone's name was
    # cut at the panel's edge (no ellipsis either): the dates a reader needs.
    from geo.paths import REPO_ROOT

    p = Page(browser, REPO_ROOT / "maps" / "ly-west-2019-03-01.html")
    try:
        p.page.set_viewport_size({"width": 1366, "height": 768})
        p.page.wait_for_timeout(300)
        cut = p.js(
            "Array.from(document.querySelectorAll('.mm-check-detail'))"
            ".filter(e => e.getClientRects().length && e.scrollWidth > e.clientWidth + 1)"
            ".map(e => e.textContent)"
        )
        shown = p.js("document.querySelectorAll('.mm-check-detail').length")
        assert shown > 0 and cut == []
    finally:
        p.close()


@pytest.mark.parametrize("width", [1366, 700])
def test_a_long_leg_tooltip_wraps_inside_the_window(arabic_map, page, width) -> None:
    # The hover tooltip (id, equipment, route, date, status) was one line: 770 px for
    # the Pantsir leg, cut at the window's edge on a laptop, and wider than a phone.
    dataset, _ = arabic_map
    page.page.set_viewport_size({"width": width, "height": 768})
    page.page.wait_for_function(f"movemap.state.map.getSize().x === {width}")
    legs = dataset.legs.reset_index(drop=True)
    i = int(legs[col.EQUIPMENT].astype(str).str.len().idxmax())
    page.js(
        "i => { const l = movemap.legLayer(i); movemap.state.map.fitBounds(l.getBounds(),"
        " {animate: false, maxZoom: 6}); }",
        i,
    )
    page.page.wait_for_timeout(100)
    x, y = page.js(
        "i => { let ll = movemap.legLayer(i).getLatLngs();"
        " if (Array.isArray(ll[0])) { ll = ll.flat(); }"
        " const p = movemap.state.map.latLngToContainerPoint(ll[Math.floor(ll.length / 2)]);"
        " return [p.x, p.y]; }",
        i,
    )
    box = page.js(
        "() => document.querySelector('.leaflet-container').getBoundingClientRect().toJSON()"
    )
    for dx in (0, 1, 2):  # a real pointer onto the line, so Leaflet's own hover code runs
        page.page.mouse.move(box["x"] + x + dx, box["y"] + y)
    page.page.wait_for_selector(".mm-leaflet-tooltip .mm-tooltip")
    tip = page.js(
        "() => { const t = document.querySelector('.mm-leaflet-tooltip');"
        " const r = t.getBoundingClientRect();"
        " return [r.left, r.right, r.width, r.height, t.scrollWidth - t.clientWidth,"
        " t.textContent]; }"
    )
    left, right, tip_w, tip_h, hidden, text = tip
    assert str(legs.loc[i, col.EQUIPMENT]) in text
    assert tip_w <= 380 and hidden <= 0, tip
    # ... and wraps into lines, not a column of letters (a shrink-to-fit box would).
    assert tip_w >= min(300, 0.4 * width), tip
    assert tip_h <= 6 * 20, tip
    assert left >= 0 and right <= width, tip
