"""Tests for layers.static_map: size, content, labels, scale bar, determinism."""

from __future__ import annotations

import itertools
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle
from PIL import Image
from pyproj import Geod
from test_export import synthetic_dataset

from geo import columns as col
from geo import settings
from layers.static_map import (
    draw_static_map,
    label_positions,
    nice_scale_km,
    save_figure,
    write_static_map,
    zones_at,
)


@pytest.fixture(scope="module")
def figure() -> mpl.figure.Figure:
    return draw_static_map(synthetic_dataset(), title="Test $x$ map <b>", as_of="2020-07-31")


@pytest.mark.parametrize("size", [(3300, 2100), (1200, 800), (1001, 667)])
def test_png_has_requested_size_and_content(tmp_path: Path, size: tuple[int, int]) -> None:
    fig = draw_static_map(synthetic_dataset(), title="Size test", size_px=size)
    path = save_figure(fig, tmp_path / "m.png")
    with Image.open(path) as im:
        assert im.size == size
        dpi = im.info.get("dpi")
        px = np.asarray(im.convert("RGB"), dtype=float)
    assert dpi == pytest.approx((settings.BRIEF_MAP_DPI,) * 2, abs=0.1)
    # Not blank: real variation, and a good share of non-white (land/sea) pixels.
    assert px.std() > 20
    assert (px.min(axis=2) < 240).mean() > 0.3


def test_svg_parses(figure: mpl.figure.Figure, tmp_path: Path) -> None:
    path = save_figure(figure, tmp_path / "m.svg")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    assert float(root.get("width", "0").rstrip("pt")) == pytest.approx(
        settings.BRIEF_MAP_SIZE_PX[0] / settings.BRIEF_MAP_DPI * 72
    )
    assert "<dc:date>" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_same_input_same_bytes(tmp_path: Path, fmt: str) -> None:
    a = write_static_map(synthetic_dataset(), tmp_path / "a" / "m", title="T", formats=(fmt,))
    b = write_static_map(synthetic_dataset(), tmp_path / "b" / "m", title="T", formats=(fmt,))
    assert a[0].read_bytes() == b[0].read_bytes()


def test_labels_do_not_collide(figure: mpl.figure.Figure) -> None:
    ax = figure.axes[0]
    renderer = figure.canvas.get_renderer()
    labels = [t for t in ax.texts if t.get_zorder() == 8]
    # every drawable leg end is labelled once
    assert sorted(t.get_text() for t in labels) == sorted(
        {
            "Ramstein Air Base",
            "al-Watiya Air Base",
            "Tripoli",
            "al-Jufra Air Base",
            "Khmeimim Air Base",
            "Suva",
            "Apia",
        }
    )
    boxes = [t.get_window_extent(renderer) for t in labels]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)


def test_label_placement_separates_a_cluster() -> None:
    fig = mpl.figure.Figure(figsize=(4, 3), dpi=100)
    mpl.backends.backend_agg.FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    pts = np.array([[5, 5], [5.3, 5.1], [4.8, 4.9], [5.1, 4.6], [2, 2]])
    labels = label_positions(ax, pts, [f"Place number {i}" for i in range(5)], fontsize=7)
    r = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(r) for t in labels]
    assert len(boxes) == 5
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)


@pytest.mark.parametrize(
    ("span", "bar"), [(3000, 500), (2600, 500), (1234, 200), (87, 10), (10_000, 2000), (0.5, 0.1)]
)
def test_nice_scale(span: float, bar: float) -> None:
    assert nice_scale_km(span) == pytest.approx(bar)


def test_scale_bar_is_true_at_its_latitude(figure: mpl.figure.Figure) -> None:
    ax = figure.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_zorder() == 9]
    full = max(bars, key=lambda p: p.get_width())
    x, y = full.get_xy()
    # Along the parallel: many short geodesic steps converge on its length.
    lons = np.linspace(x, x + full.get_width(), 2001)
    km = Geod(ellps=settings.ELLPS).line_length(lons, np.full_like(lons, y)) / 1000
    label = next(t for t in ax.texts if t.get_text().endswith(" km"))
    assert km == pytest.approx(float(label.get_text().split()[0]), rel=1e-6)
    hint = next(t for t in ax.texts if t.get_text().startswith("scale true at"))
    assert f"{abs(y):.0f}\u00b0" in hint.get_text()


def test_map_has_briefing_furniture(figure: mpl.figure.Figure) -> None:
    texts = " | ".join(t.get_text() for t in figure.texts)
    assert "Test \\$x\\$ map <b>" in texts  # shown literally, not as mathtext
    assert "As of 31 July 2020" in texts
    assert "Sources:" in texts and "approximate" in texts
    ax = figure.axes[0]
    assert any(t.get_text() == "N" for t in ax.texts)  # north arrow
    legend = figure.axes[1].get_legend()
    entries = [t.get_text() for t in legend.get_texts()]
    assert {"confirmed", "reported", "alleged", "assessed", "planned"} <= set(entries)
    assert {"GNA", "LNA"} <= set(entries)


def test_zones_at() -> None:
    zones = pd.DataFrame(
        {
            col.ZONE_ID: ["a", "b", "c"],
            col.VALID_FROM: ["2020-01-01", "2020-06-05", None],
            col.VALID_TO: ["2020-06-04", None, "2019-12-31"],
        }
    )
    pick = lambda d: list(zones_at(zones, pd.Timestamp(d))[col.ZONE_ID])  # noqa: E731
    assert pick("2020-03-01") == ["a"]
    assert pick("2020-06-05") == ["b"]
    assert pick("2019-01-01") == ["c"]


# ------------------------------------------------------- Arabic report text


@pytest.fixture(scope="module")
def arabic_dataset(tmp_path_factory: pytest.TempPathFactory):
    """The bundled data with Arabic outlets (one long) and an Arabic place name."""
    from _helpers import copy_inputs

    from geo.dataset import load_dataset

    data = copy_inputs(tmp_path_factory.mktemp("arabic"))
    gaz = pd.read_csv(data / settings.GAZETTEER_FILE, dtype=str, keep_default_na=False)
    gaz.loc[gaz["id"] == "ramstein_ab", "name"] = "قاعدة رامشتاين"
    gaz.to_csv(data / settings.GAZETTEER_FILE, index=False)
    src = pd.read_csv(data / settings.SOURCES_FILE, dtype=str, keep_default_na=False)
    outlets = ["المرصد", "بوابة الوسط", "ليبيا الأحرار", "قناة 218", "سكاي نيوز عربية"]
    src["outlet"] = [outlets[i % len(outlets)] for i in range(len(src))]
    # Sorted first and long, so the footer wraps inside it.
    src.loc[0, "outlet"] = (
        "\u0627" + "لوكالة الليبية الرسمية للأنباء التابعة لحكومة الوحدة الوطنية " * 2
    )
    src.to_csv(data / settings.SOURCES_FILE, index=False)
    return load_dataset(data)


def _visual(text: str, props: object) -> str:
    """``text``'s characters in the order matplotlib (libraqm) draws them, left to right."""
    import matplotlib._text_helpers as th
    from matplotlib import font_manager

    font = font_manager.get_font(font_manager.findfont(props))
    return "".join(item.char for item in th.layout(text, font))


def test_footer_lines_read_left_to_right_with_arabic_outlets(arabic_dataset) -> None:
    fig = draw_static_map(arabic_dataset, title="Briefing")
    (footer,) = [t for t in fig.texts if "Sources:" in t.get_text()]
    lines = footer.get_text().split("\n")
    arabic_first = 0
    for line in lines:
        letters = [c for c in line if c.isalpha()]
        arabic_first += bool(letters) and "\u0600" <= letters[0] <= "\u06ff"
        # A line ending in English keeps its end at the right: "(CC BY 4.0)." not
        # ".(CC BY 4.0)" with the line's Arabic start moved to the right.
        if unicodedata.bidirectional(line.rstrip()[-1]) in ("R", "AL"):
            continue
        drawn = _visual(line, footer.get_fontproperties()).rstrip()
        assert drawn[-1] == line.rstrip()[-1], (line, drawn)
    assert arabic_first, "no footer line starts with Arabic: the check above proves nothing"


def test_every_label_is_drawn_with_a_face_that_has_its_letters(arabic_dataset) -> None:
    # Off-map labels are italic; DejaVu Sans Oblique has no Arabic letters.
    from matplotlib import font_manager

    zones = arabic_dataset.zones.set_index(col.ZONE_ID)
    west = next(z for z in zones.index if z.startswith("ly-west"))
    fig = draw_static_map(arabic_dataset, title="Zone", focus=zones.geometry[west])
    texts = [t for t in fig.axes[0].texts if t.get_text().strip()]
    assert any("رامشتاين" in t.get_text() for t in texts)
    for t in texts:
        face = font_manager.get_font(font_manager.findfont(t.get_fontproperties()))
        missing = {c for c in t.get_text() if not c.isspace() and ord(c) not in face.get_charmap()}
        assert not missing, (t.get_text(), t.get_fontstyle(), missing)


def test_world_wide_legs_in_a_near_square_frame_stop_at_the_poles() -> None:
    # Legs spanning 210 degrees of longitude in a square frame (the slide's map) asked
    # for latitudes past +-90: the scale bar's distance was NaN and drawing raised.
    from test_export import synthetic_dataset

    from layers.static_map import draw_static_map

    fig = draw_static_map(
        synthetic_dataset(), title="T", size_px=(1000, 1000), dpi=100, headline=False
    )
    y0, y1 = fig.axes[0].get_ylim()
    assert -90 <= y0 < -60 and 60 < y1 <= 90
    assert any("km" in t.get_text() for t in fig.axes[0].texts)  # the scale bar is drawn


def test_a_zone_split_at_the_antimeridian_is_framed_and_filled_whole() -> None:
    # A zone stored RFC 7946-style (172E..180 and -180..172W) was framed as the whole
    # world on its zone brief and, on a Pacific map, drawn only up to 180.
    import dataclasses

    import geopandas as gpd
    import shapely
    from matplotlib.collections import PatchCollection

    from layers.static_map import draw_static_map

    data = synthetic_dataset()
    split = shapely.MultiPolygon(
        [shapely.box(172, 62, 180, 68), shapely.box(-180, 62, -172, 68)]
    )
    row = data.zones.iloc[[0]].copy()
    row[col.ZONE_ID], row[col.ZONE_COUNTRY] = "bering", "XX"
    zones = pd.concat([data.zones, row.set_geometry([split], crs=data.zones.crs)])
    data = dataclasses.replace(data, zones=gpd.GeoDataFrame(zones, crs=data.zones.crs))
    fig = draw_static_map(data, title="T", focus=split)
    ax = fig.axes[0]
    x0, x1 = ax.get_xlim()
    assert 160 < x0 < 172 and 188 < x1 < 200  # framed on the zone, across 180
    xs = np.concatenate(
        [p.vertices[:, 0] for c in ax.collections
         if isinstance(c, PatchCollection) and c.get_zorder() == 2 for p in c.get_paths()]
    )
    assert xs.min() <= 172.01 and xs.max() >= 187.99  # both halves, side by side


def test_emoji_the_font_lacks_are_written_by_name_never_boxes() -> None:
    # DejaVu Sans has no 🚀 or flag: they were drawn as boxes (or '?' with no word).
    from layers.static_map._style import _glyphs, _plain

    assert _plain("🚀 to 🇷🇺 by 👨\u200d✈️") == "[rocket] to [Russia] by [man pilot]"
    assert _plain("✈️ Il-76 ⚠") == "✈ Il-76 ⚠"  # drawn by the font; the selector is dropped
    data = synthetic_dataset()
    legs = data.legs.copy()
    legs[col.TO_NAME] = legs[col.TO_NAME].astype(str) + " 🚀"
    import dataclasses

    fig = draw_static_map(dataclasses.replace(data, legs=legs), title="Moves 🛰️")
    glyphs = _glyphs()
    texts = [t.get_text() for t in fig.axes[0].texts] + [t.get_text() for t in fig.texts]
    assert any("[rocket]" in t for t in texts) and any("[satellite]" in t for t in texts)
    for t in texts:
        assert all(ord(c) in glyphs or c in "\n" for c in t), t


def _bering_figure(*, contested_elsewhere: bool) -> mpl.figure.Figure:
    """A map framed on a zone across 180 (Chukotka to Alaska)."""
    import dataclasses

    import geopandas as gpd
    import shapely

    data = synthetic_dataset()
    split = shapely.MultiPolygon([shapely.box(172, 62, 180, 68), shapely.box(-180, 62, -172, 68)])
    row = data.zones.iloc[[0]].copy()
    row[col.ZONE_ID], row[col.ZONE_COUNTRY], row[col.CONTESTED] = "bering", "XX", False
    rows = [data.zones.assign(**{col.CONTESTED: contested_elsewhere}), row.set_geometry(
        [split], crs=data.zones.crs)]
    zones = gpd.GeoDataFrame(pd.concat(rows), crs=data.zones.crs)
    return draw_static_map(dataclasses.replace(data, zones=zones), title="T", focus=split)


def _drawn_border_segments(ax: mpl.axes.Axes) -> np.ndarray:
    """Every straight edge drawn in the border colour, by any collection."""
    from matplotlib.collections import LineCollection, PatchCollection

    from layers.static_map._style import _BORDER

    want = mpl.colors.to_rgba(_BORDER)
    segs = []
    for c in ax.collections:
        if not isinstance(c, LineCollection | PatchCollection) or not len(c.get_paths()):
            continue
        colours = c.get_edgecolor() if isinstance(c, PatchCollection) else c.get_color()
        widths = np.atleast_1d(c.get_linewidth())
        if not len(colours) or not np.allclose(colours[0], want) or widths.max() <= 0:
            continue
        for path in c.get_paths():
            v = path.vertices
            segs.append(np.stack([v[:-1], v[1:]], axis=1))
    return np.concatenate(segs) if segs else np.empty((0, 2, 2))


def test_no_border_is_drawn_along_the_antimeridian_cut() -> None:
    # Natural Earth cuts Russia at 180: drawn as a border, the cut split Chukotka
    # with a straight line on every map across the antimeridian.
    fig = _bering_figure(contested_elsewhere=False)
    ax = fig.axes[0]
    segs = _drawn_border_segments(ax)
    assert len(segs) > 100  # the coasts of Chukotka and Alaska are drawn
    on_meridian = (segs[:, 0, 0] == segs[:, 1, 0]) & (np.abs(segs[:, 0, 0]) % 360 == 180)
    assert not on_meridian.any(), segs[on_meridian][:3]


def test_contested_is_in_the_legend_only_when_a_hatched_zone_is_in_view() -> None:
    import dataclasses

    far = _bering_figure(contested_elsewhere=True)  # contested zones in Libya, not here
    data = synthetic_dataset()
    contested = dataclasses.replace(data, zones=data.zones.assign(**{col.CONTESTED: True}))
    near = draw_static_map(contested, title="T")

    def labels(fig: mpl.figure.Figure) -> list[str]:
        return [t.get_text() for leg in fig.legends + [
            a.get_legend() for a in fig.axes if a.get_legend()] for t in leg.get_texts()]

    assert "contested" not in labels(far)
    assert "contested" in labels(near)


@pytest.mark.parametrize(("n", "word"), [(1, "1 report ("), (2, "2 reports (")])
def test_source_line_counts_reports_in_words(n: int, word: str) -> None:
    import dataclasses

    from layers.static_map.furniture import _source_line

    data = synthetic_dataset()
    ids = data.sources[col.SOURCE_ID].tolist()[:n]
    legs = data.legs.iloc[:n].assign(**{col.SOURCE_IDS: ids})
    assert word in _source_line(dataclasses.replace(data, legs=legs))
